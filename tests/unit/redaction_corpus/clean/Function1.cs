using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Contoso.Orders;

public sealed class LoginModel
{
    public string UserName { get; set; } = string.Empty;
    public string Password { get; set; } = string.Empty;
    public string? ApiKey { get; init; }
}

public class Function1
{
    private readonly ILogger<Function1> _logger;
    private readonly SecretClient _secrets;
    private readonly string _apiKeyName;

    public Function1(ILogger<Function1> logger, IConfiguration configuration)
    {
        _logger = logger;
        _secrets = new SecretClient(new Uri(configuration["KeyVaultUri"]!), new DefaultAzureCredential());
        _apiKeyName = configuration["ApiKeySecretName"] ?? "orders-api-key";
    }

    [Function("Login")]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post")] HttpRequestData req,
        CancellationToken cancellationToken)
    {
        var model = await req.ReadFromJsonAsync<LoginModel>(cancellationToken);
        KeyVaultSecret secret = await _secrets.GetSecretAsync(_apiKeyName, cancellationToken: cancellationToken);
        var password = model?.Password;
        var token = req.Headers.TryGetValues("Authorization", out var values) ? values.First() : null;
        if (password == null || token == null)
        {
            _logger.LogWarning("Missing password or token for {User}", model?.UserName);
            return req.CreateResponse(HttpStatusCode.Unauthorized);
        }

        var response = req.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync($"Hello {model!.UserName}, key version {secret.Properties.Version}");
        return response;
    }
}
