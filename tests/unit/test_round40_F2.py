"""Round 40 F2 (the thirty-third session's docs-style development cases docs71-73): how the engine reads and decides.

- catalog entries: a preview feature flag not registered (and still Registering), MySQL's SET GLOBAL that needs a
  server parameter, the console-log diagnostic category on a Windows app, Azure Backup's share snapshot limit of 200,
  Cosmos DB's minimum RU/s of 1% of the peak, AADSTS90099's consent in the customer tenant;
- computed findings (misspelt_targets.py): an app setting's host one separator or letter away from the group's
  resource, a pod's agentpool nodeSelector naming no node pool, a slot deployment naming a slot the app lacks;
- a finding: a Key Vault with public access off called by an app without VNet integration.
Each with a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import table
from shared.engines.computed_findings import COMPUTED
from shared.engines.computed_findings.misspelt_targets import (
    deploy_slot_missing,
    misspelt,
    node_selector_pool_missing,
    setting_host_misspelt,
)
from shared.engines.playbooks import rule_facts
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str) -> tuple[str, dict[str, Any]]:
    env = run_engine({"error_description": text}).envelope()
    return env["status"], env.get("report") or {}


def _state(text: str, *reads: Evidence) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    for read in reads:
        state.add_evidence(read)
    return state


def _group(*resources: tuple[str, str]) -> Evidence:
    return Evidence(tool="list_resources_in_group", status="success", summary="s", arguments={"resource_group": "rg"},
                    data={"resources": [{"name": n, "type": t} for n, t in resources]})


def _settings(targets: dict[str, str]) -> Evidence:
    return Evidence(tool="list_app_setting_names", status="success", summary="s", arguments={},
                    data={"names": list(targets), "count": len(targets), "truncated": False, "targets": targets})


# ---- catalog entries ---------------------------------------------------------------------------------------------

def test_preview_feature_not_registered_reads_as_a_feature_flag() -> None:
    text = ("(BadRequest) Preview feature Microsoft.ContainerService/EnableImageCleanerPreview not registered.\n"
            "Code: BadRequest")
    assert best_entry_id(text) == "arm-preview-feature-not-registered"
    status, report = _final(text)
    assert status == "done" and report["category"] == "deployment.provider_not_registered"
    assert "az feature register" in report["root_cause"] and "Registering" in report["root_cause"]


def test_a_preview_feature_mentioned_as_enabled_is_no_registration_error() -> None:
    # near miss: the phrase's words without "not registered" (requires) do not pick the entry
    assert best_entry_id("We use the preview feature Microsoft.ContainerService/EnableImageCleanerPreview; "
                         "it is registered and works") != "arm-preview-feature-not-registered"


def test_set_global_on_mysql_flexible_server_is_a_server_parameter() -> None:
    text = ("SQLSTATE[42000]: Syntax error or access violation: 1227 Access denied; you need (at least one of) the "
            "SUPER or SYSTEM_VARIABLES_ADMIN privilege(s) for this operation (SQL: SET GLOBAL sql_mode = '')")
    status, report = _final(text)
    assert status == "done" and report["category"] == "runtime.code_defect"
    assert "server parameter" in report["root_cause"]


def test_a_definer_that_needs_super_keeps_its_own_entry() -> None:
    # near miss: a dump's DEFINER needs SUPER or SET_USER_ID: not a global variable
    assert best_entry_id("ERROR 1227 (42000) at line 18: Access denied; you need (at least one of) the SUPER or "
                         "SET_USER_ID privilege(s) for this operation") == "databases-mysql-super-privilege-definer"


def test_console_log_category_on_a_windows_app_names_the_operating_system() -> None:
    text = "BadRequest: Category 'AppServiceConsoleLogs' is not supported."
    assert best_entry_id(text) == "integration-monitor-appservice-console-logs-windows"
    status, report = _final(text)
    assert status == "done" and "Windows" in report["root_cause"]


def test_another_unsupported_category_keeps_the_general_entry() -> None:
    # near miss: another category refused is the general diagnostic-category entry, not the console-log one
    assert best_entry_id("Category 'Audit' is not supported, supported categories are AllMetrics") == \
        "integration-monitor-diagnostic-category-unsupported"


def test_backup_snapshot_limit_names_200_snapshots() -> None:
    status, report = _final("Backup item: docs (stdocs01) Operation: Backup Status: Failed\n"
                            "UserErrorMaxSnapshotsReached - Unable to create a new snapshot for the file share.")
    assert status == "done" and report["category"] == "quota.exceeded" and "200" in report["root_cause"]


def test_a_snapshot_that_was_created_is_no_limit() -> None:
    # near miss: a share snapshot being created names no limit
    assert best_entry_id("Created a new snapshot for the file share docs at 02:00") != \
        "storage-files-share-snapshot-count-exceeded"


def test_cosmos_minimum_throughput_names_one_percent_of_the_peak() -> None:
    status, report = _final('Message: {"code":"BadRequest","message":"The offer should have valid throughput values '
                            'between 6000 and 1000000 inclusive in increments of 100."}')
    assert status == "done" and "1%" in report["root_cause"]


def test_aadsts90099_names_the_consent_in_the_customer_tenant() -> None:
    status, report = _final("AADSTS90099: The application 'x' has not been authorized in the tenant 'contoso.com'. "
                            "Applications must be authorized to access the customer tenant before partner delegated "
                            "administrators can use them.")
    assert status == "done" and report["category"] == "auth.rbac_missing" and "consent" in report["root_cause"]


# ---- an app setting's host misspelt against the group's listing ------------------------------------------------

def test_misspelt_is_a_separator_or_one_letter_never_a_digit() -> None:
    assert misspelt("redis-shopprod-we", "redis-shop-prod-we")
    assert misspelt("sb-bilingx-prod", "sb-billingx-prod")
    assert not misspelt("sb-orders-01", "sb-orders-02")  # two resources
    assert not misspelt("kv-ab", "kv-ac")  # too short to call a typo
    assert not misspelt("sb-orders", "sb-orders")


def test_a_setting_host_one_hyphen_away_names_the_listed_resource() -> None:
    state = _state("UnableToResolvePhysicalConnection on PING",
                   _settings({"Redis__ConnectionString": "redis-shopprod-we.redis.cache.windows.net:6380"}),
                   _group(("redis-shop-prod-we", "Microsoft.Cache/Redis"), ("app-shop", "Microsoft.Web/sites")))
    facts = setting_host_misspelt(state)
    assert facts is not None and facts["listed"] == "redis-shop-prod-we" and facts["pointed"] == "redis-shopprod-we"


def test_a_setting_host_that_exists_or_differs_by_environment_is_not_misspelt() -> None:
    # near miss: the host's resource is listed; and a name that differs by a whole environment word is another
    # environment's resource (app-setting-points-at-other-environment answers that), not a misspelling
    listed = _group(("redis-shop-prod-we", "Microsoft.Cache/Redis"))
    assert setting_host_misspelt(_state("x", _settings({"R": "redis-shop-prod-we.redis.cache.windows.net:6380"}),
                                        listed)) is None
    assert setting_host_misspelt(_state("x", _settings({"R": "redis-shop-dev-we.redis.cache.windows.net:6380"}),
                                        listed)) is None


# ---- a pod's node pool selector against the cluster's pools ------------------------------------------------------

_PENDING = ("nodeSelector:\n  agentpool: gpu\n"
            "Warning  FailedScheduling  default-scheduler  0/5 nodes are available: 5 node(s) didn't match Pod's "
            "node affinity/selector.")


def _cluster(*pools: str) -> Evidence:
    return Evidence(tool="get_resource", status="success", summary="s", arguments={},
                    data={"type": "Microsoft.ContainerService/ManagedClusters", "name": "aks1",
                          "agentPoolProfiles": [{"name": p, "mode": "System" if p == "system" else "User"}
                                                for p in pools]})


def test_a_node_selector_for_a_pool_the_cluster_lacks_names_the_pools() -> None:
    facts = node_selector_pool_missing(_state(_PENDING, _cluster("system", "gpunc6")))
    assert facts is not None and facts["selected"] == "gpu" and "gpunc6" in facts["pools"]


def test_a_node_selector_for_an_existing_pool_or_without_the_symptom_is_silent() -> None:
    # near miss: the pool exists (the pod pends for another reason: resources, taints); and the same manifest in a
    # report without a scheduling failure
    assert node_selector_pool_missing(_state(_PENDING, _cluster("system", "gpu"))) is None
    assert node_selector_pool_missing(_state("nodeSelector:\n  agentpool: gpu\nHow do I add a pool?",
                                             _cluster("system", "gpunc6"))) is None


# ---- a slot deployment against the app's slots -----------------------------------------------------------------

_SLOT_DEPLOY = ("- task: AzureWebApp@1\n  inputs:\n    appName: 'app-tickets'\n    slotName: 'stage'\n"
                "##[error]Error: Failed to fetch App Service 'app-tickets-stage' publishing credentials. Error: "
                "Resource not found. (CODE: 404)")


def test_a_slot_deployment_to_a_missing_slot_names_the_apps_slots() -> None:
    state = _state(_SLOT_DEPLOY, _group(("app-tickets", "Microsoft.Web/sites"),
                                        ("app-tickets/staging", "Microsoft.Web/sites/slots")))
    facts = deploy_slot_missing(state)
    assert facts is not None and facts["slot"] == "stage" and facts["slots"] == "staging"


def test_a_slot_deployment_to_an_existing_slot_is_silent() -> None:
    # near miss: the slot exists (the 404 is about something else)
    state = _state(_SLOT_DEPLOY, _group(("app-tickets", "Microsoft.Web/sites"),
                                        ("app-tickets/stage", "Microsoft.Web/sites/slots")))
    assert deploy_slot_missing(state) is None


def test_every_new_finding_is_registered() -> None:
    ids = {"app-setting-host-misspelt", "aks-node-selector-pool-missing", "deploy-slot-missing"}
    assert ids <= set(COMPUTED)
    assert ids <= {str(r["id"]) for r in table("evidence_findings")}


# ---- a Key Vault reached publicly by an app without VNet integration -------------------------------------------

_FORBIDDEN = ("Azure.RequestFailedException: Public network access is disabled and request is not from a trusted "
              "service nor via an approved private link.\nErrorCode: ForbiddenByConnection")


def _vault_and_app(subnet: str | None) -> SessionState:
    return _state(_FORBIDDEN,
                  Evidence(tool="get_resource", status="success", summary="s", arguments={},
                           data={"type": "Microsoft.Web/sites", "name": "app1", "virtualNetworkSubnetId": subnet}),
                  Evidence(tool="get_resource", status="success", summary="s", arguments={},
                           data={"type": "Microsoft.KeyVault/vaults", "name": "kv1",
                                 "publicNetworkAccess": "Disabled"}))


def _vault_rule() -> dict[str, Any]:
    wanted = "keyvault-public-access-disabled-app-not-vnet-integrated"
    return next(r for r in table("evidence_findings") if r["id"] == wanted)


def test_vault_private_only_and_app_not_integrated_names_vnet_integration() -> None:
    facts = rule_facts(_vault_and_app(None), _vault_rule())
    assert facts is not None


def test_vault_private_only_and_app_integrated_is_silent() -> None:
    # near miss: the app is integrated into a subnet: the cause lies elsewhere (DNS, peering), not the integration
    assert rule_facts(_vault_and_app("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/"
                                     "v/subnets/apps"), _vault_rule()) is None


# ---- the fetch API missing on a function app's old Node -------------------------------------------------------

def test_fetch_not_defined_in_a_function_names_the_node_version_setting() -> None:
    text = ("Exception while executing function: Functions.notify\nResult: Failure\n"
            "Exception: ReferenceError: fetch is not defined")
    assert best_entry_id(text) == "functions-node-global-fetch-missing-old-node"
    status, report = _final(text)
    assert status == "done" and report["category"] == "functions.host_misconfigured"
    assert "WEBSITE_NODE_DEFAULT_VERSION" in report["root_cause"]


def test_fetch_not_defined_outside_a_function_app_is_not_this_entry() -> None:
    # near miss: the same words from a local script name no function app (requires)
    assert best_entry_id("node scripts/seed.js\nReferenceError: fetch is not defined") != \
        "functions-node-global-fetch-missing-old-node"
