"""Brief S4 of the thirty-third session: conclusions in the right category that lacked the deciding detail. A new
app on the plan the failing app shares is the recent change behind the plan's memory; the throttling family names
the service's own limit (Cosmos DB substatus 3200 in every SDK's shape, App Configuration's request quota, a table
partition, a standard file share); a refused registry push is the pusher's permission; a resize to a size missing
from the VM's cluster needs it deallocated; a policy-refused delete is a denyAction; new catalog entries for a
Managed HSM name held by a deleted HSM and a Graph proxyAddresses conflict with a deleted user."""

from __future__ import annotations

from typing import Any

from shared.engines.recent_change import fitting_change, with_recent_change
from shared.models import Options, Report
from shared.session.state import Conclude, Evidence, Material, SessionState
from shared.tools.azure_activity import _event, _latest_per_operation
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

GROUP = "/subscriptions/51c7e0a2-3d9b-4f16-8e25-0b4a6c9d7f13/resourceGroups/rg-claims-web"
PLAN = f"{GROUP}/providers/Microsoft.Web/serverFarms/plan-claims-s1"
OTHER_PLAN = f"{GROUP}/providers/Microsoft.Web/serverFarms/plan-claims-batch"


def site_write(site: str, farm: str | None) -> dict[str, Any]:
    event = {"time": "2026-12-04T14:38:12Z", "operation": "Microsoft.Web/sites/write", "status": "Succeeded",
             "caller": "d.osei@contoso-claims.example", "resource_id": f"{GROUP}/providers/Microsoft.Web/sites/{site}"}
    if farm:
        event["server_farm"] = farm
    return event


def state_with(text: str, events: list[dict[str, Any]]) -> SessionState:
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=text))
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="site",
                                data={"id": f"{GROUP}/providers/Microsoft.Web/sites/web-claims-portal",
                                      "name": "web-claims-portal", "serverFarmId": PLAN}))
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary=f"{len(events)} operations",
                                data={"events": events}))
    return state


def oom() -> Conclude:
    cause = "The App Service plan the app runs on used up to 99% of its memory."
    return Conclude(message=cause, report=Report(category="runtime.out_of_memory", root_cause=cause,
                                                 confidence="medium"))


def test_a_new_app_written_onto_the_failing_app_s_plan_is_cited_as_the_memory_change() -> None:
    state = state_with("web-claims-portal recycles with OutOfMemoryException", [site_write("web-claims-sandbox", PLAN)])
    decision = with_recent_change(state, oom())
    assert "sites/web-claims-sandbox, placed on plan plan-claims-s1" in decision.report.root_cause


def test_a_site_on_another_plan_or_the_failing_app_s_own_write_is_not_cited() -> None:
    text = "web-claims-portal recycles with OutOfMemoryException"
    other = with_recent_change(state_with(text, [site_write("web-claims-sandbox", OTHER_PLAN)]), oom())
    assert "activity log" not in other.report.root_cause
    own = with_recent_change(state_with(text, [site_write("web-claims-portal", PLAN)]), oom())
    assert "placed on plan" not in own.report.root_cause
    # without the plan in the request body nothing ties a new site to the failing app
    assert fitting_change("runtime.out_of_memory", [site_write("web-claims-sandbox", None)], "webclaimsportal") is None


def test_the_activity_log_keeps_the_plan_of_a_site_write_from_its_request_body_only() -> None:
    body = '{"location":"West Europe","properties":{"serverFarmId":"' + PLAN + '"}}'
    begin = {"eventTimestamp": "2026-12-04T14:38:10Z", "operationName": {"value": "Microsoft.Web/sites/write"},
             "status": {"value": "Started"}, "operationId": "op-1", "properties": {"requestbody": body}}
    end = {"eventTimestamp": "2026-12-04T14:38:12Z", "operationName": {"value": "Microsoft.Web/sites/write"},
           "status": {"value": "Succeeded"}, "operationId": "op-1", "properties": {}}
    kept = _latest_per_operation([_event(end), _event(begin)])
    assert len(kept) == 1 and kept[0]["status"] == "Succeeded" and kept[0]["server_farm"] == PLAN
    config = dict(begin, operationName={"value": "Microsoft.Web/sites/config/write"})
    assert "server_farm" not in _event(config)


def report(text: str, answers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return run_engine({"error_description": text}, answers).envelope().get("report") or {}


def test_cosmos_substatus_3200_in_the_java_shape_is_cosmos_throughput_not_a_generic_429() -> None:
    found = report("com.azure.cosmos.CosmosException: Request rate is too high. StatusCode: 429, SubStatusCode: 3200")
    assert "RU/s" in found["root_cause"] and any("throughput" in a for a in found["actions"])
    other = report("CosmosException StatusCode: 429, SubStatusCode: 3088 while writing orders")
    assert "substatus 3200" not in other.get("root_cause", "")


def test_an_app_configuration_429_names_the_tier_quota_and_another_service_s_429_does_not() -> None:
    found = report("Refresh failed: RestError: Status code 429 (Too Many Requests) url: "
                   "https://appcs-flags.azconfig.io/kv?key=* retry-after-ms: 40112000")
    assert "Free-tier" in found["root_cause"] and "hours rather than seconds" in found["root_cause"]
    vault = report("GET https://kv-orders.vault.azure.net/secrets/db 429 Too Many Requests")
    assert "App Configuration" not in vault.get("root_cause", "")


def test_storage_server_busy_names_the_table_partition_or_the_share_limit_only_for_those_services() -> None:
    table = report("Azure.RequestFailedException: The server is busy. Status: 503 ErrorCode: ServerBusy at "
                   "Azure.Data.Tables.TableRestClient.InsertEntityAsync(...)")
    assert "PartitionKey" in table["root_cause"] and "large file shares" not in table["root_cause"]
    share = report("Azure.RequestFailedException: Operations per second is over the account limit. ErrorCode: "
                   "ServerBusy at Azure.Storage.Files.Shares.FileRestClient.UploadRangeAsync(...)")
    assert "large file shares" in share["root_cause"] and "PartitionKey" not in share["root_cause"]
    blob = report("Azure.RequestFailedException: The server is busy. ErrorCode: ServerBusy at "
                  "Azure.Storage.Blobs.BlobRestClient.DownloadAsync(...)")
    assert "PartitionKey" not in blob["root_cause"] and "large file shares" not in blob["root_cause"]


def test_a_refused_registry_push_is_the_pusher_s_permission_and_a_refused_pull_stays_a_pull() -> None:
    push = report("helm push ./api-1.2.0.tgz oci://acrcharts.azurecr.io/helm\nError: failed to authorize: failed to "
                  "fetch oauth token: unexpected status: 401 Unauthorized")
    assert push["category"] == "auth.rbac_missing" and "content/write" in push["root_cause"]
    pull = report("Failed to pull image \"acrcharts.azurecr.io/api:1.2.0\": failed to authorize: failed to fetch "
                  "oauth token: unexpected status: 401 Unauthorized")
    assert pull["category"] == "container.image_pull_failed"


def test_a_resize_to_a_size_missing_from_the_cluster_needs_a_deallocation_while_a_capacity_failure_does_not() -> None:
    resize = report("(AllocationFailed) Allocation failed. The requested VM size Standard_M32ls is not available in "
                    "the current hardware cluster. The available sizes in this cluster are: Standard_DS1_v2.")
    assert resize["category"] == "quota.sku_not_available" and "deallocated" in resize["root_cause"]
    capacity = report("(AllocationFailed) Allocation failed. We do not have sufficient capacity for the requested VM "
                      "size in this region.")
    assert "current cluster" not in capacity["root_cause"]


def test_a_policy_refused_delete_names_deny_action_and_a_refused_create_does_not() -> None:
    delete = report("(RequestDisallowedByPolicy) Resource 'stold' delete action was disallowed by policy.")
    assert "denyAction" in delete["root_cause"]
    create = report("(RequestDisallowedByPolicy) Resource 'stnew' was disallowed by policy.")
    assert "denyAction" not in create["root_cause"]


def test_the_new_catalog_entries_rank_first_for_their_own_messages_only() -> None:
    assert best_entry_id("(Conflict) The name 'hsm-x' is already in use. A managed HSM with this name exists in a "
                         "deleted state.") == "keyvault-managed-hsm-name-held-by-deleted-hsm"
    assert best_entry_id("Another object with the same value for property proxyAddresses already exists.") \
        == "entra-graph-proxyaddresses-held-by-deleted-user"
    assert best_entry_id("Another object with the same value for property identifierUris already exists.") \
        == "entra-graph-object-with-same-key-exists"


def test_ultra_disk_attach_logic_app_host_timeout_and_attach_acr_have_their_own_entries() -> None:
    assert best_entry_id("Disk 'd1' of StorageAccountType 'UltraSSD_LRS' cannot be attached to VM 'vm1'.") \
        == "compute-ultra-disk-attach-vm-without-ultra-capability"
    assert best_entry_id("Disk 'd1' of StorageAccountType 'Premium_LRS' cannot be attached to VM 'vm1'.") \
        != "compute-ultra-disk-attach-vm-without-ultra-capability"
    assert best_entry_id("Could not create a role assignment for ACR. Are you an Owner on this subscription?") \
        == "containers-aks-attach-acr-role-assignment-failed"
    assert best_entry_id("Could not create a role assignment for subnet. Are you an Owner on this subscription?") \
        == "containers-aks-subnet-role-assignment-failed"


def test_a_standard_logic_app_validation_of_the_action_timeout_is_the_host_limit_not_the_two_minute_clue() -> None:
    standard = report("Our Standard logic app HTTP action calls a report that takes around 10 minutes, so I set its "
                      "timeout to PT1H: WorkflowValidationFailed - The provided request options timeout of "
                      "'01:00:00' for action 'HTTP' must be less '00:03:45'.")
    assert "Runtime.Backend.HttpOperation.RequestTimeout" in standard["root_cause"]
    run = run_engine({"error_description": "Our Power Automate flow's HTTP action to the function timed out; the "
                                           "function runs about 10 minutes and then completes."})
    flow = str(run.envelope()) + str([r.request.model_dump() for r in run.requests])
    assert "HttpOperation" not in flow and ("two minutes" in flow or "how long the called function" in flow)


def test_a_certificate_missing_from_the_app_service_store_asks_about_website_load_certificates() -> None:
    from shared.engines.clues import clue_in
    found = clue_in(["System.InvalidOperationException: Certificate with thumbprint 9F2C was not found in store "
                     "CurrentUser\\My (0 certificates in store)."])
    assert found is not None and found["id"] == "app-service-uploaded-certificate-not-loaded-for-code"
    other = clue_in(["The certificate for contoso.com was not found in Key Vault kv-web when binding the domain."])
    assert other is None or other["id"] != "app-service-uploaded-certificate-not-loaded-for-code"
