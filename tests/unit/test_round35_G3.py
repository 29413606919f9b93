"""Round 35 G3: the deciding detail of a conclusion whose category was already right - what a policy evaluated (the
field and the value the request sent, pasted or read from the activity log's failed write), the old principal a
re-created identity's vault assignment still names (the identity reset read in the activity log), a resource id
the error prints in lower case, the role the report says was given, the Retry-After header, and catalog facts
(private endpoint network policies, a container with version-level immutability, json() of a parsed body, a
property that cannot be selected). Each check has a near miss that must stay silent."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.playback import PlaybackServer
from shared.engines.access_evidence import identity_recreated
from shared.engines.playbooks import find_target
from shared.session.state import Evidence, SessionState
from shared.tools.azure_activity import _identity_set
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob28G3"


def _scenario(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8"))


def _report(start: dict[str, Any], azure: bool = False) -> dict[str, Any]:
    return run_engine(start, azure_access=azure).envelope()["report"]


POLICY = ('{"error":{"code":"RequestDisallowedByPolicy","message":"Resource \'vm-build-01\' was disallowed by policy.",'
          '"additionalInfo":[{"type":"PolicyViolation","info":{"evaluationDetails":{"evaluatedExpressions":['
          '{"result":"True","expression":"type","expressionValue":"Microsoft.Compute/virtualMachines","operator":"Equals"},'
          '{"result":"False","expression":"Microsoft.Compute/virtualMachines/sku.name","path":"properties.hardwareProfile'
          '.vmSize","expressionValue":"Standard_E16s_v5","targetValue":["Standard_D2s_v5"],"operator":"In"}]}}}]}}')


def test_a_policy_denial_names_the_evaluated_field_and_the_value_the_request_sent() -> None:
    report = _report({"error_description": "az vm create fails:\n" + POLICY})
    assert report["category"] == "deployment.policy_denied"
    assert "Standard_E16s_v5" in report["root_cause"]
    assert "Microsoft.Compute/virtualMachines/sku.name" in report["root_cause"]


def test_a_policy_denial_whose_only_evaluated_expression_is_the_type_names_no_value() -> None:
    only_type = re.sub(r',\{"result":"False".*?"operator":"In"\}', "", POLICY)
    report = _report({"error_description": "az vm create fails:\n" + only_type})
    assert report["category"] == "deployment.policy_denied"
    assert "the request sends" not in report["root_cause"]


def test_a_policy_denial_without_its_definition_reads_the_activity_log_for_it(azure: PlaybackServer) -> None:
    scenario = _scenario("rob28g3-cosmos-bicep-policy-denied-definition-only-in-activity-log")
    azure.load(scenario["azure"])
    report = _report(scenario["request"], azure=True)
    assert report["category"] == "deployment.policy_denied"
    assert "Azure Cosmos DB should disable public network access" in report["root_cause"]


def test_a_policy_denial_without_azure_access_concludes_from_the_text() -> None:
    scenario = _scenario("rob28g3-cosmos-bicep-policy-denied-definition-only-in-activity-log")
    report = _report(scenario["request"])
    assert report["category"] == "deployment.policy_denied"
    assert "should disable public network access" not in report["root_cause"]


def test_an_identity_write_body_gives_the_type_it_set() -> None:
    assert _identity_set('{"identity":{"type":"None"}}') == "None"
    assert _identity_set({"identity": {"type": "SystemAssigned, UserAssigned"}}) == "SystemAssigned, UserAssigned"
    assert _identity_set('{"properties":{"httpsOnly":true}}') is None
    assert _identity_set("not json") is None


def _state_with_events(events: list[dict[str, Any]]) -> SessionState:
    state = run_engine({"error_description": "Key Vault answered 403 ForbiddenByRbac"}).state
    state.ledger.append(Evidence(tool="list_activity_log", arguments={}, status="success", summary="",
                                 data={"events": events}))
    return state


SITE = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app"


def test_an_identity_set_to_none_then_system_assigned_in_the_activity_log_is_a_recreated_identity() -> None:
    assert identity_recreated(_state_with_events([
        {"time": "2026-12-05T13:26:02Z", "resource_id": SITE, "identity_type": "SystemAssigned"},
        {"time": "2026-12-05T13:12:40Z", "resource_id": SITE, "identity_type": "None"}]))


@pytest.mark.parametrize("events", [
    # turned on only (a new identity, none removed)
    [{"time": "2026-12-05T13:26:02Z", "resource_id": SITE, "identity_type": "SystemAssigned"}],
    # turned off last: no new principal yet
    [{"time": "2026-12-05T13:12:40Z", "resource_id": SITE, "identity_type": "SystemAssigned"},
     {"time": "2026-12-05T13:26:02Z", "resource_id": SITE, "identity_type": "None"}],
    # removed on one app, set on another
    [{"time": "2026-12-05T13:12:40Z", "resource_id": SITE, "identity_type": "None"},
     {"time": "2026-12-05T13:26:02Z", "resource_id": SITE + "2", "identity_type": "SystemAssigned"}],
])
def test_identity_writes_that_do_not_recreate_it_stay_silent(events: list[dict[str, Any]]) -> None:
    assert not identity_recreated(_state_with_events(events))


def test_the_vault_assignment_of_the_old_principal_is_named_after_a_logged_identity_reset(
        azure: PlaybackServer) -> None:
    scenario = _scenario("rob28g3-func-python-keyvault-forbiddenbyrbac-identity-reset-by-pipeline-assignment-on-old-"
                         "principal")
    azure.load(scenario["azure"])
    report = _report(scenario["request"], azure=True)
    assert report["category"] == "auth.keyvault_access_denied"
    assert "5e9d1b72-0a4c-4f38-9e21-7b6c3d8a1f05" in report["root_cause"]


def test_without_the_identity_reset_logged_the_other_principal_is_not_blamed(azure: PlaybackServer) -> None:
    scenario = _scenario("rob28g3-func-python-keyvault-forbiddenbyrbac-identity-reset-by-pipeline-assignment-on-old-"
                         "principal")
    recordings = copy.deepcopy(scenario["azure"])
    for recording in recordings:
        for event in (recording.get("body") or {}).get("value") or [] if isinstance(recording.get("body"), dict) \
                else []:
            if isinstance(event, dict) and isinstance(event.get("properties"), dict):
                event["properties"].pop("requestbody", None)
    azure.load(recordings)
    report = _report(scenario["request"], azure=True)
    assert report["category"] == "auth.keyvault_access_denied"
    assert "5e9d1b72-0a4c-4f38-9e21-7b6c3d8a1f05" not in report["root_cause"]


LOWER = ("Resource: '/subscriptions/6d0b3e92-17a4-4c5f-8e2d-9a41c7f05b38/resourcegroups/rg-billing-core/providers/"
         "microsoft.keyvault/vaults/kv-billing-prod/secrets/invoicesigningkey'")


def test_a_lower_case_resource_id_from_the_error_is_spelled_as_the_read_tools_take_it() -> None:
    state = run_engine({"error_description": "ForbiddenByRbac\n" + LOWER}).state
    target = find_target(state)
    assert target is not None and not isinstance(target, type(None))
    assert target.resource_id == ("/subscriptions/6d0b3e92-17a4-4c5f-8e2d-9a41c7f05b38/resourceGroups/"
                                              "rg-billing-core/providers/Microsoft.KeyVault/vaults/kv-billing-prod")
    assert target.type == "Microsoft.KeyVault/vaults"


def test_an_unknown_lower_case_type_keeps_its_spelling_and_the_names_keep_theirs() -> None:
    text = ("/subscriptions/6d0b3e92-17a4-4c5f-8e2d-9a41c7f05b38/resourcegroups/RG-Mixed/providers/contoso.widgets/"
            "gizmos/Gz1")
    target = find_target(run_engine({"error_description": "failed: " + text}).state)
    assert target.resource_id == ("/subscriptions/6d0b3e92-17a4-4c5f-8e2d-9a41c7f05b38/resourceGroups/"
                                              "RG-Mixed/providers/contoso.widgets/gizmos/Gz1")


def test_the_sibling_vault_holding_the_role_is_named_from_a_lower_case_id(azure: PlaybackServer) -> None:
    scenario = _scenario("rob28g3-java-sp-keyvault-forbiddenbyrbac-lowercase-id-role-on-staging-vault")
    azure.load(scenario["azure"])
    report = _report(scenario["request"], azure=True)
    assert report["category"] == "auth.keyvault_access_denied" and "kv-billing-stage" in report["root_cause"]


DENIED = ("AuthorizationFailed: The client '9a3e5c71-0d2b-4f86-b4e9-61c7d28f0a53' with object id "
          "'9a3e5c71-0d2b-4f86-b4e9-61c7d28f0a53' does not have authorization to perform action "
          "'Microsoft.Network/publicIPAddresses/read' over scope '/subscriptions/4e7b1d92-3c0a-4f58-a6d1-9b2e8c7f0d31/"
          "resourceGroups/rg-ips/providers/Microsoft.Network/publicIPAddresses/pip-a' or the scope is invalid.")


def test_the_granting_role_the_report_says_was_given_is_the_one_to_assign_at_the_scope() -> None:
    report = _report({"error_description": DENIED + "\nThe identity has Network Contributor on the node group."})
    assert report["category"] == "auth.rbac_missing"
    assert any('--role "Network Contributor"' in a and "rg-ips" in a for a in report["actions"])


@pytest.mark.parametrize("said", [
    "",  # no role named: the narrowest granting role
    "\nIt has Storage Blob Data Reader on the account.",  # a role that does not grant the action
])
def test_a_role_that_is_not_named_or_does_not_grant_the_action_is_not_advised(said: str) -> None:
    report = _report({"error_description": DENIED + said})
    assert not any('--role "Network Contributor"' in a or "Storage Blob Data Reader\"" in a for a in report["actions"])


def test_a_429_with_a_retry_after_header_names_the_header() -> None:
    report = _report({"error_description": "GET https://appcs-x.azconfig.io/kv fails\nHTTP 429 Too Many Requests\n"
                                           "Retry-After: 14"})
    assert report["category"] == "throttling.rate_limited" and "Retry-After header" in report["root_cause"]


def test_a_429_without_the_header_says_nothing_of_it() -> None:
    report = _report({"error_description": "GET https://appcs-x.azconfig.io/kv fails\nHTTP 429 Too Many Requests"})
    assert report["category"] == "throttling.rate_limited" and "Retry-After header" not in report["root_cause"]


def test_private_endpoint_network_policies_name_the_subnet_property() -> None:
    text = ("PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled: Private endpoint pe-a cannot be "
            "created in a subnet /subscriptions/8a2d5c1e-4f70-4b93-a6e8-0d3c9b7f2e15/resourceGroups/rg/providers/"
            "Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-pe since it has private endpoint network policies "
            "enabled.")
    assert best_entry_id(text) == "compute-private-endpoint-network-policies"
    report = _report({"error_description": text})
    assert "privateEndpointNetworkPolicies" in report["root_cause"] and "'snet-pe'" in report["root_cause"]


def test_a_container_with_version_level_immutability_is_deleted_through_the_management_plane() -> None:
    text = ("The requested operation is not allowed as the container has a immutable storage with versioning "
            "enabled.\nErrorCode:ContainerImmutableStorageWithVersioningEnabled")
    assert best_entry_id(text) == "storage-container-immutable-storage-with-versioning"
    report = _report({"error_description": "delete_container() fails:\n" + text})
    assert report["category"] == "deployment.resource_locked" and "management plane" in report["root_cause"]


def test_a_locked_retention_policy_is_not_the_versioning_entry() -> None:
    assert best_entry_id("ErrorCode: BlobImmutableDueToPolicy This operation is not permitted as the blob is "
                         "immutable due to a policy.") == "storage-blob-immutable-policy"


JSON_FN = ("InvalidTemplate. Unable to process template language expressions in action 'Parse' inputs at line '0' and "
           "column '0': 'The template language function 'json' expects its parameter to be a string or an XML. The "
           "provided value is of type '{kind}'. Please see https://aka.ms/logicexpressions#json for usage details.'.")


def test_json_of_an_already_parsed_object_says_the_body_is_already_json() -> None:
    report = _report({"error_description": JSON_FN.format(kind="Object")})
    assert report["category"] == "runtime.code_defect" and "already a parsed Object" in report["root_cause"]


def test_json_of_a_null_value_is_not_called_already_parsed() -> None:
    report = _report({"error_description": JSON_FN.format(kind="Null")})
    assert report["category"] == "runtime.code_defect" and "already a parsed" not in report["root_cause"]


def test_a_property_that_cannot_be_selected_is_named() -> None:
    text = ("InvalidTemplate. Unable to process template language expressions for action 'Check' at line '0' and "
            "column '0': 'The template language expression 'equals(item()?['tier'], 'gold')' cannot be evaluated "
            "because property 'tier' cannot be selected. Please see https://aka.ms/logicexpressions for usage "
            "details.'.")
    report = _report({"error_description": text})
    assert report["category"] == "runtime.code_defect" and "'tier' from a value that is not an object" in \
        report["root_cause"]


def test_a_property_that_does_not_exist_is_not_the_unselectable_reading() -> None:
    text = ("InvalidTemplate. Unable to process template language expressions in action 'Check' inputs at line '0' "
            "and column '0': 'The template language expression 'triggerBody()['tier']' cannot be evaluated because "
            "property 'tier' doesn't exist, available properties are 'id, data'.")
    report = _report({"error_description": text})
    assert "from a value that is not an object" not in report["root_cause"]


def test_a_sku_that_needs_a_newer_api_version_names_the_listed_versions() -> None:
    text = ('ERROR CODE: OperationSupportedInSkuForApiVersions\n{"error": {"code": '
            '"OperationSupportedInSkuForApiVersions", "message": "Operation on BasicV2 SKU is only supported in the '
            'api-versions 2024-05-01,2024-06-01-preview"}}')
    assert best_entry_id(text) == "arm-sku-needs-newer-api-version"
    report = _report({"error_description": text})
    assert report["category"] == "deployment.template_invalid" and "API version" in report["root_cause"]
    assert "2024-05-01" in report["root_cause"]


def test_an_unsupported_api_version_of_a_resource_type_is_not_the_sku_entry() -> None:
    assert best_entry_id("InvalidApiVersionParameter: The api-version '2015-01-01' is invalid. The supported "
                         "versions are '2023-01-01,2022-09-01'.") == "arm-invalid-api-version"


BCP139 = ("main.bicep(12,3): Error BCP139: A resource's scope must match the scope of the Bicep file for it to be "
          "deployable.")


def test_bcp139_names_the_other_group_a_declared_resource_is_scoped_to() -> None:
    code = ("\nresource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid('a')\n"
            "  scope: resourceGroup('rg-shared-kv')\n  properties: {}\n}")
    report = _report({"error_description": BCP139 + code})
    assert report["category"] == "deployment.template_invalid"
    assert "resourceGroup('rg-shared-kv')" in report["root_cause"]


def test_bcp139_with_only_an_existing_reference_elsewhere_names_no_group() -> None:
    code = ("\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'kv-a'\n"
            "  scope: resourceGroup('rg-shared-kv')\n}\n"
            "resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid('a')\n  scope: kv\n}")
    report = _report({"error_description": BCP139 + code})
    assert report["category"] == "deployment.template_invalid" and "rg-shared-kv" not in report["root_cause"]
