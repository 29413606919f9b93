"""Round 28 (the twenty-first session's development halves, var3-var5 / real66): an app registration refused to a
tool other than the az CLI, a policy denial's evaluated field read from the activity log, a database user created
in master, the deployment names a pasted Azure OpenAI deployment list shows, and resource names stated in
environment_info together with the group that holds them."""

from __future__ import annotations

import json
from typing import Any

from shared.engines.analyzers.azure_scope import resource_groups
from shared.engines.analyzers.common import env_facts
from shared.models import Options
from shared.session.state import Material, SessionState
from shared.tools.azure_activity import _event
from tests.helpers.engine_loop import run_engine


def _report(text: str, technologies: list[str]) -> dict[str, Any]:
    outcome = run_engine({"error_description": text, "context": {"environment_info": {"technologies": technologies}}})
    return outcome.envelope().get("report") or {}


TERRAFORM_APP = """azuread_application.portal: Creating...
Error: Could not create application
  with azuread_application.portal, on identity.tf line 3
ApplicationsClient.BaseClient.Post(): unexpected status 403 with OData error: Authorization_RequestDenied: Insufficient
privileges to complete the operation.
I am Owner on the subscription (az login with my own account)."""


def test_an_app_registration_terraform_creates_is_a_directory_role_question() -> None:
    found = _report(TERRAFORM_APP, ["terraform", "entra-id"])
    assert found["category"] == "auth.rbac_missing"
    assert "Application Administrator" in found["root_cause"]


def test_a_role_assignment_refused_the_same_way_is_not_an_app_registration() -> None:
    text = ("az role assignment create --assignee 5f1c0c0e-1111-4a4a-9c9c-222233334444 --role Reader --scope "
            "/subscriptions/00000000-0000-0000-0000-000000000001\nInsufficient privileges to complete the operation.")
    assert "Application Administrator" not in _report(text, ["azure-cli"]).get("root_cause", "")


def _policy_event(additional: list[dict[str, Any]]) -> dict[str, Any]:
    error = {"code": "RequestDisallowedByPolicy", "message": "Resource 'app-x' was disallowed by policy.",
             "additionalInfo": additional}
    return {"eventTimestamp": "2026-12-01T10:00:00Z", "operationName": {"value": "Microsoft.Web/sites/write"},
            "status": {"value": "Failed"}, "properties": {"statusMessage": json.dumps({"error": error})}}


def test_an_activity_log_denial_carries_the_field_the_policy_evaluated() -> None:
    info = {"policyDefinitionDisplayName": "Apps must use HTTPS", "policyAssignmentName": "lz-baseline",
            "evaluationDetails": {"evaluatedExpressions": [
                {"expressionKind": "Field", "expression": "type", "path": "type", "operator": "Equals",
                 "targetValue": "Microsoft.Web/sites"},
                {"expressionKind": "Field", "expression": "Microsoft.Web/sites/httpsOnly",
                 "path": "properties.httpsOnly", "operator": "NotEquals", "targetValue": "true"}]}}
    row = _event(_policy_event([{"type": "PolicyViolation", "info": info}]))
    assert row["policy"]["fields"] == ["Microsoft.Web/sites/httpsOnly NotEquals true"]
    assert row["message"].startswith("RequestDisallowedByPolicy")


def test_an_event_without_a_policy_violation_has_no_policy() -> None:
    assert "policy" not in _event(_policy_event([{"type": "SomethingElse", "info": {}}]))


def test_a_database_user_made_in_master_is_named_as_the_likely_gap() -> None:
    text = ('The server principal "ana@contoso.com" is not able to access the database "sqldb-sales" under the '
            'current security context.\nCannot open database "sqldb-sales" requested by the login.')
    found = _report(text, ["azure-sql-database"])
    assert found["category"] == "auth.rbac_missing"
    assert "master" in found["root_cause"]


DEPLOYMENTS = """Azure Deployment Name: aoai-lumen-eastus
{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}
$ az cognitiveservices account deployment list -g rg-ai -n aoai-lumen-eastus -o table
Name        ResourceGroup    ModelName       ModelVersion
----------  ---------------  --------------  ------------
gpt35-chat  rg-ai            gpt-35-turbo    0613
"""


def test_the_pasted_deployment_list_and_the_name_used_are_both_named() -> None:
    cause = _report(DEPLOYMENTS, ["azure-openai"])["root_cause"]
    assert "deployment 'aoai-lumen-eastus'" in cause and "'gpt35-chat'" in cause


def test_without_a_pasted_list_no_deployment_is_invented() -> None:
    text = '{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}'
    assert "deployment list pasted" not in _report(text, ["azure-openai"])["root_cause"]


def _material(environment: dict[str, Any]) -> Material:
    return Material(error_description="403", environment=environment)


def test_a_stated_name_with_its_group_counts_by_its_first_word() -> None:
    material = _material({"storage_account": "stfleet (rg-fleet-data)", "key_vault": "kv-orders in rg-orders",
                          "web_app": "app-plain"})
    assert [material.stated_name(k) for k in ("storage_account", "key_vault", "web_app", "missing")] == [
        "stfleet", "kv-orders", "app-plain", ""]
    assert [material.stated_group(k) for k in ("storage_account", "key_vault", "web_app")] == [
        "rg-fleet-data", "rg-orders", ""]


def test_the_group_a_name_places_its_resource_in_is_listed_after_the_stated_groups() -> None:
    state = SessionState(trace_id="0" * 32, options=Options(), ttl_seconds=60, material=_material(
        {"resource_group": "rg-apps", "storage_account": "stfleet (rg-fleet-data)"}))
    assert resource_groups(state) == ["rg-apps", "rg-fleet-data"]


def test_resources_stated_by_kind_fill_the_templates_names() -> None:
    state = SessionState(trace_id="0" * 32, options=Options(), ttl_seconds=60, material=_material(
        {"key_vault": "kv-orders (rg-data)", "storage_account": "stmedia", "container_registry": "crshop",
         "namespace": "payments"}))
    facts = env_facts(state)
    assert (facts["vault"], facts["account"], facts["registry"]) == ("kv-orders", "stmedia", "crshop")
    assert "namespace" not in facts  # a bare namespace is as often Kubernetes' as Service Bus'


STRIPE = ("StripeAuthenticationError: Invalid API Key provided: {key}\n"
          "    at /home/site/wwwroot/node_modules/stripe/cjs/RequestSender.js:105:31")


def test_a_key_refused_elsewhere_that_is_the_literal_key_vault_reference_is_the_reference() -> None:
    outcome = run_engine({"error_description": STRIPE.format(key="@Microso*********************ult)"),
                          "context": {"environment_info": {"technologies": ["app-service", "nodejs"]}}})
    # the reference alone does not say why it did not resolve: the engine asks about it, never "not Azure"
    assert outcome.envelope()["status"] == "request" and "Key Vault" in outcome.requests[0].request.question


def test_a_real_key_refused_by_stripe_stays_out_of_scope() -> None:
    outcome = run_engine({"error_description": STRIPE.format(key="sk_live_************1234"),
                          "context": {"environment_info": {"technologies": ["app-service", "nodejs"]}}})
    assert (outcome.envelope().get("report") or {}).get("category") == "out_of_scope"


ISOLATED = """Loading functions metadata
0 functions loaded
No job functions found. Try making your job classes and methods public.
Project: net8.0, Microsoft.Azure.Functions.Worker 1.23, Program.cs with ConfigureFunctionsWebApplication().
appSettings: [ {{ name: 'FUNCTIONS_WORKER_RUNTIME', value: '{runtime}' }} ]"""


def test_an_isolated_worker_project_under_the_in_process_runtime_value_is_the_mismatch() -> None:
    found = _report(ISOLATED.format(runtime="dotnet"), ["azure-functions", "bicep"])
    assert found["category"] == "functions.host_misconfigured"
    assert "FUNCTIONS_WORKER_RUNTIME is 'dotnet'" in found["root_cause"] and "isolated" in found["root_cause"]


def test_an_isolated_worker_project_under_dotnet_isolated_is_no_runtime_mismatch() -> None:
    found = _report(ISOLATED.format(runtime="dotnet-isolated"), ["azure-functions", "bicep"])
    assert "FUNCTIONS_WORKER_RUNTIME is" not in found.get("root_cause", "")


TENANT = ("azure.core.exceptions.ClientAuthenticationError: (InvalidAuthenticationTokenTenant) The access token is "
          "from the wrong issuer 'https://sts.windows.net/11111111-1111-1111-1111-111111111111/'. It must match the "
          "tenant 'https://sts.windows.net/22222222-2222-2222-2222-222222222222/' associated with this subscription.")


def test_a_wrong_tenant_token_from_an_sdk_credential_names_azure_tenant_id() -> None:
    actions = " ".join(_report(TENANT + "\ncredential = DefaultAzureCredential()", ["python"])["actions"])
    assert "AZURE_TENANT_ID" in actions


def test_a_wrong_tenant_token_from_the_cli_does_not_name_the_sdk_setting() -> None:
    actions = " ".join(_report(TENANT.replace("azure.core.exceptions.ClientAuthenticationError: ", "ERROR: "),
                               ["azure-cli"])["actions"])
    assert "AZURE_TENANT_ID" not in actions


def _category(text: str, technologies: list[str]) -> str | None:
    return (run_engine({"error_description": text, "context": {"environment_info": {"technologies": technologies}}})
            .envelope().get("report") or {}).get("category")


def test_docker_hub_refusing_pulls_of_azure_container_groups_is_not_called_out_of_scope() -> None:
    text = ("Our tests create container groups from Docker Hub images. Error code: RegistryErrorResponse. "
            "toomanyrequests: You have reached your pull rate limit.")
    assert _category(text, ["azure-container-instances"]) != "out_of_scope"


def test_a_request_limit_code_that_databricks_shares_with_salesforce_is_not_salesforce() -> None:
    text = ('Cluster creation failed: {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "Your request was rejected '
            'due to API rate limit."} from our Azure Databricks workspace jobs.')
    assert _category(text, ["azure-databricks"]) != "out_of_scope"


def test_an_acr_meant_for_a_private_endpoint_is_not_read_as_its_public_rules() -> None:
    text = ("Failed to pull image \"cr.azurecr.io/app:1\": 403 Forbidden from https://cr.azurecr.io/oauth2/token. "
            "Security set the registry to private endpoint only. Do we add the IP to the registry firewall?")
    assert _category(text, ["aks"]) != "network.nsg_blocked"


def test_the_normal_host_resolving_to_its_privatelink_cname_is_not_a_privatelink_connection_string() -> None:
    text = ("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch\n"
            "Endpoint in the config: https://oai-x.openai.azure.com\n"
            "nslookup gives the private endpoint NIC. Do we have to create the A record for "
            "oai-x.privatelink.openai.azure.com?")
    assert _category(text, ["aks", "private-endpoint"]) != "config.invalid_connection_string"


def test_an_acr_with_a_private_endpoint_reached_from_home_without_vpn_is_its_public_rules() -> None:
    text = ("az acr login -n cr\nError response from daemon: login attempt to https://cr.azurecr.io/v2/ failed with "
            "status: 403 Forbidden. networkRuleSet.defaultAction: Deny, privateEndpoints: [pe-cr-hub]. "
            "I am working from home without VPN; the private endpoint is in the hub VNet.")
    assert _category(text, ["acr"]) == "network.nsg_blocked"
