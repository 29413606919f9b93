"""Secrets from settings: an unresolved Key Vault reference is refused, never used as a key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import load_settings

REFERENCE = "@Microsoft.KeyVault(SecretUri=https://kv-debug.vault.azure.net/secrets/poll-token-secret/)"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    load_settings.cache_clear()
    yield
    load_settings.cache_clear()


@pytest.mark.parametrize("name", ["DEBUG_POLL_TOKEN_SECRET", "DEBUG_CALLER_SECRET"])
def test_an_unresolved_key_vault_reference_refuses_to_load(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("DEBUG_POLL_TOKEN_SECRET", "resolved-value")
    monkeypatch.setenv(name, REFERENCE)
    with pytest.raises(ValueError, match=f"{name} is a Key Vault reference"):
        load_settings()


def test_resolved_secrets_are_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG_POLL_TOKEN_SECRET", "poll-secret")
    monkeypatch.setenv("DEBUG_CALLER_SECRET", "caller-secret")
    loaded = load_settings()
    assert loaded.poll_token_secret == b"poll-secret"
    assert loaded.security.caller_secret == b"caller-secret"
