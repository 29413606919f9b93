"""Circuit breaker on devhost: Azure answers 503 to everything until the breaker opens; then sessions make no
Azure call and still answer (a request naming the CLI command); after the cool-down a success closes it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from evals.playback import PlaybackServer, Reply
from tests.helpers.api_client import follow, start
from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")
FAILURES, COOLDOWN_SECONDS = 2, 3
FOUR_STATES = {"done", "request", "continue", "fail"}


class Outage(PlaybackServer):
    """The playback server, answering 503 to every authenticated call while `down`."""

    down = True

    def answer(self, method: str, host: str, path: str, body: str, authorization: str | None) -> Reply | None:
        if not self.down:
            return super().answer(method, host, path, body, authorization)
        with self._lock:
            self.calls.append({"method": method, "host": host, "path": path, "status": 503})
        return Reply(503, {}, {"error": {"code": "ServiceUnavailable", "message": "The service is unavailable."}})


def first_answer(http: httpx.Client) -> dict[str, Any]:
    """A session followed to its first answer that needs the client (or its final one)."""
    return follow(http, start(http, WITH_AZURE["request"]).json()).last


def test_open_breaker_stops_azure_calls_and_a_success_after_the_cooldown_closes_it():
    env = {"DEBUG_BREAKER_FAILURES": str(FAILURES), "DEBUG_BREAKER_COOLDOWN_SECONDS": str(COOLDOWN_SECONDS),
           "DEBUG_POLL_TOKEN_SECRET": "breaker", "DEBUG_AZURE_TIMEOUT_SECONDS": "2"}
    playback = Outage(WITH_AZURE["azure"])
    with (playback,
          run_devhost(REPO, env={**playback.app_settings(), **env}) as url,
          httpx.Client(base_url=url, timeout=60) as http):
        failing = 0
        while failing < FAILURES:  # each session's first tool call fails (after the SDK's retries)
            before = len(playback.calls)
            answer = first_answer(http)
            assert answer["status"] in FOUR_STATES
            failing += 1 if len(playback.calls) > before else 0

        before = len(playback.calls)
        opened = [first_answer(http) for _ in range(2)]
        assert len(playback.calls) == before, "an open breaker lets no call through"
        for answer in opened:
            assert answer["status"] == "request", answer
            assert any(c.startswith("az ") for c in answer["request"]["suggested_commands"]), answer["request"]

        playback.down = False
        time.sleep(COOLDOWN_SECONDS + 0.5)
        probe = len(playback.calls)
        assert first_answer(http)["status"] in FOUR_STATES
        assert len(playback.calls) > probe and all(c["status"] != 503 for c in playback.calls[probe:])
        closed = len(playback.calls)
        assert first_answer(http)["status"] in FOUR_STATES
        assert len(playback.calls) > closed, "closed again: the next session calls Azure"


def test_an_outage_seen_by_one_instance_opens_the_breaker_of_a_new_one(tmp_path: Path):
    env = {"DEBUG_BREAKER_FAILURES": str(FAILURES), "DEBUG_BREAKER_COOLDOWN_SECONDS": "600",
           "DEBUG_POLL_TOKEN_SECRET": "breaker", "DEBUG_AZURE_TIMEOUT_SECONDS": "2"}
    state = tmp_path / "state.sqlite"
    playback = Outage(WITH_AZURE["azure"])
    with playback:
        settings = {**playback.app_settings(), **env}
        with run_devhost(REPO, env=settings, state=state) as url, httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(FAILURES):
                first_answer(http)
            shared = http.get("/runtime/webhooks/durabletask/entities/circuit_breakers/resource_manager")
            assert shared.status_code == 200 and shared.json()["state"] == "open", shared.text
        # A new process: its own breaker never saw a failure, the entity (kept in the state file) did.
        with run_devhost(REPO, env=settings, state=state) as url, httpx.Client(base_url=url, timeout=60) as http:
            before = len(playback.calls)
            answer = first_answer(http)
            assert answer["status"] == "request"
            assert len(playback.calls) == before, "the shared breaker lets no call through"
