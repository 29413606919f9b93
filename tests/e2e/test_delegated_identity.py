"""Delegated identity over real HTTP: a caller's own ARM token is the one Azure (the playback server) sees, and
the token never reaches Durable storage in plain text (instance input, history, output, the raw SQLite
state file) or devhost's log."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evals.playback import PlaybackServer
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")
KEY = "delegating-caller-key"
WEBHOOK = "/runtime/webhooks/durabletask/instances/{}?showInput=true&showHistory=true&showHistoryOutput=true"


def caller_token() -> str:
    """A JWT-shaped ARM token, unsigned (the service checks shape and exp only; Azure checks signatures)."""
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256'})}.{part({'exp': int(time.time()) + 3600, 'oid': os.urandom(8).hex()})}." \
           f"{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"


@pytest.fixture(scope="module")
def delegated(state_file: Path) -> Iterator[tuple[str, PlaybackServer, str]]:
    token = caller_token()
    with PlaybackServer(WITH_AZURE["azure"]) as playback:
        playback.caller_tokens.append(token)
        env = {**playback.app_settings(), "DEBUG_AZURE_STATIC_TOKEN": "an-app-token-azure-refuses",
               "DEBUG_AZURE_IDENTITY": "delegated", "DEVHOST_FUNCTION_KEYS": KEY,
               "DEBUG_TOKEN_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode()}
        with run_devhost(REPO, env=env, extra_args=["--require-keys"], state=state_file) as url:
            yield url, playback, token


def test_azure_sees_the_callers_token_and_storage_never_does(delegated: tuple[str, PlaybackServer, str],
                                                              state_file: Path):
    url, playback, token = delegated
    headers = {"x-functions-key": KEY, "X-Azure-Access-Token": token}
    with httpx.Client(base_url=url, timeout=120) as http:
        started = http.post("/api/debug", json=WITH_AZURE["request"], headers=headers)
        assert started.status_code in (200, 202), started.text
        envelope = started.json()
        assert (envelope["status"], envelope["steps"]) == ("done", 5), started.text
        assert "j.alvarez@contoso.com" in envelope["report"]["root_cause"]
        stored = http.get(WEBHOOK.format(envelope["trace_id"])).text
    assert playback.calls and all(c.get("bearer") == "caller#0" for c in playback.calls), playback.calls
    assert '"delegation"' in stored and "ciphertext" in stored  # the sealed token is there, and only sealed
    pieces = {token[i:i + 16] for i in range(0, len(token) - 16, 8)}
    raw_state = b"".join(p.read_bytes() for p in state_file.parent.glob(state_file.name + "*"))
    places = {"instance": stored, "response": started.text, "devhost log": devhost_log(url),
              "state file": raw_state.decode("utf-8", "replace")}
    for place, text in places.items():
        assert not [p for p in pieces if p in text], place


def test_a_token_that_is_not_a_jwt_is_refused(delegated: tuple[str, PlaybackServer, str]):
    url, _, _ = delegated
    with httpx.Client(base_url=url, timeout=60) as http:
        refused = http.post("/api/debug", json=WITH_AZURE["request"],
                            headers={"x-functions-key": KEY, "X-Azure-Access-Token": "not-a-token"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_azure_token"


def test_a_fresh_token_sent_with_the_continue_lets_the_refused_calls_run_again(
        delegated: tuple[str, PlaybackServer, str]):
    url, playback, token = delegated
    with httpx.Client(base_url=url, timeout=120) as http:
        asked = http.post("/api/debug", json=WITH_AZURE["request"], headers={"x-functions-key": KEY})
        assert asked.status_code == 200 and asked.json()["status"] == "request", asked.text
        assert "token" in asked.json()["message"].lower()  # the denial note: no token of yours reached it
        calls_before = len(playback.calls)
        resumed = http.post(f"/api/debug/{asked.json()['trace_id']}/continue", json={},
                            headers={"x-functions-key": KEY, "X-Azure-Access-Token": token})
    envelope = resumed.json()
    assert (resumed.status_code, envelope["status"]) == (200, "done"), resumed.text
    assert "j.alvarez@contoso.com" in envelope["report"]["root_cause"]
    assert any("fresh Azure token" in line for line in envelope["report"]["checked"])
    after = playback.calls[calls_before:]
    assert after and all(c.get("bearer") == "caller#0" for c in after), after
