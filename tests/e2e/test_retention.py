"""Retention: the hourly timer function, run now through the admin endpoint, purges old finished sessions only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.blueprints.maintenance import DEFAULT_RETENTION_DAYS, retention
from tests.helpers.api_client import start
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
FIREWALL = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
INSTANCES = "/runtime/webhooks/durabletask/instances"
RETENTION_SECONDS = 3


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    env = {"DEBUG_RETENTION_SECONDS": str(RETENTION_SECONDS), "DEBUG_POLL_TOKEN_SECRET": "retention"}
    with run_devhost(REPO, env=env) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


def finished_session(http: httpx.Client) -> str:
    env = start(http, FIREWALL["request"]).json()
    done = http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": FIREWALL["client"][0]["answer"]})
    assert done.json()["status"] == "done"
    trace_id: str = env["trace_id"]
    deadline = time.monotonic() + 10
    while http.get(f"{INSTANCES}/{trace_id}").json()["runtimeStatus"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return trace_id


def test_old_finished_sessions_are_purged_running_and_young_ones_kept(http: httpx.Client):
    old = finished_session(http)
    running = start(http, FIREWALL["request"]).json()["trace_id"]  # waits for the client's answer
    time.sleep(RETENTION_SECONDS + 0.5)
    young = finished_session(http)
    assert http.post("/admin/functions/purge_finished_sessions", json={"input": ""}).status_code == 202
    deadline = time.monotonic() + 10
    while http.get(f"{INSTANCES}/{old}").status_code != 404:
        assert time.monotonic() < deadline, "the old finished session was not purged"
        time.sleep(0.1)
    assert http.get(f"{INSTANCES}/{running}").json()["runtimeStatus"] == "Running"
    assert http.get(f"{INSTANCES}/{young}").json()["runtimeStatus"] == "Completed"
    assert "retention: purged 1 finished instance(s)" in devhost_log(str(http.base_url).rstrip("/"))


def test_the_timer_is_listed_with_its_hourly_schedule(http: httpx.Client):
    assert "purge_finished_sessions: timerTrigger [0 0 * * * *]" in devhost_log(str(http.base_url).rstrip("/"))


def test_retention_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DEBUG_RETENTION_SECONDS", raising=False)
    monkeypatch.delenv("DEBUG_RETENTION_DAYS", raising=False)
    assert retention().days == DEFAULT_RETENTION_DAYS
    monkeypatch.setenv("DEBUG_RETENTION_DAYS", "2")
    assert retention().days == 2
    monkeypatch.setenv("DEBUG_RETENTION_SECONDS", "30")
    assert retention().total_seconds() == 30
    monkeypatch.setenv("DEBUG_RETENTION_SECONDS", "0")
    with pytest.raises(ValueError):
        retention()
