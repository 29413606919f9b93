"""Round 36, helper docsV: general mechanisms found by the docsV docs-style scenarios (tests/scenarios/docsV).

1. Cosmos DB 429 on throughput read at the database: the database's shared throughput, drawn on by every container
   without its own (evidence finding cosmos-throttled-on-shared-database-throughput).
2. A registry host that does not resolve, in a report that pulls an image, while the group holds a registry of a
   near name: the image cannot be pulled (container.image_pull_failed), not a generic wrong URL (listed_in_azure).
3. GitHub REST API 401 "Bad credentials" is GitHub's, out of scope (catalog
   other-clouds-github-rest-api-bad-credentials).
4. A Functions host that fails at start-up on a blob-only (BlobStorage kind) account
   (workflow-host-storage-blob-only-account now reads the host's own start-up errors too).
5. Container Apps CPU/memory pairs: the catalog meaning names the allowed pairs (memory twice the CPU).
6. A container app killed for memory (exit code 137) names the memory its container is given (computed finding).
7. A VM reached from outside: the NSGs on its network interface and subnet, inbound rules by priority then the
   default DenyAllInBound, against the port (computed finding vm-inbound-nsg-denies-port).
8. A deployment slot's own identity missing from the access policies of a vault that grants production's identity.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.azure.clients import clear_caches
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "docsV"


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for s in load_scenarios(FOLDER) if s["id"].startswith(prefix)))


@pytest.fixture()
def azure(monkeypatch: pytest.MonkeyPatch):
    with PlaybackServer() as server:
        for key, value in server.app_settings().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("DEBUG_AZURE_TIMEOUT_SECONDS", "5")
        clear_caches()
        yield server
        clear_caches()


def _run(server: PlaybackServer, case: dict[str, Any]) -> dict[str, Any]:
    clear_caches()
    server.load(case.get("azure") or [])
    outcome = run_engine(case["request"], case.get("client", []), azure_access=bool(case.get("azure")))
    return outcome.envelope()


def _report(envelope: dict[str, Any]) -> dict[str, Any]:
    return envelope.get("report") or {}


def _entry(case: dict[str, Any], path_end: str) -> dict[str, Any]:
    return next(e for e in case["azure"] if str(e["match"].get("path", "")).lower().endswith(path_end.lower()))


# --- 1. shared database throughput ---------------------------------------------------------------------------------

def test_cosmos_429_on_database_throughput_names_the_shared_pool(azure):
    report = _report(_run(azure, _case("docs29v-cosmos-nosql-429")))
    assert report["category"] == "throttling.rate_limited"
    assert "shared (database-level) throughput of 400 RU/s" in report["root_cause"]


def test_cosmos_database_throughput_without_a_429_stays_silent(azure):
    case = _case("docs29v-cosmos-nosql-429")
    case["request"]["error_description"] = ("Our price import into Cosmos DB takes longer every week; no errors, "
                                            "just slow. Is the database sized right?")
    assert "shared (database-level)" not in str(_report(_run(azure, case)).get("root_cause"))


# --- 2. a registry host typo in an image pull -----------------------------------------------------------------------

def test_registry_host_typo_in_an_image_pull_is_an_image_pull_failure(azure):
    report = _report(_run(azure, _case("docs29v-container-app-new-revision-image-pull")))
    assert report["category"] == "container.image_pull_failed"
    assert "crfleetappsweu" in report["root_cause"]


def test_registry_host_typo_without_a_pull_keeps_the_wrong_name_reading(azure):
    case = _case("docs29v-container-app-new-revision-image-pull")
    case["request"]["error_description"] = (
        "Our build agent's `curl https://crfleetappweu.azurecr.io/v2/` fails: curl: (6) Could not resolve host: "
        "crfleetappweu.azurecr.io (no such host). Did the registry go away?")
    assert _report(_run(azure, case)).get("category") != "container.image_pull_failed"


# --- 3. GitHub REST API bad credentials -----------------------------------------------------------------------------

def test_github_rest_bad_credentials_is_out_of_scope():
    text = ('requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: '
            'https://api.github.com/repos/a/b/issues response body: {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}')
    assert best_entry_id(text) == "other-clouds-github-rest-api-bad-credentials"


def test_bad_credentials_without_github_is_not_the_github_entry():
    assert best_entry_id('HTTP 401 from our own API gateway: {"message": "Bad credentials"}') != \
        "other-clouds-github-rest-api-bad-credentials"


# --- 4. host storage on a blob-only account -------------------------------------------------------------------------

def test_function_host_startup_error_on_blob_only_account_is_host_misconfigured(azure):
    report = _report(_run(azure, _case("docs29v-new-function-app-host-fails")))
    assert report["category"] == "functions.host_misconfigured"
    assert "BlobStorage" in report["root_cause"]


def test_function_host_on_general_purpose_account_does_not_blame_the_kind(azure):
    case = _case("docs29v-new-function-app-host-fails")
    _entry(case, "/storageAccounts/stmediaassetsneu")["body"]["kind"] = "StorageV2"
    assert "BlobStorage" not in str(_report(_run(azure, case)).get("root_cause"))


# --- 5. Container Apps CPU/memory pairs -----------------------------------------------------------------------------

def test_invalid_resource_total_names_the_allowed_pairs():
    case = _case("docs29v-text-container-app-deploy-containerappinvalidresourcetotal")
    outcome = run_engine(case["request"], [], azure_access=False)
    assert "0.75 / 1.5Gi" in _report(outcome.envelope())["root_cause"]


# --- 6. container killed for memory ---------------------------------------------------------------------------------

def test_container_app_killed_for_memory_names_its_memory_size(azure):
    report = _report(_run(azure, _case("docs29v-container-app-report-renderer")))
    assert report["category"] == "runtime.out_of_memory"
    assert "0.5Gi" in report["root_cause"]


def test_container_app_exit_code_1_does_not_name_the_memory_size(azure):
    case = _case("docs29v-container-app-report-renderer")
    case["request"]["error_description"] = case["request"]["error_description"].replace("'137'", "'1'")
    assert "0.5Gi" not in str(_report(_run(azure, case)).get("root_cause"))


# --- 7. inbound NSGs on a VM's path ---------------------------------------------------------------------------------

def test_vm_rdp_denied_by_the_nic_nsg_default_rule(azure):
    report = _report(_run(azure, _case("docs29v-vm-rdp-times-out")))
    assert report["category"] == "network.nsg_blocked"
    assert "nsg-vm-ops-jump01-default" in report["root_cause"] and "3389" in report["root_cause"]


def test_vm_rdp_allowed_from_the_internet_on_the_nic_nsg_stays_silent(azure):
    case = _case("docs29v-vm-rdp-times-out")
    nic_nsg = _entry(case, "/networkSecurityGroups/nsg-vm-ops-jump01-default")["body"]["properties"]
    nic_nsg["securityRules"] = [{"name": "allow-rdp", "properties": {
        "priority": 300, "access": "Allow", "direction": "Inbound", "protocol": "Tcp", "sourceAddressPrefix": "*",
        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "3389"}}]
    cause = str(_report(_run(azure, case)).get("root_cause"))
    assert "nsg-vm-ops-jump01-default' on the VM's path" not in cause


# --- 8. a slot's identity and the vault's access policies -----------------------------------------------------------

def test_slot_identity_missing_from_access_policies(azure):
    report = _report(_run(azure, _case("docs29v-webapp-staging-slot")))
    assert report["category"] == "auth.keyvault_access_denied"
    assert "Deployment slot 'staging'" in report["root_cause"]


def test_slot_identity_already_in_access_policies_stays_silent(azure):
    case = _case("docs29v-webapp-staging-slot")
    slot = _entry(case, "/slots/staging")["body"]
    vault = _entry(case, "/vaults/kv-hr-portal")["body"]["properties"]
    vault["accessPolicies"].append({"tenantId": vault["tenantId"], "objectId": slot["identity"]["principalId"],
                                    "permissions": {"secrets": ["Get", "List"]}})
    cause = str(_report(_run(azure, case)).get("root_cause"))
    assert "Deployment slot 'staging'" not in cause
