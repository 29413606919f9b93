"""Telemetry of a real session's activities, in-process, with in-memory exporters: one trace across two
rounds and a continue_as_new, the spans' and metrics' attributes, and no content or secret in any."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from opentelemetry.trace import SpanKind

from shared import telemetry
from shared.models import Context
from shared.orchestration import activities, envelope
from shared.session.material import apply_delta, delta_from_continue
from shared.session.state import AskClient, Conclude, DecisionEnvelope, Evidence, RunTool, SessionState
from shared.telemetry.spans import session_span, tracer
from tests.helpers.canaries import canaries, leaked
from tests.helpers.engine_loop import load_scenarios
from tests.helpers.llm_session import CANARY, SECRET_LINE, llm_settings, new_state
from tests.helpers.openai_stub import COMPLETION_TOKENS, PROMPT_TOKENS, OpenAIStub, final, tool_call
from tests.helpers.telemetry_capture import Capture, capture, exported_text

MARKER = "zq-content-marker-5d1e"  # plain content (not a secret): redaction keeps it, telemetry must not
CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_PARENT = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"
MODULE = next(s for s in load_scenarios() if s["id"] == "module-not-found-functions-python")
WORKBOOK = Path(__file__).resolve().parents[2] / "infra" / "workbook-debug-sessions.json"


@pytest.fixture
def exported() -> Capture:
    return capture()


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    with OpenAIStub() as stub, llm_settings(monkeypatch, DEBUG_ENGINE="llm", AZURE_OPENAI_ENDPOINT=stub.base_url,
                                            DEBUG_OPENAI_COMPATIBLE="true", DEBUG_LLM_MAX_RETRIES="0"):
        yield stub


def started_state() -> SessionState:
    """A session started through a traced request that carries the caller's traceparent."""
    start = copy.deepcopy(MODULE["request"])
    start["error_description"] += f"\n{MARKER}\nDefaultEndpointsProtocol=https;AccountName=media;{SECRET_LINE};\n"
    start["context"]["source_files"].append({"path": "notes.txt", "content": f"{MARKER} {CANARY}"})
    state = new_state(start)

    @telemetry.traced_request("debug")
    async def start_handler(req: func.HttpRequest, client: Any) -> func.HttpResponse:
        telemetry.stamp_session(state)
        return func.HttpResponse("{}", status_code=202)

    request = func.HttpRequest("POST", "http://localhost/api/debug", headers={"traceparent": CALLER_PARENT},
                               body=b"{}", route_params={})
    asyncio.run(start_handler(request, None))
    return state


def run_round(state: SessionState) -> Any:
    """The orchestrator's round, through the real activities and with the same payloads."""
    for _ in range(10):
        decided = DecisionEnvelope.model_validate(activities.decide(state.model_dump(mode="json")))
        state.record_usage(decided.usage)
        if not isinstance(decided.decision, RunTool):
            return decided.decision
        payload = {"tool": decided.decision.tool, "arguments": decided.decision.arguments,
                   "material": state.material.model_dump(mode="json"), "session": telemetry.session_ref(state)}
        state.add_evidence(Evidence.model_validate(activities.run_one_tool(payload)))
        state.steps += 1
        state.round_steps += 1
    raise AssertionError("the round did not settle")


def answer_and_carry_on(state: SessionState, answer: str) -> SessionState:
    """The client's answer, then continue_as_new: the next execution gets the state as JSON."""
    apply_delta(state.material, delta_from_continue(state.turn, answer, Context()))
    state.turn, state.round, state.round_steps = state.turn + 1, state.round + 1, 0
    return SessionState.model_validate(json.loads(state.model_dump_json()))


def two_round_session(llm: OpenAIStub) -> SessionState:
    llm.script = [tool_call("get_requirement_status", module="requests"),
                  final("request", "I need the deployment log.", question="Please paste the deployment log.",
                        why="It shows which step failed."),
                  final("done", "requests is missing from requirements.txt.", category="runtime.dependency_missing",
                        root_cause="requirements.txt does not list requests.", confidence="high")]
    state = started_state()
    assert isinstance(run_round(state), AskClient)
    state = answer_and_carry_on(state, f"the log says {MARKER} and {SECRET_LINE}")
    decision = run_round(state)
    assert isinstance(decision, Conclude)
    final_envelope = envelope.done(state, decision.message, decision.report)
    telemetry.record_session_finished(final_envelope, state.started_at, datetime.now(UTC))  # as the orchestrator
    return state


def test_all_spans_of_a_session_share_one_trace_across_rounds(exported: Capture, llm: OpenAIStub):
    state = two_round_session(llm)
    spans = exported.finished_spans()
    by_name: dict[str, list[Any]] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)
    assert len(by_name["POST /api/debug"]) == 1 and len(by_name["session.step"]) == 3
    assert len(by_name["tool.call"]) == 1 and len(by_name["model.call"]) == 3
    request = by_name["POST /api/debug"][0]
    assert request.kind == SpanKind.SERVER and request.parent.span_id == int(CALLER_PARENT.split("-")[2], 16)
    assert {format(span.context.trace_id, "032x") for span in spans} == {CALLER_TRACE}
    for span in by_name["session.step"] + by_name["tool.call"]:
        assert span.parent.span_id == request.context.span_id  # children of the start request, in any round
        assert span.attributes[telemetry.SESSION_ID] == state.trace_id
    steps = by_name["session.step"]
    assert [(s.attributes["debug.round"], s.attributes["debug.step"], s.attributes["debug.decision"])
            for s in steps] == [(1, 1, "tool"), (1, 2, "request"), (2, 2, "done")]
    assert {s.attributes["debug.engine"] for s in steps} == {"llm"}
    for call in by_name["model.call"]:
        assert call.parent.span_id in {s.context.span_id for s in steps}
        assert call.attributes["gen_ai.usage.input_tokens"] == PROMPT_TOKENS
        assert call.attributes["gen_ai.usage.output_tokens"] == COMPLETION_TOKENS
    tool = by_name["tool.call"][0].attributes
    assert (tool["debug.tool"], tool["debug.dependency"], tool["debug.status"], tool["debug.round"],
            tool["debug.step"]) == ("get_requirement_status", "material", "success", 1, 1)


def test_metrics_of_a_session(exported: Capture, llm: OpenAIStub):
    two_round_session(llm)
    points = exported.points()

    def total(name: str, **attributes: Any) -> int:
        return sum(p["value"] for p in points
                   if p["name"] == name and attributes.items() <= p["attributes"].items())

    assert total("debug.steps", engine="llm") == 3 and total("debug.steps", decision="request") == 1
    assert total("debug.tool.calls", tool="get_requirement_status", dependency="material", status="success") == 1
    assert total("debug.tool.duration", tool="get_requirement_status") == 1  # one recorded duration
    assert total("debug.model.tokens", type="prompt") == 3 * PROMPT_TOKENS
    assert total("debug.model.tokens", type="completion") == 3 * COMPLETION_TOKENS
    assert total("debug.sessions.finished", status="done", reason="none", category="runtime.dependency_missing") == 1
    assert total("debug.session.duration", status="done") == 1


def test_no_span_or_metric_carries_content_or_a_secret(exported: Capture, llm: OpenAIStub):
    two_round_session(llm)
    text = exported_text(exported.finished_spans(), exported.points())
    assert "session.step" in text and "debug.tool" in text
    for content in (MARKER, CANARY, "notes.txt", "deployment log", "requirements.txt does not list"):
        assert content not in text


def test_a_made_up_tool_name_is_not_recorded_and_fails_its_span(exported: Capture):
    ref = {"trace_id": "e" * 32, "traceparent": None, "round": 1, "step": 1}
    activities.run_one_tool({"tool": f"tool {MARKER}", "arguments": {}, "session": ref})
    [span] = exported.finished_spans()
    assert span.attributes["debug.tool"] == "unknown" and span.attributes["debug.status"] == "error"
    assert not span.status.is_ok and MARKER not in exported_text([span], exported.points())


def test_a_failing_span_records_the_type_never_the_message(exported: Capture):
    with pytest.raises(ValueError), session_span("session.step", {"trace_id": "f" * 32}):
        raise ValueError(f"quoting {MARKER}")
    [span] = exported.finished_spans()
    assert span.attributes["error.type"] == "ValueError" and span.events == ()
    assert MARKER not in exported_text([span], [])


def test_logs_inside_a_session_span_carry_its_trace_id(exported: Capture, caplog: pytest.LogCaptureFixture):
    log = logging.getLogger("shared.test")
    with caplog.at_level(logging.INFO):
        with session_span("session.step", {"trace_id": "a" * 32}):
            log.info("inside")
        log.info("outside")
    seen = [(r.getMessage(), getattr(r, "trace_id", None)) for r in caplog.records if r.name == "shared.test"]
    assert seen == [("inside", "a" * 32), ("outside", "")]


@pytest.mark.parametrize(("env", "mode"), [
    ({}, "off"),
    ({"APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x"}, "azure"),
    # The worker exports itself: configuring the distro again would send everything twice.
    ({"APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x",
      "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY": "true"}, "worker"),
    ({"DEBUG_TELEMETRY": "console", "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x"}, "console"),
])
def test_the_telemetry_mode_follows_the_settings(env: dict[str, str], mode: str):
    assert telemetry.telemetry_mode(env) == mode


def test_the_workbook_is_a_workbook_with_the_required_views():
    workbook = json.loads(WORKBOOK.read_text(encoding="utf-8"))
    assert workbook["version"] == "Notebook/1.0" and isinstance(workbook["items"], list)
    queries = " ".join(item["content"].get("query", "") for item in workbook["items"] if item["type"] == 3)
    for table in ("requests", "dependencies", "customMetrics"):
        assert table in queries
    parameters = [p["name"] for item in workbook["items"] if item["type"] == 9
                  for p in item["content"]["parameters"]]
    assert "TraceId" in parameters and "{TraceId}" in queries
    metrics_code = (WORKBOOK.parents[1] / "shared" / "telemetry" / "metrics.py").read_text(encoding="utf-8")
    for metric in ("debug.cases.lookups", "debug.cases.verifications", "debug.cases.feedback",
                   "debug.memory.pressure"):  # a tile per case-memory and memory-pressure metric the app emits
        assert f'"{metric}"' in metrics_code and f'name == "{metric}"' in queries, metric


def call(route: str, req: func.HttpRequest, status: int = 200) -> None:
    @telemetry.traced_request(route)
    async def handler(request: func.HttpRequest, client: Any) -> func.HttpResponse:
        return func.HttpResponse("{}", status_code=status)
    asyncio.run(handler(req, None))


def test_under_the_workers_request_span_ours_is_its_child(exported: Capture):
    req = func.HttpRequest("GET", f"http://localhost/api/debug/{'b' * 32}?token=t", body=b"",
                           route_params={"trace_id": "b" * 32})
    with tracer().start_as_current_span("worker invocation", kind=SpanKind.SERVER):
        call("debug/{trace_id}", req, status=500)
    ours, worker = exported.finished_spans()
    assert ours.kind == SpanKind.INTERNAL and ours.parent.span_id == worker.context.span_id
    assert ours.attributes[telemetry.SESSION_ID] == "b" * 32 and not ours.status.is_ok
    assert "token" not in exported_text([ours], [])  # the route template, never the URL


def test_a_malformed_session_id_in_the_route_is_not_recorded(exported: Capture):
    req = func.HttpRequest("GET", "http://localhost/api/debug/x", body=b"", route_params={"trace_id": MARKER})
    call("debug/{trace_id}", req, status=404)
    [span] = exported.finished_spans()
    assert telemetry.SESSION_ID not in span.attributes and MARKER not in exported_text([span], [])


def test_with_a_connection_string_the_azure_monitor_distro_is_configured_once():
    # A child process: OpenTelemetry's global providers can be set only once per process.
    code = ("from opentelemetry import metrics, trace\n"
            "from shared.telemetry import configure_telemetry\n"
            "print(configure_telemetry(), configure_telemetry())\n"
            "print(type(trace.get_tracer_provider()).__name__, type(metrics.get_meter_provider()).__name__)\n")
    env = {**os.environ, "APPLICATIONINSIGHTS_CONNECTION_STRING":
           "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"}
    env.pop("PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY", None)
    env.pop("DEBUG_TELEMETRY", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=WORKBOOK.parents[1], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.split() == ["azure", "azure", "TracerProvider", "MeterProvider"], done.stderr[-2000:]


def test_no_canary_of_the_whole_corpus_reaches_a_prompt_a_span_a_metric_or_a_decision(exported: Capture,
                                                                                     llm: OpenAIStub):
    corpus = canaries()
    start = copy.deepcopy(MODULE["request"])
    start["error_description"] += "\n" + "\n".join(c.text for c in corpus[: len(corpus) // 2])
    start["context"]["source_files"].append(
        {"path": "settings.txt", "content": "\n".join(c.text for c in corpus[len(corpus) // 2:])})
    llm.script = [tool_call("get_requirement_status", module="requests"),
                  final("done", "requests is missing from requirements.txt.", category="runtime.dependency_missing",
                        root_cause="requirements.txt does not list requests.", confidence="high")]
    state = new_state(start)
    decision = run_round(state)
    assert isinstance(decision, Conclude)
    assert len(llm.requests) == 2 and len(corpus) >= 150
    emitted = "\n".join([llm.prompts(), exported_text(exported.finished_spans(), exported.points()),
                         decision.model_dump_json(), state.model_dump_json()])
    assert leaked(emitted, corpus) == []


def test_a_repeated_tool_call_is_a_cache_hit_and_is_not_made_again(exported: Capture, llm: OpenAIStub):
    llm.script = [tool_call("get_requirement_status", module="requests"),
                  tool_call("get_requirement_status", module="requests"),  # the same call again
                  final("done", "requests is missing from requirements.txt.", category="runtime.dependency_missing",
                        root_cause="requirements.txt does not list requests.", confidence="high")]
    state = new_state(copy.deepcopy(MODULE["request"]))
    assert isinstance(run_round(state), Conclude)
    assert [e.tool for e in state.ledger] == ["get_requirement_status"]
    hits = [p for p in exported.points() if p["name"] == "debug.tool.cache_hits"]
    assert [(p["attributes"], p["value"]) for p in hits] == [({"tool": "get_requirement_status", "engine": "llm"}, 1)]
