"""Seventeenth session: reads that show nothing are not absence, a 429's substatus is not "no 429s", the context an
entry requires breaks a tie, and what a workspace, a Front Door profile, a lifecycle rule and a container app's
short name decide."""

from __future__ import annotations

from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.catalog.facts import named_groups, unwrapped
from shared.catalog.index import catalog_index, negated
from shared.engines.access_evidence import claimed_role_missing, with_role_assignments
from shared.engines.catalog_hits import contradictions, evidence_text
from shared.engines.playbooks import finding, missing_code_settings
from shared.models import Report
from shared.session.material import readable_paste
from shared.session.state import Conclude, Evidence, FileExcerpt, Material, RunTool, SessionState
from shared.tools.catalog import run_tool
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_report, state_with

SUB = "/subscriptions/4a3eb0c3-245c-53ef-bc25-20ed3134f844"
GROUP = f"{SUB}/resourceGroups/rg-iot"


# --- a settings read that found nothing shows no setting absent -------------------------------------------------


def _code_reads_setting(settings_read: Evidence) -> SessionState:
    state = state_with("The trigger never fires", [
        ("get_resource", {"id": f"{GROUP}/providers/Microsoft.Web/sites/func-iot", "name": "func-iot",
                          "type": "Microsoft.Web/sites", "kind": "functionapp"})])
    code = '[EventHubTrigger("readings", Connection = "EventHub")] string[] events'
    state.material.files = [FileExcerpt(path="Store.cs", relevance="code", content=code, size_bytes=len(code))]
    state.add_evidence(settings_read)
    return state


def test_a_settings_read_answered_404_does_not_make_the_codes_setting_missing() -> None:
    not_found = Evidence(tool="list_app_setting_names", status="no_data", summary="resource not found: ...",
                         data={"http_status": 404})
    assert missing_code_settings(_code_reads_setting(not_found)) == []


def test_a_settings_read_without_the_setting_still_shows_it_missing() -> None:
    read = Evidence(tool="list_app_setting_names", status="success", summary="2 app settings",
                    data={"names": ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"], "count": 2})
    assert missing_code_settings(_code_reads_setting(read)) == ["EventHub"]


# --- "429 = 0" says no throttling; "429); Substatus: 0" does not ------------------------------------------------


def _ruled_out(text: str) -> dict[str, str]:
    return contradictions(state_with(text, []))


def test_a_429_with_substatus_zero_is_still_throttling() -> None:
    text = ("CosmosException : Response status code does not indicate success: TooManyRequests (429); "
            "Substatus: 0; Reason: (Message: The request did not complete due to a high rate of metadata requests.")
    assert "throttling.rate_limited" not in _ruled_out(text)


def test_a_metric_of_zero_429s_rules_throttling_out() -> None:
    assert "throttling.rate_limited" in _ruled_out("Total Requests with StatusCode 429 = 0 for the last day")


def test_metadata_throttling_is_concluded_not_guessed() -> None:
    hits = catalog_index().hits([("TooManyRequests (429); Substatus: 0; The request did not complete due to a high "
                                  "rate of metadata requests.", "error")])
    assert hits[0].entry.id == "cosmos-metadata-requests-throttled"
    assert "CosmosClient" in hits[0].entry.meaning


# --- equal ranks: the entry whose required context holds names the case --------------------------------------


def test_the_entry_whose_context_holds_wins_a_tie_on_the_same_code() -> None:
    text = ('AADSTS50034: The user account {EUII Hidden} does not exist in the 3c7b1f52-9d2e-4a61-b0c8-5f4e2d1a9b77 '
            'directory. To sign into this application, the account must be added to the directory.\n'
            'We moved to the group tenant last weekend (migration). "TenantId": "3c7b1f52-9d2e-4a61-b0c8-5f4e2d1a9b77"')
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].rank() == hits[1].rank()
    assert hits[0].entry.id == "entra-aadsts50034-app-config-points-at-old-tenant"


def test_without_the_context_the_general_entry_answers() -> None:
    text = ("AADSTS50034: The user account {EUII Hidden} does not exist in the 3c7b1f52-9d2e-4a61-b0c8-5f4e2d1a9b77 "
            "directory. To sign into this application, the account must be added to the directory.")
    assert catalog_index().hits([(text, "error")])[0].entry.id == "entra-aadsts50034-user-account-not-found"


# --- what reads decide ----------------------------------------------------------------------------------------


def _workspace(status: str) -> dict[str, Any]:
    return {"id": f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-dev", "name": "log-dev",
            "type": "Microsoft.OperationalInsights/workspaces", "sku": "Free", "dailyQuotaGb": 0.5,
            "quotaNextResetTime": "2026-12-05T00:00:00Z", "dataIngestionStatus": status}


def test_a_workspace_over_its_daily_cap_names_the_tier_cap_and_reset() -> None:
    state = state_with("Heartbeat stops every day around noon", [("get_resource", _workspace("OverQuota"))])
    report = finding_report(state)
    assert report.category == "quota.exceeded"
    assert "0.5 GB" in report.root_cause and "Free" in report.root_cause and "2026-12-05T00:00:00Z" in report.root_cause


def test_a_workspace_that_ingests_is_no_finding() -> None:
    state = state_with("Heartbeat stops every day around noon", [("get_resource", _workspace("RespectQuota"))])
    found = finding(state)
    assert found is None or found[0]["id"] != "workspace-read-over-daily-cap"


def _profile(timeout: int) -> dict[str, Any]:
    return {"id": f"{GROUP}/providers/Microsoft.Cdn/profiles/afd-retail", "name": "afd-retail",
            "type": "Microsoft.Cdn/profiles", "originResponseTimeoutSeconds": timeout}


LONG_EXPORT = "The yearly export gives a 504 through Front Door after about one minute; directly it takes a while."


def test_a_long_request_cut_at_the_profiles_origin_timeout_is_the_timeout() -> None:
    report = finding_report(state_with(LONG_EXPORT, [("get_resource", _profile(60))]))
    assert report.category == "runtime.timeout" and "originResponseTimeoutSeconds" in report.root_cause


@pytest.mark.parametrize("timeout, text", [
    (240, LONG_EXPORT),                                                   # the profile already waits the longest
    (60, "Front Door answers 504 for every request since this morning"),  # no sign of a long request
])
def test_no_origin_timeout_finding_without_a_short_timeout_and_a_long_request(timeout: int, text: str) -> None:
    found = finding(state_with(text, [("get_resource", _profile(timeout))]))
    assert found is None or found[0]["id"] != "front-door-origin-response-timeout-reached"


ACCOUNT = f"{GROUP}/providers/Microsoft.Storage/storageAccounts/stdocs"


def _lifecycle(rules: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    return ("get_resource", {"id": f"{ACCOUNT}/managementPolicies/default", "name": "default",
                             "type": "Microsoft.Storage/storageAccounts/managementPolicies", "rules": rules})


def _rule(prefixes: list[str], delete: dict[str, Any] | None) -> dict[str, Any]:
    return {"name": "cleanup", "enabled": True, "definition.filters.prefixMatch": prefixes,
            "definition.actions.baseBlob.delete": delete}


MISSING_BLOB = "ErrorCode: BlobNotFound when customer service reprints October invoices from container documents"


def test_a_lifecycle_rule_deleting_the_containers_blobs_explains_blob_not_found() -> None:
    state = state_with(MISSING_BLOB, [_lifecycle([_rule(["documents/invoices/"],
                                                        {"daysAfterModificationGreaterThan": 30})])])
    report = finding_report(state)
    assert "lifecycle" in report.root_cause and "30 days after its last modification" in report.root_cause


@pytest.mark.parametrize("rule", [
    _rule(["exports/tmp/"], {"daysAfterModificationGreaterThan": 30}),     # another container's blobs
    _rule(["documents/"], None),                                          # it tiers, it does not delete
])
def test_no_lifecycle_finding_for_a_rule_that_does_not_delete_these_blobs(rule: dict[str, Any]) -> None:
    found = finding(state_with(MISSING_BLOB, [_lifecycle([rule])]))
    assert found is None or found[0]["id"] != "storage-lifecycle-deletes-blobs"


CONTAINER_APP = {"id": f"{GROUP}/providers/Microsoft.App/containerApps/ca-pricing", "name": "ca-pricing",
                 "type": "Microsoft.App/containerApps"}


def test_a_container_apps_bare_name_unresolved_outside_its_environment_is_dns() -> None:
    text = ("requests.exceptions.ConnectionError: HTTPConnectionPool(host='ca-pricing', port=80) (Caused by "
            "NameResolutionError(\"Failed to resolve 'ca-pricing' ([Errno -2] Name or service not known)\")) "
            "from our App Service web app")
    report = finding_report(state_with(text, [("get_resource", CONTAINER_APP)]))
    assert report.category == "network.dns_resolution" and "FQDN" in report.root_cause


def test_a_full_name_unresolved_is_not_the_short_name_finding() -> None:
    text = ("Failed to resolve 'ca-pricing.kindhill-1234.westeurope.azurecontainerapps.io' "
            "([Errno -2] Name or service not known)")
    found = finding(state_with(text, [("get_resource", CONTAINER_APP)]))
    assert found is None or found[0]["id"] != "container-app-short-name-called-from-outside-its-environment"


def test_an_entry_that_only_excludes_other_cases_does_not_win_the_tie() -> None:
    text = ("az deployment group create -g rg-infra --template-file main.bicep --name Infra-12916\n"
            "ERROR: (DeploymentNotFound) Deployment 'Infra-12916' could not be found.")
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].rank() == hits[1].rank() and hits[0].entry.id == "arm-deployment-not-found"


# --- a log search alert's identity on its workspace ----------------------------------------------------------


def test_a_log_alerts_identity_is_read_on_the_workspace_it_queries() -> None:
    workspace = f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-secops"
    rule = {"id": f"{GROUP}/providers/Microsoft.Insights/scheduledQueryRules/alert-5xx", "name": "alert-5xx",
            "type": "Microsoft.Insights/scheduledQueryRules",
            "identity": {"type": "SystemAssigned", "principalId": "6d4284c1-d58d-508b-92cd-8acf4b4cc121",
                         "userAssigned": []}}
    state = state_with("The log alert alert-5xx stopped firing on workspace log-secops", [
        ("get_resource", rule),
        ("get_resource", {"id": workspace, "name": "log-secops", "type": "Microsoft.OperationalInsights/workspaces"})])
    cause = "A role assignment on log-secops was deleted."
    decision = Conclude(message=cause, report=Report(category="auth.rbac_missing", root_cause=cause,
                                                     confidence="medium"))
    asked = with_role_assignments(state, decision)
    assert isinstance(asked, RunTool) and asked.arguments["scope"] == workspace
    state.add_evidence(Evidence(tool="list_role_assignments", status="no_data", summary="none",
                                arguments=asked.arguments, data={"assignments": [], "count": 0}))
    done = with_role_assignments(state, decision)
    assert isinstance(done, Conclude) and "Log Analytics Reader" in done.report.root_cause


# --- a registry in ABAC mode; the kubelet identity pulls ------------------------------------------------------

REGISTRY = {"id": f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/crretail", "name": "crretail",
            "type": "Microsoft.ContainerRegistry/registries", "roleAssignmentMode": "AbacRepositoryPermissions"}


def test_a_pull_refused_by_a_registry_in_abac_mode_names_the_repository_role() -> None:
    state = state_with("Failed to pull image crretail.azurecr.io/shop:1.4: 401 Unauthorized",
                       [("get_resource", REGISTRY)])
    report = finding_report(state)
    assert report.category == "container.image_pull_failed"
    assert "Container Registry Repository Reader" in report.root_cause


def test_a_registry_with_rbac_registry_permissions_is_no_abac_finding() -> None:
    state = state_with("Failed to pull image crretail.azurecr.io/shop:1.4: 401 Unauthorized",
                       [("get_resource", {**REGISTRY, "roleAssignmentMode": "LegacyRegistryPermissions"})])
    found = finding(state)
    assert found is None or found[0]["id"] != "registry-abac-mode-ignores-acrpull"


def test_the_kubelet_identity_is_read_on_the_registry_the_cluster_pulls_from() -> None:
    cluster = {"id": f"{GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-shop", "name": "aks-shop",
               "type": "Microsoft.ContainerService/managedClusters",
               "identity": {"type": "SystemAssigned", "principalId": "11111111-1111-4111-8111-111111111111",
                            "userAssigned": []},
               "kubeletIdentity": {"objectId": "22222222-2222-4222-8222-222222222222",
                                   "resourceId": f"{GROUP}/providers/Microsoft.ManagedIdentity/"
                                                 "userAssignedIdentities/aks-shop-agentpool"}}
    state = state_with("ImagePullBackOff from crretail on aks-shop", [("get_resource", cluster),
                                                                     ("get_resource", {**REGISTRY,
                                                                                       "roleAssignmentMode": None})])
    cause = "The registry crretail refused the pull."
    decision = Conclude(message=cause, report=Report(category="container.image_pull_failed", root_cause=cause,
                                                     confidence="medium"))
    asked = with_role_assignments(state, decision)
    assert isinstance(asked, RunTool)
    assert asked.arguments == {"scope": REGISTRY["id"], "principal_id": "22222222-2222-4222-8222-222222222222"}


# --- a client inside Azure's networks refused by a private-endpoint service: DNS, not a firewall -----------------


def _concluded(text: str) -> tuple[str, str]:
    envelope = run_engine({"error_description": text}, [], azure_access=False).envelope()
    report = envelope.get("report") or {}
    return str(envelope["status"]), str(report.get("category"))


SELF_HOSTED = ("We added private endpoints to the web app. Since then our own self-hosted agents (VMs in Azure) fail "
               "to deploy: ##[error]Failed to deploy web package to App Service. Ip Forbidden (CODE: 403)")


def test_ip_forbidden_for_a_self_hosted_agent_behind_a_private_endpoint_is_dns() -> None:
    assert _concluded(SELF_HOSTED) == ("done", "network.private_endpoint_dns")


def test_ip_forbidden_for_a_hosted_runner_stays_the_access_restriction() -> None:
    text = SELF_HOSTED.replace("our own self-hosted agents (VMs in Azure)", "the Microsoft-hosted agents")
    assert _concluded(text) == ("done", "network.nsg_blocked")


def test_a_new_spoke_that_cannot_resolve_what_the_hub_resolves_is_the_zone_link() -> None:
    text = ("New AKS cluster in the spoke VNet can't pull from the registry (private endpoint, public access "
            "disabled): failed to resolve contosoregistry.azurecr.io. Our older cluster in the hub VNet pulls fine.")
    assert _concluded(text) == ("done", "network.private_endpoint_dns")


PRIVATE_APP = {"id": f"{GROUP}/providers/Microsoft.Web/sites/app-claims", "name": "app-claims",
               "type": "Microsoft.Web/sites", "kind": "app,linux", "publicNetworkAccess": "Disabled"}


def test_an_application_gateway_refused_by_a_private_only_app_is_the_zone_link() -> None:
    text = ("502 Bad Gateway - Microsoft-Azure-Application-Gateway/v2. Backend health: Received invalid status code: "
            "403 in the backend server's HTTP response.")
    report = finding_report(state_with(text, [("get_resource", PRIVATE_APP)]))
    assert report.category == "network.private_endpoint_dns" and "privatelink.azurewebsites.net" in report.root_cause


def test_a_browser_refused_by_a_private_only_app_is_the_public_access_setting() -> None:
    found = finding(state_with("Customers get 403 Forbidden on the portal since the network change",
                               [("get_resource", PRIVATE_APP)]))
    assert found is not None and found[0]["id"] == "app-public-network-access-disabled"


# --- a regional limit reached: read the provider's usages, not asked ---------------------------------------------

SUB_ID = "4a3eb0c3-245c-53ef-bc25-20ed3134f844"
USAGES = f"{SUB}/providers/Microsoft.Storage/locations/westeurope/usages"


def _usages(current: int) -> dict[str, Any]:
    return {"match": {"method": "GET", "path": USAGES}, "status": 200,
            "body": {"value": [{"unit": "Count", "currentValue": current, "limit": 250,
                                "name": {"value": "StorageAccounts", "localizedValue": "Storage Accounts"}}]}}


def test_list_regional_usages_reads_the_usages_and_names_the_limits_reached(azure: PlaybackServer) -> None:
    azure.load([_usages(250)])
    material = Material(error_description="x", environment={"azure_subscription": SUB_ID})
    evidence = run_tool("list_regional_usages", {"subscription_id": SUB_ID, "namespace": "Microsoft.Storage",
                                                 "location": "westeurope"}, material)
    assert evidence.status == "success" and evidence.data["reached"] == ["StorageAccounts"]
    assert evidence.data["usages"][0] == {"name": "StorageAccounts", "label": "Storage Accounts", "current": 250,
                                          "limit": 250}


PREFLIGHT = {"error_description": (
    "az deployment group create -g rg-tenants -n tenant-t0713 -f tenant.bicep\nERROR: {\"code\": "
    "\"InvalidTemplateDeployment\", \"message\": \"The template deployment is not valid according to the validation "
    "procedure.\"}\nInner Errors: {\"code\": \"PreflightValidationCheckFailed\", \"message\": \"Preflight validation "
    "failed.\"}"),
    "context": {"environment_info": {"azure_subscription": SUB_ID, "resource_group": "rg-tenants"},
                "source_files": [{"path": "tenant.bicep",
                                  "content": "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {}"}]}}
LISTING = {"match": {"method": "GET", "path": f"{SUB}/resourcegroups/rg-tenants/resources"}, "status": 200,
           "body": {"value": [{"id": f"{SUB}/resourceGroups/rg-tenants/providers/Microsoft.Storage/storageAccounts/st1",
                               "name": "st1", "type": "Microsoft.Storage/storageAccounts",
                               "location": "westeurope"}]}}


@pytest.mark.parametrize(("current", "category"), [(250, "quota.exceeded"), (41, None)])
def test_a_preflight_failure_with_the_regions_storage_accounts_used_up_is_the_quota(
        azure: PlaybackServer, current: int, category: str | None) -> None:
    azure.load([LISTING, _usages(current)])
    envelope = run_engine(PREFLIGHT, [], azure_access=True).envelope()
    assert (envelope.get("report") or {}).get("category") == category
    assert any(c["path"].lower() == USAGES.lower() for c in azure.calls)


# --- a paste that wrapped long lines ----------------------------------------------------------------------------

WRAPPED = ("ERROR: (MissingSubscriptionRegistration) The subscription is not registered\n"
           "to use namespace 'Microsoft.ApiManagement'. See https://aka.ms/rps-not-found\n"
           "for how to register subscriptions.")


def test_wrapped_lines_are_joined_and_records_frames_and_bodies_are_not() -> None:
    assert "\n" not in unwrapped(WRAPPED)
    kept = ("2026-12-04T10:14:11Z ERROR the first record of the log stream is long enough to look wrapped\n"
            "2026-12-04T10:14:12Z ERROR the second record\n"
            "System.InvalidOperationException: the host could not start the listener for function X\n"
            "   at Microsoft.Azure.WebJobs.Host.Listeners.FunctionListener.StartAsync()")
    assert unwrapped(kept) == kept


def test_a_fact_split_by_a_wrapped_line_is_still_read() -> None:
    split = ("ERROR: (MissingSubscriptionRegistration) The subscription is not registered to use namespace\n"
             "'Microsoft.ApiManagement'. See https://aka.ms/rps-not-found for how to register subscriptions.")
    assert named_groups([r"namespace '(?P<namespace>Microsoft\.\w+)'"], [split]) == {
        "namespace": "Microsoft.ApiManagement"}


# --- a role the report says was given, checked where it counts --------------------------------------------------

KUBELET = "22222222-2222-4222-8222-222222222222"
CLUSTER = {"id": f"{GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-iso", "name": "aks-iso",
           "type": "Microsoft.ContainerService/managedClusters", "identity": None,
           "kubeletIdentity": {"objectId": KUBELET, "resourceId": f"{GROUP}/providers/Microsoft.ManagedIdentity/"
                                                                "userAssignedIdentities/id-aks-iso-kubelet"}}
BOOTSTRAP = {**REGISTRY, "id": f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/crboot", "name": "crboot",
             "roleAssignmentMode": None}
CLAIM = "The deploy fails with VMExtensionProvisioningError. The kubelet identity definitely has AcrPull."


def _claim_checked(assignments: list[dict[str, Any]]) -> Any:
    state = state_with(CLAIM, [("get_resource", CLUSTER), ("get_resource", BOOTSTRAP)])
    asked = claimed_role_missing(state)
    assert isinstance(asked, RunTool) and asked.arguments == {"scope": BOOTSTRAP["id"], "principal_id": KUBELET}
    state.add_evidence(Evidence(tool="list_role_assignments", status="success" if assignments else "no_data",
                                summary="roles", arguments=asked.arguments,
                                data={"assignments": assignments, "count": len(assignments)}))
    return claimed_role_missing(state)


def test_a_claimed_role_held_on_another_registry_is_the_missing_role() -> None:
    other = f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/crapps"
    decision = _claim_checked([{"role": "AcrPull", "scope": other, "relation": "elsewhere"}])
    assert isinstance(decision, Conclude) and decision.report.category == "auth.rbac_missing"
    assert "registries/crapps" in decision.report.root_cause and "id-aks-iso-kubelet" in decision.report.root_cause


def test_a_claimed_role_that_is_held_leaves_the_question() -> None:
    assert _claim_checked([{"role": "AcrPull", "scope": BOOTSTRAP["id"], "relation": "at"}]) is None


def test_no_role_named_reads_nothing() -> None:
    state = state_with("The deploy fails with VMExtensionProvisioningError.",
                       [("get_resource", CLUSTER), ("get_resource", BOOTSTRAP)])
    assert claimed_role_missing(state) is None


def test_a_container_that_did_not_start_in_230_seconds_is_not_a_request_cut_at_230() -> None:
    text = ("2023-11-20T20:13:21Z INFO  - Now listening on: http://[::]:8080\n"
            "2023-11-20T20:17:10Z ERROR - Container webapi8_0 for site webapi8 did not start within expected time "
            "limit. Elapsed time = 230.5 sec\n"
            "2023-11-20T20:17:10Z ERROR - Container webapi8_0 didn't respond to HTTP pings on port: 80, failing site "
            "start. Linux App Service, custom container.")
    assert _concluded(text)[1] != "runtime.timeout"


def test_a_paste_from_a_web_pages_source_reads_as_the_error() -> None:
    said = readable_paste("{&quot;code&quot;: &quot;AuthorizationFailed&quot;, &quot;message&quot;: &quot;The client "
                          "&#39;ci&#39; does not have authorization&quot;}")
    assert said == "{\"code\": \"AuthorizationFailed\", \"message\": \"The client 'ci' does not have authorization\"}"
    assert readable_paste("https://example.org/x?a=1&amp;b=2") == "https://example.org/x?a=1&amp;b=2"


# --- after reading the blind failures ----------------------------------------------------------------------------


def test_a_service_bus_busy_error_is_service_bus_throttling_not_storage() -> None:
    text = ("Azure.Messaging.ServiceBus.ServiceBusException: The server is busy. Please try again later. "
            "TrackingId:7a1e, SystemTracker:sb-pay:Queue:confirmations (ServiceBusy)")
    status, category = _concluded(text)
    assert category == "throttling.rate_limited"
    report = run_engine({"error_description": text}, [], azure_access=False).envelope()["report"]
    assert "Storage" not in report["root_cause"] and "Service Bus" in report["root_cause"]


def test_an_error_code_in_a_logic_app_runs_failed_action_is_read_as_the_error() -> None:
    actions = {"type": "Microsoft.Logic/workflows/runs/actions",
               "actions": [{"name": "Normalize_lines", "status": "Failed", "code": "ActionTimedOut"}]}
    assert "ActionTimedOut" in evidence_text("get_resource", actions)
    hits = catalog_index().hits([("ActionTimedOut", "evidence")])
    assert hits[0].entry.id == "apps-logicapps-action-timed-out" and hits[0].entry.category == "runtime.timeout"


def test_bastions_native_client_refusal_is_the_sku() -> None:
    hits = catalog_index().hits([("Bastion Host SKU must be Standard or Premium and Native Client must be enabled.",
                                  "error")])
    assert hits[0].entry.category == "quota.sku_not_available"


@pytest.mark.parametrize(("said", "denied"), [
    ("I can browse the containers without issues, but expanding Tables gives: Authentication error: undefined", False),
    ("Expanding Tables works without Authentication error: undefined", True),
    ("It is not a Authentication error: undefined", True),
])
def test_a_negation_ends_at_its_clause(said: str, denied: bool) -> None:
    start = said.index("Authentication error")
    assert negated(said, start, start + len("Authentication error: undefined")) is denied
