"""A session that waits past its TTL reads fail/expired; devhost's log never shows request content."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
FIREWALL = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
MARKER = "zq-marker-7f3a9c"


@pytest.fixture(scope="module")
def short_ttl() -> Iterator[str]:
    with run_devhost(REPO, env={"DEBUG_SESSION_TTL_SECONDS": "2"}) as url:
        yield url


def test_an_unanswered_request_expires_after_the_ttl(short_ttl: str):
    with httpx.Client(base_url=short_ttl, timeout=60) as http:
        env = http.post("/api/debug", json=FIREWALL["request"]).json()
        assert env["status"] == "request"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            env = http.get(f"/api/debug/{env['trace_id']}").json()
            if env["status"] == "fail":
                break
            time.sleep(0.25)
        assert (env["status"], env["reason"], env["progress"], env["next_action"]) == ("fail", "expired", 100, "none")
        late = http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": "too late"})
        assert late.status_code == 409


def test_request_content_never_reaches_the_log(short_ttl: str):
    with httpx.Client(base_url=short_ttl, timeout=60) as http:
        body = {"error_description": f"Timeout to storage account 'acct{MARKER[:4]}' {MARKER}",
                "context": {"source_files": [{"path": f"{MARKER}.py", "content": MARKER}]}}
        env = http.post("/api/debug", json=body).json()
        http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": MARKER})
        http.post("/api/debug", content=f'{{"error_description": 5, "x": "{MARKER}"}}'.encode())
        http.get(f"/api/debug/{env['trace_id']}/poll", params={"token": MARKER})
    log = devhost_log(short_ttl)
    assert env["trace_id"] in log or "/api/debug" in log  # the log is there and has request lines
    assert MARKER not in log
