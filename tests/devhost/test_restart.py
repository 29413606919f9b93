"""devhost keeps state in SQLite: SIGKILL it mid-session, start it again on the same file, every session ends.

Sessions are caught waiting for an event, inside a timer, with a timer that falls due while devhost is down,
and with an activity running; activities may run again (at least once, as on Durable)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.devhost.support import SAMPLE_APP, WEBHOOKS, start, status, wait_for, wait_until
from tests.helpers.api_client import start as start_session
from tests.helpers.devhost_process import devhost_log, kill_devhost, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
FIREWALL = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
APP_ENV = {"DEBUG_POLL_TOKEN_SECRET": "restart-secret", "DEBUG_RETRY_AFTER_SECONDS": "1"}


def test_sessions_resume_after_sigkill(tmp_path: Path):
    state = tmp_path / "state.sqlite"
    with run_devhost(SAMPLE_APP, state=state) as url, httpx.Client(base_url=url, timeout=30) as http:
        waiting = start(http, "approval", 120)  # waits for 'approve' (or a two-minute timer)
        in_timer = start(http, "timer", 4)
        due_while_down = start(http, "timer", 1)
        napping = start(http, "two_steps")  # its first step is a 0.3 s activity
        in_activity = start(http, "napper", 3)  # killed while its activity sleeps: it runs again
        http.post(f"{WEBHOOKS}/instances/{napping}/raiseEvent/step", json="early")  # queued, no wait yet
        wait_until(lambda: status(http, waiting)["runtimeStatus"] == "Running")
        wait_until(lambda: status(http, in_timer)["runtimeStatus"] == "Running")
        kill_devhost(url)
    time.sleep(1.5)  # the one-second timer falls due while nothing runs
    with run_devhost(SAMPLE_APP, state=state) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert "resumed" in devhost_log(url)
        assert wait_for(http, due_while_down)["runtimeStatus"] == "Completed"
        accepted = http.post(f"{WEBHOOKS}/instances/{waiting}/raiseEvent/approve", json="yes")
        assert accepted.status_code == 202
        assert wait_for(http, waiting)["output"] == {"approved": "yes"}
        wait_until(lambda: status(http, napping)["customStatus"] == {"waiting": 2})
        http.post(f"{WEBHOOKS}/instances/{napping}/raiseEvent/step", json="late")
        assert wait_for(http, napping)["output"] == ["early", "late"]
        assert wait_for(http, in_activity)["output"] == {"slept": 3}
        timed = wait_for(http, in_timer)
        assert timed["runtimeStatus"] == "Completed" and timed["output"] >= 4


def test_a_finished_instance_survives_a_restart(tmp_path: Path):
    state = tmp_path / "state.sqlite"
    with run_devhost(SAMPLE_APP, state=state) as url, httpx.Client(base_url=url, timeout=30) as http:
        done = start(http, "chain", ["Ann"])
        output = wait_for(http, done)["output"]
    with run_devhost(SAMPLE_APP, state=state) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert wait_for(http, done)["output"] == output


def test_a_debug_session_asking_the_client_is_answered_after_sigkill(tmp_path: Path):
    state = tmp_path / "state.sqlite"
    with run_devhost(REPO, env=APP_ENV, state=state) as url, httpx.Client(base_url=url, timeout=120) as http:
        env = start_session(http, FIREWALL["request"]).json()
        assert (env["status"], env["next_action"]) == ("request", "answer")
        kill_devhost(url)
    with run_devhost(REPO, env=APP_ENV, state=state) as url, httpx.Client(base_url=url, timeout=120) as http:
        assert http.get(f"/api/debug/{env['trace_id']}").json()["status"] == "request"
        answer = FIREWALL["client"][0]["answer"]
        done = http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": answer}).json()
        assert (done["status"], done["report"]["category"]) == ("done", "network.storage_firewall")


def test_state_in_memory_is_not_kept():
    with run_devhost(SAMPLE_APP, extra_args=["--state", ":memory:"]) as url, httpx.Client(base_url=url) as http:
        assert "state: :memory:" in devhost_log(url)
        done = start(http, "chain", ["Ann"])
        wait_for(http, done)
    with run_devhost(SAMPLE_APP, extra_args=["--state", ":memory:"]) as url, httpx.Client(base_url=url) as http:
        assert http.get(f"{WEBHOOKS}/instances/{done}").status_code == 404
