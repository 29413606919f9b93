"""A Key Vault role the report says the caller holds is weighed against the action the vault denied."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine


def _denied(action: str, held: str) -> str:
    return (f"We assigned {held} on the vault to the app's service principal, still:\n"
            "Caller is not authorized to perform action on resource.\nCaller: appid=1;oid=30c0d51b-0a62-4299-a6c8-"
            f"27415ef3ff87\nAction: '{action}'\nVault: kv-orders;location=westeurope\nForbiddenByRbac")


def _root_cause(text: str) -> str:
    return run_engine({"error_description": text}).envelope()["report"]["root_cause"]


def test_a_crypto_role_held_for_a_secret_read_is_named_as_covering_keys_only() -> None:
    cause = _root_cause(_denied("Microsoft.KeyVault/vaults/secrets/getSecret/action", "Key Vault Crypto Officer"))
    assert "Key Vault Crypto Officer, covers keys only" in cause


def test_a_secrets_role_held_for_a_secret_read_gets_no_gap_sentence() -> None:
    cause = _root_cause(_denied("Microsoft.KeyVault/vaults/secrets/getSecret/action", "Key Vault Secrets User"))
    assert "The role the report names" not in cause
