"""Round 29, helper B (the twenty-second session's unsolved development cases, fixed generally): Event Hubs'
Resource Manager errors (a namespace name taken elsewhere), a full Service Bus entity whose size is dead letters, the
app setting that names a deleted entity, an Azure OpenAI endpoint setting that holds a whole request URL, the port a
failed connection names when a security rule changed, a private-only namespace whose pasted lookup answers publicly,
code on the client's own servers calling an Azure resource, and a denied key rotation."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.computed_findings.messaging import queue_size_limit
from shared.session.state import Conclude, GiveUp
from shared.tools.azure_resources import setting_operation_urls
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, setting_names, state_with

NAME_TAKEN = ('{"code":"BadRequest","message":"The specified name is not available. For more information visit '
              'https://aka.ms/eventhubsarmexceptions. CorrelationId: 2e5083e0"} (Microsoft.EventHub/namespaces '
              "evhns-orders)")

CATALOG_CASES = {
    "messaging-eventhubs-namespace-name-taken": NAME_TAKEN,
    "messaging-eventhubs-partition-count-immutable":
        "az deployment group create failed: BadRequest: PartitionCount can't be changed for an event hub.",
    "messaging-eventhubs-basic-tier-limits":
        "BadRequest: The value '7' for MessageRetentionInDays isn't valid for the Basic tier.",
    "messaging-eventhubs-namespace-quota":
        "BadRequest: The specified subscription has reached its quota of namespaces.",
    "messaging-eventhubs-region-no-capacity":
        "BadRequest: There isn't enough capacity to create the namespace. Contact your Event Hubs administrator.",
    "messaging-eventhubs-location-mismatch":
        "BadRequest: The location property of the resource doesn't match its containing Namespace.",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_an_event_hubs_resource_manager_error_ranks_its_entry_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_a_name_taken_elsewhere_is_a_name_conflict_only_for_a_messaging_namespace() -> None:
    final = run_engine({"error_description": NAME_TAKEN}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.name_conflict"
    assert "evhns-orders" in final.report.root_cause
    other = "Creating the web app failed: The specified name is not available for this site."
    assert all(h.entry.id != "messaging-eventhubs-namespace-name-taken"
               for h in catalog_index().hits([(other, "error")]))


def _queue(name: str, size: int, messages: int, dead: int) -> dict[str, Any]:
    return {"name": name, "maxSizeInMegabytes": 1024, "sizeInBytes": size, "messageCount": messages,
            "countDetails.deadLetterMessageCount": dead}


QUEUES = {"type": "Microsoft.ServiceBus/namespaces/queues", "name": None}
FULL = "SendMessageAsync throws QuotaExceeded: The maximum entity size has been reached for queue 'orders'."


def test_a_full_queue_made_of_dead_letters_says_so() -> None:
    state = reads_state(FULL, [{**QUEUES, "entities": [_queue("orders", 1073758208, 400000, 399800)]}])
    facts = queue_size_limit(state)
    assert facts is not None and facts["dead"] == "399800"
    report = finding_report(state)
    assert report.category == "quota.exceeded" and "dead-letter" in report.root_cause
    assert any("$deadletterqueue" in action for action in report.actions)


def test_a_full_queue_of_active_messages_does_not_blame_dead_letters() -> None:
    state = reads_state(FULL, [{**QUEUES, "entities": [_queue("orders", 1073758208, 400000, 12)]}])
    facts = queue_size_limit(state)
    assert facts is not None and "dead" not in facts
    report = finding_report(state)
    assert "dead-letter subqueue, which" not in report.root_cause
    assert not any("$deadletterqueue" in action for action in report.actions)


TABLE_DELETED = [{"operation": "Microsoft.Storage/storageAccounts/tableServices/tables/delete", "status": "Succeeded",
                  "resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/"
                                 "tableServices/default/tables/Events", "time": "2026-12-03T22:41:09Z",
                  "caller": "runbook"}]
TABLE_404 = "ErrorCode:TableNotFound The table specified does not exist."


@pytest.mark.parametrize(("names", "setting"), [
    (["AUDIT_TABLE_ENDPOINT", "AUDIT_TABLE_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING"], "AUDIT_TABLE_NAME"),
    (["Storage__TableName", "Storage__TableEndpoint"], "Storage__TableName"),
])
def test_the_action_for_a_deleted_table_names_the_setting_that_holds_it(names: list[str], setting: str) -> None:
    state = state_with(TABLE_404, [setting_names(names), ("list_activity_log", {"events": TABLE_DELETED})])
    report = finding_report(state)
    assert report.category == "config.wrong_resource_name"
    assert any(f"setting {setting} to one" in action for action in report.actions)


@pytest.mark.parametrize("names", [
    ["AUDIT_TABLE_ENDPOINT", "STABLE_FEATURE_FLAG"],      # an endpoint, and a word that only contains "table"
    ["ORDERS_TABLE", "AUDIT_TABLE_NAME"],                 # two candidates: none is named
])
def test_no_setting_is_named_when_none_or_several_fit(names: list[str]) -> None:
    state = state_with(TABLE_404, [setting_names(names), ("list_activity_log", {"events": TABLE_DELETED})])
    assert any("change the app's setting to one" in action for action in finding_report(state).actions)


def test_an_endpoint_setting_holding_a_full_openai_request_url_is_found_by_name_only() -> None:
    found = setting_operation_urls({
        "AzureOpenAI__Endpoint": "https://oai-x.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
                                 "?api-version=2024-10-21",
        "OPENAI_V1": "https://oai-x.openai.azure.com/openai/v1/",          # the v1 API's base URL is an endpoint
        "OPENAI_BASE": "https://oai-x.openai.azure.com/",
        "SEARCH": "https://srch.search.windows.net/indexes/kb/docs"})
    assert found == ["AzureOpenAI__Endpoint"]


OPENAI_404 = "System.ClientModel.ClientResultException: HTTP 404 (: 404)\n\nResource not found"
URL_READ = ("list_app_setting_names", {"names": ["AzureOpenAI__Endpoint"], "count": 1,
                                       "operation_urls": ["AzureOpenAI__Endpoint"]})


def test_a_404_with_an_endpoint_setting_holding_a_request_url_blames_the_setting() -> None:
    state = state_with(OPENAI_404, [URL_READ])
    assert finding_id(state) == "openai-endpoint-setting-holds-request-url"
    report = finding_report(state)
    assert report.category == "config.invalid_connection_string" and "AzureOpenAI__Endpoint" in report.root_cause
    assert finding_id(state_with("Chat answers are slow since Monday.", [URL_READ])) != \
        "openai-endpoint-setting-holds-request-url"
    plain = ("list_app_setting_names", {"names": ["AzureOpenAI__Endpoint"], "count": 1, "operation_urls": []})
    assert finding_id(state_with(OPENAI_404, [plain])) != "openai-endpoint-setting-holds-request-url"


RULE_CHANGED = [{"operation": "Microsoft.Network/networkSecurityGroups/securityRules/write", "status": "Succeeded",
                 "resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                "networkSecurityGroups/nsg-nodes/securityRules/Deny-Internet-Outbound",
                 "time": "2026-12-04T21:04:10Z", "caller": "ops"}]


def test_a_changed_security_rule_names_the_port_the_failed_connections_use() -> None:
    said = ("Connection to node -1 (evhns.servicebus.windows.net/20.150.41.77:9093) could not be established.\n"
            "Other producers on :443 work fine.")
    report = finding_report(state_with(said, [("list_activity_log", {"events": RULE_CHANGED})]))
    assert report.category == "network.nsg_blocked" and "port 9093" in report.root_cause
    quiet = finding_report(state_with("Producers stopped after the change; the portal shows port 9093 open.",
                                      [("list_activity_log", {"events": RULE_CHANGED})]))
    assert "failing connections go to port" not in quiet.root_cause


PREVENTED = ("System.UnauthorizedAccessException: Ip has been prevented to connect to the endpoint. "
             "TrackingId:4018, SystemTracker:sb-claims.servicebus.windows.net:$cbs\n"
             "The namespace is private endpoint only.\n> nslookup sb-claims.servicebus.windows.net\n"
             "Non-authoritative answer:\nName:    ns-sb2-prod-ln1-512.cloudapp.net\nAddress:  {address}\n"
             "Aliases:  sb-claims.servicebus.windows.net\n          sb-claims.privatelink.servicebus.windows.net\n")


def test_a_private_namespace_resolved_publicly_is_the_private_dns_not_the_firewall() -> None:
    final = run_engine({"error_description": PREVENTED.format(address="51.132.210.36")}).final
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"
    private = run_engine({"error_description": PREVENTED.format(address="10.64.6.4")}).final
    assert isinstance(private, Conclude) and private.report.category == "network.nsg_blocked"


SAS_TEXT = ("<Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message>"
            "<AuthenticationErrorDetail>Signature not valid in the specified time frame: Start [Tue, 24 Nov 2026 "
            "10:01:37 GMT] - Expiry [Tue, 24 Nov 2026 11:01:37 GMT] - Current [Tue, 24 Nov 2026 04:31:40 GMT]"
            "</AuthenticationErrorDetail>\nThe billing service runs on our own servers in the Pune DC.")


def test_code_on_own_servers_calling_a_named_storage_account_is_in_scope() -> None:
    final = run_engine({"error_description": SAS_TEXT,
                        "context": {"environment_info": {"storage_account": "stinvoices"}}}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "UTC" in final.report.root_cause


def test_own_servers_without_an_azure_resource_stay_out_of_scope() -> None:
    said = ("Login failed for user 'app'. Error: 18456, State: 8.\nThe reporting service runs on our own servers "
            "against SQL Server 2019 on SQLPROD01.")
    final = run_engine({"error_description": said}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_keys_that_were_not_rotated_are_no_rotation_clue() -> None:
    denied = "Server failed to authenticate the request (403 AuthenticationFailed). Keys were not rotated."
    found = clue_in([denied])
    assert found is None or found["id"] != "storage-key-rotated-connection-setting-old-key"
    for said in ("Server failed to authenticate the request since we rotated the keys on Monday.",
                 "AuthenticationFailed after the storage keys were regenerated."):
        found = clue_in([said])
        assert found is not None and found["id"] == "storage-key-rotated-connection-setting-old-key", said


INDEXING = ("Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.ProcessInvoice'. "
            "Microsoft.Azure.WebJobs.Extensions.Storage: Storage account connection string '{name}' does not exist. "
            "Make sure that it is a defined App Setting.")


def test_an_indexing_error_naming_a_connection_string_as_the_setting_is_the_binding_property() -> None:
    text = INDEXING.format(name="DefaultEndpointsProtocol=https;AccountName=stinv;AccountKey=abc=;EndpointSuffix=x")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "functions-binding-connection-is-a-connection-string"
    named = catalog_index().hits([(INDEXING.format(name="InvoiceStorage"), "error")])
    assert named and named[0].entry.id == "functions-storage-connection-setting-missing"


def test_denied_flows_from_the_platform_address_are_the_probe_rule() -> None:
    said = ("HDInsight gateway answers 502 since the NSG was attached. Flow logs, denied inbound flows by source:\n"
            "  168.63.129.16  -> 10.12.3.x:443    Denied   ~2,300 flows")
    found = clue_in([said])
    assert found is not None and found["id"] == "nsg-denies-azure-platform-address"
    allowed = ("HDInsight gateway answers 502 since the NSG was attached. Flow logs show 168.63.129.16 -> "
               "10.12.3.x:443 Allowed; a deny rule blocks our corporate range.")
    found = clue_in([allowed])
    assert found is None or found["id"] != "nsg-denies-azure-platform-address"


KIND_PULL = ("On my laptop I run a kind cluster (kind v0.24). I built the image with docker build -t planner:dev .\n"
             'Failed to pull image "planner:dev": failed to pull and unpack image "docker.io/library/planner:dev": '
             'failed to resolve reference "docker.io/library/planner:dev": pull access denied, repository does not '
             "exist or may require authorization\nError: ErrImagePull")


def test_a_local_image_a_kind_cluster_never_loaded_is_out_of_scope() -> None:
    hits = catalog_index().hits([(KIND_PULL, "error")])
    assert hits and hits[0].entry.id == "other-clouds-local-cluster-image-not-loaded"
    final = run_engine({"error_description": KIND_PULL}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_an_aks_pull_of_an_unqualified_image_stays_azure() -> None:
    aks = KIND_PULL.replace("On my laptop I run a kind cluster (kind v0.24).",
                            "Our AKS cluster aks-prod in West Europe.")
    assert all(h.entry.id != "other-clouds-local-cluster-image-not-loaded"
               for h in catalog_index().hits([(aks, "error")]))
