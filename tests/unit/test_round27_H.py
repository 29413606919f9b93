"""Round 27 H (robustness: the same known failures told in other words): the App Configuration pipeline task denied
its Key Vault references, an app host stated to have no managed identity, a vault whose access policies leave out the
app, the 'Percent Memory' recycle as the portal words it, the CLI's sub-group form of an unknown command, a Velero
report that only names storageAccountKeyEnvVar, a cache host written twice with a dot, a local storage emulator that
is not running, IConfiguration read as cfg[...] and the 503 'Function host is not running' investigated first."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex, table_entry
from shared.engines.clues import clue_in
from shared.session.state import FileExcerpt
from shared.tools.text_tools import setting_references
from tests.helpers.clue_checks import asks, concludes, final_of

APPCS_TASK = (
    "In the yaml pipeline the AzureAppConfiguration@10 task loads the normal values, but for the secrets which are key "
    'vault reference we receive a warning like "Access denied. Please ensure the required role assignment is made for '
    'the identity running this task". The service principal has App Configuration Data Reader on the store.')


def test_the_app_configuration_task_denied_its_key_vault_references_is_the_vault() -> None:
    found = clue_in([APPCS_TASK])
    assert found is not None and found["id"] == "appconfig-pipeline-task-key-vault-references-denied"
    assert concludes(APPCS_TASK, "auth.keyvault_access_denied")


def test_the_task_denied_on_plain_keys_is_no_key_vault_verdict() -> None:
    plain = APPCS_TASK.replace("for the secrets which are key vault reference", "for every key")
    found = clue_in([plain])
    assert found is None or found["id"] != "appconfig-pipeline-task-key-vault-references-denied"


NO_IDENTITY = (
    "Flask app on App Service Linux. Log stream:\nazure.identity._exceptions.CredentialUnavailableError: "
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n\tManagedIdentityCredential: "
    "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.\n"
    "`az webapp identity show -g rg-shop -n app-shop` prints nothing (empty).")


def test_an_app_stated_to_have_no_identity_is_the_missing_identity() -> None:
    found = clue_in([NO_IDENTITY])
    assert found is not None and found["id"] == "app-host-without-managed-identity-stated"
    assert concludes(NO_IDENTITY, "auth.managed_identity_missing")


def test_an_app_whose_identity_show_prints_an_identity_is_not_that_clue() -> None:
    shown = NO_IDENTITY.replace("prints nothing (empty)", 'prints {"type": "SystemAssigned", "principalId": "5b1e"}')
    found = clue_in([shown])
    assert found is None or found["id"] != "app-host-without-managed-identity-stated"


NO_POLICY = (
    "HTTP Error 500.30 - ASP.NET Core app failed to start. Program.cs loads Key Vault kv-orders with "
    "DefaultAzureCredential. Get-AzKeyVault shows one access policy (my own user), EnableRbacAuthorization is False. "
    "There is no policy for 8e2d4b17-... (the app's system identity). Status: 403 (Forbidden)")


def test_a_vault_with_no_access_policy_for_the_app_denies_it() -> None:
    found = clue_in([NO_POLICY])
    assert found is not None and found["id"] == "keyvault-app-identity-without-access-policy-stated"
    assert concludes(NO_POLICY, "auth.keyvault_access_denied")


def test_an_rbac_vault_is_not_read_as_missing_access_policies() -> None:
    rbac = NO_POLICY.replace("EnableRbacAuthorization is False", '"enableRbacAuthorization": true')
    found = clue_in([rbac])
    assert found is None or found["id"] != "keyvault-app-identity-without-access-policy-stated"


CATALOG_CASES = {
    "appservice-percent-memory-recycle":
        "In Diagnose and solve problems it says the worker process was recycled because of Percent Memory limit.",
    "tooling-az-command-not-recognized":
        "ERROR: az containerapp: 'compose' is not in the 'az containerapp' command group. "
        "See 'az containerapp --help'.",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_sibling_form_finds_the_entry(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


VELERO = (
    "velero install --provider azure --secret-file ./credentials-velero (AZURE_STORAGE_ACCOUNT_ACCESS_KEY=<key>); the "
    "backup location is Unavailable: Error getting backup store for this location ... Multiple user assigned "
    "identities exist, please specify the clientId / resourceId of the identity in the token request. "
    "I did not add storageAccountKeyEnvVar to the location config.")
VELERO_ID = "containers-velero-azure-access-key-without-key-env-var"


def test_a_velero_report_that_only_names_the_key_variable_still_lacks_it() -> None:
    assert VELERO_ID in [h.entry.id for h in catalog_index().hits([(VELERO, "error")])]


def test_a_velero_config_that_sets_the_key_variable_is_not_blamed() -> None:
    set_it = VELERO.replace("I did not add storageAccountKeyEnvVar to the location config.",
                            "config: storageAccountKeyEnvVar: AZURE_STORAGE_ACCOUNT_ACCESS_KEY")
    assert VELERO_ID not in [h.entry.id for h in catalog_index().hits([(set_it, "error")])]


def _malformed(host: str) -> bool:
    shapes = table_entry("network_dns_errors", "host-malformed")["malformed"]
    return any(regex(m["pattern"]).search(host) for m in shapes)


def test_a_host_with_the_service_domain_twice_joined_by_a_dot_is_malformed() -> None:
    assert _malformed("redis-orders.redis.cache.windows.net.redis-orders.redis.cache.windows.net")


@pytest.mark.parametrize("host", ["redis-orders.redis.cache.windows.net", "redis-orders.redis.cache.windows.net.",
                                  "stapp.blob.core.windows.net.contoso.local"])
def test_a_plain_or_suffixed_host_is_not_malformed(host: str) -> None:
    assert not _malformed(host)


EMULATOR = (
    "func start, .NET 8 isolated; local.settings.json has AzureWebJobsStorage = UseDevelopmentStorage=true.\n"
    "Azure.Core: Retry failed after 6 tries. (No connection could be made because the target machine actively "
    "refused it. (127.0.0.1:10000))\nNothing is listening on ports 10000-10002; Docker Desktop is not running today.")


def test_a_local_emulator_that_is_not_running_is_out_of_scope() -> None:
    final = final_of(EMULATOR)
    assert getattr(final, "report", None) is not None and final.report.category == "out_of_scope"


def test_the_emulator_address_in_azure_is_not_out_of_scope() -> None:
    final = final_of(EMULATOR + "\nLog stream of func-orders in Azure shows the same refused connection.")
    assert getattr(getattr(final, "report", None), "category", None) != "out_of_scope"


def _file(path: str, code: str) -> FileExcerpt:
    return FileExcerpt(path=path, relevance="primary", content=code, size_bytes=len(code))


def test_iconfiguration_read_as_cfg_is_a_setting_read() -> None:
    code = 'var cfg = builder.GetContext().Configuration;\nhttp.BaseAddress = new Uri(cfg["FraudApi:BaseUrl"]);'
    reads, _ = setting_references([_file("src/Startup.cs", code)])
    assert [r["name"] for r in reads] == ["FraudApi:BaseUrl"]


def test_an_indexer_on_another_name_is_no_setting_read() -> None:
    code = 'var cfgFile = Load();\nvar name = rows["Name"]; var x = cfgFile.Items["Timeout"];'
    reads, _ = setting_references([_file("src/Job.cs", code)])
    assert reads == []


def test_function_host_not_running_without_azure_still_asks_for_the_startup_error() -> None:
    assert asks("Every call to func-orders returns 503 with body: Function host is not running.",
                "Function host is not running")
