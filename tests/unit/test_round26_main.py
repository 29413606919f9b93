"""Round 26 (the nineteenth session's development halves, docs32 / real59): a container group's last termination
(exit 137), reads of a geo-secondary with no private endpoint of their own, Storage's refused date header as a
client clock computed, Redis's Premium-only settings, Translator's free quota, an Event Hubs client given the
namespace's connection string, App Configuration's data roles and a hosted agent refused by a private-only service."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers import request_duration
from shared.engines.analyzers.common import first_entry, table, table_entry
from shared.engines.analyzers.storage_azure import private_endpoints_read
from shared.engines.analyzers.storage_firewall import private_path_broken
from shared.engines.analyzers.token_clock import storage_date_off
from shared.engines.clues import clue_in
from shared.engines.playbooks import conclude_finding, rule_facts
from shared.engines.rules import _citing_the_resource_read
from shared.engines.session_reads import FINDINGS
from shared.models import Report
from shared.session.state import Conclude, Evidence, GiveUp, RunTool
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, reads_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"


def _container_group(previous_exit: int) -> dict[str, Any]:
    body = {"properties": {"restartPolicy": "Always", "containers": [{"name": "worker", "properties": {
        "image": "cr.azurecr.io/worker:1", "resources": {"requests": {"memoryInGB": 1.5}},
        "instanceView": {"restartCount": 9, "currentState": {"state": "Running"},
                         "previousState": {"state": "Terminated", "exitCode": previous_exit}}}}]}}
    return {"type": "Microsoft.ContainerInstance/containerGroups", "name": "ci-worker",
            **extracted("Microsoft.ContainerInstance", "containerGroups", body)}


RESTARTS = "Our container instance keeps restarting mid-batch; the log just stops."


def test_a_container_group_whose_last_exit_was_137_ran_out_of_memory() -> None:
    check_round_finding(reads_state(RESTARTS, [_container_group(137)]), "container-group-killed-for-memory-exit-137",
                        "runtime.out_of_memory", "137")


def test_another_exit_code_or_another_symptom_is_no_memory_verdict() -> None:
    assert finding_id(reads_state(RESTARTS, [_container_group(1)])) != "container-group-killed-for-memory-exit-137"
    assert finding_id(reads_state("How do I add a DNS label to the container group?", [_container_group(137)])
                      ) != "container-group-killed-for-memory-exit-137"


def _account(sku: str = "Standard_RAGZRS", public: str = "Disabled") -> dict[str, Any]:
    body = {"sku": {"name": sku}, "properties": {"publicNetworkAccess": public,
                                                 "networkAcls": {"defaultAction": "Deny"},
                                                 "privateEndpointConnections": [{"id": "pec-blob"}]}}
    return {"type": "Microsoft.Storage/storageAccounts", "name": "stdocs",
            **extracted("Microsoft.Storage", "storageAccounts", body)}


def _endpoint(group: str) -> dict[str, Any]:
    body = {"properties": {"privateLinkServiceConnections": [{"name": group, "properties": {
        "privateLinkServiceId": f"{SUB}/providers/Microsoft.Storage/storageAccounts/stdocs", "groupIds": [group]}}]}}
    return {"type": "Microsoft.Network/privateEndpoints", "name": f"pe-{group}",
            **extracted("Microsoft.Network", "privateEndpoints", body)}


ONE_APP_FAILS = ("Since the network change the order API is fine, only the reporting app fails with 403 "
                 "AuthorizationFailure: This request is not authorized to perform this operation.")
SECONDARY = "storage-geo-secondary-reads-without-private-endpoint"


def _secondary_facts(reads: list[dict[str, Any]]) -> dict[str, str] | None:
    return rule_facts(reads_state(ONE_APP_FAILS, reads), table_entry(FINDINGS, SECONDARY))


def test_reads_of_the_secondary_of_a_private_only_geo_account_need_their_own_endpoint() -> None:
    reads = [_account(), _endpoint("blob")]
    assert _secondary_facts(reads) is not None
    # the storage firewall analyzer (the delegate of a denying account) names it before judging the firewall
    found = private_path_broken(reads_state(ONE_APP_FAILS, reads), reads[0])
    assert found is not None and found[0]["id"] == SECONDARY
    report = conclude_finding(reads_state(ONE_APP_FAILS, reads), *found).report
    assert report.category == "network.private_endpoint_dns" and "Standard_RAGZRS" in report.root_cause


@pytest.mark.parametrize("reads", [
    [_account(), _endpoint("blob"), _endpoint("blob_secondary")],   # the secondary has its endpoint
    [_account(public="Enabled"), _endpoint("blob")],                 # reached publicly
    [_account(sku="Standard_GZRS"), _endpoint("blob")],             # no readable secondary
], ids=["secondary-endpoint", "public", "no-read-access"])
def test_no_secondary_verdict_when_the_secondary_is_reachable_or_absent(reads: list[dict[str, Any]]) -> None:
    assert _secondary_facts(reads) is None


REFUSED_DATE = ("RestError: Server failed to authenticate the request.\nTime:2023-03-29T09:12:19.0411230Z\n"
                "<AuthenticationErrorDetail>Request date header too old: '{sent}'</AuthenticationErrorDetail>")


def test_a_refused_date_header_far_from_storage_time_is_the_client_clock() -> None:
    said = storage_date_off(REFUSED_DATE.format(sent="Wed, 29 Mar 2023 08:42:17 GMT"))
    assert said is not None and "30 min behind" in said
    assert storage_date_off(REFUSED_DATE.format(sent="Wed, 29 Mar 2023 09:02:19 GMT")) is None  # within 15 min
    assert storage_date_off(REFUSED_DATE.format(sent="Wed, 29 Mar 2023 08:42:17 GMT").split("\n", 2)[2]) is None


def test_storage_explorer_with_a_skewed_clock_is_out_of_scope() -> None:
    final = run_engine({"error_description": "Storage Explorer cannot list the file shares:\n"
                        + REFUSED_DATE.format(sent="Wed, 29 Mar 2023 08:42:17 GMT")}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


CATALOG_CASES = {
    "redis-property-not-supported-for-tier":
        'unexpected status 400 (400 Bad Request) with error: BadRequest: The property \'rdb-backup-enabled\' is not '
        "supported for this cache.",
    "openai-translator-free-quota-exceeded":
        'POST https://api.cognitive.microsofttranslator.com/translate\nHTTP/1.1 403 Forbidden\n{"error":{"code":403001,'
        '"message":"The operation is not allowed because the subscription has exceeded its free quota."}}',
    "messaging-eh-hub-client-namespace-connection-string":
        "hub, err := eventhub.NewHubFromConnectionString(connStr)\nEndpoint=sb://ns.servicebus.windows.net/;"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=<redacted>\n*Error{Condition: "
        "amqp:internal-error, Description: The service was unable to process the request; please retry",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_a_hub_connection_string_with_its_entity_path_is_not_blamed() -> None:
    text = CATALOG_CASES["messaging-eh-hub-client-namespace-connection-string"].replace(
        "<redacted>", "<redacted>;EntityPath=telemetry")
    hits = catalog_index().hits([(text, "error")])
    assert all(h.entry.id != "messaging-eh-hub-client-namespace-connection-string" for h in hits)


def test_a_terraform_wrong_tenant_names_arm_tenant_id() -> None:
    final = run_engine({"error_description": (
        'Error: retrieving Resource Group "rg": unexpected status 401 (401 Unauthorized) with error: '
        "InvalidAuthenticationTokenTenant: The access token is from the wrong issuer "
        "'https://sts.windows.net/d223715a-65c7-5399-8cec-b3f49b87089f/'. It must match the tenant "
        "'https://sts.windows.net/2f4136c2-ede1-5e12-8033-0174a2fc711f/' associated with this subscription.\n"
        "terraform plan on GitHub Actions")}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert any("ARM_TENANT_ID" in action for action in final.report.actions)
    assert "2f4136c2-ede1-5e12-8033-0174a2fc711f" in final.report.root_cause


def test_app_configuration_management_roles_decide_but_a_data_role_does_not() -> None:
    denied = ("##[error]Access to 'https://ac-shared.azconfig.io/kv?key=*' was denied. Please ensure the required "
              "role assignment is made for the identity running this task.")
    assert concludes(denied + " The app registration has Contributor on the store.", "auth.rbac_missing")
    assert not concludes(denied + " The service principal has the App Configuration Data Owner role on the store.",
                         "auth.rbac_missing")


def test_a_hosted_agent_refused_by_a_private_only_service_is_the_network() -> None:
    said = ("Push task fails: Access to the target App Configuration instance was denied. Status code: 403\n"
            'Store: "publicNetworkAccess": "Disabled", private endpoint approved. Pipeline pool vmImage: ubuntu-latest '
            "(Microsoft-hosted agent).")
    found = clue_in([said])
    assert found is not None and found["id"] == "hosted-agent-service-public-access-disabled"
    assert concludes(said, "network.nsg_blocked")
    self_hosted = said.replace("vmImage: ubuntu-latest (Microsoft-hosted agent)", "our own agent in the VNet")
    found = clue_in([self_hosted])
    assert found is None or found["id"] != "hosted-agent-service-public-access-disabled"


LAKE_403 = ("403, PUT, https://stlake.dfs.core.windows.net/raw/sales?resource=directory, AuthorizationFailure; "
            "reads over blob work from the same cluster.")
DFS = "storage-data-lake-calls-without-dfs-private-endpoint"


def test_data_lake_calls_with_only_a_blob_private_endpoint_take_the_public_path() -> None:
    state = reads_state(LAKE_403, [_account(sku="Standard_LRS"), _endpoint("blob")])
    assert rule_facts(state, table_entry(FINDINGS, DFS)) is not None
    found = private_path_broken(state, _account(sku="Standard_LRS"))
    assert found is not None and found[0]["id"] == DFS
    with_dfs = reads_state(LAKE_403, [_account(sku="Standard_LRS"), _endpoint("blob"), _endpoint("dfs")])
    assert rule_facts(with_dfs, table_entry(FINDINGS, DFS)) is None
    blob_call = reads_state("403 AuthorizationFailure on https://stlake.blob.core.windows.net/raw/a.parquet",
                            [_account(sku="Standard_LRS"), _endpoint("blob")])
    assert rule_facts(blob_call, table_entry(FINDINGS, DFS)) is None


def _site(route_all: bool) -> dict[str, Any]:
    body = {"kind": "app,linux", "properties": {"virtualNetworkSubnetId": f"{SUB}/providers/Microsoft.Network/"
                                                "virtualNetworks/vnet/subnets/snet-app",
                                                "vnetRouteAllEnabled": route_all}}
    return {"type": "Microsoft.Web/sites", "name": "app-docs", **extracted("Microsoft.Web", "sites", body)}


def test_a_share_mounted_over_a_private_endpoint_needs_route_all() -> None:
    report = "The path mapping /mounts/uploads to the Azure Files share stays empty since the account went private."
    rule = table_entry(FINDINGS, "app-storage-mount-private-endpoint-route-all-off")
    assert rule_facts(reads_state(report, [_site(False)]), rule) is not None
    assert rule_facts(reads_state(report, [_site(True)]), rule) is None
    assert rule_facts(reads_state("The app returns 502 since Monday.", [_site(False)]), rule) is None


def test_the_storage_analyzer_reads_the_accounts_private_endpoints() -> None:
    endpoint_id = f"{SUB}/providers/Microsoft.Network/privateEndpoints/pe-blob"
    account = extracted("Microsoft.Storage", "storageAccounts", {"properties": {"privateEndpointConnections": [
        {"properties": {"privateEndpoint": {"id": endpoint_id}}}]}})
    assert account["privateEndpoints"] == [endpoint_id]
    step = private_endpoints_read(reads_state(LAKE_403, []), account)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == endpoint_id
    assert private_endpoints_read(reads_state(LAKE_403, []), {"privateEndpoints": []}) is None


# After the measurement (the nineteenth session's blind failures, read).

def _web_config(stack: str) -> dict[str, Any]:
    return {"type": "Microsoft.Web/sites/config", "name": "web",
            **extracted("Microsoft.Web", "sites/config", {"properties": {"linuxFxVersion": stack}})}


ISOLATED = "Microsoft.Azure.WebJobs.Script: WorkerConfig for runtime: dotnet-isolated not found. Stopping JobHost"


def test_an_isolated_worker_on_the_in_process_linux_stack_loads_no_functions() -> None:
    site = {"type": "Microsoft.Web/sites", "name": "func-claims", "kind": "functionapp,linux"}
    rule = table_entry(FINDINGS, "function-app-isolated-worker-on-in-process-linux-stack")
    assert rule_facts(reads_state(ISOLATED, [site, _web_config("DOTNET|8.0")]), rule) is not None
    assert rule_facts(reads_state(ISOLATED, [site, _web_config("DOTNET-ISOLATED|8.0")]), rule) is None


def test_the_blob_every_throttled_request_reads_is_named_from_the_storage_logs() -> None:
    state = reads_state("Azure.RequestFailedException: The server is busy.\nStatus: 503 (The server is busy.)\n"
                        "ErrorCode: ServerBusy", [])
    state.add_evidence(Evidence(tool="query_logs", status="success", summary="3 rows", data={"rows": [
        ["503", "ServerBusy", "/stcfg/config/rules/price-rules.json"], ["200", "Success", "/stcfg/config/a.json"]]}))
    found = first_entry(table("throttling_services"), state)
    assert found is not None and found[0]["id"] == "storage-server-busy"
    assert found[1].get("blob") == "price-rules.json"


def test_an_app_configuration_endpoint_is_an_azure_host() -> None:
    final = run_engine({"error_description": (
        "System.ArgumentException: The configuration store with the endpoint 'https://cfg-stg.azconfig.io/' could not "
        "be found.\nParameter name: endpoint\n   at Microsoft.Azure.AppConfiguration.ManagedIdentityConnector."
        "ManagedIdentityConnector.GetConnectionString(Uri endpoint)\nThe same code works from my machine with a "
        "connection string.")}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"


@pytest.mark.parametrize(("log", "expected"), [
    ("[03:00:02 > INFO] Calling index rebuild...\n[03:03:52 > ERR ] 500 (Internal Server Error).", 230.0),
    ("[03:00:02 > INFO] Calling index rebuild...\n[03:01:02 > ERR ] 500 (Internal Server Error).", None),
    ("[23:59:00 > INFO] Calling...\n[00:02:50 > ERR ] 502 Bad Gateway", 230.0),
])
def test_the_time_between_a_logged_call_and_its_failure_is_measured(log: str, expected: float | None) -> None:
    shown = request_duration._duration(log)
    assert (shown[0] if shown else None) == expected


def test_a_conclusion_cites_the_read_of_the_resource_it_names() -> None:
    state = reads_state("func-claims stopped loading functions after Monday's change.", [
        {"type": "Microsoft.Web/sites", "name": "func-claims", "kind": "functionapp,linux"},
        {"type": "Microsoft.Storage/storageAccounts", "name": "stunrelated"}])
    concluded = Conclude(message="done", report=Report(category="functions.host_misconfigured",
                                                       root_cause="The host of func-claims ...", confidence="medium"))
    cited = _citing_the_resource_read(state, concluded)
    assert isinstance(cited, Conclude) and cited.report.confidence == "medium"
    summaries = [e.summary for e in cited.report.evidence if e.source == "get_resource"]
    assert len(summaries) == 1 and "func-claims" in summaries[0]
