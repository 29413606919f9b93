"""Round 30 (negative set neg23, session G): a Key Vault RBAC denial quotes the denied action
(Microsoft.KeyVault/vaults/secrets/getSecret/action) before the resource id; the vault is the resource's, never the
action's type segment."""

from __future__ import annotations

from shared.engines.analyzers.common import search, table_entry
from tests.helpers.engine_loop import run_engine

RESOURCE = ("/subscriptions/<sub>/resourcegroups/rg-shop/providers/microsoft.keyvault/vaults/kv-shop-dev"
            "/secrets/db-password")


def _denial(action: str, resource: str = RESOURCE) -> str:
    return ("Azure.RequestFailedException: Caller is not authorized to perform action on resource.\n"
            "If role assignments, deny assignments or role definitions were changed recently, please observe "
            "propagation time.\n"
            "Caller: appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=5f1e0000-1111-2222-3333-444455556666;"
            "iss=https://sts.windows.net/<tenant>/\n"
            f"Action: '{action}'\nResource: '{resource}'\nAssignment: (not found)\n"
            "Status: 403 (Forbidden)\nErrorCode: Forbidden")


def _vault(text: str) -> str | None:
    return search(table_entry("auth_keyvault_errors", "facts")["facts"], [text]).get("vault")


def test_the_vault_is_the_resource_ids_not_the_actions_type_segment() -> None:
    assert _vault(_denial("Microsoft.KeyVault/vaults/secrets/getSecret/action")) == "kv-shop-dev"
    assert _vault(_denial("Microsoft.KeyVault/vaults/keys/encrypt/action")) == "kv-shop-dev"
    assert _vault("Action: 'Microsoft.KeyVault/vaults/accessPolicies/write' on "
                  "/providers/Microsoft.KeyVault/vaults/kv-ops") == "kv-ops"


def test_a_vault_whose_resource_id_has_a_child_path_is_still_read() -> None:
    # near miss: the resource id continues with /secrets/<name> (no /action), and a vault may be named like a type
    assert _vault("/providers/Microsoft.KeyVault/vaults/kv-billing/secrets/pg-dsn") == "kv-billing"
    assert _vault("/providers/Microsoft.KeyVault/vaults/secrets/secrets/pg-dsn") == "secrets"
    assert _vault("/providers/Microsoft.KeyVault/vaults/kv-billing") == "kv-billing"


def test_the_report_names_the_vault_of_the_resource() -> None:
    outcome = run_engine({"error_description": _denial("Microsoft.KeyVault/vaults/secrets/getSecret/action")}, [])
    report = outcome.final.report
    assert report is not None and report.category == "auth.keyvault_access_denied"
    assert "vault 'secrets'" not in report.root_cause
    assert "kv-shop-dev" in report.root_cause + " ".join(report.actions)
