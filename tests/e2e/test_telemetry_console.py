"""devhost --telemetry console: a session over HTTP prints its spans, all in one trace across rounds,
with ids and statuses as attributes and none of the request's content."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from evals.playback import PlaybackServer
from tests.helpers.api_client import follow, start
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")
MARKER = "zq-telemetry-marker-81c2"


@pytest.fixture(scope="module")
def traced() -> Iterator[tuple[str, PlaybackServer]]:
    with (PlaybackServer(WITH_AZURE["azure"]) as playback,
          run_devhost(REPO, env=playback.app_settings(), extra_args=["--telemetry", "console"]) as url):
        yield url, playback


def printed(log: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The spans and metric exports the console exporters printed, one JSON object per line."""
    spans, exports = [], []
    for line in log.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            (exports if "resource_metrics" in item else spans).append(item)
    return spans, exports


def test_a_session_prints_one_connected_trace_without_content(traced: tuple[str, PlaybackServer]):
    base_url, _ = traced
    body = json.loads(json.dumps(WITH_AZURE["request"]))
    body["error_description"] += f" {MARKER}"
    body["context"]["source_files"][0]["content"] += f"\n# {MARKER}\n"
    body["options"] = {"max_depth": 2}
    with httpx.Client(base_url=base_url, timeout=120) as http:
        env = start(http, body).json()
        session = follow(http, env)
    assert session.last["status"] == "done" and session.last["round"] >= 2
    trace_id = env["trace_id"]
    deadline = time.monotonic() + 20  # metrics are printed every few seconds
    while time.monotonic() < deadline and "debug.sessions.finished" not in devhost_log(base_url):
        time.sleep(0.5)
    log = devhost_log(base_url)
    spans, exports = printed(log)
    ours = [s for s in spans if s["attributes"].get("debug.trace_id") == trace_id]
    names = {s["name"] for s in ours}
    assert {"POST /api/debug", "session.step", "tool.call"} <= names
    start_span = next(s for s in ours if s["name"] == "POST /api/debug")
    session_spans = [s for s in ours if s["name"] in ("session.step", "tool.call")]
    assert {s["context"]["trace_id"] for s in session_spans} == {start_span["context"]["trace_id"]}
    assert {s["attributes"]["debug.round"] for s in session_spans} >= {1, 2}
    assert {s["attributes"]["debug.dependency"] for s in ours if s["name"] == "tool.call"} == {"azure"}
    # One span per round, drawn once by the orchestrator (never on replay), in the same trace.
    rounds = sorted((s["attributes"]["debug.round"], s["attributes"]["debug.round_outcome"])
                    for s in ours if s["name"] == "session.round")
    assert rounds == [(r, "budget") for r in range(1, session.last["round"])] + [(session.last["round"], "done")]
    round_traces = {s["context"]["trace_id"] for s in ours if s["name"] == "session.round"}
    assert round_traces == {start_span["context"]["trace_id"]}
    # The orchestrator counts the finished session once (not replaying), the activities the tool calls.
    finished = [p for e in exports for r in e["resource_metrics"] for m in r["scope_metrics"] for x in m["metrics"]
                if x["name"] == "debug.sessions.finished" for p in x["data"]["data_points"]]
    assert finished and (finished[-1]["attributes"]["status"], finished[-1]["value"]) == ("done", 1)
    assert "debug.tool.calls" in log and "debug.session.duration" in log
    assert MARKER not in log
