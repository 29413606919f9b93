"""Round 38 B4: breadth from Microsoft's Entra ID troubleshooting articles (SupportArticles-docs
support/entra/entra-id/): sign-in codes, token validation in the app's middleware, MSAL client errors, Microsoft Graph
refusals, the browser's CORS block on the sign-in endpoints; each realistic paste gets its entry (or clue) with the
article's deciding detail, and near misses keep their older reading."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

NEW_IDS = frozenset({
    "keyvault-batch-user-subscription-invalid-reference",
    "entra-idx10208-no-valid-audience-configured",
    "entra-idx10500-no-signing-keys",
    "entra-idx14100-token-not-a-jwt",
    "entra-publisher-verification-no-access",
    "entra-publisher-verification-wrong-partner-id",
    "entra-publisher-verification-domain-mismatch",
    "entra-publisher-verification-app-id-not-object-id",
    "entra-msal-browser-monitor-window-timeout",
    "entra-msal-browser-block-iframe-reload",
    "entra-msal-browser-uninitialized-client",
    "entra-msal-browser-native-connection-missing",
    "entra-msal-browser-stubbed-client",
    "entra-msal-browser-popup-user-cancelled-headers",
    "entra-msal-browser-cache-quota-exceeded",
    "entra-aadsts220501-crl-download-failed",
    "entra-aadsts50000-on-behalf-of",
    "entra-aadsts50000-symmetric-signing-key",
    "entra-aadsts500571-guest-account-disabled",
    "entra-aadsts530004-accept-compliant-device",
    "entra-blazor-wasm-roles-claim-array",
    "entra-cors-app-service-auth-session-expired",
    "entra-cors-b2c-metadata-msal-config",
    "entra-cors-token-endpoint-from-spa",
    "entra-cors-xhr-redirected-to-sign-in",
    "entra-graph-add-member-group-type",
    "entra-graph-calling-app-not-established",
    "entra-graph-delta-b2c-tenant",
    "entra-graph-guest-upn-hash-unencoded",
    "entra-graph-idx14102-token-not-a-jwt",
    "entra-graph-mi-role-token-cached",
    "entra-graph-new-object-replication",
    "entra-graph-phone-mail-admin-role",
    "entra-graph-security-api-permissions",
    "entra-graph-synced-object-read-only",
    "entra-groups-overage-claim",
    "entra-idx10501-b2c-custom-policy-metadata",
    "entra-msal-embedded-browser-not-supported",
    "entra-msal-iwa-failed-to-get-user-name",
    "entra-msal-xbap-cookies-disabled",
    "entra-need-admin-approval-consent",
    "entra-oidc-nonce-missing",
    "entra-owin-katana-nonce-cookie-loop",
    "entra-saml-default-reply-url-localhost",
    "entra-wif10201-stale-signing-thumbprints",
})

CASES = {
    'AADSTS530004': (
        ('Sign-in failed for our guest users from a partner tenant:\nAADSTS530004: '
         "AcceptCompliantDevice setting isn't configured for this organization. The administrator "
         'needs to configure this setting to allow external user access to protected '
         'resources.\nTrace ID: 1a2b3c4d-0000-1111-2222-333344445555'),
        'entra-aadsts530004-accept-compliant-device', 'auth.rbac_missing', 'cross-tenant access'),
    'AADSTS500571': (
        ('AADSTS500571: The guest user account is disabled.\nTrace ID: '
         '9a8b7c6d-1111-2222-3333-444455556666 Correlation ID: '
         '0f0e0d0c-aaaa-bbbb-cccc-dddd00001111\nA consultant invited as guest can no longer sign in '
         "to our app registration's web app."),
        'entra-aadsts500571-guest-account-disabled', 'auth.credential_invalid', 'resource tenant'),
    'AADSTS220501': (
        ('Certificate-based sign-in to our web app fails:\nAADSTS220501: Unable to download '
         'Certificate Revocation List (CRL). Invalid response or no response from CRL Distribution '
         'Point http://pki.contoso-demo.com/crl/contoso-ca.crl'),
        'entra-aadsts220501-crl-download-failed', 'auth.credential_invalid', 'CRL'),
    'need admin approval': (
        ('Users signing in to our internal portal (app registration in our tenant) get the "Need '
         'admin approval" page: "needs permission to access resources in your organization that '
         'only an admin can grant. Please ask an admin to grant permission to this app before you '
         'can use it." The app requests openid profile User.Read Directory.Read.All.'),
        'entra-need-admin-approval-consent', 'auth.rbac_missing', 'user consent is turned off'),
    'IDX21323 nonce': (
        ("Server Error in '/' Application.\nIDX21323: RequireNonce is '[PII is hidden]'. "
         'OpenIdConnectProtocolValidationContext.Nonce was null, '
         'OpenIdConnectProtocol.ValidatedIdToken.Payload.Nonce was not null. The nonce cannot be '
         'validated. If you do not need to check the nonce, set '
         'OpenIdConnectProtocolValidator.RequireNonce to false.\nException Details: '
         'Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectProtocolInvalidNonceException'
         '\nOur ASP.NET MVC 4.6 app on App Service, signs in with Entra ID via OWIN.'),
        'entra-oidc-nonce-missing', 'config.invalid_connection_string', 'SameSite'),
    'IDX10311 nonce': (
        ('Microsoft.IdentityModel.Protocols.OpenIdConnectProtocolInvalidNonceException: IDX10311: '
         "RequireNonce is 'true' (default) but validationContext.Nonce is null. A nonce cannot be "
         'validated. If you do not need to check the nonce, set '
         'OpenIdConnectProtocolValidator.RequireNonce to false.\n   at '
         'Microsoft.IdentityModel.Protocols.OpenIdConnectProtocolValidator.ValidateNonce(OpenIdConne'
         'ctProtocolValidationContext validationContext)\n   at '
         'Microsoft.Owin.Security.OpenIdConnect.OpenIdConnectAuthenticationHandler.<AuthenticateCore'
         'Async>d__1a.MoveNext()'),
        'entra-oidc-nonce-missing', 'config.invalid_connection_string', 'nonce cookie'),
    'WIF10201': (
        ("Server Error in '/' Application.\nWIF10201: No valid key mapping found for securityToken: "
         "'System.IdentityModel.Tokens.X509SecurityToken' and issuer: "
         "'https://sts.windows.net/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/'.\nException Details: "
         'System.IdentityModel.Tokens.SecurityTokenValidationException: WIF10201: No valid key '
         'mapping found for securityToken\nThe MVC site worked for years, nothing changed on our '
         'side.'),
        'entra-wif10201-stale-signing-thumbprints', 'config.invalid_connection_string', 'thumbprint'),
    'MSAL failed to get user name': (
        ('Unhandled exception. Microsoft.Identity.Client.MsalClientException: Failed to get user '
         'name ---> System.ComponentModel.Win32Exception (1332): No mapping between account names '
         'and security IDs was done.\n   at '
         'Microsoft.Identity.Client.Platforms.Features.DesktopOS.WindowsNativeMethods.GetUserNameEx('
         'Int32 nameFormat)\n   at '
         'Microsoft.Identity.Client.ApiConfig.Executors.PublicClientExecutor.ExecuteAsync(AcquireTok'
         'enByIntegratedWindowsAuthParameters)\nConsole tool calling '
         'AcquireTokenByIntegratedWindowsAuth(scopes) to reach our API in Azure.'),
        'entra-msal-iwa-failed-to-get-user-name', 'runtime.code_defect', 'domain user'),
    'browser not supported MSAL': (
        ('Our WPF desktop app (MSAL.NET, embedded browser) shows during sign-in: "Your browser is '
         'not supported or up-to-date. Try updating it, or else download and install the latest '
         'version of Microsoft Edge. You could also try to access https://aka.ms/mysecurityinfo '
         'from another device." when users must register MFA.'),
        'entra-msal-embedded-browser-not-supported', 'runtime.code_defect', 'embedded browser control'),
    'XBAP cookies disabled': (
        ('Our XBAP application (WPF in Internet Explorer) uses MSAL.NET AcquireTokenInteractive; '
         'the Entra sign-in page shows a script error: "cookies are disabled" and login never '
         'completes.'),
        'entra-msal-xbap-cookies-disabled', 'runtime.code_defect', 'blocks cookies'),
    "katana loop we couldn't sign you in": (
        ('Our ASP.NET 4.7 MVC app (OWIN OpenIdConnect, Microsoft.Owin.Host.SystemWeb 3.0.1) on App '
         'Service keeps redirecting between the app and login.microsoftonline.com and finally shows '
         '"We couldn\'t sign you in. Please try again." Fiddler shows many OpenIdConnect.nonce '
         'cookies piling up.'),
        'entra-owin-katana-nonce-cookie-loop', 'runtime.code_defect', 'Katana'),
    'B2C custom policy IDX10501': (
        ("IDX10501: Signature validation failed. Unable to match key: kid: '[PII of type "
         "'System.String' is hidden]'. Number of keys in TokenValidationParameters: '0'. Number of "
         "keys in Configuration: '1'. Exceptions caught: '[PII is hidden]'.\nASP.NET Core web app "
         'using Microsoft.Identity.Web with Azure AD B2C (https://contosodemo.b2clogin.com); the '
         'error appears only after the user runs our custom policy B2C_1A_CHANGE_EMAIL, the '
         'built-in B2C_1_susi user flow works.'),
        'entra-idx10501-b2c-custom-policy-metadata', 'config.invalid_connection_string', 'custom policy'),
    'add member distribution group': (
        ('Our provisioning job (app-only token, GroupMember.ReadWrite.All granted) adds users to a '
         'group:\nPOST '
         'https://graph.microsoft.com/v1.0/groups/5c1e2f3a-0000-4d4d-9a9a-77aa88bb99cc/members/$ref\n'
         '{"@odata.id": '
         '"https://graph.microsoft.com/v1.0/directoryObjects/0a1b2c3d-4444-5555-6666-777788889999"}\n'
         '403 Forbidden\n{"error":{"code":"Authorization_RequestDenied","message":"Insufficient '
         'privileges to complete the operation.","innerError":{"date":"2026-11-29T15:39:39"}}}\nThe '
         'group is mail-enabled (mailEnabled true, securityEnabled false, groupTypes []).'),
        'entra-graph-add-member-group-type', 'auth.rbac_missing', 'distribution'),
    'mobilePhone update denied': (
        ('PATCH https://graph.microsoft.com/v1.0/users/alex@contoso-demo.com\n{"mobilePhone": "+1 '
         '425 555 0100", "businessPhones": ["+1 425 555 0199"]}\n-> 403 '
         '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to '
         'complete the operation."}}\nThe function app uses its managed identity with '
         'Directory.ReadWrite.All application permission; updating jobTitle on the same user works.'),
        'entra-graph-phone-mail-admin-role', 'auth.rbac_missing', 'User Administrator'),
    'MI graph permission still 403': (
        ("We assigned the User.Read.All app role to our function app's managed identity 30 minutes "
         'ago (New-MgServicePrincipalAppRoleAssignment), but GraphServiceClient with '
         'ManagedIdentityCredential still gets 403 Authorization_RequestDenied "Insufficient '
         'privileges to complete the operation." from GET https://graph.microsoft.com/v1.0/users.'),
        'entra-graph-mi-role-token-cached', 'auth.rbac_missing', '24 hours'),
    'graph security API 403': (
        ('GET https://graph.microsoft.com/v1.0/security/alerts?$top=10\nHTTP '
         '403\n{"error":{"code":"Forbidden","message":"Auth token does not contain valid permissions '
         'or user does not have valid roles. Please see document at '
         'https://learn.microsoft.com/graph/security-authorization"}}'),
        'entra-graph-security-api-permissions', 'auth.rbac_missing', 'SecurityEvents'),
    'identity of calling app not established': (
        ("Our multi-tenant SaaS backend calls Microsoft Graph for a customer's tenant with client "
         'credentials and gets:\n{"error":{"code":"InvalidAuthenticationToken","message":"The '
         'identity of the calling application could not be '
         'established.","innerError":{"date":"2026-11-28T09:00:00"}}}'),
        'entra-graph-calling-app-not-established', 'auth.rbac_missing', 'service principal'),
    'delta B2C': (
        ('GET '
         'https://graph.microsoft.com/v1.0/users/delta?$select=displayName\n{"error":{"code":"Request'
         '_UnsupportedQuery","message":"Change enumeration is not supported for requested '
         'tenant.","innerError":{"request-id":"1b2c3d4e-aaaa-bbbb-cccc-0123456789ab"}}}\nThe sync '
         'runs in an Azure Function against our contosob2cdemo.onmicrosoft.com tenant.'),
        'entra-graph-delta-b2c-tenant', 'runtime.code_defect', 'B2C'),
    'graph crawler 403 gateway': (
        ('Python script in Azure Automation pulls users from Microsoft Graph with urllib3 '
         "PoolManager; sometimes we get\n{'error': {'code': 'UnknownError', 'message': '\\r\\n403 "
         "Forbidden\\r\\n\\r\\n403 Forbidden\\r\\nMicrosoft-Azure-Application-Gateway/v2\\r\\n\\r\\n', "
         "'innerError': {'date': '2026-11-27T10:00:00', 'request-id': '1234'}}}"),
        None, 'runtime.code_defect', 'crawler'),
    'B2B user by UPN 404': (
        ('GET '
         'https://graph.microsoft.com/v1.0/users/jane.doe_gmail.com#EXT#@contosodemo.onmicrosoft.com'
         '\n{"error":{"code":"Request_ResourceNotFound","message":"Resource \'jane.doe_gmail.com\' '
         'does not exist or one of its queried reference-property objects are not '
         'present.","innerError":{"date":"2026-11-30T23:55:40"}}}\nThe guest clearly exists in the '
         'portal.'),
        'entra-graph-guest-upn-hash-unencoded', 'runtime.code_defect', 'URL fragment'),
    'graph 404 right after create': (
        ('Our onboarding function creates a user with POST https://graph.microsoft.com/v1.0/users '
         'and immediately afterwards PATCHes the manager:\nPUT '
         'https://graph.microsoft.com/v1.0/users/3f0d8a51-2222-4bcd-9e8f-112233445566/manager/$ref\nH'
         'TTP 404\n{"error":{"code":"Request_ResourceNotFound","message":"Resource '
         "'3f0d8a51-2222-4bcd-9e8f-112233445566' does not exist or one of its queried "
         'reference-property objects are not '
         'present.","innerError":{"date":"2026-11-30T08:01:02"}}}\nIt works if we re-run the same '
         'request a minute later.'),
        'entra-graph-new-object-replication', 'runtime.code_defect', 'replica'),
    'IDX14102 connect-mggraph': (
        ('PS> $t = Get-AzAccessToken -ResourceUrl "https://graph.microsoft.com"\nPS> Connect-MgGraph '
         "-AccessToken $t.Token\nConnect-MgGraph: IDX14102: Unable to decode the header '[PII of "
         "type 'System.String' is hidden.]' as Base64Url encoded string.\nAz.Accounts 5.1.0, "
         'Microsoft.Graph 2.28.0'),
        'entra-graph-idx14102-token-not-a-jwt', 'runtime.code_defect', 'SecureString'),
    'redirected to 127.0.0.1:444': (
        ('After SAML single sign-on from My Apps our users land on '
         "https://127.0.0.1:444/applications/default.aspx instead of our app. It's a non-gallery "
         'enterprise application in Entra ID.'),
        'entra-saml-default-reply-url-localhost', 'config.invalid_connection_string', 'reply URL'),
    'CORS on authorize from XHR': (
        ('Access to XMLHttpRequest at '
         "'https://login.microsoftonline.com/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/oauth2/v2.0/author"
         'ize?client_id=1f92960d-1442-4cd2-8c76-d13c5dcb30bf&redirect_uri=https%3A%2F%2Fapp-hr-demo.'
         'azurewebsites.net%2Fsignin-oidc&response_type=id_token&scope=openid%20profile&response_mod'
         "e=form_post' (redirected from 'https://app-hr-demo.azurewebsites.net/api/employees') from "
         "origin 'https://app-hr-demo.azurewebsites.net' has been blocked by CORS policy: No "
         "'Access-Control-Allow-Origin' header is present on the requested resource.\nHappens after "
         'the page has been open for about an hour.'),
        'entra-cors-xhr-redirected-to-sign-in', 'auth.credential_invalid', '401'),
    'CORS redirect .auth': (
        ('Access to XMLHttpRequest at '
         "'https://login.windows.net/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/oauth2/authorize?response_"
         'type=code+id_token&redirect_uri=https%3A%2F%2Fapp-crm-demo.azurewebsites.net%2F.auth%2Flog'
         "in%2Faad%2Fcallback&state=redir%3D%252F.auth%252Fme' (redirected from "
         "'https://app-crm-demo.azurewebsites.net/.auth/me') from origin "
         "'https://app-crm-demo.azurewebsites.net' has been blocked by CORS policy: No "
         "'Access-Control-Allow-Origin' header is present on the requested resource."),
        'entra-cors-app-service-auth-session-expired', 'auth.credential_invalid', 'AppServiceAuthSession'),
    'CORS on b2c openid-configuration': (
        ('Access to fetch at '
         "'https://contosodemo.b2clogin.com/tfp/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/b2c_1_susi/v2.0"
         "/.well-known/openid-configuration' from origin 'http://localhost:4200' has been blocked "
         "by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested "
         "resource. If an opaque response serves your needs, set the request's mode to 'no-cors' to "
         'fetch the resource with CORS disabled.\nAngular app with @azure/msal-angular.'),
        'entra-cors-b2c-metadata-msal-config', 'config.invalid_connection_string', 'knownAuthorities'),
    'CORS token endpoint ROPC from SPA': (
        ('Access to XMLHttpRequest at '
         "'https://login.microsoftonline.com/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/oauth2/v2.0/token'"
         " from origin 'https://spa-demo.azurewebsites.net' has been blocked by CORS policy: No "
         "'Access-Control-Allow-Origin' header is present on the requested resource.\nOur React SPA "
         'posts grant_type=client_credentials with the client secret to get a token for our API.'),
        'entra-cors-token-endpoint-from-spa', 'config.invalid_connection_string', 'PKCE'),
    '50000 symmetric': (
        ('AADSTS50000: There was an error issuing a token or an issue with our sign-in service.\nOur '
         'app registration manifest has in keyCredentials an entry with "type": "Symmetric", '
         '"usage": "Sign" that an old script added.'),
        'entra-aadsts50000-symmetric-signing-key', 'auth.credential_invalid', 'symmetric'),
    'blazor wasm roles': (
        ('info: Microsoft.AspNetCore.Authorization.DefaultAuthorizationService[2]\n      '
         'Authorization failed. These requirements were not met:\n      '
         'RolesAuthorizationRequirement:User.IsInRole must be true for one of the following roles: '
         '(Admin)\nBlazor WebAssembly standalone app with AddMsalAuthentication, '
         'options.UserOptions.RoleClaim = "roles"; the user is assigned two app roles in Entra ID '
         'and the id token shows "roles": ["Admin","Reader"].'),
        'entra-blazor-wasm-roles-claim-array', 'runtime.code_defect', 'array'),
    'groups overage': (
        ('Our ASP.NET Core API authorizes on the groups claim, but for some users the access token '
         'has no "groups" claim at all; instead it contains "_claim_names": {"groups": "src1"} and '
         '"_claim_sources": {"src1": {"endpoint": '
         '"https://graph.windows.net/8f1c.../users/4a5b.../getMemberObjects"}}. Those users get 403 '
         'from [Authorize(Policy="Finance")].'),
        'entra-groups-overage-claim', 'runtime.code_defect', 'overage'),
    'risky consent audit': (
        ('Consent to our app fails. Entra audit log (ApplicationManagement, Consent to application, '
         'Failure): STATUS REASON Microsoft.Online.Security.UserConsentBlockedForRiskyAppsException'),
        'entra-aadsts900941-risky-app-admin-consent', 'auth.rbac_missing', 'risky'),
    'synced object': (
        ('PATCH https://graph.microsoft.com/v1.0/users/4a5b6c7d-0000-1111-2222-333344445555 '
         '{"department": "Finance"}\n400 {"error":{"code":"Request_BadRequest","message":"Unable to '
         'update the specified properties for on-premises mastered Directory Sync objects or '
         'objects currently undergoing migration."}}'),
        'entra-graph-synced-object-read-only', 'runtime.code_defect', 'on-premises'),
}

# msal-browser's own BrowserAuthError codes (lib/msal-browser/docs/errors.md)
MSAL_BROWSER_CASES = {
    "block_iframe_reload": (
        "BrowserAuthError: block_iframe_reload: Request was blocked inside an iframe because MSAL detected an "
        "authentication response. For more visit: aka.ms/msaljs/browser-errors",
        "entra-msal-browser-block-iframe-reload", "config.invalid_connection_string", "iframe"),
    "uninitialized": (
        "BrowserAuthError: uninitialized_public_client_application: You must call and await the initialize function "
        "before attempting to call any other MSAL API.  For more visit: aka.ms/msaljs/browser-errors",
        "entra-msal-browser-uninitialized-client", "runtime.code_defect", "initialize()"),
    "native": (
        "BrowserAuthError: native_connection_not_established: Connection to native platform has not been "
        "established. Please install a compatible browser extension and run initialize().",
        "entra-msal-browser-native-connection-missing", "runtime.code_defect", "extension"),
    "stubbed": (
        "BrowserConfigurationAuthError: stubbed_public_client_application_called: Stub instance of Public Client "
        "Application was called. If using msal-react, please ensure context is not used without a provider.",
        "entra-msal-browser-stubbed-client", "runtime.code_defect", "MsalProvider"),
    "cache quota": (
        "BrowserAuthError: cache_quota_exceeded: Exceeded cache storage capacity.",
        "entra-msal-browser-cache-quota-exceeded", "runtime.code_defect", "quota"),
    "hash changed": (
        "BrowserAuthError: hash_does_not_contain_known_properties: Hash does not contain known properites. Please "
        "verify that your redirectUri is not changing the hash.",
        "entra-msal-browser-hash-empty", "config.invalid_connection_string", "redirectUri"),
}
CASES.update(MSAL_BROWSER_CASES)

# publisher verification of an app registration (entra-docs troubleshoot-publisher-verification.md)
PUBLISHER_CASES = {
    "partner account no access": (
        "POST https://graph.microsoft.com/v1.0/applications/00001111-aaaa-2222-bbbb-3333cccc4444/setVerifiedPublisher"
        "\n400 {\"error\":{\"code\":\"MPNAccountNotFoundOrNoAccess\",\"message\":\"The MPN ID you provided does "
        "not exist, or you do not have access to it.\"}}",
        "entra-publisher-verification-no-access", "auth.rbac_missing", "Partner Center"),
    "location id": (
        '{"error":{"code":"MPNGlobalAccountNotFound","message":"The MPN ID you provided is not valid. Provide a '
        'valid MPN ID and try again."}}',
        "entra-publisher-verification-wrong-partner-id", "config.invalid_connection_string", "PartnerGlobal"),
    "publisher domain": (
        "Adding verified publisher in the portal fails: PublisherDomainMismatch - The target application's Publisher "
        "Domain (contoso-demo.onmicrosoft.com) does not match the domain used to perform email verification in "
        "Partner Center (contoso-demo.com).",
        "entra-publisher-verification-domain-mismatch", "config.invalid_connection_string", "publisher domain"),
    "client id in the path": (
        "POST https://graph.microsoft.com/v1.0/applications/1f92960d-1442-4cd2-8c76-d13c5dcb30bf/setVerifiedPublisher"
        "\n404 {\"error\":{\"code\":\"ApplicationNotFound\",\"message\":\"The target application cannot be "
        "found.\"}}",
        "entra-publisher-verification-app-id-not-object-id", "config.wrong_resource_name", "object id"),
}
CASES.update(PUBLISHER_CASES)

# Microsoft.IdentityModel messages an API's own log prints
IDENTITYMODEL_CASES = {
    "IDX10208": (
        "fail: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[3]\n"
        "      Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException: IDX10208: Unable to validate "
        "audience. validationParameters.ValidAudience is null or whitespace and validationParameters.ValidAudiences "
        "is null.\nOnly in the App Service deployment; locally it works.",
        "entra-idx10208-no-valid-audience-configured", "config.missing_app_setting", "missing"),
    "IDX10500": (
        "Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10500: Signature validation "
        "failed. No security keys were provided to validate the signature.\nOur Azure Function validates the bearer "
        "token itself with JwtSecurityTokenHandler.",
        "entra-idx10500-no-signing-keys", "config.invalid_connection_string", "Authority"),
    "IDX14100 from Graph": (
        "Graph call from our Logic App custom connector returns 401:\n"
        '{"error":{"code":"InvalidAuthenticationToken","message":"IDX14100: JWT is not well formed, there are no '
        'dots (.).\\nThe token needs to be in JWS or JWE Compact Serialization Format."}}',
        "entra-idx14100-token-not-a-jwt", "auth.credential_invalid", "not a JWT"),
}
CASES.update(IDENTITYMODEL_CASES)
CASES["CAE revocation from Graph"] = (
    "GET https://graph.microsoft.com/v1.0/me/messages -> 401\n"
    '{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge '
    'with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp"}}',
    "entra-claims-challenge-insufficient-claims-not-handled", "runtime.code_defect", "claims challenge")

CLUE_CASES = {
    'infinite redirect http': (
        ('Our ASP.NET MVC site signs in with Entra ID (OWIN OpenID Connect). When a user opens '
         'http://portal.contoso-demo.com the browser bounces forever between the site and '
         'login.microsoftonline.com (infinite redirect loop). With https:// it works fine.'),
        'config.invalid_connection_string', 'HTTP'),
    'katana loop no phrase': (
        ('Our ASP.NET 4.6.2 MVC app (OWIN, Microsoft.Owin.Host.SystemWeb 3.0.1) on App Service: '
         'after signing in at login.microsoftonline.com the browser goes into an infinite redirect '
         'loop. Fiddler shows dozens of OpenIdConnect.nonce cookies piling up in the requests.'),
        'runtime.code_defect', 'Katana'),
    'memberOf null': (
        ('GET https://graph.microsoft.com/v1.0/users/5c1e2f3a-0000-4d4d-9a9a-77aa88bb99cc/memberOf '
         'returns the groups but displayName, mail and description are all null, only @odata.type '
         'and id are filled. Our app has GroupMember.Read.All.'),
        'auth.rbac_missing', 'null'),
}

NEAR_MISSES = {
    'NM another service application not found': "ServiceFabric: ApplicationNotFound: the application fabric:/Orders "
                                                "does not exist.",
    'NM list users selecting mobilePhone': (
        'GET https://graph.microsoft.com/v1.0/users?$select=displayName,mobilePhone\n'
        '403 {"error":{"code":"Authorization_RequestDenied","message":"Insufficient '
        'privileges to complete the operation."}}'),
    'NM cors own api': ("Access to fetch at 'https://api-orders-demo.azurewebsites.net/api/orders' from origin "
                        "'https://shop-demo.azurewebsites.net' has been blocked by CORS policy: No "
                        "'Access-Control-Allow-Origin' header is present on the requested resource."),
    'NM graph 404 typo user': ('GET '
                               'https://graph.microsoft.com/v1.0/users/jonh.smith@contoso-demo.com\n{"error":{"code":"Reque'
                               'st_ResourceNotFound","message":"Resource \'jonh.smith@contoso-demo.com\' '
                               'does not exist or '
                               'one of its queried reference-property objects are not present."}}'),
    'NM graph list users 403': ('GET https://graph.microsoft.com/v1.0/users?$select=displayName\n403 '
                                '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to '
                                'complete the operation."}}\nOur app registration only has User.Read delegated.'),
    'NM IDX10501 generic': ('IDX10501: Signature validation failed. Unable to match key: kid: '
                            "'nOo3ZDrODXEK1jKWhXslHR_KXEg'. Number of keys in TokenValidationParameters: '0'. Number "
                            "of keys in Configuration: '6'.\nOur API (ASP.NET Core, AddMicrosoftIdentityWebApi) "
                            'receives a token the SPA got for https://graph.microsoft.com/User.Read.'),
    'NM app gateway 403 own site': ('Our site behind Azure Application Gateway WAF returns:\n403 '
                                    'Forbidden\nMicrosoft-Azure-Application-Gateway/v2\nwhen users upload files.'),
    'NM failed to get user name non MSAL': 'git credential helper: Failed to get user name from the keychain',
    'NM roles server': ('Authorization failed. These requirements were not '
                        'met:\nRolesAuthorizationRequirement:User.IsInRole must be true for one of the following '
                        'roles: (Admin)\nASP.NET Core MVC app on App Service.'),
    'NM groups fine': 'Our API reads the groups claim from the token and authorizes; works for everyone.',
    'NM loop asks': ('After signing in with Entra ID our React app goes into an infinite redirect loop between '
                     'the app and login.microsoftonline.com.'),
}


def _report(text: str) -> dict[str, object]:
    outcome = run_engine({"error_description": text})
    envelope = outcome.envelope()
    assert envelope["status"] == "done", envelope
    return dict(envelope["report"])


@pytest.mark.parametrize("label", list(CASES))
def test_the_article_error_gets_its_entry_category_and_deciding_detail(label: str) -> None:
    text, entry_id, category, detail = CASES[label]
    if entry_id is not None:
        assert best_entry_id(text) == entry_id
    report = _report(text)
    assert report["category"] == category
    assert detail.lower() in str(report["root_cause"]).lower()
    assert report["confidence"] != "high"


@pytest.mark.parametrize("label", list(CLUE_CASES))
def test_a_sign_in_symptom_without_a_code_is_decided_by_its_clue(label: str) -> None:
    text, category, detail = CLUE_CASES[label]
    report = _report(text)
    assert report["category"] == category
    assert detail.lower() in str(report["root_cause"]).lower()


@pytest.mark.parametrize("label", list(NEAR_MISSES))
def test_near_misses_do_not_get_the_new_entries(label: str) -> None:
    text = NEAR_MISSES[label]
    assert best_entry_id(text) not in NEW_IDS
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    root_cause = str(report.get("root_cause") or "")
    for words in ("Katana", "nonce cookie", "crawler", "URL fragment", "replica", "B2C custom policy",
                  "only over plain HTTP", "Blazor", "overage"):
        assert words not in root_cause, (label, words)


def test_an_on_behalf_of_aadsts50000_asks_for_its_check_instead_of_blaming_the_platform() -> None:
    text = ("Microsoft.Identity.Client.MsalServiceException: AADSTS50000: There was an error issuing a token or an "
            "issue with our sign-in service.\nThrown by AcquireTokenOnBehalfOf in our middle-tier API.")
    assert best_entry_id(text) == "entra-aadsts50000-on-behalf-of"
    outcome = run_engine({"error_description": text})
    assert outcome.envelope()["status"] == "request"


def test_the_bare_aadsts50000_keeps_its_generic_entry() -> None:
    text = "AADSTS50000: There was an error issuing a token or an issue with our sign-in service. Trace ID: 1111"
    assert best_entry_id(text) == "entra-aadsts50000-token-issuance-error"


def test_a_react_app_sign_in_loop_without_http_is_not_answered_with_the_http_cookie_cause() -> None:
    text = NEAR_MISSES["NM loop asks"]
    outcome = run_engine({"error_description": text})
    asked = " ".join(str(r.request.question) for r in outcome.requests)
    assert "http://" not in asked


@pytest.mark.parametrize("text", [
    "BrowserAuthError: monitor_window_timeout: Token acquisition in iframe failed due to timeout. For more visit: "
    "aka.ms/msaljs/browser-errors\nReact SPA with @azure/msal-react calling acquireTokenSilent.",
    "BrowserAuthError: user_cancelled: User cancelled the flow.\nloginPopup() in our Angular app "
    "(@azure/msal-browser 3.x); the user completes sign-in in the popup, then the error appears.",
])
def test_msal_browser_errors_with_several_causes_ask_for_their_check(text: str) -> None:
    assert best_entry_id(text) in NEW_IDS
    assert run_engine({"error_description": text}).envelope()["status"] == "request"


def test_a_cancelled_flow_outside_msal_is_not_the_popup_entry() -> None:
    assert best_entry_id("The user cancelled the flow of the checkout wizard.") is None


def test_graph_compact_token_parsing_keeps_its_own_entries() -> None:
    text = ('{"error":{"code":"InvalidAuthenticationToken","message":"CompactToken parsing failed with error code: '
            '80049217"}}')
    assert best_entry_id(text) not in NEW_IDS


def test_a_batch_invalid_key_vault_reference_asks_for_the_vault_permission_model() -> None:
    text = ("az batch account create -g rg-render -n renderbatch -l westeurope --keyvault /subscriptions/<sub>/"
            "resourceGroups/rg-render/providers/Microsoft.KeyVault/vaults/kv-render\n"
            "(InvalidKeyVaultReference) The specified Key Vault reference is invalid.\nCode: InvalidKeyVaultReference")
    assert best_entry_id(text) == "keyvault-batch-user-subscription-invalid-reference"
    outcome = run_engine({"error_description": text})
    assert outcome.envelope()["status"] == "request"
    assert "enableRbacAuthorization" in " ".join(str(c) for r in outcome.requests
                                                 for c in r.request.suggested_commands)
