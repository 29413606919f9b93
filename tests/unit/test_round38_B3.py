"""Round 38 (B3, breadth from Microsoft's troubleshooting articles for the app platform).

Covered: the Azure.Functions.Sdk MSBuild rules (AZFW0100-AZFW0111) and the in-process SDK analyzer (AZF0001,
AZF0002) by their real message texts; Static Web Apps' missing API folder; App Service certificates in use, a custom
domain's DNS record not located, a plan's storage quota on delete, zone redundancy under three workers, a container
host's full disk, the Free tier's WebSocket limit, SQLite on the /home share and MySQL's max_user_connections; API
Management's trace when no operation matches (the SOAPAction header), a backend's own 500 in the trace, and SNAT
exhaustion behind BackendConnectionFailure. Each paste is answered by its entry with the article's deciding detail,
and a near miss in the same words stays silent."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

CSPROJ = "/src/Contoso.Functions/Contoso.Functions.csproj"

# (paste, entry the catalog ranks first, category the engine concludes, a deciding detail of the root cause)
CASES = [
    (f"PS C:\\src\\Orders> dotnet run\n{CSPROJ} : error AZFW0100: Unable to launch the Azure Functions Core Tools. "
     "Please visit https://aka.ms/azfunc-dotnet-run-error for more details on how to address this problem.",
     "functions-isolated-core-tools-not-launched", "runtime.dependency_missing", "Core Tools"),
    (f"dotnet build -c Release\n{CSPROJ} : error AZFW0101: The AzureFunctionsExtensionPackage "
     "Microsoft.Azure.WebJobs.Extensions.ServiceBus/5.13.0 conflicts with existing package "
     "Microsoft.Azure.WebJobs.Extensions.ServiceBus/5.16.4\nBuild FAILED.",
     "functions-sdk-azfw0101-extension-package-conflict", "functions.host_misconfigured", "5.13.0 and 5.16.4"),
    (f"{CSPROJ} : error AZFW0103: Invalid version for AzureFunctionsExtensionPackage "
     "'Microsoft.Azure.WebJobs.Extensions.Kafka': '4.*-beta'. Ensure the Version metadata on this item is a valid "
     "NuGet package version.\nError: Process completed with exit code 1.",
     "functions-sdk-azfw0103-invalid-extension-version", "functions.host_misconfigured", "'4.*-beta'"),
    (f"{CSPROJ} : warning AZFW0104: Azure Functions 'v3' is out of support and will not receive security updates in "
     "the future. Please refer to https://aka.ms/azure-functions-retired-versions for more information.",
     "functions-sdk-azure-functions-version-unsupported", "functions.host_misconfigured", "('v3')"),
    (f"dotnet publish -c Release\n{CSPROJ} : error AZFW0106: The AzureFunctionsVersion 'v5' is unknown or not "
     "supported.\n##[error]Process completed with exit code 1.",
     "functions-sdk-azure-functions-version-unsupported", "functions.host_misconfigured", "('v5')"),
    (f"1>{CSPROJ} : error AZFW0105: 'Microsoft.NET.Sdk.Functions' package is incompatible with Azure.Functions.Sdk. "
     "Please remove the 'Microsoft.NET.Sdk.Functions' package reference.",
     "functions-sdk-azfw0105-incompatible-sdk-referenced", "functions.host_misconfigured",
     "(Microsoft.NET.Sdk.Functions)"),
    (f"{CSPROJ} : warning AZFW0107: Target framework 'net6.0' is not supported by Azure Functions. Please see "
     "https://learn.microsoft.com/azure/azure-functions/functions-versions for in-support versions.",
     "functions-isolated-target-framework-unsupported", "functions.host_misconfigured", "TargetFramework"),
    ("  dotnet restore Contoso.sln\n  dotnet build Contoso.sln --no-restore\n"
     f"{CSPROJ} : warning AZFW0108: The Functions extensions project was not restored prior to build. Falling back "
     "to restore-during-build for the Functions extensions project. This may cause issues in some build environments."
     "\nAfter deploy the host logs say the binding type(s) 'serviceBusTrigger' are not registered.",
     "functions-sdk-azfw0108-extension-bundle-not-restored", "functions.host_misconfigured", "restored"),
    ("/src/Contoso.Functions/obj/azure_functions/azure_functions.g.csproj : warning AZFW0109: This project is not "
     "intended to be built directly. It is only used as an intermediate target for packaging Azure Functions "
     "projects.", "functions-sdk-generated-project-built", "functions.host_misconfigured", "azure_functions.g.csproj"),
    (f"{CSPROJ} : warning AZFW0111: No Azure Functions worker package was found after restore. Add a package "
     "reference to 'Microsoft.Azure.Functions.Worker' (or a package that depends on it) so the worker runtime is "
     "available.\nSystem.MissingMethodException: Method not found",
     "functions-sdk-azfw0111-worker-package-not-referenced", "runtime.dependency_missing",
     "Microsoft.Azure.Functions.Worker"),
    ("OrderProcessor.cs(27,30): error AZF0001: Do not use void as the return type for async functions. Use Task "
     "instead. [C:\\src\\Orders\\Orders.csproj]",
     "functions-isolated-azfw0002-async-void", "runtime.code_defect", "returns void"),
    ("ReportFunction.cs(41,25): warning AZF0002: Avoid instantiating HttpClient inside a function\nIn production we "
     "then get 'An attempt was made to access a socket in a way forbidden by its access permissions'",
     "functions-sdk-azf0002-httpclient-per-invocation", "runtime.code_defect", "new HttpClient on every invocation"),
    ("Run Azure/static-web-apps-deploy@v1\nEither no Api directory was specified, or the specified directory was not "
     "found. Azure Functions will not be created.\nthen every call from the site to /api/products returns 404",
     "appservice-swa-api-directory-not-found", "config.wrong_resource_name", "api_location"),
    ("az webapp config ssl delete --certificate-thumbprint 8A1F22 --resource-group rg-web\n(Conflict) Unable to delete "
     "the certificate because it is currently being used in a TLS/SSL binding. The TLS binding must be removed "
     "before you can delete the certificate.",
     "appservice-certificate-in-use-by-binding", "deployment.resource_locked", "binding"),
    ("az webapp config ssl upload --certificate-file www_contoso_com.pfx --certificate-password '***' -n web-shop "
     "-g rg-web\n(BadRequest) At least one certificate is not valid (Certificate failed validation because it could "
     "not be loaded.)", "appservice-certificate-upload-not-loadable-pfx", "deployment.template_invalid", "triple DES"),
    ("Adding the custom domain shop.contoso.com to the web app: The DNS record could not be located.",
     "appservice-custom-domain-dns-record-not-located", "network.dns_resolution", "TTL"),
    ("Deleting plan-old: Storage usage quota exceeded. Cannot update or delete a server farm. Please make sure your "
     "file system storage is below the limit of the target pricing tier.",
     "appservice-plan-storage-usage-quota-exceeded", "quota.exceeded", "resource group and region"),
    ("Autoscale failed: App Service Plans with fewer than 3 workers are not allowed for zone redundancy. Requested "
     "number of workers: 2", "appservice-plan-zone-redundancy-needs-three-workers", "deployment.template_invalid",
     "fewer (2)"),
    ("2026-11-30T10:02:11Z ERROR - failed to register layer: Error processing tar file(exit status 1): write "
     "/usr/lib/x86_64-linux-gnu/libLLVM.so: no space left on device\n2026-11-30T10:02:11Z ERROR - Pulling docker "
     "image contoso.azurecr.io/ml-api:3.2 failed",
     "appservice-linux-container-host-disk-full", "quota.exceeded", "15 GB"),
    ("WordPress on App Service shows 'Error establishing a database connection'. php_errors.log:\nPHP Warning: "
     "mysqli_real_connect(): (HY000/1226): User 'wpuser' has exceeded the 'max_user_connections' resource (current "
     "value: 4) in D:\\home\\site\\wwwroot\\wp-includes\\wp-db.php on line 1454",
     "appservice-mysql-max-user-connections", "quota.exceeded", "(4 connections)"),
    ("Node.js socket.io app on a Free (F1) Linux App Service plan: after 5 clients connect, new ones fail with\n"
     "WebSocket connection to 'wss://chat-demo.azurewebsites.net/socket.io/?EIO=4&transport=websocket' failed: "
     "Error during WebSocket handshake: Unexpected response code: 429",
     "appservice-free-plan-websocket-connection-limit", "quota.exceeded", "Free"),
    ("Django app on Azure App Service (Linux), db.sqlite3 stored in /home/site/wwwroot:\n"
     "django.db.utils.OperationalError: database is locked",
     "appservice-sqlite-on-network-share-locked", "runtime.code_defect", "network share"),
    ("APIM trace, backend section:\n{\"source\": \"configuration\", \"data\": {\"message\": \"Unable to identify Api "
     "or Operation for this request. Responding to the caller with 404 Resource Not Found.\"}}\nclient: 404 calling "
     "POST https://contoso-gw.azure-api.net/calc (SOAP Multiply operation)",
     "integration-apim-trace-operation-not-identified", "config.wrong_resource_name", "SOAPAction"),
    ("APIM inspector trace:\nforward-request (841.060 ms)\n{ \"response\": { \"status\": { \"code\": 500, \"reason\": "
     "\"Internal Server Error\" } } }\nclient: HTTP 500 from https://contoso-gw.azure-api.net/store/products/2",
     "integration-apim-trace-backend-returned-500", "runtime.code_defect", "backend"),
]


@pytest.mark.parametrize(("text", "entry", "category", "detail"), CASES, ids=[c[1] for c in CASES])
def test_the_article_error_is_answered_by_its_entry(text: str, entry: str, category: str, detail: str) -> None:
    assert best_entry_id(text) == entry
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") == category
    assert detail in report.get("root_cause", "")
    assert report.get("confidence") != "high"


# Inconclusive by themselves (a warning that does not stop the build, several causes behind one code): the entry ranks
# first, and the engine asks for its check instead of concluding.
INCONCLUSIVE = [
    (f"{CSPROJ} : warning AZFW0102: Duplicate extension package found: "
     "Microsoft.Azure.WebJobs.Extensions.Storage.Queues/5.3.0\nOur queue trigger never fires, is this related?",
     "functions-sdk-azfw0102-extension-package-duplicate"),
    (f"{CSPROJ} : warning AZFW0110: The 'FunctionsEnableWorkerIndexing' property is deprecated and no longer has any "
     "effect. Worker indexing is always enabled with Azure.Functions.Sdk.",
     "functions-sdk-worker-indexing-property-deprecated"),
]


@pytest.mark.parametrize(("text", "entry"), INCONCLUSIVE, ids=[c[1] for c in INCONCLUSIVE])
def test_a_warning_that_decides_nothing_is_asked_about(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry
    assert run_engine({"error_description": text}).envelope()["status"] == "request"


def test_snat_exhaustion_is_named_behind_backend_connection_failure() -> None:
    from shared.catalog.index import catalog_index
    entry = next(e for e in catalog_index().entries if e.id == "integration-apim-backend-connection-failure")
    assert "SNAT" in entry.meaning and any("units" in f for f in entry.fix)


# Near misses: the same words in another error must not get these entries.
NEAR_MISSES = [
    ("error NU1107: Version conflict detected for Microsoft.Extensions.Logging. conflicts with existing package",
     "functions-sdk-azfw0101-extension-package-conflict"),
    ("warning NETSDK1138: The target framework 'net6.0' is out of support and will not receive security updates in "
     "the future. Please refer to https://aka.ms/dotnet-core-support for more information.",
     "functions-sdk-azure-functions-version-unsupported"),
    ("2026-11-30T10:02:11Z Error: ENOSPC: no space left on device, write '/home/site/wwwroot/uploads/video.mp4'",
     "appservice-linux-container-host-disk-full"),
    ("failed to register layer: context canceled", "appservice-linux-container-host-disk-full"),
    ("---End of Oryx build logs---\nEither no Api directory was specified, or the specified directory was not found. "
     "Azure Functions will not be created.\nThe content server has rejected the request with: BadRequest\nReason: The "
     "number of files in the app content folder exceeds the limit of 15000.", "appservice-swa-api-directory-not-found"),
    ("Either no Api directory was specified, or the specified directory was not found. Azure Functions will not be "
     "created.\nDeployment Complete :)", "appservice-swa-api-directory-not-found"),
    ("Key Vault certificate import failed: Certificate failed validation (chain incomplete)",
     "appservice-certificate-upload-not-loadable-pfx"),
    ("Unable to delete the certificate 'kv-cert' because the vault has purge protection enabled",
     "appservice-certificate-in-use-by-binding"),
    ('{ "statusCode": 404, "message": "Resource not found" } from https://contoso-gw.azure-api.net/orders/v2/items',
     "integration-apim-trace-operation-not-identified"),
    ("SQLSTATE[HY000] [1040] Too many connections (Azure Database for MySQL flexible server)",
     "appservice-mysql-max-user-connections"),
    ("The storage account SKU Standard_ZRS is not supported for zone redundancy in this region",
     "appservice-plan-zone-redundancy-needs-three-workers"),
    ("WebSocket connection to 'wss://chat.azurewebsites.net/hub' failed: Error during WebSocket handshake: Unexpected "
     "response code: 429 (Premium P1v3 plan, our own rate limiter middleware)",
     "appservice-free-plan-websocket-connection-limit"),
    ("sqlite3.OperationalError: database is locked (running pytest on my laptop)",
     "appservice-sqlite-on-network-share-locked"),
    ("APIM trace: forward-request (120 ms) { \"response\": { \"status\": { \"code\": 200, \"reason\": \"OK\" } } }",
     "integration-apim-trace-backend-returned-500"),
]


@pytest.mark.parametrize(("text", "entry"), NEAR_MISSES, ids=[c[1] for c in NEAR_MISSES])
def test_a_near_miss_stays_silent(text: str, entry: str) -> None:
    assert best_entry_id(text) != entry


STANDARD_PAST_TEN = [
    "az appservice plan update -n plan-web -g rg-web --number-of-workers 15\nOur plan is Standard S2 and the "
    "scale-out to 15 instances fails, autoscale never goes beyond 10 instances.",
    "Autoscale on our App Service plan (S1) is set to max 20 instances but it stops at 10 instances during the sale.",
]


@pytest.mark.parametrize("text", STANDARD_PAST_TEN)
def test_a_standard_plan_past_ten_instances_is_the_tier_ceiling(text: str) -> None:
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") == "quota.exceeded"
    assert "Standard tier" in report.get("root_cause", "")


@pytest.mark.parametrize("text", [
    "Our PremiumV3 P1v3 App Service plan scaled out to 15 instances and the app still answers 503.",
    "Standard_LRS storage account, scaling the web app to 12 instances made blob writes slow",
])
def test_other_plans_or_a_storage_sku_do_not_get_the_ceiling(text: str) -> None:
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert "Standard tier" not in report.get("root_cause", "")
