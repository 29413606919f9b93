"""Fault injection: Azure-backed sessions on devhost while the playback server fails 30% of Azure calls.

429s with Retry-After, 503s, dropped connections and answers later than the app's Azure timeout: every
session must still answer in one of the four statuses within its limits, never with an HTTP 500, and no
instance may be left running (a session left waiting for the client expires after its TTL). CI runs
FAULT_SESSIONS=30 (the default); the full run is

    FAULT_SESSIONS=200 .venv/bin/python -m pytest -q -s tests/e2e/test_faults.py
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from evals.playback import PlaybackServer
from evals.scenarios import within_limits
from tests.helpers.api_client import follow
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")
SESSIONS = int(os.environ.get("FAULT_SESSIONS", "30"))
FAULT_RATE, SEED, TTL_SECONDS = 0.3, 20261125, 5
AZURE_TIMEOUT_SECONDS, LATE_SECONDS = 1, 2.5  # a late answer comes after the app has given up
FOUR_STATES = {"done", "request", "continue", "fail"}
UNFINISHED = ("Pending", "Running", "Suspended", "ContinuedAsNew")


def play(base_url: str) -> dict[str, Any]:
    """One session followed to its answer; HTTP statuses other than 200/202 are returned, not raised."""
    with httpx.Client(base_url=base_url, timeout=120) as http:
        started = http.post("/api/debug", json=WITH_AZURE["request"])
        if started.status_code not in (200, 202):
            return {"http_status": started.status_code}
        try:
            session = follow(http, started.json(), WITH_AZURE.get("client", []))
        except RuntimeError as exc:  # follow() saw an unexpected HTTP status
            return {"http_status": int(re.search(r"answered (\d+)", str(exc)).group(1))}  # type: ignore[union-attr]
        return session.last


def running_instances(http: httpx.Client) -> list[dict[str, Any]]:
    listed = http.get("/runtime/webhooks/durabletask/instances/",
                      params={"runtimeStatus": ",".join(UNFINISHED)}).json()
    return [i for i in listed if i["name"] == "debug_session"]


def test_sessions_under_azure_faults_all_answer_and_none_is_left_running():
    env = {"DEBUG_SESSION_TTL_SECONDS": str(TTL_SECONDS), "DEBUG_POLL_TOKEN_SECRET": "faults",
           "DEBUG_RETRY_AFTER_SECONDS": "1", "DEBUG_AZURE_TIMEOUT_SECONDS": str(AZURE_TIMEOUT_SECONDS)}
    playback = PlaybackServer(WITH_AZURE["azure"], faults=FAULT_RATE, fault_seed=SEED, fault_delay=LATE_SECONDS)
    with (playback,
          run_devhost(REPO, env={**playback.app_settings(), **env}) as url,
          httpx.Client(base_url=url, timeout=60) as http):
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda _: play(url), range(SESSIONS)))
        deadline = time.monotonic() + TTL_SECONDS + 60
        while running_instances(http) and time.monotonic() < deadline:  # waiting ones expire after the TTL
            time.sleep(0.5)
        left_running = running_instances(http)
        finals = [http.get(f"/api/debug/{a['trace_id']}").json() for a in answers if "trace_id" in a]
        server_errors = re.findall(r" 5\d\d \d+\.\dms", devhost_log(url))
        faults = Counter(str(c["status"]) for c in playback.calls if c.get("fault"))

    first = Counter(a.get("status", f"HTTP {a.get('http_status')}") for a in answers)
    final = Counter(f"{f['status']}/{f.get('reason') or '-'}" for f in finals)
    print(f"\nfault injection: {SESSIONS} sessions, {len(playback.calls)} Azure calls, faults by status "
          f"{dict(faults)} (599: dropped, 504: late); "
          f"first answers {dict(first)}; final {dict(final)}; left running {len(left_running)}; "
          f"HTTP 5xx {len(server_errors)}")
    assert all(a.get("status") in FOUR_STATES for a in answers), first
    assert all(within_limits(WITH_AZURE["request"].get("options") or {}, a) == [] for a in answers)
    assert len(finals) == SESSIONS and all(f["status"] in ("done", "fail") for f in finals), final
    assert left_running == []
    assert server_errors == []
    assert sum(faults.values()) > 0
