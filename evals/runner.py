"""Plays scenario files through the real app on devhost and scores each against its `expect`.

Scenarios without an `azure:` section run on a devhost with no Azure access; the others on a devhost
whose every Azure call goes to a local playback server answering from the scenario's recordings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devhost.process import run_devhost
from evals.client import follow
from evals.playback import PlaybackServer
from evals.scenarios import score, within_limits
from shared.rate_limit import NO_LIMITS_ENV

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    scenario_id: str
    reasons: list[str]

    @property
    def passed(self) -> bool:
        return not self.reasons


def play(base_url: str, scenario: dict[str, Any]) -> list[str]:
    """One scenario as a client plays it; the reasons it fails (empty: it passed)."""
    with httpx.Client(base_url=base_url, timeout=240) as http:
        started = http.post("/api/debug", json=scenario["request"])
        if started.status_code not in (200, 202):
            return [f"start answered {started.status_code}: {started.text[:200]}"]
        session = follow(http, started.json(), scenario.get("client", []))
    options = scenario["request"].get("options") or {}
    return score(scenario["expect"], session.last, session.requests) + within_limits(options, session.last)


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
                result.reasons += repeated_calls(playback.calls[before:])
                yield result
            elif offline is not None:
                yield _guarded(scenario, lambda s=scenario: play(offline, s))


def _guarded(scenario: dict[str, Any], action: Any) -> Result:
    try:
        return Result(scenario["id"], action())
    except Exception as exc:  # one broken scenario is a failure line, not the end of the run
        return Result(scenario["id"], [f"{type(exc).__name__}: {exc}"[:300]])
