"""Eleventh-session evidence: a private endpoint's manual connection still waiting for approval; a host name that
does not resolve because the activity log shows its resource deleted; a logical server whose restricted outbound
access leaves out a storage account; a database server filled by transaction logs; a workflow's failed runs read
through the field language's item filter; a .NET configuration key read by the code but not set in Azure."""

from __future__ import annotations

from shared.engines.playbooks import conclude_finding, finding, missing_code_settings
from shared.session.state import Evidence, FileExcerpt
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, setting_names, state_with

GROUP = "/subscriptions/5967512d-2bac-54ea-b55b-440ccf5ba5ae/resourceGroups/rg-claims"


def endpoint(state: str, manual: bool = True) -> dict:
    connection = [{"name": "c", "privateLinkServiceId": "/subscriptions/x/resourceGroups/y/providers/"
                   "Microsoft.Sql/servers/sql-partner", "privateLinkServiceConnectionState": {"status": state}}]
    return {"id": f"{GROUP}/providers/Microsoft.Network/privateEndpoints/pe-partner", "name": "pe-partner",
            "type": "Microsoft.Network/privateEndpoints",
            "manualConnections" if manual else "connections": connection,
            "manualLinkStates" if manual else "privateLinkStates": [state]}


def test_a_pending_manual_connection_is_the_finding_and_names_the_endpoint():
    state = reads_state("Connections from the function to the partner SQL server time out", [endpoint("Pending")])
    assert finding_id(state) == "private-endpoint-manual-connection-not-approved"
    report = finding_report(state)
    assert "'pe-partner'" in report.root_cause and "Pending" in report.root_cause
    assert report.category == "network.private_endpoint_dns"
    assert "pe-partner" in report.evidence[0].summary  # the read that decided it, not the newest get_resource


def test_an_approved_manual_connection_is_not_that_finding():
    state = reads_state("Connections time out", [endpoint("Approved")])
    assert finding_id(state) != "private-endpoint-manual-connection-not-approved"


APIM_LOG = {"columns": ["Message"], "rows": [["BackendConnectionFailure The remote name could not be resolved: "
                                               "'app-orders-v1.azurewebsites.net'"]]}


def deletion(name: str) -> dict:
    return {"time": "2026-12-01T07:40:18Z", "operation": "Microsoft.Web/sites/delete", "status": "Succeeded",
            "caller": "cleanup@example.com", "resource_id": f"{GROUP}/providers/Microsoft.Web/sites/{name}"}


def test_an_unresolved_host_whose_resource_was_deleted_is_a_wrong_name():
    state = state_with("Every call through API Management answers 500",
                       [("query_logs", APIM_LOG), ("list_activity_log", {"events": [deletion("app-orders-v1")]})])
    assert finding_id(state) == "unresolved-host-resource-deleted"
    report = finding_report(state)
    assert report.category == "config.wrong_resource_name"
    assert "app-orders-v1.azurewebsites.net" in report.root_cause and "deleted" in report.root_cause


def test_an_unresolved_host_without_a_deletion_is_not_that_finding():
    state = state_with("Every call answers 500",
                       [("query_logs", APIM_LOG), ("list_activity_log", {"events": [deletion("app-orders-v2")]})])
    assert finding_id(state) != "unresolved-host-resource-deleted"


SERVER = {"id": f"{GROUP}/providers/Microsoft.Sql/servers/sql-fin", "name": "sql-fin", "type": "Microsoft.Sql/servers",
          "restrictOutboundNetworkAccess": "Enabled"}
RULES = {"id": f"{GROUP}/providers/Microsoft.Sql/servers/sql-fin/outboundFirewallRules",
         "type": "Microsoft.Sql/servers/outboundFirewallRules", "allowedFqdns": ["staudit.blob.core.windows.net"]}
ACCOUNT = {"id": f"{GROUP}/providers/Microsoft.Storage/storageAccounts/stlanding", "name": "stlanding",
           "type": "Microsoft.Storage/storageAccounts"}
BULK = "BULK INSERT fails: Cannot bulk load because the file could not be opened."


def test_restricted_outbound_access_without_the_storage_account_is_the_finding():
    state = reads_state(BULK, [SERVER, RULES, ACCOUNT])
    assert finding_id(state) == "sql-outbound-firewall-excludes-storage"
    report = finding_report(state)
    assert report.category == "network.nsg_blocked"
    assert "stlanding.blob.core.windows.net" in " ".join(report.actions)


def test_an_allowed_account_or_unrestricted_outbound_is_not_that_finding():
    allowed = {**RULES, "allowedFqdns": ["staudit.blob.core.windows.net", "stlanding.blob.core.windows.net"]}
    assert finding_id(reads_state(BULK, [SERVER, allowed, ACCOUNT])) != "sql-outbound-firewall-excludes-storage"
    open_server = {**SERVER, "restrictOutboundNetworkAccess": "Disabled"}
    assert finding_id(reads_state(BULK, [open_server, RULES, ACCOUNT])) != "sql-outbound-firewall-excludes-storage"


def storage_metrics(logs: float) -> dict:
    return {"metrics": [{"name": "storage_percent", "max": 95.0}, {"name": "txlogs_storage_used", "max": logs},
                        {"name": "storage_used", "max": 130e9}]}


def test_a_server_full_of_transaction_logs_names_what_keeps_them():
    state = reads_state("Writes fail: cannot execute UPDATE in a read-only transaction", [],
                        metrics=storage_metrics(88e9))
    found = finding(state)
    assert found is not None and found[0]["id"] == "database-storage-nearly-full"
    report = conclude_finding(state, *found).report
    assert "88 GB of the 130 GB" in report.root_cause and "replication slot" in report.root_cause
    assert "pg_replication_slots" in report.actions[0]


def test_a_server_full_of_data_does_not_blame_the_logs():
    state = reads_state("Writes fail: read-only", [], metrics=storage_metrics(5e9))
    report = finding_report(state)
    assert "replication slot" not in report.root_cause
    assert not any("pg_replication_slots" in a for a in report.actions)


def test_the_field_language_keeps_only_the_items_whose_field_has_the_value():
    runs = {"value": [{"id": "r1", "properties": {"status": "Succeeded"}},
                      {"id": "r2", "properties": {"status": "Failed"}},
                      {"id": "r3", "properties": {"status": "failed"}}]}
    assert extract_fields(runs, {"ids": "value[?properties/status==Failed].id"}) == {"ids": ["r2", "r3"]}


STARTUP = FileExcerpt(path="src/Startup.cs", relevance="primary", content=(
    'var supplierBase = new Uri(config["SupplierApi:BaseUrl"]);\n'
    'var timeout = configuration.GetValue<int>("SupplierApi:TimeoutSeconds");\n'), size_bytes=120)


def test_a_dotnet_configuration_key_is_satisfied_only_by_its_double_underscore_setting():
    state = state_with("The runtime is unreachable", [setting_names(["SupplierApi__TimeoutSeconds", "Other"])])
    state.material.files.append(STARTUP)
    assert missing_code_settings(state) == ["SupplierApi:BaseUrl"]
    state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="names",
                                data={"names": ["SupplierApi__BaseUrl", "SupplierApi__TimeoutSeconds"], "count": 2}))
    assert missing_code_settings(state) == []


OPENAI = {"id": f"{GROUP}/providers/Microsoft.CognitiveServices/accounts/oai-kb", "name": "oai-kb",
          "type": "Microsoft.CognitiveServices/accounts",
          "identity": {"type": "SystemAssigned", "principalId": "p-new"}}
SEARCH = {"id": f"{GROUP}/providers/Microsoft.Search/searchServices/srch-kb", "name": "srch-kb",
          "type": "Microsoft.Search/searchServices"}


def lifecycle(*operations: tuple[str, str]) -> list[dict]:
    return [{"time": time, "operation": f"Microsoft.CognitiveServices/accounts/{verb}", "status": "Succeeded",
             "caller": "a@example.com", "resource_id": OPENAI["id"]} for verb, time in operations]


def test_a_resource_created_again_lost_the_roles_of_its_old_identity():
    state = reads_state("The assistant answers 'something went wrong' since we rebuilt the OpenAI resource",
                        [OPENAI, SEARCH],
                        events=lifecycle(("write", "2025-11-06T09:11Z"), ("delete", "2025-11-06T09:02Z")))
    assert finding_id(state) == "identity-lost-with-recreated-resource"
    report = finding_report(state)
    assert report.category == "auth.rbac_missing"
    assert "p-new" in report.root_cause and "Search Index Data Reader" in report.root_cause


def test_a_resource_only_updated_keeps_its_identity():
    state = reads_state("The assistant fails", [OPENAI, SEARCH], events=lifecycle(("write", "2025-11-06T09:11Z")))
    assert finding_id(state) != "identity-lost-with-recreated-resource"


def tokens(expiry: str, status: str = "enabled") -> dict:
    return {"id": f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/crreports/tokens",
            "type": "Microsoft.ContainerRegistry/registries/tokens",
            "tokens": [{"name": "tok-render", "status": status, "credentials.passwords[].expiry": [expiry]}]}


PULL_401 = "After a restart the app cannot pull crreports.azurecr.io/render:2.1: unauthorized: authentication required"


def test_a_token_whose_passwords_all_expired_is_the_pull_failure():
    state = reads_state(PULL_401, [tokens("2020-09-02T08:00:00Z")])
    assert finding_id(state) == "registry-token-password-expired"
    report = finding_report(state)
    assert "'tok-render'" in report.root_cause and "2020-09-02" in report.root_cause
    assert "az acr token credential generate --name tok-render --registry crreports" in report.actions[0]


def test_a_token_still_valid_or_disabled_is_not_that_finding():
    assert finding_id(reads_state(PULL_401, [tokens("2999-01-01T00:00:00Z")])) != "registry-token-password-expired"
    assert finding_id(reads_state(PULL_401, [tokens("2020-09-02T08:00:00Z", "disabled")])) != \
        "registry-token-password-expired"


def balancer(minutes: int) -> dict:
    return {"id": f"{GROUP}/providers/Microsoft.Network/loadBalancers/lbe-out", "name": "lbe-out",
            "type": "Microsoft.Network/loadBalancers", "outboundIdleMinutes": [minutes]}


RESET = "Calls to the partner fail with java.net.SocketException: Connection reset, mostly at night; a retry works."


def test_a_short_outbound_idle_timeout_explains_resets_after_quiet_periods():
    state = reads_state(RESET, [balancer(4)])
    assert finding_id(state) == "load-balancer-outbound-idle-timeout"
    found = finding(state)
    assert found is not None
    assert "idle timeout of 4 minutes" in conclude_finding(state, *found).report.root_cause


def test_a_long_idle_timeout_or_another_symptom_is_not_that_finding():
    assert finding_id(reads_state(RESET, [balancer(30)])) != "load-balancer-outbound-idle-timeout"
    assert finding_id(reads_state("The deployment failed with InvalidTemplate", [balancer(4)])) != \
        "load-balancer-outbound-idle-timeout"


VAULT = {"id": f"{GROUP}/providers/Microsoft.KeyVault/vaults/kv-claims", "name": "kv-claims",
         "type": "Microsoft.KeyVault/vaults", "tenantId": "a91f3c06-7e4d-4b28-9c51-e8d2b6f04a37"}
ISSUER = {"rows": [["SecretList Unauthorized 401 AKV10032: Invalid issuer. Expected one of "
                    "https://sts.windows.net/a91f3c06-7e4d-4b28-9c51-e8d2b6f04a37/, found "
                    "https://sts.windows.net/4c7a1e93-d2b5-4f60-8e19-6b3d0a7c5f28/."]]}


def test_a_vault_left_in_the_old_directory_after_a_subscription_move():
    state = state_with("Get secrets failed: Unauthorized. Last weekend the subscription moved into the new directory.",
                       [("get_resource", VAULT), ("query_logs", ISSUER)])
    assert finding_id(state) == "keyvault-tenant-left-after-directory-move"
    report = finding_report(state)
    assert report.category == "auth.keyvault_access_denied"
    assert "properties.tenantId=4c7a1e93-d2b5-4f60-8e19-6b3d0a7c5f28" in report.actions[0]


def test_a_wrong_tenant_sign_in_without_a_move_is_not_that_finding():
    state = state_with("Get secrets failed: Unauthorized from my laptop.",
                       [("get_resource", VAULT), ("query_logs", ISSUER)])
    assert finding_id(state) != "keyvault-tenant-left-after-directory-move"


SITE_ID = f"{GROUP}/providers/Microsoft.Web/sites/func-billing"


def functions_read(*functions: dict) -> dict:
    return {"id": f"{SITE_ID}/functions", "type": "Microsoft.Web/sites/functions", "functions": list(functions)}


def subscription_to(function: str) -> dict:
    return {"id": f"{GROUP}/providers/Microsoft.EventGrid/systemTopics/evgt/eventSubscriptions/invoices",
            "name": "invoices", "type": "Microsoft.EventGrid/systemTopics/eventSubscriptions",
            "destinationResourceId": f"{SITE_ID}/functions/{function}"}


def test_an_event_subscription_to_a_function_the_app_no_longer_has():
    state = reads_state("Invoices are no longer processed since the release",
                        [functions_read({"name": "OnInvoiceBlobCreated"}), subscription_to("ProcessInvoice")])
    assert finding_id(state) == "event-subscription-function-missing"
    report = finding_report(state)
    assert "'ProcessInvoice'" in report.root_cause and "OnInvoiceBlobCreated" in report.root_cause
    assert "functions/func-billing" not in report.evidence[0].summary  # a successful read is cited


def test_an_event_subscription_to_an_existing_function_is_not_that_finding():
    state = reads_state("Invoices are no longer processed",
                        [functions_read({"name": "ProcessInvoice"}), subscription_to("ProcessInvoice")])
    assert finding_id(state) != "event-subscription-function-missing"


def http_function(level: str) -> dict:
    return {"name": "PartnerEvents", "config": {"bindings": [{"type": "httpTrigger", "authLevel": level}]}}


def test_a_keyed_http_trigger_called_without_a_key_answers_401():
    state = reads_state("Every webhook gets HTTP 401; the partner calls it without any key, with a bearer token.",
                        [functions_read(http_function("function"))])
    assert finding_id(state) == "http-function-requires-key"


def test_an_anonymous_trigger_or_a_caller_with_a_key_is_not_that_finding():
    said = "Every webhook gets HTTP 401; the partner calls it without any key, with a bearer token."
    assert finding_id(reads_state(said, [functions_read(http_function("anonymous"))])) != "http-function-requires-key"
    assert finding_id(reads_state("Every call gets 401 although the x-functions-key header is sent.",
                                  [functions_read(http_function("function"))])) != "http-function-requires-key"


PINGS = "Container app-events_0 didn't respond to HTTP pings on port: 8080, failing site start."
APP_SITE = {"id": f"{GROUP}/providers/Microsoft.Web/sites/app-events", "name": "app-events",
            "type": "Microsoft.Web/sites", "siteConfig": {"linuxFxVersion": "NODE|20-lts"}}


def test_an_app_listening_on_another_port_than_the_pinged_one():
    state = state_with(PINGS, [("get_resource", APP_SITE),
                               ("query_logs", {"rows": [["events-site listening on http://localhost:3000"]]})])
    assert finding_id(state) == "app-service-port-not-listened"
    report = finding_report(state)
    assert "port 8080" in report.root_cause and "3000" in report.root_cause
    # a built-in stack (NODE|20-lts): the code must listen on PORT; WEBSITES_PORT is for custom containers
    assert "process.env.PORT" in report.actions[0] and "WEBSITES_PORT" not in " ".join(report.actions)


def test_an_app_listening_on_the_pinged_port_is_not_that_finding():
    state = state_with(PINGS, [("get_resource", APP_SITE),
                               ("query_logs", {"rows": [["Server listening on port 8080"]]})])
    assert finding_id(state) != "app-service-port-not-listened"
