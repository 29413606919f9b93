"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from evals.playback import PlaybackServer
from shared.azure import clients
from shared.azure.clients import clear_caches
from shared.resilience.breaker import BREAKERS
from shared.security.rate_limit import NO_LIMITS_ENV

# The suite is one caller starting hundreds of sessions: devhosts it starts inherit lifted limits
# (tests of the limits set their own).
for _name, _value in NO_LIMITS_ENV.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session")
def server() -> Iterator[PlaybackServer]:
    with PlaybackServer() as playback:
        yield playback


@pytest.fixture
def azure(server: PlaybackServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaybackServer]:
    """The app pointed at the playback server, with no recorded answers and short retry backoffs."""
    for name, value in server.app_settings().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DEBUG_AZURE_TIMEOUT_SECONDS", "5")
    monkeypatch.setitem(clients.RETRY_POLICY, "retry_backoff_factor", 0.01)
    clear_caches()
    server.load([])
    server.calls.clear()
    yield server
    clear_caches()




@pytest.fixture(autouse=True)
def closed_breakers() -> Iterator[None]:
    """Every test starts with closed circuit breakers: failures another test provoked are not its outage."""
    BREAKERS.reset()
    yield
    BREAKERS.reset()
