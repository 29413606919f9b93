"""Runs a session's engine work in-process, without Durable: decide, run the tool, repeat, answering
requests from a scenario's `client:` rules. Used by engine tests and as the benchmark's floor."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import scenarios as evals_scenarios
from evals.playback import PlaybackServer
from evals.scenarios import answer_for_request
from shared.engines.rules import RulesEngine
from shared.models import Context, StartRequest
from shared.session.material import apply_delta, delta_from_continue, material_from_start
from shared.session.state import AskClient, Conclude, Evidence, GiveUp, RunTool, SessionState
from shared.tools.catalog import run_tool

# The design's four example scenarios, copied into the repository (the workplace's ../shared is not part of it).
SHARED_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
OUTSIDE_TOOLS = Path(__file__).resolve().parents[3] / "shared" / "tools"  # present only in the workplace


@dataclass
class Outcome:
    final: Conclude | GiveUp | AskClient
    state: SessionState
    requests: list[AskClient] = field(default_factory=list)

    def envelope(self) -> dict[str, Any]:
        """The parts of the final envelope the scenario scoring reads."""
        if isinstance(self.final, Conclude):
            return {"status": "done", "report": self.final.report.model_dump()}
        if isinstance(self.final, GiveUp):
            return {"status": "fail", "reason": self.final.reason, "report": self.final.report.model_dump()}
        return {"status": "request"}


def load_scenarios(folder: Path = SHARED_SCENARIOS) -> list[dict[str, Any]]:
    return evals_scenarios.load_scenarios(folder)


def run_engine(start: dict[str, Any], client_rules: list[dict[str, Any]] | None = None,
               max_decisions: int = 50, azure_access: bool = False) -> Outcome:
    request = StartRequest.model_validate(start)
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=azure_access,
                         material=material_from_start(request))
    engine, requests = RulesEngine(), []
    for _ in range(max_decisions):
        decision = engine.decide(state)
        if isinstance(decision, RunTool):
            state.add_evidence(run_tool(decision.tool, decision.arguments, state.material))
            state.steps += 1
            continue
        if not isinstance(decision, AskClient):
            return Outcome(decision, state, requests)
        requests.append(decision)
        rule = answer_for_request(decision.request.model_dump(), client_rules or [])
        if rule is None:
            return Outcome(decision, state, requests)
        state.requests_asked.append(decision.request)
        context = Context.model_validate(rule.get("context") or {})
        apply_delta(state.material, delta_from_continue(state.turn, rule.get("answer"), context))
        state.add_evidence(Evidence(tool="client", status="success", summary="client answered"))
        state.turn += 1
    raise AssertionError("the engine did not settle within max_decisions")


def out_of_scope_report(text: str) -> dict[str, Any]:
    """The report of a session on this error text, which must end as a fail with the out_of_scope category."""
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    return dict(envelope["report"])


def settled_report(text: str) -> dict[str, Any]:
    """The report of a session on this error text, which must settle (done or fail) without asking."""
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] in ("done", "fail"), envelope
    return dict(envelope["report"])


def scenario_case(folder: Path, prefix: str) -> dict[str, Any]:
    """A copy of the first scenario in `folder` whose id starts with `prefix` (a test may change its copy)."""
    return copy.deepcopy(next(s for s in load_scenarios(folder) if s["id"].startswith(prefix)))


def recorded_report(azure: PlaybackServer, case: dict[str, Any]) -> dict[str, Any]:
    """The report of a session on a recorded scenario, with Azure access answered by its `azure:` recordings."""
    azure.load(case["azure"])
    return run_engine(case["request"], case.get("client", []), azure_access=True).envelope().get("report") or {}
