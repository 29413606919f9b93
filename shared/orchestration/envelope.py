"""Envelopes as the orchestrator publishes them through custom status, kept under Durable's 16 KB.

Custom status is `{"turn": n, "envelope": {...}}`: `turn` counts the client turns the session has
consumed, so the HTTP layer can tell the state that answers a continue from the one before it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.models import Budget, ClientRequest, Envelope, FailReason, Report
from shared.session.state import SessionState

# Durable limits custom status to 16 KB measured in UTF-16; keep a margin for the wrapper.
CUSTOM_STATUS_LIMIT_BYTES = 15_000
_TEXT_CAPS = (1_000, 400, 160)
# The root cause is the answer; evidence, actions and checked lines support it. A long investigation (a dozen reads,
# each with its summary) used to cut the root cause at the supporting texts' cap, so the name that decided the case
# (the zone, the scope, the setting) was lost past 400 characters. It keeps this much until every other text is cut.
ROOT_CAUSE_KEEP = 1_500


def working(state: SessionState, message: str) -> Envelope:
    return _envelope(state, "continue", "poll", message)


def asking(state: SessionState, request: ClientRequest) -> Envelope:
    env = _envelope(state, "request", "answer", request.question)
    env.request = request
    return env


def paused(state: SessionState) -> Envelope:
    message = (f"Round {state.round} used its budget ({state.round_steps} steps) without a conclusion; "
               "call continue to run another round.")
    return _envelope(state, "continue", "continue", message)


def done(state: SessionState, message: str, report: Report) -> Envelope:
    state.progress = 100
    env = _envelope(state, "done", "none", message)
    env.report = report
    return env


def failed(state: SessionState, reason: FailReason, message: str, report: Report) -> Envelope:
    state.progress = 100
    env = _envelope(state, "fail", "none", message)
    env.reason = reason
    env.report = report
    return env


def advance_progress(state: SessionState) -> None:
    """Progress grows with steps against the session's whole budget; it never goes down."""
    budget = state.options.max_depth * state.options.max_rounds
    estimate = min(95, 5 + (90 * state.steps) // max(budget, 1))
    state.progress = max(state.progress, estimate)


def custom_status(envelope: Envelope, turn: int, poll: dict[str, Any] | None = None) -> dict:
    """The custom status for an envelope, shrunk until it fits the limit; `poll` is the session's poll capability
    (nonce and fixed expiry, never a secret: the HMAC key is the server's)."""
    extra = {"poll": poll} if poll else {}
    body = envelope.to_json_dict()
    for cap, root_cap in [(cap, max(cap, ROOT_CAUSE_KEEP)) for cap in _TEXT_CAPS] + [(_TEXT_CAPS[-1], _TEXT_CAPS[-1])]:
        if _size({"turn": turn, "envelope": body, **extra}) <= CUSTOM_STATUS_LIMIT_BYTES:
            return {"turn": turn, "envelope": body, **extra}
        body = _shrunk(envelope, cap, root_cap).to_json_dict()
    evidence = body.get("report", {}).get("evidence", [])
    while evidence and _size({"turn": turn, "envelope": body, **extra}) > CUSTOM_STATUS_LIMIT_BYTES:
        evidence.pop()
    return {"turn": turn, "envelope": body, **extra}


def _envelope(state: SessionState, status, next_action, message: str) -> Envelope:
    return Envelope(trace_id=state.trace_id, status=status, next_action=next_action, message=message,
                    progress=state.progress, round=state.round, steps=state.steps)


def budget_of(state: SessionState, status: str, now: datetime) -> Budget:
    """What is left at `now` (the orchestrator's clock): of the running round, else of the next one; nothing of
    a finished session but its rounds (a re-opened session gets a new round)."""
    options = state.options
    tokens = None if state.model_token_budget is None else max(0, state.model_token_budget - state.llm_usage.tokens)
    rounds_left = max(0, options.max_rounds - state.round)
    if status in ("done", "fail"):
        return Budget(steps_left=0, seconds_left=0, rounds_left=rounds_left, model_tokens_left=tokens)
    seconds = options.time_limit_seconds
    if state.round_started_at and state.waiting is None:
        elapsed = (now - datetime.fromisoformat(state.round_started_at)).total_seconds()
        seconds = max(0, int(options.time_limit_seconds - elapsed))
    steps = options.max_depth if state.waiting is not None else max(0, options.max_depth - state.round_steps)
    return Budget(steps_left=steps, seconds_left=seconds, rounds_left=rounds_left, model_tokens_left=tokens)


def _size(payload: dict) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le"))


def _shrunk(envelope: Envelope, cap: int, root_cap: int) -> Envelope:
    def cut(text: str, limit: int = cap) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    env = envelope.model_copy(deep=True)
    env.message = cut(env.message)
    if env.request:
        env.request.question, env.request.why = cut(env.request.question), cut(env.request.why)
        env.request.suggested_commands = [cut(c) for c in env.request.suggested_commands[:5]]
    if env.report:
        env.report.root_cause = cut(env.report.root_cause, root_cap)
        for item in env.report.evidence:
            item.summary = cut(item.summary)
        env.report.actions = [cut(a) for a in env.report.actions[:10]]
        env.report.checked = [cut(c) for c in env.report.checked[:20]]
    return env
