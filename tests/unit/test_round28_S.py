"""Round 28 (robustness set S): known failures told in other words - the Azure DevOps variable-group link message
paraphrased, several apps down at once with nothing changed told as "every app we have" / "nobody deployed",
the client id a .NET, JavaScript or Java caller selects, a recreated app whose old address only one machine still
resolves (phone, 4G, Cloud Shell fine; no custom domain), and a Static Web App's managed API without an identity."""

from __future__ import annotations

import re

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import search, table_entry
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.engine_loop import run_engine

KV_ENTRY = "keyvault-access-policy-secrets-denied"


def _entry_ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_the_variable_group_link_message_in_a_users_words_is_the_access_policy_entry() -> None:
    for said in ("The UI says the selected service connection needs Get and List secret management permissions on "
                 "the vault.",
                 "Specified service connection needs to have Get, List secret management permissions on the key vault",
                 "Ensure the service connection has Get and List management permissions on the vault for secrets."):
        assert KV_ENTRY in _entry_ids(said), said


def test_secret_management_in_general_is_not_the_access_policy_entry() -> None:
    assert KV_ENTRY not in _entry_ids("We use Key Vault for secret management and the app cannot start: "
                                      "ModuleNotFoundError: No module named 'requests'")


def test_the_vault_named_only_in_the_show_command_is_taken() -> None:
    final = run_engine({"error_description": (
        "Linking the variable group fails: the service connection needs Get and List secret management permissions "
        "on the vault.\n$ az keyvault show -n kv-billing-ops --query properties.enableRbacAuthorization\nfalse")}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.keyvault_access_denied"
    assert any("kv-billing-ops" in action for action in final.report.actions)


ALL_DOWN = ("since 06:52 UTC every function app we have in North Europe (consumption, 5 apps, .NET and Node) returns "
            "503.\nNobody deployed anything since Friday, no setting changed.")


def test_every_app_down_with_nothing_deployed_is_a_platform_incident() -> None:
    final = final_of(ALL_DOWN)
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    assert final.report.confidence == "medium"


def test_every_app_down_after_a_deployment_is_no_incident() -> None:
    final = final_of("every function app we have returns 503 since I deployed the new version with the new "
                     "storage connection string this morning.")
    assert not (isinstance(final, Conclude) and final.report.category == "platform.service_incident")


def test_a_few_outside_people_reporting_the_same_is_the_outside_marker_but_a_shared_laptop_is_not() -> None:
    marker = table_entry("platform_incident_markers", "others-elsewhere-see-the-same")["match"]
    assert re.search(marker, "Two people in a community forum report the same for North Europe this morning.")
    assert re.search(marker, "3 users on the Q&A site are seeing the same error")
    assert not re.search(marker, "two people in my team have the same laptop model")


CLIENT = "3f9a1c6e-52b8-4d07-a1e4-9c0b7d26e815"


def _client_id(code: str) -> str | None:
    facts = table_entry("auth_managed_identity_errors", "facts")["facts"]
    return search(facts, [code]).get("client_id")


def test_the_client_id_other_sdks_select_is_taken() -> None:
    for code in (f'var cred = new ManagedIdentityCredential("{CLIENT}");',
                 f'new ManagedIdentityCredential(clientId: "{CLIENT}")',
                 f"const credential = new ManagedIdentityCredential({{ clientId: '{CLIENT}' }});",
                 f'new ManagedIdentityCredentialBuilder().clientId("{CLIENT}").build();',
                 f'new DefaultAzureCredentialBuilder().managedIdentityClientId("{CLIENT}").build()',
                 f'ManagedIdentityId.FromUserAssignedClientId("{CLIENT}")'):
        assert _client_id(code) == CLIENT, code


def test_a_service_principal_client_id_is_not_a_managed_identity_selection() -> None:
    assert _client_id(f'new ClientSecretCredential(tenantId, "{CLIENT}", secret)') is None
    assert _client_id(f'new ClientSecretCredentialBuilder().clientId("{CLIENT}").build()') is None


def test_a_dotnet_identity_not_assigned_names_the_client_id_the_code_passes() -> None:
    final = final_of("Azure.Identity.CredentialUnavailableException: ManagedIdentityCredential authentication "
                     "unavailable. The requested identity hasn't been assigned to this resource.\n"
                     f'The code does new ManagedIdentityCredential("{CLIENT}").')
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert CLIENT in final.report.root_cause


RECREATED = ("I deleted func-ingest this morning and created it again with the SAME name. Since then VS Code deploy "
             "fails and the browser shows 404 Web Site not found. {where} I did not touch any custom domain, there "
             "is none.")


def test_a_recreated_app_that_works_from_a_phone_is_the_stale_dns_cache() -> None:
    for where in ("From my phone on 4G the site loads fine.", "Azure Cloud Shell can also reach it.",
                  "Only my laptop is stuck on the old one."):
        assert concludes(RECREATED.format(where=where), "network.dns_resolution"), where


def test_a_report_without_a_custom_domain_is_not_the_unbound_host_name() -> None:
    final = final_of("I never added a custom domain; https://app-x.azurewebsites.net shows 404 Web Site not found "
                     "after I redeployed the web app.")
    assert not (isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
                and "host name" in final.report.root_cause)
    assert concludes("Our custom domain shop.contoso.com on the web app answers 404 Web Site not found while "
                     "app-x.azurewebsites.net works.", "config.wrong_resource_name")


SWA = ("Static Web App swa-portal, api folder = Python managed functions, system-assigned identity is On.\n"
       "azure.core.exceptions.ClientAuthenticationError: DefaultAzureCredential failed to retrieve a token from the "
       "included credentials.\n\tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable, no "
       "response from the IMDS endpoint.")


def test_a_static_web_apps_managed_api_has_no_identity() -> None:
    final = final_of(SWA)
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "managed functions" in final.report.root_cause


def test_a_linked_function_app_behind_a_static_web_app_is_not_the_managed_api_case() -> None:
    final = final_of(SWA.replace("api folder = Python managed functions",
                                 "we link our own function app (bring your own functions)"))
    assert not (isinstance(final, Conclude) and "managed functions" in final.report.root_cause)
