"""Round 41 F2 (docs-style cases that reach the right category without the deciding detail, and docs74-76 misses):
how the engine reads and decides.

- a container app Key Vault secret whose identity the app lacks answers over ContainerAppSecretKeyVaultUrlInvalid's
  malformed-URI reading (Container Apps uses that code for both);
- the subscription GUID given as environment_info's subscription_id; the privatelink zone found from the failing
  call's host when the private endpoint cannot be read;
- Storage's InvalidResourceName names the table rule (alphanumeric); Graph's "Invalid value specified for property"
  is the request body's value (mailNickname), not a permission;
- a link field (a component's WorkspaceResourceId) naming a resource the activity log shows deleted;
- the blob container listing keeps the time-based policy's state and period, which the immutability finding quotes.
Each with a near miss that must stay silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from shared.engines.analyzers.azure_scope import subscription_id
from shared.engines.computed_findings import COMPUTED
from shared.engines.computed_findings.data import blob_container_immutable
from shared.engines.computed_findings.linked_target_gone import link_to_deleted_resource
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import Evidence, SessionState
from shared.tools.azure_fields import extract_fields
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import recorded_report, run_engine

ZONE_VARIANT = "rob342-webapp-blob-403-public-access-off-blob-zone-linked-only-to-shared-vnet"
ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob342"
SUB = "7b2e4c91-3d5a-4f60-8e1b-9c0d2a4f6e83"
WORKSPACE = f"/subscriptions/{SUB}/resourceGroups/rg-old/providers/Microsoft.OperationalInsights/workspaces/law-old"


def _scenario(name: str) -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8")))


def _state(start: dict[str, Any], *reads: Evidence) -> SessionState:
    request = StartRequest.model_validate(start)
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    for read in reads:
        state.add_evidence(read)
    return state


def _read(data: dict[str, Any]) -> Evidence:
    return Evidence(tool="get_resource", status="success", summary="s", arguments={}, data=data)


def _activity(*events: dict[str, Any]) -> Evidence:
    return Evidence(tool="list_activity_log", status="success", summary="s", arguments={},
                    data={"events": list(events)})


# ---- container app secret identity over the malformed-URI reading ---------------------------------------------

def test_a_secret_identity_the_app_lacks_answers_over_the_url_invalid_code(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario("rob342-container-app-bicep-secret-keyvault-identity-removed"))
    assert found["category"] == "auth.managed_identity_missing"
    assert "id-orders-secrets" in found["root_cause"]


def test_a_secret_identity_the_app_carries_keeps_the_url_invalid_reading(azure: PlaybackServer) -> None:
    case = _scenario("rob342-container-app-bicep-secret-keyvault-identity-removed")
    app = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/containerApps/orders-worker"))
    uami = app["body"]["properties"]["configuration"]["secrets"][0]["identity"]
    app["body"]["identity"] = {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {uami: {}}}
    found = recorded_report(azure, case)
    assert found["category"] != "auth.managed_identity_missing"


# ---- subscription key and the zone found from the failing host ------------------------------------------------

def test_the_subscription_guid_is_read_under_subscription_id() -> None:
    state = _state({"error_description": "x", "context": {"environment_info": {"subscription_id": SUB.upper()}}})
    assert subscription_id(state) == SUB


def test_a_subscription_name_under_subscription_id_is_not_taken_for_a_guid() -> None:
    state = _state({"error_description": "x", "context": {"environment_info": {"subscription_id": "sub-prod"}}})
    assert subscription_id(state) != "sub-prod"


def test_the_unlinked_zone_is_found_from_the_failing_host(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(ZONE_VARIANT))
    assert found["category"] == "network.private_endpoint_dns"
    assert "vnet-portal-ne" in found["root_cause"] and "privatelink.blob.core.windows.net" in found["root_cause"]


def test_a_zone_linked_to_the_callers_network_is_no_finding(azure: PlaybackServer) -> None:
    case = _scenario(ZONE_VARIANT)
    links = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/virtualNetworkLinks"))
    links["body"]["value"][0]["properties"]["virtualNetwork"]["id"] = links["body"]["value"][0]["properties"][
        "virtualNetwork"]["id"].replace("rg-network-ne", "rg-portal-ne").replace("vnet-shared-ne", "vnet-portal-ne")
    found = recorded_report(azure, case)
    assert "is linked only to" not in (found.get("root_cause") or "")


# ---- catalog: table names, Graph property values --------------------------------------------------------------

def test_the_table_services_misspelt_wording_names_the_alphanumeric_rule() -> None:
    text = ("azure.core.exceptions.HttpResponseError: The specifed resource name contains invalid characters.\n"
            "ErrorCode:InvalidResourceName")
    assert best_entry_id(text) == "storage-invalid-resource-name"
    env = run_engine({"error_description": text + "\ntable_name = 'order-lines'"}).envelope()
    assert "alphanumeric" in env["report"]["root_cause"]


def test_graph_invalid_property_value_is_the_code_not_a_permission() -> None:
    text = ("Microsoft.Graph.Models.ODataErrors.ODataError: Invalid value specified for property 'mailNickname' of "
            "resource 'Group'.\nError code: Request_BadRequest")
    assert best_entry_id(text) == "entra-graph-invalid-property-value"
    env = run_engine({"error_description": text}).envelope()
    assert env["report"]["category"] == "runtime.code_defect" and "space" in env["report"]["root_cause"]


def test_graph_insufficient_privileges_stays_a_permission() -> None:
    text = ("Microsoft.Graph.Models.ODataErrors.ODataError: Insufficient privileges to complete the operation.\n"
            "Error code: Authorization_RequestDenied")
    assert best_entry_id(text) != "entra-graph-invalid-property-value"


# ---- a link to a deleted resource -----------------------------------------------------------------------------

def _component() -> Evidence:
    return _read({"type": "Microsoft.Insights/components", "name": "appi-x", "WorkspaceResourceId": WORKSPACE})


def test_a_workspace_deleted_with_its_group_is_found() -> None:
    state = _state({"error_description": "no telemetry"}, _component(), _activity(
        {"operation": "Microsoft.Resources/subscriptions/resourceGroups/delete", "status": "Succeeded",
         "resource_id": f"/subscriptions/{SUB}/resourceGroups/rg-old", "time": "t", "caller": "ops"}))
    found = link_to_deleted_resource(state)
    assert found is not None and found["target"] == "law-old" and found["target_group"] == "rg-old"
    assert "linked-resource-deleted" in COMPUTED


def test_a_delete_of_another_group_or_a_failed_delete_is_no_finding() -> None:
    other = {"operation": "Microsoft.Resources/subscriptions/resourceGroups/delete", "status": "Succeeded",
             "resource_id": f"/subscriptions/{SUB}/resourceGroups/rg-older"}
    failed = {"operation": "Microsoft.OperationalInsights/workspaces/delete", "status": "Failed",
              "resource_id": WORKSPACE}
    assert link_to_deleted_resource(_state({"error_description": "x"}, _component(), _activity(other, failed))) is None


def test_the_deleted_workspace_answers_the_empty_telemetry_report(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario("rob342-function-app-insights-empty-logs-linked-workspace-deleted"))
    assert found["category"] == "config.wrong_resource_name" and "law-shipping-dev" in found["root_cause"]


# ---- the retention policy's state and period ------------------------------------------------------------------

def _containers(policy: dict[str, Any] | None) -> Evidence:
    item: dict[str, Any] = {"name": "payslips", "properties": {"hasImmutabilityPolicy": True, "hasLegalHold": False}}
    if policy is not None:
        item["properties"]["immutabilityPolicy"] = {"properties": policy}
    fields = {"containers": "value[].{name,properties.hasImmutabilityPolicy,properties.hasLegalHold,"
                            "properties.immutabilityPolicy}"}
    data = {"type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            **extract_fields({"value": [item]}, fields)}
    return _read(data)


def test_the_locked_policy_and_its_days_are_quoted() -> None:
    state = _state({"error_description": "BlobImmutableDueToPolicy on payslips"},
                   _containers({"state": "Locked", "immutabilityPeriodSinceCreationInDays": 2555}))
    found = blob_container_immutable(state)
    assert found is not None and "Locked" in found["hold"] and "2555 days" in found["hold"]


def test_a_listing_without_the_policy_keeps_the_plain_wording() -> None:
    found = blob_container_immutable(_state({"error_description": "BlobImmutableDueToPolicy"}, _containers(None)))
    assert found is not None and found["hold"] == "a time-based retention policy"
