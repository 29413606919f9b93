"""The four-state protocol end to end: a real HTTP client, devhost, the Durable replay engine, the app."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.helpers.api_client import follow, start
from tests.helpers.engine_loop import load_scenarios
from tests.helpers.scenario_score import score

SCENARIOS = {s["id"]: s for s in load_scenarios()}
FIREWALL = SCENARIOS["storage-firewall-no-azure-access"]
RULES_ANSWER = FIREWALL["client"][0]["answer"]


def with_options(scenario: dict, **options) -> dict:
    body = json.loads(json.dumps(scenario["request"]))
    body["options"] = {**body.get("options", {}), **options}
    return body


def progress_never_drops(envelopes: list[dict]) -> bool:
    values = [e["progress"] for e in envelopes]
    return values == sorted(values)


def test_health_is_anonymous_and_names_the_engine(http: httpx.Client):
    response = http.get("/api/health")
    assert response.status_code == 200
    assert response.json()["engine"] == "rules"


@pytest.mark.parametrize("scenario_id", [s for s, v in SCENARIOS.items() if not v.get("azure")])
def test_shared_scenarios_end_to_end(http: httpx.Client, scenario_id: str):
    scenario = SCENARIOS[scenario_id]
    session = follow(http, start(http, scenario["request"]).json(), scenario.get("client", []))
    assert score(scenario["expect"], session.last, session.requests) == []
    assert session.last["progress"] == 100
    assert progress_never_drops(session.envelopes)


def test_request_then_continue_then_done(http: httpx.Client):
    first = start(http, FIREWALL["request"])
    env = first.json()
    assert first.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", env["trace_id"])
    assert (env["status"], env["next_action"]) == ("request", "answer")
    assert "networkRuleSet" in " ".join(env["request"]["suggested_commands"])
    assert set(env["links"]) == {"self", "poll", "continue"}
    assert first.headers["Cache-Control"] == "no-store"

    answered = http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": RULES_ANSWER})
    done = answered.json()
    assert answered.status_code == 200
    assert (done["status"], done["next_action"], done["progress"]) == ("done", "none", 100)
    assert done["report"]["category"] == "network.storage_firewall"
    assert done["round"] == 2 and done["progress"] >= env["progress"]

    again = http.get(f"/api/debug/{env['trace_id']}")
    assert again.status_code == 200 and again.json()["status"] == "done"
    conflict = http.post(f"/api/debug/{env['trace_id']}/continue", json={"answer": "more"})
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "session_finished"


def test_a_request_needed_in_the_last_round_ends_in_fail_exhausted(http: httpx.Client):
    env = start(http, with_options(FIREWALL, max_rounds=1)).json()
    assert (env["status"], env["reason"], env["progress"]) == ("fail", "exhausted", 100)
    assert any("networkRuleSet" in line for line in env["report"]["checked"])


def test_wait_zero_answers_202_with_a_poll_location_that_needs_no_headers(http: httpx.Client):
    response = start(http, with_options(FIREWALL, wait_seconds=0))
    assert response.status_code == 202
    env = response.json()
    assert (env["status"], env["next_action"]) == ("continue", "poll")
    location = response.headers["Location"]
    assert location == env["links"]["poll"] and "token=" in location
    assert int(response.headers["Retry-After"]) >= 1
    with httpx.Client(timeout=30) as bare:  # a poller that sends no headers at all
        polled = bare.get(location)
        assert polled.status_code in (200, 202)
        assert polled.json()["trace_id"] == env["trace_id"]
        assert bare.get(re.sub(r"token=[^&]+", "token=1.AAAA", location)).status_code == 404
        other = start(http, FIREWALL["request"]).json()["trace_id"]
        assert bare.get(location.replace(env["trace_id"], other)).status_code == 404


def test_cancel_purges_the_session(http: httpx.Client):
    env = start(http, FIREWALL["request"]).json()
    assert http.delete(f"/api/debug/{env['trace_id']}").status_code == 204
    assert http.get(f"/api/debug/{env['trace_id']}").status_code == 404
    assert http.post(f"/api/debug/{env['trace_id']}/continue", json={}).status_code == 404
    assert http.delete(f"/api/debug/{env['trace_id']}").status_code == 404


def test_unknown_and_malformed_trace_ids_are_404(http: httpx.Client):
    for trace_id in ("0" * 32, "not-a-trace-id", "A" * 32):
        response = http.get(f"/api/debug/{trace_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
