"""Round 29 (helper L, real reports realL): a Key Vault role reached only through a group the app identity was
added to, a report that says the vault is open to all networks (no network question), a SQL Server of the
organization's own (named instance) as out of scope, the thumbprint header of a hand-built client assertion
(AADSTS700027) and a public client that presents a secret (AADSTS700025) as a credential mismatch."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex, table_entry
from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

KV_GROUP = (
    "Key vault kv-shop-prod uses the Azure RBAC permission model. An Entra group \"grp-shop-kv-readers\" has "
    "\"Key Vault Secrets User\" on the vault. I added app-shop-web's identity to the group yesterday evening.\n"
    "App setting DB_PASSWORD = @Microsoft.KeyVault(SecretUri=https://kv-shop-prod.vault.azure.net/secrets/db/)\n"
    "Status: AccessToKeyVaultDenied\nError details: Key Vault reference was not able to be resolved because site "
    "was denied access to Key Vault reference's vault.\n")


def test_a_vault_role_only_through_a_group_the_identity_joined_is_the_token_cache() -> None:
    final = run_engine({"error_description": KV_GROUP}).final
    assert isinstance(final, Conclude)
    assert final.report.category == "auth.keyvault_access_denied"
    assert "group" in final.report.root_cause and "24 hours" in final.report.root_cause


def test_a_role_held_directly_is_not_the_group_case() -> None:
    direct = KV_GROUP.replace("An Entra group \"grp-shop-kv-readers\" has \"Key Vault Secrets User\" on the vault. "
                              "I added app-shop-web's identity to the group yesterday evening.",
                              "The app's identity has \"Key Vault Secrets User\" on the vault.")
    clue = clue_in([direct])
    assert clue is None or clue["id"] != "keyvault-role-through-group-not-yet-effective"
    # a group that holds the role while the identity is no member of it (the developers' group) is no case either
    other = KV_GROUP.replace("I added app-shop-web's identity to the group yesterday evening.",
                             "The app's identity has no role of its own.")
    clue = clue_in([other])
    assert clue is None or clue["id"] != "keyvault-role-through-group-not-yet-effective"


GRANTED_OPEN = (
    "The app's managed identity has Key Vault Secrets User on vault kv-orders.{network}\n"
    "App setting ORDERS_DB = @Microsoft.KeyVault(SecretUri=https://kv-orders.vault.azure.net/secrets/orders-db/)\n"
    "Status: AccessToKeyVaultDenied\nError details: Key Vault reference was not able to be resolved because site "
    "was denied access to Key Vault reference's vault.\n")


def _network_asked(text: str) -> bool:
    outcome = run_engine({"error_description": text})
    asked = [r.request.question for r in outcome.requests]
    if isinstance(outcome.final, AskClient):
        asked.append(outcome.final.request.question)
    return any("Networking settings" in q for q in asked)


def test_a_vault_open_to_all_networks_is_not_asked_about_its_network() -> None:
    rule = table_entry("auth_keyvault_errors", "firewall-stated")
    assert regex(rule["open"]).search("Vault firewall allows all networks.")
    assert regex(rule["open"]).search("Public network access: Enabled from all networks")
    assert not regex(rule["open"]).search("The vault allows selected networks only.")
    assert not _network_asked(GRANTED_OPEN.format(network=" The vault firewall allows all networks."))


def test_without_the_open_statement_the_network_is_still_asked() -> None:
    assert _network_asked(GRANTED_OPEN.format(network=""))


ONPREM_SQL = (
    "After upgrading to EF Core 7 every query fails:\nMicrosoft.Data.SqlClient.SqlException (0x80131904): A "
    "connection was successfully established with the server, but then an error occurred during the login process. "
    "(provider: SSL Provider, error: 0 - The certificate chain was issued by an authority that is not trusted.)\n"
    "Connection string: Server={server};Database=Orders;User Id=orders_api;Password=<redacted>;")


def test_a_named_sql_server_instance_of_our_own_is_out_of_scope() -> None:
    final = run_engine({"error_description": ONPREM_SQL.format(server="SQLPROD02\\ERP")}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_an_azure_sql_server_name_stays_in_scope() -> None:
    final = run_engine({"error_description": ONPREM_SQL.format(server="tcp:sql-orders.database.windows.net,1433")}
                       ).final
    assert final.report is None or final.report.category != "out_of_scope"
    named_on_azure_vm = ONPREM_SQL.format(server="SQLVM01\\ERP") + "\nSQLVM01 is an Azure VM in our VNet."
    final = run_engine({"error_description": named_on_azure_vm}).final
    assert final.report is None or final.report.category != "out_of_scope"


def test_aadsts700027_new_message_form_and_the_thumbprint_header() -> None:
    text = ("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on "
            "application. [Reason - The key was not found.]")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "entra-aadsts700027-client-assertion-signature"
    assert "x5t" in hits[0].entry.meaning and "thumbprint" in hits[0].entry.meaning


def test_aadsts700025_is_a_credential_that_does_not_fit_the_client_type() -> None:
    text = ("AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "entra-aadsts700025-public-client-with-credential"
    assert hits[0].entry.category == "auth.credential_invalid"
    # the mirror error (a confidential client that sends nothing) keeps its own entry
    mirror = catalog_index().hits([("AADSTS7000218: The request body must contain the following parameter: "
                                    "'client_assertion' or 'client_secret'.", "error")])
    assert mirror and mirror[0].entry.id != "entra-aadsts700025-public-client-with-credential"
