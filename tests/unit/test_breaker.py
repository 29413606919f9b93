"""The circuit breakers: the state machine, the settings, and the Azure tool boundary and model call using them."""

from __future__ import annotations

from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.engines.llm_fallback import UNAVAILABLE
from shared.resilience.breaker import BREAKERS, Breaker, Breakers, allows, azure_outcome, model_outcome, settings, step
from shared.session.state import Material
from shared.tools.catalog import run_tool
from tests.helpers.llm_session import llm_settings, new_state, run_session
from tests.helpers.openai_stub import OpenAIStub, http_error
from tests.helpers.telemetry_capture import capture

SUB = "3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13"
GROUP = {"subscription_id": SUB, "resource_group": "functions-rg"}
DOWN_503 = {"match": {}, "status": 503, "body": {"error": {"code": "ServiceUnavailable", "message": "down"}}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_n_consecutive_transient_failures_only():
    breaker = Breaker()
    for _ in range(4):
        breaker = step(breaker, "transient", 0.0, threshold=5)
    assert breaker.state == "closed" and breaker.failures == 4
    assert step(step(breaker, "success", 0.0, 5), "transient", 0.0, 5).failures == 1  # a success resets the count
    assert step(breaker, "other", 0.0, 5) == Breaker()  # a 403/404 is an answer: the dependency is up
    opened = step(breaker, "transient", 10.0, threshold=5)
    assert opened.state == "open" and opened.opened_at == 10.0


def test_open_refuses_until_the_cooldown_then_lets_one_probe_through():
    opened = Breaker(state="open", failures=5, opened_at=100.0)
    assert allows(opened, 159.0, cooldown=60) == (False, opened)
    allowed, probing = allows(opened, 160.0, cooldown=60)
    assert allowed and probing.state == "half_open" and probing.probing
    assert allows(probing, 161.0, cooldown=60)[0] is False  # one probe at a time
    assert allows(probing, 221.0, cooldown=60)[0] is True  # a probe that never reported is replaced
    assert step(probing, "success", 161.0, threshold=5) == Breaker()
    reopened = step(probing, "transient", 161.0, threshold=5)
    assert reopened.state == "open" and reopened.opened_at == 161.0


def test_registry_counts_state_changes_in_the_metrics(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBUG_BREAKER_FAILURES", "2")
    monkeypatch.setenv("DEBUG_BREAKER_COOLDOWN_SECONDS", "30")
    found, clock = capture(), Clock()
    breakers = Breakers(clock)
    breakers.record("model", "transient")
    assert breakers.allow("model") and breakers.state("model") == "closed"
    breakers.record("model", "transient")
    assert breakers.state("model") == "open" and not breakers.allow("model")
    assert breakers.state("resource_manager") == "closed"  # one breaker per dependency
    clock.now += 30
    assert breakers.allow("model") and breakers.state("model") == "half_open"
    breakers.record("model", "success")
    assert breakers.state("model") == "closed"
    changes = [(p["attributes"]["state"], p["value"]) for p in found.points() if p["name"] == "debug.breaker.changes"]
    assert sorted(changes) == [("closed", 1), ("half_open", 1), ("open", 1)]


def test_settings_defaults_and_malformed_values(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DEBUG_BREAKER_FAILURES", raising=False)
    monkeypatch.delenv("DEBUG_BREAKER_COOLDOWN_SECONDS", raising=False)
    assert settings() == (5, 60.0)
    monkeypatch.setenv("DEBUG_BREAKER_FAILURES", "many")
    monkeypatch.setenv("DEBUG_BREAKER_COOLDOWN_SECONDS", "2.5")
    assert settings() == (5, 2.5)


@pytest.mark.parametrize(("status", "data", "outcome"), [
    ("success", {}, "success"), ("no_data", {"http_status": 404}, "success"),
    ("error", {"http_status": 503}, "transient"), ("error", {"http_status": 429}, "transient"),
    ("error", {"timeout": True}, "transient"), ("error", {"connection_error": True}, "transient"),
    ("error", {"http_status": 403}, "other"), ("error", {"access": "no_credentials"}, "other"),
])
def test_azure_outcome(status: str, data: dict[str, Any], outcome: str):
    assert azure_outcome(status, data) == outcome


def test_model_outcome():
    class Status(Exception):
        def __init__(self, code: int) -> None:
            self.status_code = code

    class APITimeoutError(Exception):
        pass

    assert model_outcome(Status(503)) == "transient" and model_outcome(Status(429)) == "transient"
    assert model_outcome(Status(400)) == "other" and model_outcome(APITimeoutError()) == "transient"
    assert model_outcome(ValueError()) == "other"


def test_open_breaker_answers_dependency_unavailable_without_calling_azure(azure: PlaybackServer,
                                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBUG_BREAKER_FAILURES", "2")
    azure.load([DOWN_503] * 20)
    material = Material(error_description="test", environment={"azure_subscription": SUB})
    first = [run_tool("list_resources_in_group", dict(GROUP), material) for _ in range(2)]
    assert [e.data.get("http_status") for e in first] == [503, 503]
    calls = len(azure.calls)
    refused = run_tool("list_resources_in_group", dict(GROUP), material)
    assert refused.status == "error" and refused.data == {"dependency_unavailable": "resource_manager"}
    assert len(azure.calls) == calls  # answered at once, nothing sent
    assert BREAKERS.state("resource_manager") == "open" and BREAKERS.state("log_analytics") == "closed"


def test_open_model_breaker_the_rules_engine_answers_without_calling_the_model(monkeypatch: pytest.MonkeyPatch):

    unknown = {"error_description": "Our Azure web app shows a blank page since this morning, no error anywhere."}
    monkeypatch.setenv("DEBUG_BREAKER_FAILURES", "2")
    with OpenAIStub([http_error(503)] * 4) as stub, llm_settings(
            monkeypatch, DEBUG_ENGINE="llm", AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true",
            DEBUG_LLM_MAX_RETRIES="0"):
        for _ in range(2):  # two sessions, one failed call each: the breaker opens
            run_session(new_state(unknown))
        assert BREAKERS.state("model") == "open" and len(stub.requests) == 2
        decision, state = run_session(new_state(unknown))
    assert decision.request.question.startswith(UNAVAILABLE)
    assert len(stub.requests) == 2 and state.llm_usage.calls == 0  # no call went out


def test_the_entity_steps_the_shared_breaker_and_a_new_instance_adopts_it_when_open():
    from shared.resilience.breaker import Breakers, apply_operation, from_record

    state = None
    for _ in range(3):
        state = apply_operation(state, "record", {"outcome": "transient", "now": 100.0, "threshold": 3})
    assert state["state"] == "open" and state["opened_at"] == 100.0
    assert apply_operation(state, "record", {"outcome": "success", "now": 101.0, "threshold": 3})["state"] == "closed"
    assert apply_operation(state, "nonsense", {}) == state
    fresh = Breakers(clock=lambda: 110.0)
    fresh.adopt("resource_manager", from_record(state))
    assert fresh.state("resource_manager") == "open"
    assert not fresh.allow("resource_manager")  # within the cool-down
    fresh.adopt("log_analytics", from_record({"state": "closed", "failures": 2}))
    assert fresh.state("log_analytics") == "closed"


class _EntityClient:
    """Records what decide_shared asks of the durable client (the entity itself is tested on devhost)."""

    def __init__(self) -> None:
        self.signals: list[tuple[str, str, dict]] = []
        self.reads = 0

    async def read_entity_state(self, entity):  # type: ignore[no-untyped-def]
        self.reads += 1
        return type("Read", (), {"entity_exists": False, "entity_state": None})()

    async def signal_entity(self, entity, operation, data):  # type: ignore[no-untyped-def]
        self.signals.append((entity.key, operation, data))


@pytest.mark.parametrize("engine, usage, expected", [
    ("rules", None, []),
    ("hybrid", {"calls": 0, "failures": 0}, []),
    ("hybrid", {"calls": 1, "failures": 1}, [("model", "record", "transient")]),
    ("llm", {"calls": 2, "failures": 0}, []),  # a success is news only when the shared breaker counted failures
])
def test_decide_reports_model_outcomes_to_the_shared_breaker(monkeypatch, engine, usage, expected):
    import asyncio

    from shared.orchestration import activities

    monkeypatch.setattr(activities, "load_settings", lambda: type("S", (), {"engine": engine})())
    async def whole_state(payload, client):  # type: ignore[no-untyped-def]
        return "the session state"  # read by reference in the deployed app (StepInput)

    monkeypatch.setattr(activities, "step_state", whole_state)
    monkeypatch.setattr(activities, "decide_state", lambda state: {"decision": {}, "usage": usage})
    client = _EntityClient()
    asyncio.run(activities.decide_shared({}, client))
    assert [(key, op, data["outcome"]) for key, op, data in client.signals] == expected
    assert client.reads == (0 if engine == "rules" else 1)
