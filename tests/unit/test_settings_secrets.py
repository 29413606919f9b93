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


@pytest.mark.parametrize("present", [(), ("DEBUG_POLL_TOKEN_SECRET",), ("DEBUG_CALLER_SECRET",)])
def test_on_azure_missing_shared_secrets_make_the_api_refuse(monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture,
                                                             present: tuple[str, ...]) -> None:
    monkeypatch.setenv("WEBSITE_INSTANCE_ID", "0a1b2c3d")
    for name in ("DEBUG_POLL_TOKEN_SECRET", "DEBUG_CALLER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in present:
        monkeypatch.setenv(name, "a-shared-secret")
    loaded = load_settings()
    missing = {"DEBUG_POLL_TOKEN_SECRET", "DEBUG_CALLER_SECRET"} - set(present)
    assert loaded.unconfigured is not None and all(name in loaded.unconfigured for name in missing)
    assert "refusing to serve the debug API" in caplog.text


def test_locally_a_missing_secret_only_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBSITE_INSTANCE_ID", raising=False)
    monkeypatch.delenv("DEBUG_POLL_TOKEN_SECRET", raising=False)
    assert load_settings().unconfigured is None


def test_the_session_ttl_stays_below_the_long_timer_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG_SESSION_TTL_SECONDS", str(6 * 24 * 3600))
    with pytest.raises(ValueError, match="DEBUG_SESSION_TTL_SECONDS must be between 1 and 514800"):
        load_settings()
