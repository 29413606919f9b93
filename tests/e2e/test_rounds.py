"""Rounds over real HTTP: a multi-step Azure investigation (playback server) paused, resumed, auto-continued."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evals.playback import PlaybackServer
from tests.helpers.api_client import follow, start
from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with (PlaybackServer(WITH_AZURE["azure"]) as playback,
          run_devhost(REPO, env=playback.app_settings()) as url,
          httpx.Client(base_url=url, timeout=120) as client):
        yield client


def body(**options) -> dict:
    request = json.loads(json.dumps(WITH_AZURE["request"]))
    request["options"] = options
    return request


def test_without_limits_in_the_way_it_concludes_from_azure_in_one_call(http: httpx.Client):
    env = start(http, body()).json()
    assert (env["status"], env["round"], env["steps"]) == ("done", 1, 5)
    assert "j.alvarez@contoso.com" in env["report"]["root_cause"]


def test_a_spent_round_pauses_with_continue_and_resumes(http: httpx.Client):
    env = start(http, body(max_depth=2)).json()
    assert (env["status"], env["next_action"], env["round"], env["steps"]) == ("continue", "continue", 1, 2)
    session = follow(http, env)
    rounds = [e["round"] for e in session.envelopes]
    assert session.last["status"] == "done" and rounds[-1] == 3
    assert rounds == sorted(rounds)
    progress = [e["progress"] for e in session.envelopes]
    assert progress == sorted(progress) and progress[-1] == 100


def test_auto_continue_runs_the_rounds_without_the_client(http: httpx.Client):
    env = start(http, body(max_depth=2, auto_continue=True, wait_seconds=60)).json()
    assert (env["status"], env["round"], env["steps"]) == ("done", 3, 5)


def test_max_rounds_ends_in_fail_exhausted_with_what_was_checked(http: httpx.Client):
    env = start(http, body(max_depth=2, max_rounds=2)).json()
    env = http.post(f"/api/debug/{env['trace_id']}/continue", json={}).json()
    assert (env["status"], env["reason"], env["round"], env["progress"]) == ("fail", "exhausted", 2, 100)
    assert any("get_resource" in line for line in env["report"]["checked"])


def test_a_late_duplicate_of_an_earlier_continue_is_ignored(http: httpx.Client):
    env = start(http, body(max_depth=2)).json()
    resumed = http.post(f"/api/debug/{env['trace_id']}/continue", json={}).json()
    assert (resumed["status"], resumed["next_action"], resumed["round"]) == ("continue", "continue", 2)
    # The first continue delivered again (a retried message): it answers turn 0; the session is at turn 1.
    duplicate = http.post(f"/runtime/webhooks/durabletask/instances/{env['trace_id']}/raiseEvent/client_input",
                          json={"turn": 0, "answer": None, "files": [], "environment": {}})
    assert duplicate.status_code == 202
    time.sleep(0.5)
    latest = http.get(f"/api/debug/{env['trace_id']}").json()
    assert (latest["status"], latest["round"], latest["steps"]) == ("continue", 2, 4)
