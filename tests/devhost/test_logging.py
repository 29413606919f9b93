"""devhost's log: one line per request and per state change, and never any user data."""

from __future__ import annotations

import re

import httpx

from tests.devhost.support import raise_event, start, wait_for
from tests.helpers.devhost_process import devhost_log

MARKER = "zz-private-4471-marker"


def test_request_bodies_queries_inputs_and_events_never_reach_the_log(http: httpx.Client,
                                                                      devhost_url: str) -> None:
    http.post(f"/api/echo/logged?secret={MARKER}", content=MARKER.encode())
    http.post("/api/boom", content=MARKER.encode())
    instance = start(http, "two_steps", {"note": MARKER})
    raise_event(http, instance, "step", MARKER)
    raise_event(http, instance, "step", MARKER)
    assert MARKER in str(wait_for(http, instance)["output"])
    failing = start(http, "catches_failure", {"note": MARKER})
    wait_for(http, failing)
    assert MARKER not in devhost_log(devhost_url)


def test_one_line_per_request_without_query_string(http: httpx.Client, devhost_url: str) -> None:
    http.get("/api/echo/linecheck?x=1")
    lines = [line for line in devhost_log(devhost_url).splitlines() if "/api/echo/linecheck" in line]
    assert len(lines) == 1
    assert re.search(r"GET /api/echo/linecheck 200 \d+\.\dms$", lines[0])


def test_state_changes_are_logged(http: httpx.Client, devhost_url: str) -> None:
    instance = start(http, "chain", ["S"])
    wait_for(http, instance)
    log = devhost_log(devhost_url)
    for change in ("(new) -> Pending", "Pending -> Running", "Running -> Completed"):
        assert f"orchestration {instance} (chain): {change}" in log
