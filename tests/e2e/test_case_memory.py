"""Sessions that learn (contract v1.1), through devhost over HTTP with Azurite as the case memory's Table storage:
feedback on a finished session, similar past cases shown to another caller without names, re-opening with a
different conclusion, budgets in envelopes, and no text of a session in the shared table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from azure.data.tables import TableServiceClient

from evals.client import follow
from evals.playback import PlaybackServer
from shared.cases.store import CASES_TABLE
from tests.helpers.azurite import run_azurite
from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]
CANARY = "canaryapp7q2x"
FIRST = {"error_description": f"Deploying {CANARY} failed: (MissingSubscriptionRegistration) The subscription is "
                              "not registered to use namespace 'Microsoft.ContainerInstance'.",
         "options": {"wait_seconds": 60}}
VARIANT = {"error_description": "az containerapp up: ERROR: (MissingSubscriptionRegistration) The subscription is "
                                "not registered to use namespace 'Microsoft.App'.", "options": {"wait_seconds": 60}}


@pytest.fixture(scope="module")
def memory() -> Iterator[tuple[str, str]]:
    with run_azurite() as connection, run_devhost(REPO, env={"DEBUG_CASE_MEMORY_CONNECTION": connection,
                                                             "DEVHOST_FUNCTION_KEYS": "key-a,key-b",
                                                             "DEBUG_CALLER_SECRET": "memory-test"},
                                                  extra_args=["--require-keys"]) as url:
        yield url, connection


def _as(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"x-functions-key": key}, timeout=90)


def test_feedback_is_taken_on_a_finished_session_and_counted_for_another_caller(memory: tuple[str, str]):
    url, connection = memory
    with _as(url, "key-a") as a, _as(url, "key-b") as b:
        assert a.get("/api/health").json()["memory"] == "on"
        first = a.post("/api/debug", json=FIRST).json()
        assert first["status"] == "done" and first["report"]["category"] == "deployment.provider_not_registered"
        assert set(first["budget"]) >= {"steps_left", "seconds_left", "rounds_left"}
        trace = first["trace_id"]
        bad = a.post(f"/api/debug/{trace}/feedback", json={"outcome": "sometimes"})
        assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "outcome"
        assert b.post(f"/api/debug/{trace}/feedback", json={"outcome": "fixed"}).status_code == 404  # not B's
        taken = a.post(f"/api/debug/{trace}/feedback", json={"outcome": "fixed", "note": "registered it, works"})
        assert taken.status_code == 200 and taken.json()["trace_id"] == trace

        variant = b.post("/api/debug", json=VARIANT).json()
        similar = variant["report"]["similar_cases"]
        assert similar[0]["category"] == "deployment.provider_not_registered"
        assert (similar[0]["seen"], similar[0]["fixed"]) >= (1, 1)
        assert CANARY not in str(variant) and "Microsoft.ContainerInstance" not in str(similar)
    tables = TableServiceClient.from_connection_string(connection)
    stored = [dict(row) for row in tables.get_table_client(CASES_TABLE).list_entities()]
    assert stored and not [row for row in stored if CANARY in str(row) or "ContainerInstance" in str(row)]


def test_reopen_starts_a_new_round_that_does_not_repeat_the_earlier_cause(memory: tuple[str, str]):
    url, _ = memory
    with _as(url, "key-a") as a:
        done = a.post("/api/debug", json=FIRST).json()
        trace = done["trace_id"]
        refused = a.post(f"/api/debug/{trace}/continue", json={"answer": "more"})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "session_finished"
        reopened = a.post(f"/api/debug/{trace}/continue", json={
            "reopen": True, "answer": "I registered Microsoft.ContainerInstance and it shows Registered; the "
                                      "deployment still fails.", "options": {"wait_seconds": 60}})
        assert reopened.status_code in (200, 202)
        envelope = reopened.json()
        assert envelope["round"] > done["round"]
        final = envelope
        while final["status"] == "continue" and final["next_action"] == "poll":
            final = a.get(f"/api/debug/{trace}").json()
        assert (final.get("report") or {}).get("category") != "deployment.provider_not_registered"


QUOTA = REPO / "tests/scenarios/azure/az-function-stopped-daily-quota-exceeded.yaml"


def test_a_problem_fixed_twice_runs_its_settling_check_first_for_the_next_caller():
    scenario = yaml.safe_load(QUOTA.read_text(encoding="utf-8"))
    with run_azurite() as connection, PlaybackServer(scenario["azure"]) as playback, run_devhost(REPO, env={
            **playback.app_settings(), "DEBUG_CASE_MEMORY_CONNECTION": connection,
            "DEVHOST_FUNCTION_KEYS": "key-a,key-b"}, extra_args=["--require-keys"]) as url:
        calls, finals = [], []
        for key in ("key-a", "key-a", "key-b"):
            before = len(playback.calls)
            with _as(url, key) as http:
                final = follow(http, http.post("/api/debug", json=scenario["request"]).json(), []).last
                assert final["status"] == "done" and final["report"]["category"] == "quota.exceeded"
                http.post(f"/api/debug/{final['trace_id']}/feedback", json={"outcome": "fixed"})
            calls.append(len(playback.calls) - before)
            finals.append(final)
    assert calls[0] == calls[1] > calls[2] >= 1  # the hint needs two fixes; then the settling read comes first
    assert not any("case memory:" in line for line in finals[1]["report"]["checked"])
    assert any("case memory:" in line and "ran first" in line for line in finals[2]["report"]["checked"])
    assert finals[2]["report"]["confidence"] == finals[0]["report"]["confidence"]  # memory decides nothing
