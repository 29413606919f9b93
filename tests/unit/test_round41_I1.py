"""Round 41, helper I1 (session 34's symptom reports): clues whose stated fact decides (SFTP uploads filtered out of a
BlobCreated subscription, an inherited APIM backend-id, a wildcard certificate on the apex domain, an event-driven
Container Apps job stalled after a manual run, function triggers not synced, a Service Bus subscription without
rules, Event Grid's publisher client on a namespace, VNet custom DNS servers that do not answer, a function called
without its key, AKS HTTP health probes on "/", .env settings not in App Service, Redis timeouts with the client ruled
out), catalog entries (Redis WRONGPASS after the Entra token's lifetime, AADSTS50166 on every Azure DevOps federated
connection, Files share creation with a bearer token, an SWA backend already linked, workload profiles on an old API
version, InvalidOutputTable for a Sentinel table, Graph ErrorInsufficientPermissionsInAccessToken, a vectorizer 404),
"works on my laptop" not read as the failing machine, and Resource Health's current status read from its list.
Each shows the mechanism deciding and a near miss that stays silent."""

from __future__ import annotations

from typing import Any

from shared.session.state import AskClient, Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, answers: list[dict[str, Any]] | None = None) -> tuple[Any, list[Any]]:
    outcome = run_engine({"error_description": text}, answers or [])
    return outcome.final, outcome.requests


def _concluded(text: str, category: str, *words: str) -> None:
    final, requests = _final(text)
    assert isinstance(final, Conclude), final
    assert final.report.category == category
    said = final.report.root_cause + " ".join(e.summary for e in final.report.evidence)
    for word in words:
        assert word in said, word
    assert not requests


def _not_concluded_as(text: str, category: str) -> None:
    final, _ = _final(text)
    assert not (isinstance(final, Conclude) and final.report.category == category)


# --- clues -----------------------------------------------------------------------------------------------------

def test_sftp_uploads_never_fire_a_blob_created_subscription_without_sftpcommit() -> None:
    text = ("Event Grid subscription on the storage account triggers our function for blobs we upload with azcopy, but "
            "files partners push over SFTP never fire it. Filter: data.api StringIn [PutBlob, PutBlockList].")
    _concluded(text, "config.missing_app_setting", "SftpCommit")
    # SFTP uploads that fail themselves are another problem
    _not_concluded_as("SFTP upload to the storage account fails: Permission denied (publickey).",
                      "config.missing_app_setting")


def test_apim_base_url_under_an_inherited_backend_id() -> None:
    text = ('The API policy sets <set-backend-service base-url="https://new.example.net/api" /> but the global policy '
            'has <set-backend-service backend-id="old-backend" />, and calls still go to the old backend.')
    _concluded(text, "config.invalid_connection_string", "backend-id")
    _not_concluded_as('The API policy sets <set-backend-service base-url="https://new.example.net/api" /> and calls '
                      'still go to the old backend.', "config.invalid_connection_string")


def test_wildcard_certificate_does_not_cover_the_apex() -> None:
    text = ("App Service: our *.fabrikam-demo.example wildcard certificate works for www, but binding the bare domain "
            "says No certificates match the selected custom domain.")
    _concluded(text, "config.wrong_resource_name", "wildcard", "root")
    # a wildcard on a subdomain that mismatches is not this case
    _not_concluded_as("App Service: the *.fabrikam-demo.example certificate gives ERR_CERT_COMMON_NAME_INVALID on "
                      "a.b.fabrikam-demo.example.", "config.wrong_resource_name")


def test_event_driven_container_apps_job_stalled_after_manual_run() -> None:
    text = ("Our event-driven container apps job (azure-queue scale rule) ran for weeks. After a colleague clicked Run "
            "now in the portal, no execution has started although 300 messages wait.")
    _concluded(text, "platform.service_incident", "manual")
    _not_concluded_as("Our event-driven container apps job (azure-queue scale rule) never starts; the queue has "
                      "messages.", "platform.service_incident")


def test_function_triggers_run_only_after_a_portal_visit() -> None:
    text = ("Our function app timer only runs when I am looking at it in the portal; over the weekend nothing ran, "
            "and as soon as I opened the portal it started firing again.")
    _concluded(text, "functions.host_misconfigured", "sync")
    _not_concluded_as("Our function app timer never runs; the portal shows the function as enabled.",
                      "functions.host_misconfigured")


def test_service_bus_subscription_without_rules_after_an_upgrade() -> None:
    text = ("After we upgraded our messaging library, the Service Bus subscription orders-audit gets nothing. "
            "az servicebus topic subscription rule list ... returns\n[]\n")
    _concluded(text, "runtime.code_defect", "$Default")
    _not_concluded_as("The Service Bus subscription orders-audit gets nothing after we upgraded our library.",
                      "runtime.code_defect")


def test_event_grid_publisher_client_on_a_namespace_endpoint() -> None:
    text = ('var client = new EventGridPublisherClient(new Uri("https://egns-a.westeurope-1.eventgrid.azure.net"), '
            'cred);\nAzure.RequestFailedException: Status: 404 (Not Found)')
    _concluded(text, "runtime.code_defect", "EventGridSenderClient")
    # a custom topic endpoint is the publisher client's own
    _not_concluded_as('var client = new EventGridPublisherClient(new Uri("https://topic-a.westeurope-1.eventgrid.'
                      'azure.net/api/events"), cred);\nStatus: 401 (Unauthorized)', "runtime.code_defect")


def test_vnet_custom_dns_servers_that_do_not_answer() -> None:
    text = ("apt-get update: Temporary failure resolving 'azure.archive.ubuntu.com'\n$ resolvectl status\n"
            "DNS Servers: 10.40.0.4 10.40.0.5\n;; communications error to 10.40.0.4#53: timed out")
    _concluded(text, "network.dns_resolution", "10.40.0.4")
    # Azure's own resolver is no custom DNS server
    _not_concluded_as("apt-get update: Temporary failure resolving 'azure.archive.ubuntu.com'\n"
                      "nameserver 168.63.129.16", "network.dns_resolution")


def test_function_called_without_its_key() -> None:
    text = ("The logic app HTTP action calling https://func-x.azurewebsites.net/api/score gets 401, no authentication "
            "configured on the action. The Get function URL link works from Postman.")
    _concluded(text, "auth.credential_invalid", "key")
    _not_concluded_as("Calling https://func-x.azurewebsites.net/api/score gets 401.", "auth.credential_invalid")


def test_aks_health_probe_on_http_path_after_the_upgrade() -> None:
    text = ("After upgrading AKS to 1.24 the ingress LoadBalancer IP times out; the load balancer health probes now "
            "show HTTP instead of TCP.")
    _concluded(text, "network.nsg_blocked", "probe", "/healthz")
    _not_concluded_as("After upgrading AKS to 1.24 the ingress LoadBalancer IP times out.", "network.nsg_blocked")


def test_dotenv_settings_ask_for_the_app_setting_names() -> None:
    final, _ = _final("My Flask app reads its keys from a .env file and works locally. On App Service it shows "
                      ":( Application Error.")
    assert isinstance(final, AskClient) and "application settings" in final.request.question
    final, _ = _final("My Flask app works locally. On App Service it shows :( Application Error.")
    assert not (isinstance(final, AskClient) and ".env" in final.request.question)


def test_redis_timeouts_with_the_thread_pool_ruled_out_ask_for_memory() -> None:
    text = ("RedisTimeoutException: Timeout performing GET (5000ms), IOCP: (Busy=0,Free=1000,Min=8,Max=1000), "
            "WORKER: (Busy=2,Free=32765,Min=8,Max=32767). The thread pool is not busy; keys are written without any "
            "TTL.")
    answers = [{"when_asked_contains": "memory",
                "answer": "Used Memory Percentage 98 %, Evicted Keys 2,000 per hour."}]
    outcome = run_engine({"error_description": text}, answers)
    assert "Memory" in outcome.requests[0].request.question
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "runtime.out_of_memory"
    # with the thread pool not ruled out the thread-pool question stays
    final, _ = _final("RedisTimeoutException: Timeout performing GET (5000ms), IOCP: (Busy=0,Free=1000,Min=8,"
                      "Max=1000), WORKER: (Busy=2,Free=32765,Min=8,Max=32767).")
    assert isinstance(final, AskClient) and "thread" in final.request.question


# --- catalog entries -------------------------------------------------------------------------------------------

def test_redis_wrongpass_after_the_token_lifetime() -> None:
    text = ("Entra ID auth with managed identity to Azure Cache for Redis works after each restart, about a day later:"
            " WRONGPASS invalid username-password pair")
    assert best_entry_id(text) == "redis-wrongpass-entra-token-expired-no-reauth"
    _concluded(text, "auth.credential_invalid", "expire")
    assert best_entry_id("WRONGPASS invalid username-password pair") != \
        "redis-wrongpass-entra-token-expired-no-reauth"


def test_aadsts50166_on_every_devops_federated_connection() -> None:
    text = ("Nothing changed. All our pipelines fail at the AzureCLI@2 step with workload identity federation: "
            "AADSTS50166: Request to External OIDC endpoint failed. The service connection with a client secret works.")
    assert best_entry_id(text) == "entra-aadsts50166-devops-oidc-issuer-incident"
    # a self-managed cluster's issuer is the original reading
    assert best_entry_id("AKS pod with workload identity: AADSTS50166: Request to External OIDC endpoint failed.") \
        != "entra-aadsts50166-devops-oidc-issuer-incident"


def test_catalog_entries_of_this_round_answer_their_own_messages() -> None:
    assert best_entry_id("This API does not support bearer tokens. For OAuth, use the Storage Resource Provider APIs "
                         "instead.") == "storage-files-create-share-bearer-token-not-supported"
    assert best_entry_id("Cannot link backend with a preexisting Azure Static Web Apps configuration.") == \
        "appservice-swa-link-backend-already-linked-to-other-static-web-app"
    assert best_entry_id("ERROR CODE: WorkloadProfilePropertyNotSupportedInApiVersion") == \
        "containers-aca-workload-profile-not-supported-in-api-version-tool"
    assert best_entry_id("InvalidOutputTable: Table for output stream 'Microsoft-CommonSecurityLog' is not "
                         "available for destination 'law'.") == "integration-dcr-invalid-output-table-sentinel-table"
    assert best_entry_id("InvalidOutputTable: Table for output stream 'Custom-MyApp_CL' is not available.") != \
        "integration-dcr-invalid-output-table-sentinel-table"
    assert best_entry_id('{"error":{"code":"ErrorInsufficientPermissionsInAccessToken"}}') == \
        "entra-graph-insufficient-permissions-in-access-token-user-read"
    assert best_entry_id("Could not complete vectorization action. The vectorization endpoint returned status code "
                         "'404' (NotFound).") == "openai-search-vectorizer-endpoint-404-deployment-name"
    assert best_entry_id("Could not complete vectorization action. The vectorization endpoint returned status code "
                         "'401' (Unauthorized).") != "openai-search-vectorizer-endpoint-404-deployment-name"


# --- reading -----------------------------------------------------------------------------------------------------

def test_works_on_my_laptop_is_not_the_failing_machine() -> None:
    text = ("Imported our module into the Automation account; the runbook fails with: Get-Inventory : The term "
            "'Get-Inventory' is not recognized as the name of a cmdlet. The .psd1 has RequiredModules = "
            "@('Az.Accounts'). On my laptop the module works fine.")
    final, _ = _final(text)
    assert not (final.report is not None and final.report.category == "out_of_scope")


def test_resource_health_current_status_comes_from_the_list_when_the_direct_read_has_none() -> None:
    from shared.tools import azure_activity

    class _Statuses:
        def __init__(self, current: dict[str, Any], listed: list[dict[str, Any]]) -> None:
            self.current, self.listed = current, listed

        def get_by_resource(self, *_: Any, **__: Any) -> dict[str, Any]:
            return self.current

        def list(self, *_: Any, **__: Any) -> list[dict[str, Any]]:
            return self.listed

    class _Health:
        def __init__(self, statuses: _Statuses) -> None:
            self.availability_statuses = statuses

    listed = [{"name": "current", "properties": {"availabilityState": "Degraded", "reasonType": "Unplanned"}}]
    rid = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a"
    current = azure_activity._listed_current(azure_activity._listed_statuses(_Health(_Statuses({}, listed)), rid))
    assert current["availabilityState"] == "Degraded"
    # no status named current in the list: nothing is made up
    assert azure_activity._listed_current(azure_activity._listed_statuses(
        _Health(_Statuses({}, [{"name": "x", "properties": {}}])), rid)) == {}
