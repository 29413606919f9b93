"""The per-caller limits' defaults: the ceiling on a local host (AZURE_FUNCTIONS_ENVIRONMENT=Development, what func
start and devhost set), the documented defaults elsewhere; explicit settings win in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import load_settings

LIMITS = ("DEBUG_RATE_PER_MINUTE", "DEBUG_RATE_BURST", "DEBUG_MAX_OPEN_SESSIONS")


@pytest.fixture(autouse=True)
def unset_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in LIMITS:  # the test suite lifts them for itself (tests/conftest.py)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG_POLL_TOKEN_SECRET", "limits-test")
    load_settings.cache_clear()
    yield
    load_settings.cache_clear()


@pytest.mark.parametrize("environment", [None, "Production", "Staging"])
def test_outside_a_local_host_the_documented_defaults_hold(monkeypatch: pytest.MonkeyPatch,
                                                           environment: str | None) -> None:
    if environment is None:
        monkeypatch.delenv("AZURE_FUNCTIONS_ENVIRONMENT", raising=False)
    else:
        monkeypatch.setenv("AZURE_FUNCTIONS_ENVIRONMENT", environment)
    security = load_settings().security
    assert (security.rate_per_minute, security.rate_burst, security.max_open_sessions) == (30, 10, 10)


def test_a_local_host_is_not_throttled_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_FUNCTIONS_ENVIRONMENT", "Development")
    security = load_settings().security
    assert (security.rate_per_minute, security.rate_burst, security.max_open_sessions) == (10_000, 10, 10_000)


def test_explicit_limits_win_on_a_local_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_FUNCTIONS_ENVIRONMENT", "Development")
    monkeypatch.setenv("DEBUG_RATE_PER_MINUTE", "30")
    monkeypatch.setenv("DEBUG_MAX_OPEN_SESSIONS", "10")
    security = load_settings().security
    assert (security.rate_per_minute, security.max_open_sessions) == (30, 10)
