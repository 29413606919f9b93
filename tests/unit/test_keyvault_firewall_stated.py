"""A Key Vault denial whose report shows the vault's firewall at work is the firewall, not a permission."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine

_REFERENCE = ("The Key Vault reference of our function app shows status AccessToKeyVaultDenied and the app reads the "
              "literal @Microsoft.KeyVault(SecretUri=https://kv-billing.vault.azure.net/secrets/Db/) string.\n")


def _report(text: str) -> dict:
    return run_engine({"error_description": text}).envelope().get("report") or {}


def test_selected_networks_and_working_with_all_networks_is_the_vault_firewall() -> None:
    report = _report(_REFERENCE + "Networking on the vault is \"Private endpoint and selected networks\".\n"
                                  "It works if I switch it to \"All networks\".")
    assert (report["category"], report["confidence"]) == ("network.nsg_blocked", "medium")
    assert "kv-billing" in report["root_cause"]


def test_selected_networks_without_any_sign_of_the_firewall_refusing_stays_a_permission_question() -> None:
    report = _report(_REFERENCE + "Networking on the vault is \"Private endpoint and selected networks\".")
    assert report.get("category") != "network.nsg_blocked"


def test_the_firewalls_own_words_beat_a_bare_forbidden_of_the_old_client() -> None:
    text = ("Microsoft.Azure.KeyVault.Models.KeyVaultErrorException: Operation returned an invalid status code "
            "'Forbidden'\nVault diagnostics: SecretGet 403 20.50.2.117 Client address is not authorized and caller "
            "is not a trusted service.")
    assert _report(text)["category"] == "network.nsg_blocked"


def test_a_denial_the_report_says_is_already_granted_asks_for_the_vaults_network_rules() -> None:
    text = ("Field 'configuration.secrets' is invalid with details: 'Invalid value: \"sql-password\": Unable to get "
            "value using Managed identity id-fleet for secret sql-password.\nThe identity has an access policy with "
            "Get/List on secrets in kv-fleet.")
    outcome = run_engine({"error_description": text})
    assert outcome.requests and "Networking settings" in outcome.requests[0].request.question
    answered = run_engine({"error_description": text}, [{"when_asked_contains": "Networking", "answer": (
        "kv-fleet networking: Allow public access from specific virtual networks and IP addresses; the container "
        "apps environment's VNet is not listed.")}])
    assert answered.envelope()["report"]["category"] == "network.nsg_blocked"
