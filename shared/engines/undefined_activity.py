"""An orchestration that waits for an activity the app does not define: the name in the call is the wrong one.

A Durable Functions orchestrator that schedules an activity by a name no function of the app carries waits for it
forever (the task is never completed: no error, the instance stays Running). The catalog and the symptom clues can
only say "the orchestrator waits"; the deciding fact is computed from two lists no phrase carries: the activity
names the orchestrator's calls give (`callActivity("X")`, `CallActivityAsync("X")`, `call_activity("X")`) and the
names the rest of the material shows (function definitions, the portal's function list). It holds only when the
material shows the app's functions: another called activity's name appears outside the calls while this one does
not appear anywhere else."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.session.state import AskClient, Conclude, SessionState

# the activity (or sub-orchestration) a call schedules, by its string name
_CALL = re.compile(r"\b(?:callActivity(?:WithRetry)?|CallActivity(?:WithRetry)?Async(?:<[^>()]{1,60}>)?|"
                   r"call_activity(?:_with_retry)?|callSubOrchestrator|CallSubOrchestratorAsync|"
                   r"call_sub_orchestrator)\s*\(\s*[\"']([A-Za-z_][\w-]{2,80})[\"']")
_OPEN = frozenset({"runtime.code_defect", "runtime.timeout", "functions.host_misconfigured"})


def undefined_activity(texts: list[str]) -> tuple[str, str] | None:
    """(the called name no definition shows, a called name that the material does show), or None."""
    text = "\n".join(texts)
    calls = list(_CALL.finditer(text))
    called = list(dict.fromkeys(m.group(1) for m in calls))
    if len(called) < 2:
        return None
    outside = text
    for m in reversed(calls):  # the material without its call sites: what defines or lists the functions
        outside = outside[:m.start(1)] + outside[m.end(1):]
    shown = [name for name in called if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", outside)]
    missing = [name for name in called if name not in shown]
    return (missing[0], shown[0]) if shown and len(missing) == 1 else None


def with_undefined_activity(state: SessionState, decision: Decision) -> Decision:
    """A waiting-orchestration conclusion (or a question, which the computed fact answers), when one scheduled
    activity is a name the app does not define."""
    open_conclusion = isinstance(decision, Conclude) and decision.report.confidence != "high" \
        and decision.report.category in _OPEN
    if not (open_conclusion or isinstance(decision, AskClient)):
        return decision
    material = state.material
    found = undefined_activity([*material.spoken(), *(f.content for f in material.files)])
    if found is None:
        return decision
    missing, defined = found
    concluded = decision if isinstance(decision, Conclude) else Conclude(
        message=f"The orchestrator waits for the undefined activity '{missing}'.",
        report=report(state, category=None, confidence="medium", root_cause="", actions=[], evidence=[]))
    concluded.report.category = "config.wrong_resource_name"
    concluded.report.confidence = "medium"
    concluded.report.root_cause = (
        f"The orchestrator schedules the activity '{missing}', but no function of the app has that name (the "
        f"material shows the app's functions, '{defined}' among them, and never '{missing}'): Durable Functions "
        "waits for a task that no activity will ever complete, so the instance stays Running with no error. "
        "The name in the call is wrong (a typo or a renamed function).")
    concluded.report.actions = [f"Call the activity by the name its function is registered with (or rename the "
                                f"function to '{missing}'), then start a new instance.",
                                "Terminate the instances left Running, since they will never finish."]
    return concluded
