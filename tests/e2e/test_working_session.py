"""A session that is working (its Azure reads are slow): an answer or files sent to it are refused with 409,
nothing is silently dropped; an empty continue waits like a GET; after the session asks, the same answer is taken."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from evals.playback import PlaybackServer
from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]
SCENARIO = yaml.safe_load((REPO / "tests" / "scenarios" / "azure" /
                           "az-app-down-resource-health-platform-incident.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def slow_azure() -> Iterator[str]:
    entries = [{**copy.deepcopy(e), "delay": 3} for e in SCENARIO["azure"]]  # every Azure answer takes 3 s
    playback = PlaybackServer(entries)
    playback.start()
    try:
        env = {**playback.app_settings(), "DEBUG_POLL_TOKEN_SECRET": "e2e-secret", "DEBUG_RETRY_AFTER_SECONDS": "1"}
        with run_devhost(REPO, env=env) as url:
            yield url
    finally:
        playback.stop()


def test_an_answer_to_a_working_session_is_refused_not_dropped(slow_azure: str):
    with httpx.Client(base_url=slow_azure, timeout=60) as http:
        started = http.post("/api/debug", json={**SCENARIO["request"], "options": {"wait_seconds": 0}})
        assert started.status_code == 202 and started.json()["next_action"] == "poll"
        trace_id = started.json()["trace_id"]
        refused = http.post(f"/api/debug/{trace_id}/continue", json={"answer": "here is the log"})
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "session_working"
        assert "the answer" in refused.json()["error"]["message"]
        files = {"context": {"source_files": [{"path": "app.py", "content": "print(1)"}]}}
        refused_files = http.post(f"/api/debug/{trace_id}/continue", json=files)
        assert refused_files.status_code == 409 and "context.source_files" in refused_files.json()["error"]["message"]
        waited = http.post(f"/api/debug/{trace_id}/continue", json={"options": {"wait_seconds": 0}})
        assert waited.status_code in (200, 202) and waited.json()["trace_id"] == trace_id
        assert http.delete(f"/api/debug/{trace_id}").status_code == 204


def test_delete_never_purges_a_session_still_running_it_answers_202_until_the_termination_lands():
    delay_ms = 12_000  # longer than DELETE's 10 s wait: the termination is still queued when it gives up
    env = {"DEBUG_POLL_TOKEN_SECRET": "e2e-secret", "DEVHOST_TERMINATE_DELAY_MS": str(delay_ms)}
    body = {"error_description": "Connection timeout to storage account 'stmedia01' since this morning."}
    with run_devhost(REPO, env=env) as url, httpx.Client(base_url=url, timeout=60) as http:
        trace_id = http.post("/api/debug", json=body).json()["trace_id"]
        pending = http.delete(f"/api/debug/{trace_id}")
        assert pending.status_code == 202 and pending.json()["status"] == "cancelling"
        assert http.get(f"/api/debug/{trace_id}").status_code == 200  # not purged while it may still write
        status = http.get(f"/runtime/webhooks/durabletask/instances/{trace_id}").json()["runtimeStatus"]
        assert status != "Terminated"
        deadline = time.monotonic() + 20
        while http.delete(f"/api/debug/{trace_id}").status_code != 204:
            assert time.monotonic() < deadline, "the session should be purged once its termination lands"
            time.sleep(1)
        assert http.get(f"/api/debug/{trace_id}").status_code == 404
