"""Fifteenth session: the computed findings split by family of services, and the fixes of its development halves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shared.engines.analyzers.credential_invalid import sas_window
from shared.engines.analyzers.token_clock import clock_off
from shared.engines.computed_findings import COMPUTED
from shared.engines.playbooks import _stated_deployment, finding
from shared.models import Options
from shared.session.state import Material, SessionState
from shared.tools.azure_activity import _failed_operation, _impacting_event
from tests.helpers.engine_loop import out_of_scope_report, run_engine
from tests.helpers.finding_checks import finding_report, state_with

ROOT = Path(__file__).resolve().parents[2]
_JUDGED_BY_RULES = {"code-setting-not-in-app"}  # computed by the rules engine itself (missing_code_settings)


def _computed_rules() -> list[dict]:
    rules = yaml.safe_load((ROOT / "shared/knowledge/evidence_findings.yaml").read_text())
    return [r for r in rules if r.get("computed")]


def test_every_computed_finding_has_its_function_registered() -> None:
    missing = [r["id"] for r in _computed_rules() if r["id"] not in COMPUTED and r["id"] not in _JUDGED_BY_RULES]
    assert missing == []


def test_every_registered_function_has_its_finding() -> None:
    assert set(COMPUTED) - {r["id"] for r in _computed_rules()} == set()


def test_computed_field_names_the_module_that_defines_the_function() -> None:
    wrong = []
    for rule in _computed_rules():
        path, name = re.match(r"(\S+\.py) (\w+)", rule["computed"]).groups()
        if not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M):
            wrong.append((rule["id"], path, name))
    assert wrong == []


# --- development halves: mechanisms ------------------------------------------------------------------------------


def _state(text: str) -> SessionState:
    return SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, material=Material(error_description=text))


def _answer(text: str, client: list[dict] | None = None) -> dict:
    return run_engine({"error_description": text}, client or []).envelope().get("report") or {}


@pytest.mark.parametrize(("said", "name"), [
    ('{"code":"DeploymentFailed","target":"/subscriptions/.../resourceGroups/rg/providers/Microsoft.Resources/'
     'deployments/main","message":"At least one resource deployment operation failed."}', "main"),
    ("az deployment group create -g rg-web -f infra/web.bicep -p env=prod\nDeployment failed.", "web"),
    ("az deployment group create -g rg-web --template-file ./azuredeploy.json\nDeployment failed.", "azuredeploy"),
])
def test_the_deployment_is_named_by_its_id_or_by_the_clis_default_name(said: str, name: str) -> None:
    assert _stated_deployment(_state(said), said) == name


def test_a_cli_deployment_given_its_own_name_is_not_named_after_the_template_file() -> None:
    said = "az deployment group create -g rg-web -f web.bicep --name release-7 failed"
    assert _stated_deployment(_state(said), said) != "web"


POLICY_ERROR = {"code": "RequestDisallowedByPolicy", "message": "Resource 'app-x' was disallowed by policy.",
                "additionalInfo": [{"type": "PolicyViolation", "info": {
                    "evaluationDetails": {"evaluatedExpressions": [
                        {"expressionKind": "Field", "expression": "type", "path": "type", "operator": "Equals",
                         "targetValue": "Microsoft.Web/sites"},
                        {"expressionKind": "Field", "expression": "Microsoft.Web/sites/httpsOnly",
                         "path": "properties.httpsOnly", "operator": "NotEquals", "targetValue": "true"}]},
                    "policyDefinitionName": "appsvc-https-only-deny",
                    "policyDefinitionDisplayName": "App Service apps must only be reachable over HTTPS",
                    "policyAssignmentName": "deny-appsvc-http", "policyAssignmentScope": "/providers/mg/corp"}}]}


def test_a_failed_operation_keeps_the_policy_that_denied_it_and_the_field_it_evaluated() -> None:
    failed = _failed_operation({"provisioningState": "Failed", "statusCode": "Forbidden",
                                "statusMessage": {"error": POLICY_ERROR},
                                "targetResource": {"resourceType": "Microsoft.Web/sites", "resourceName": "app-x"}})
    assert failed["policy"]["fields"] == ["Microsoft.Web/sites/httpsOnly NotEquals true"]  # not the type test
    assert failed["policy"]["assignment_name"] == "deny-appsvc-http"


def test_a_failed_operation_without_policy_info_has_no_policy() -> None:
    failed = _failed_operation({"statusMessage": {"error": {"code": "Conflict", "message": "x"}}})
    assert "policy" not in failed


def test_resource_health_names_the_service_health_event_it_links() -> None:
    properties = {"serviceImpactingEvents": [{"correlationId": "XK7P-2T8",
                                              "incidentProperties": {"title": "Logic Apps - West Europe"}}]}
    assert _impacting_event(properties) == {"tracking_id": "XK7P-2T8", "event_title": "Logic Apps - West Europe"}
    assert _impacting_event({"serviceImpactingEvents": []}) == {}


def test_a_degraded_resource_names_the_tracking_id_of_its_event() -> None:
    state = state_with("all our logic apps fail since 07:20", [("get_resource_health", {
        "availabilityState": "Degraded", "summary": "problem affecting Logic Apps", "reasonType": "Unplanned",
        "tracking_id": "XK7P-2T8", "event_title": "Logic Apps - West Europe"})])
    report = finding_report(state)
    assert report.category == "platform.service_incident" and "XK7P-2T8" in report.root_cause


def test_a_degraded_resource_without_an_event_drops_the_event_sentence() -> None:
    state = state_with("all our logic apps fail", [("get_resource_health", {
        "availabilityState": "Degraded", "summary": "problem", "reasonType": "Unplanned"})])
    assert "tracking ID" not in finding_report(state).root_cause


def _recreated_factory(vault: dict) -> SessionState:
    factory_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataFactory/factories/adf-sales"
    return state_with("Failed to get the secret from key vault since the Terraform run", [
        ("list_activity_log", {"events": [
            {"operation": "Microsoft.DataFactory/factories/delete", "status": "Succeeded",
             "resource_id": factory_id, "time": "2026-11-30T09:11:50Z"},
            {"operation": "Microsoft.DataFactory/factories/write", "status": "Succeeded",
             "resource_id": factory_id, "time": "2026-11-30T09:12:44Z"}]}),
        ("get_resource", {"id": factory_id, "name": "adf-sales", "type": "Microsoft.DataFactory/factories",
                          "identity": {"type": "SystemAssigned", "principalId": "new-principal"}}),
        ("get_resource", {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-sales",
                          "name": "kv-sales", "type": "Microsoft.KeyVault/vaults", **vault})])


def test_a_recreated_resource_missing_from_the_vaults_access_policies_is_a_vault_access_policy() -> None:
    found = finding(_recreated_factory({"enableRbacAuthorization": False,
                                        "accessPolicies": [{"objectId": "old-principal"}]}))
    assert found is not None and found[0]["id"] == "recreated-identity-not-in-vault-access-policies"


def test_a_vault_on_rbac_leaves_the_recreated_identity_to_the_role_finding() -> None:
    found = finding(_recreated_factory({"enableRbacAuthorization": True}))
    assert found is None or found[0]["id"] != "recreated-identity-not-in-vault-access-policies"


def test_a_vault_whose_policies_name_the_new_principal_is_not_blamed() -> None:
    found = finding(_recreated_factory({"enableRbacAuthorization": False,
                                        "accessPolicies": [{"objectId": "new-principal"}]}))
    assert found is None or found[0]["id"] != "recreated-identity-not-in-vault-access-policies"


def test_a_sas_start_hours_after_the_request_is_local_time_used_as_utc() -> None:
    window = sas_window({"start": "Thu, 04 Dec 2026 10:02:17 GMT", "expiry": "Thu, 04 Dec 2026 12:02:17 GMT",
                         "now": "Thu, 04 Dec 2026 08:02:19 GMT"})
    assert window is not None and "not valid yet" in window and "UTC offset" in window


def test_a_sas_start_minutes_ahead_is_not_called_a_utc_offset() -> None:
    window = sas_window({"start": "Thu, 04 Dec 2026 08:20:00 GMT", "now": "Thu, 04 Dec 2026 08:02:19 GMT"})
    assert window is not None and "UTC offset" not in window and "clock runs ahead" in window


def test_an_expired_sas_says_how_long_ago_it_expired() -> None:
    window = sas_window({"start": "Thu, 04 Dec 2026 06:00:00 GMT", "expiry": "Thu, 04 Dec 2026 07:00:00 GMT",
                         "now": "Thu, 04 Dec 2026 08:30:00 GMT"})
    assert window is not None and "expired" in window and "1 h 30 min" in window


MSAL = ('0. The current time MUST be before the time represented by the exp Claim. Current epoch = {epoch}.  '
        'The id_token was: {{\n  "iat": 1635885014,\n  "exp": 1635888914\n}}')


def test_msal_refusing_a_fresh_token_shows_the_machine_clock_is_ahead() -> None:
    found = clock_off(MSAL.format(epoch=1635894218))
    assert found is not None and "2.6 h ahead" in found
    assert out_of_scope_report("az login fails:\n" + MSAL.format(epoch=1635894218))["category"] == "out_of_scope"


def test_msal_refusing_a_token_within_minutes_of_its_issue_is_no_clock_finding() -> None:
    assert clock_off(MSAL.format(epoch=1635885100)) is None


def test_a_code_the_catalog_lacks_names_the_refused_name_by_its_shape() -> None:
    report = _answer('{"code":"IotHubNameNotAvailable","message":"IotHub name \'test2\' is not available"}')
    assert report.get("category") == "deployment.name_conflict" and "'test2'" in report["root_cause"]


ENV_TABLE = """Name                  Value
ASPNETCORE_ENVIRONMENT Production
PAYMENT_TIMEOUT       20
DB_HOST               psql.example
PAYMENT_TIMEOUT       30"""
ACTIVATION = ("az containerapp update -n ca-billing -g rg --set-env-vars PAYMENT_TIMEOUT=30\nFailed to update "
              "revisions: Error activating revision ca-billing--0000047. Details Reason: Internal Server Error.")


def test_a_revision_that_cannot_activate_with_a_variable_listed_twice_names_the_variable() -> None:
    report = _answer(ACTIVATION + "\n\n" + ENV_TABLE)
    assert report.get("category") == "deployment.template_invalid" and "PAYMENT_TIMEOUT twice" in report["root_cause"]


def test_an_env_listing_without_a_repeat_does_not_decide_a_duplicate() -> None:
    report = _answer(ACTIVATION + "\n\n" + ENV_TABLE.replace("PAYMENT_TIMEOUT       30", "LOG_LEVEL       info"))
    assert report.get("confidence") != "medium" or "twice" not in str(report.get("root_cause"))


def test_a_key_vault_name_with_an_underscore_is_the_codes_naming() -> None:
    report = _answer("azure.core.exceptions.HttpResponseError: (BadParameter) The request URI contains an invalid "
                     "name: DB_PASSWORD\nCode: BadParameter")
    assert report.get("category") == "runtime.code_defect" and "DB_PASSWORD" in report["root_cause"]


def test_a_key_vault_name_of_allowed_characters_is_not_blamed_on_its_characters() -> None:
    report = _answer("(BadParameter) The request URI contains an invalid name: db-password\nCode: BadParameter")
    assert "only letters, digits and dashes (1 to 127" not in str(report.get("root_cause"))


CHAIN = """{where}. After restarts we regularly see at startup:
fetch secret db-password: DefaultAzureCredential: failed to acquire a token.
Attempted credentials:
\tEnvironmentCredential: missing environment variable AZURE_TENANT_ID
\tWorkloadIdentityCredential: no token file specified. Check pod configuration or set TokenFilePath in the options
\tManagedIdentityCredential: managed identity timed out. See the troubleshooting guide for more information
\tAzureCLICredential: Azure CLI not found on path
A retry a minute later always works."""


def test_on_a_vm_the_managed_identity_line_of_a_credential_chain_decides_not_another_credentials_notice() -> None:
    report = _answer(CHAIN.format(where="Our Go worker runs on an Azure VM with a user-assigned managed identity "
                                        "attached"))
    assert "WorkloadIdentityCredential has no client ID" not in str(report.get("root_cause"))
    assert report.get("category") == "runtime.timeout"


def test_in_a_kubernetes_pod_the_workload_identity_line_stays_a_candidate() -> None:
    report = _answer(CHAIN.format(where="Our Go worker runs in a pod on our AKS cluster"))
    assert "WorkloadIdentityCredential" in str(report.get("root_cause"))


IDENTITIES = """│ {{"error":{{"code":"AuthorizationFailed","message":"The client '{caller}' with object id '{caller}'
does not have authorization to perform action 'Microsoft.App/managedEnvironments/storages/write'"}}}}
The agent VM's identities (az vm identity show):
{{
  "type": "SystemAssigned, UserAssigned",
  "principalId": "11aa22bb-0000-4000-8000-0000000000aa",
  "userAssignedIdentities": {{
    "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-tf-deployer": {{
      "clientId": "7c8d9e0f-0000-4000-8000-00000000f00d", "principalId": "33cc44dd-0000-4000-8000-0000000000cc"}}}}
}}"""


def test_a_refusal_of_the_hosts_system_identity_beside_a_user_assigned_one_is_the_identity_not_chosen() -> None:
    report = _answer(IDENTITIES.format(caller="11aa22bb-0000-4000-8000-0000000000aa"))
    assert report.get("category") == "auth.managed_identity_missing"
    assert "id-tf-deployer" in report["root_cause"] and "7c8d9e0f-0000-4000-8000-00000000f00d" in report["actions"][0]


def test_a_refusal_of_the_user_assigned_identity_itself_is_not_read_as_the_wrong_identity() -> None:
    report = _answer(IDENTITIES.format(caller="33cc44dd-0000-4000-8000-0000000000cc"))
    assert report.get("category") != "auth.managed_identity_missing"


# --- after reading the blind failures ----------------------------------------------------------------------------

CURL = """The report endpoint fails for the full year; curl shows:
$ curl -s -o /dev/null -w "%{{http_code}} %{{time_total}}\\n" https://contoso-reports.azurewebsites.net/api/yearly
500 {seconds}
Our own log shows the request still working and finishing later."""


def test_a_request_to_app_service_that_failed_after_about_230_seconds_is_the_front_end_limit() -> None:
    report = _answer(CURL.format(seconds="230.041"))
    assert report.get("category") == "runtime.timeout" and "500 230.041" in report["root_cause"]


def test_a_shell_time_of_3m50s_counts_as_230_seconds() -> None:
    report = _answer("HTTP function on EP1 (func-x.azurewebsites.net); the caller gets a 500 after ~3m50s, but "
                     "Application Insights shows the invocation succeeding later.")
    assert report.get("category") == "runtime.timeout" and "230-second limit" in report["root_cause"]


def test_a_request_that_failed_after_two_minutes_is_not_called_the_230_second_limit() -> None:
    assert "230-second limit" not in str(_answer(CURL.format(seconds="120.512")).get("root_cause"))


def test_an_expired_aks_service_principal_secret_is_reset_on_the_cluster() -> None:
    report = _answer("$ az aks upgrade -g rg -n aks-logistics --kubernetes-version 1.29.7\nERROR: (BadRequest) The "
                     "credentials in ServicePrincipalProfile were invalid. (Details: adal: Refresh request failed. "
                     "Status Code = '401'. Response body: {\"error\":\"invalid_client\",\"error_description\":"
                     "\"AADSTS7000222: The provided client secret keys for app '3b9e' are expired.\"})")
    assert report.get("category") == "auth.credential_invalid"
    assert any("update-credentials" in a for a in report["actions"])


EMULATOR = """Expanding Local & Attached > Storage Accounts > (Emulator - Default Ports) > Blob Containers gives:
"message": "request to http://127.0.0.1:10000/devstoreaccount1 failed, reason: connect ECONNREFUSED 127.0.0.1:10000"
{extra}"""


def test_the_local_emulator_unreachable_on_a_developer_machine_is_out_of_scope() -> None:
    report = out_of_scope_report(EMULATOR.format(extra="Fresh dev machine; my real storage accounts in Azure work."))
    assert report["category"] == "out_of_scope"


def test_the_emulator_address_in_an_app_running_in_azure_stays_the_settings_fault() -> None:
    text = ("Deployed to func-orders.azurewebsites.net. In Azure the function fails: connect ECONNREFUSED "
            "127.0.0.1:10000. local.settings.json has AzureWebJobsStorage UseDevelopmentStorage=true.")
    assert _answer(text).get("category") != "out_of_scope"


def test_entras_tls_refusal_from_a_script_on_the_users_windows_machine_is_out_of_scope() -> None:
    report = out_of_scope_report("Running our old script on my laptop (Windows PowerShell 5.1):\nPS C:\\scripts> "
                                 "Connect-AzureAD\nAADSTS1002016: You are using TLS version 1.0, 1.1 and/or 3DES "
                                 "cipher which are deprecated.")
    assert report["category"] == "out_of_scope"
