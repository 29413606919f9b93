"""Plays scenario files through the real app on devhost and scores each against its `expect`.

Scenarios without an `azure:` section run on a devhost with no Azure access; the others on a devhost
whose every Azure call goes to a local playback server answering from the scenario's recordings."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devhost.process import run_devhost
from evals.client import follow
from evals.playback import PlaybackServer
from evals.scenarios import confidently_wrong, score, within_limits
from shared.security.rate_limit import NO_LIMITS_ENV

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    scenario_id: str
    reasons: list[str]
    confidently_wrong: bool = False
    steps: int = 0
    requests: int = 0
    azure_calls: int = 0
    duplicate_calls: int = 0
    seconds: float = 0.0
    tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.reasons


def play(base_url: str, scenario: dict[str, Any]) -> Result:
    """One scenario as a client plays it, scored; the reasons it fails are empty when it passed."""
    began = time.monotonic()
    with httpx.Client(base_url=base_url, timeout=240) as http:
        started = http.post("/api/debug", json=scenario["request"])
        if started.status_code not in (200, 202):
            return Result(scenario["id"], [f"start answered {started.status_code}: {started.text[:200]}"])
        session = follow(http, started.json(), scenario.get("client", []))
        tokens = _tokens(http, session.last.get("trace_id"))
    options = scenario["request"].get("options") or {}
    reasons = score(scenario["expect"], session.last, session.requests) + within_limits(options, session.last)
    return Result(scenario["id"], reasons, confidently_wrong=confidently_wrong(scenario["expect"], session.last),
                  steps=int(session.last.get("steps", 0)), requests=session.requests,
                  seconds=time.monotonic() - began, tokens=tokens,
                  extra={"envelope": session.last, "asked": [e.get("request") for e in session.envelopes
                                                             if e.get("status") == "request"]})


def _tokens(http: httpx.Client, trace_id: str | None) -> int | None:
    """The model tokens the session spent, from its state (the Durable management API; devhost only)."""
    if not trace_id:
        return None
    try:
        status = http.get(f"/runtime/webhooks/durabletask/instances/{trace_id}", params={"showInput": "true"})
        usage = ((status.json() or {}).get("input") or {}).get("llm_usage") or {}
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0)) if usage else None


def repeated_calls(calls: list[dict[str, Any]]) -> list[str]:
    seen, repeated = set(), []
    for call in calls:
        key = (call["method"], call["path"].lower())
        if key in seen and call.get("status", 200) < 400:
            repeated.append(f"Azure call made twice: {call['method']} {call['path']}")
        seen.add(key)
    return sorted(set(repeated))


@contextlib.contextmanager
def _hosts(need_offline: bool, need_azure: bool) -> Iterator[tuple[str | None, str | None, PlaybackServer | None]]:
    with contextlib.ExitStack() as stack:
        offline_env = {"DEBUG_AZURE_ACCESS": "none", **NO_LIMITS_ENV}  # one caller by design: limits lifted
        offline = stack.enter_context(run_devhost(REPO, env=offline_env)) if need_offline else None
        playback, online = None, None
        if need_azure:
            playback = PlaybackServer([])
            playback.start()
            stack.callback(playback.stop)
            online = stack.enter_context(run_devhost(REPO, env={**playback.app_settings(), **NO_LIMITS_ENV}))
        yield offline, online, playback


def run_all(scenarios: list[dict[str, Any]], url: str | None = None) -> Iterator[Result]:
    """Results one by one, in file order. With `url`, only scenarios without Azure recordings are played."""
    if url:
        for scenario in scenarios:
            if not scenario.get("azure"):
                yield _guarded(scenario, lambda s=scenario: play(url, s))
        return
    need_azure = any(s.get("azure") for s in scenarios)
    with _hosts(any(not s.get("azure") for s in scenarios), need_azure) as (offline, online, playback):
        for scenario in scenarios:
            if scenario.get("azure") and playback is not None and online is not None:
                playback.load(scenario["azure"])
                before = len(playback.calls)
                result = _guarded(scenario, lambda s=scenario: play(online, s))
                repeated = repeated_calls(playback.calls[before:])
                result.reasons += repeated
                result.azure_calls, result.duplicate_calls = len(playback.calls) - before, len(repeated)
                yield result
            elif offline is not None:
                yield _guarded(scenario, lambda s=scenario: play(offline, s))


def _guarded(scenario: dict[str, Any], action: Any) -> Result:
    try:
        result: Result = action()
        return result
    except Exception as exc:  # one broken scenario is a failure line, not the end of the run
        return Result(scenario["id"], [f"{type(exc).__name__}: {exc}"[:300]])
