"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evals.playback import PlaybackServer
from shared.azure import clients
from shared.azure.clients import clear_caches


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


