"""The model's reply -> the engine's Decision, with pydantic.

A reply is one function call: a catalog tool (arguments validated against the tool's own model) becomes
RunTool; `submit_conclusion` (or the same JSON as plain content) becomes Conclude, AskClient or GiveUp.
Anything else is a ParseError whose text goes back to the model once (the repair call)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from shared.engines.base import Decision
from shared.llm.schema import CONCLUDE_TOOL, FinalAnswer
from shared.models import ClientRequest, EvidenceItem, Report
from shared.security.redaction import redact_value
from shared.session.report import checked_list, evidence_items
from shared.session.state import AskClient, Conclude, GiveUp, RunTool, SessionState
from shared.telemetry.metrics import record_cache_hit
from shared.tools.catalog import catalog, normalized_arguments

UNAVAILABLE = "(not available)"


class ParseError(ValueError):
    """The reply cannot become a decision; the message says why, for the repair call."""


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())[:1_000]


def _json_object(text: str) -> dict[str, Any]:
    # Models wrap JSON in prose or code fences; take the outermost object.
    match = re.search(r"\{.*\}", text or "", re.DOTALL)
    if match is None:
        raise ParseError("the reply holds no function call and no JSON object; call a tool or submit_conclusion")
    try:
        value = json.loads(match.group(0))
    except ValueError as exc:
        raise ParseError(f"the JSON is invalid: {exc}") from exc
    if not isinstance(value, dict):
        raise ParseError("the JSON must be an object")
    return value


def _final(arguments: dict[str, Any]) -> FinalAnswer:
    try:
        return FinalAnswer.model_validate(arguments)
    except ValidationError as exc:
        raise ParseError(f"{CONCLUDE_TOOL} arguments are invalid: {_problems(exc)}") from exc


def _tool_call(name: str, arguments: dict[str, Any], state: SessionState) -> RunTool:
    found = catalog().get(name)
    if found is None:
        # Run anyway: the catalog answers "no tool named ...", and the ledger keeps the suggestion.
        return RunTool(tool=name, arguments=arguments, purpose=f"suggested tool {name} {UNAVAILABLE}")
    try:
        normalized = normalized_arguments(name, arguments)
    except ValidationError as exc:
        raise ParseError(f"arguments of {name} are invalid: {_problems(exc)}") from exc
    if state.find_call(name, normalized) is not None:
        record_cache_hit(name, "llm")
        raise ParseError(f"{name} was already called with these arguments; its result is in the ledger")
    return RunTool(tool=name, arguments=normalized, purpose=f"the model asked for {name}")


def parse_reply(message: Any, state: SessionState) -> RunTool | FinalAnswer:
    """A chat-completions message -> RunTool or FinalAnswer; ParseError when it is neither."""
    calls = getattr(message, "tool_calls", None) or []
    if not calls:
        return _final(_json_object(getattr(message, "content", None) or ""))
    function = calls[0].function
    try:
        arguments = json.loads(function.arguments or "{}")
    except ValueError as exc:
        raise ParseError(f"the arguments of {function.name} are not valid JSON: {exc}") from exc
    if not isinstance(arguments, dict):
        raise ParseError(f"the arguments of {function.name} must be a JSON object")
    if function.name == CONCLUDE_TOOL:
        return _final(arguments)
    return _tool_call(function.name, arguments, state)


def suggestions(state: SessionState, answer: FinalAnswer | None = None) -> list[str]:
    """Tools the model wanted that the catalog lacks: from its unknown calls and its suggested_tools."""
    names = [e.tool for e in state.ledger if e.status == "error" and e.summary.startswith("no tool named")]
    names += answer.suggested_tools if answer else []
    return [f"suggested tool {n} {UNAVAILABLE}" for n in dict.fromkeys(n[:80] for n in names)]


def to_decision(answer: FinalAnswer, state: SessionState, category: str | None) -> Decision:
    """The final answer as the engine's decision; every text is redacted (the model may echo secrets)."""
    decision: Decision
    if answer.status == "request":
        decision = AskClient(request=ClientRequest(question=answer.question, why=answer.why or answer.message,
                                                   suggested_commands=answer.suggested_commands))
    else:
        evidence = evidence_items(state) + [EvidenceItem(source="model", summary=e[:600]) for e in answer.evidence]
        if answer.status == "fail" and answer.fail_reason == "out_of_scope":
            category = "out_of_scope"
        report = Report(category=category or answer.category, root_cause=answer.root_cause or answer.message,
                        confidence=answer.confidence if answer.status == "done" else "low",
                        evidence=evidence[-15:], actions=answer.actions,
                        checked=checked_list(state) + suggestions(state, answer))
        if answer.status == "done":
            decision = Conclude(message=answer.message, report=report)
        else:
            decision = GiveUp(reason=answer.fail_reason, message=answer.message, report=report)
    return _redacted(decision)


def _redacted(decision: Decision) -> Decision:
    cleaned = redact_value(decision.model_dump(mode="json"))
    return type(decision).model_validate(cleaned)
