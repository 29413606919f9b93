"""Load benchmark: many concurrent sessions through devhost over HTTP, and the replay cost of a long session.

    .venv/bin/python bench/bench_load.py [--sessions 100] [--concurrency 100] [--long-steps 40]

1. `--sessions` sessions, `--concurrency` at a time, cycle through the example scenarios: the offline ones on
   a devhost without Azure access, the Azure-backed one on a devhost whose Azure calls go to the playback
   server. Prints completed (a final `done`/`fail` answer) and failed (an error, or no final answer), how
   many answers differ from the scenario's expectation, p50/p95 time to the final answer, and history
   events per session (the durable webhook's `showHistory`: the last execution's, after continue_as_new).
2. One long session stepped in-process through the SDK's replay engine (tests/helpers/replay.py) with a
   scripted engine that never settles: the replay time of step 1 versus step N. With max_depth=2 and
   auto_continue each round ends in continue_as_new, so history (and replay time) stays flat; the same
   steps in one execution show the growth continue_as_new avoids.
A script, not a test: figures depend on the machine."""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import percentile  # noqa: E402
from evals.playback import PlaybackServer  # noqa: E402
from shared.security.rate_limit import NO_LIMITS_ENV  # noqa: E402
from tests.helpers.api_client import follow  # noqa: E402
from tests.helpers.devhost_process import run_devhost  # noqa: E402
from tests.helpers.engine_loop import load_scenarios  # noqa: E402
from tests.helpers.scenario_score import score  # noqa: E402

LOAD_ENV = {"DEBUG_POLL_TOKEN_SECRET": "load", **NO_LIMITS_ENV}  # one caller by design: limits lifted
HISTORY = "/runtime/webhooks/durabletask/instances/{}?showHistory=true"


@dataclass
class Outcome:
    scenario: str
    seconds: float
    final: str = ""  # done / fail, or "" when the session never answered finally
    as_expected: bool = False
    history_events: int = 0
    error: str = ""


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    wall_seconds: float = 0.0


# ----- 1. concurrent sessions over HTTP -----

def one_session(base_url: str, scenario: dict[str, Any]) -> Outcome:
    began = time.perf_counter()
    outcome = Outcome(scenario["id"], 0.0)
    try:
        with httpx.Client(base_url=base_url, timeout=300) as http:
            started = http.post("/api/debug", json=scenario["request"])
            if started.status_code not in (200, 202):
                raise RuntimeError(f"start answered {started.status_code}")
            session = follow(http, started.json(), scenario.get("client", []))
            outcome.seconds = time.perf_counter() - began
            if session.last["status"] in ("done", "fail"):
                outcome.final = session.last["status"]
            outcome.as_expected = score(scenario["expect"], session.last, session.requests) == []
            trace_id = session.last["trace_id"]
            outcome.history_events = len(http.get(HISTORY.format(trace_id)).json().get("historyEvents") or [])
    except Exception as exc:  # one broken session is a counted failure, not the end of the run
        outcome.seconds = time.perf_counter() - began
        outcome.error = f"{type(exc).__name__}: {exc}"[:200]
    return outcome


def run_load(sessions: int, concurrency: int) -> LoadResult:
    scenarios = load_scenarios()
    azure = next(s for s in scenarios if s.get("azure"))
    work = [scenarios[i % len(scenarios)] for i in range(sessions)]
    with (PlaybackServer(azure["azure"]) as playback,
          run_devhost(REPO, env={"DEBUG_AZURE_ACCESS": "none", **LOAD_ENV}) as offline,
          run_devhost(REPO, env={**playback.app_settings(), **LOAD_ENV}) as online):
        for url, scenario in ((offline, scenarios[0]), (online, azure)):
            one_session(url, scenario)  # warm-up: imports, first replay
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            outcomes = list(pool.map(lambda s: one_session(online if s.get("azure") else offline, s), work))
        return LoadResult(outcomes, time.perf_counter() - began)


def print_load(result: LoadResult, sessions: int, concurrency: int) -> None:
    outcomes = result.outcomes
    completed = [o for o in outcomes if o.final]
    times = [o.seconds for o in completed]
    print(f"load: {sessions} sessions, {concurrency} at a time, {result.wall_seconds:.1f} s wall")
    print(f"  completed {len(completed)}, failed {len(outcomes) - len(completed)}, "
          f"answers not as expected {sum(not o.as_expected for o in completed)}; "
          f"final statuses {dict(Counter(o.final for o in completed))}")
    print(f"  time to final status: p50 {percentile(times, 50):.2f} s, p95 {percentile(times, 95):.2f} s")
    print(f"  {'scenario':<36}{'n':>5}{'p50 s':>8}{'p95 s':>8}{'history events (min-max)':>27}")
    for scenario in sorted({o.scenario for o in outcomes}):
        mine = [o for o in completed if o.scenario == scenario]
        events = [o.history_events for o in mine] or [0]
        seconds = [o.seconds for o in mine]
        print(f"  {scenario:<36}{len(mine):>5}{percentile(seconds, 50):>8.2f}{percentile(seconds, 95):>8.2f}"
              f"{statistics.median(events):>17.0f} ({min(events)}-{max(events)})")
    for error in sorted({o.error for o in outcomes if o.error})[:5]:
        print(f"  error: {error}")


# ----- 2. replay cost of a long session -----

def long_session_replay_ms(steps: int, max_depth: int, repeats: int) -> tuple[list[float], list[int]]:
    """Per step: the median (over `repeats` runs) replay time in ms, and the history length replayed."""
    runs = [_step_through(steps, max_depth) for _ in range(repeats)]
    per_step = [statistics.median(run[0][i] for run in runs) for i in range(steps)]
    return per_step, runs[0][1]


def _step_through(steps: int, max_depth: int) -> tuple[list[float], list[int]]:
    from tests.helpers.replay import ACTIVITY, Replay, Step

    handle, state = _debug_session_handle(), _long_state(steps, max_depth)
    clock = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    replay = Replay(handle, "b" * 32, state, clock)
    step: Step = replay.run()
    timings: list[float] = []
    lengths: list[int] = []
    spent = 0.0  # replay time of the current step: its decide and run_tool completions
    while len(timings) < steps:
        if step.done:
            if step.continued_with is None:
                break
            replay = Replay(handle, "b" * 32, step.continued_with, clock)  # continue_as_new: fresh history
            step = replay.run()
            continue
        task_id, action = next((i, a) for i, a in step.new_actions if a["actionType"] == ACTIVITY)
        clock += timedelta(milliseconds=10)
        result = _scripted(action)
        began = time.perf_counter()
        step = replay.complete(task_id, result, clock)
        spent += time.perf_counter() - began
        if action["functionName"] == "run_tool":
            timings.append(spent * 1000)
            lengths.append(len(replay.history))
            spent = 0.0
    return timings, lengths


@functools.cache  # get_functions() may be called once per app: a second call sees every name twice
def _debug_session_handle() -> Any:
    from function_app import app

    return next(f for f in app.get_functions() if f.get_function_name() == "debug_session").get_user_function()


def _long_state(steps: int, max_depth: int) -> dict[str, Any]:
    from shared.models import StartRequest
    from shared.session.material import material_from_start
    from shared.session.state import SessionState

    scenario = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
    rounds = min(20, -(-steps // max_depth))  # the API's limit is 20 rounds of at most 20 steps
    request = StartRequest.model_validate({**scenario["request"], "options": {
        "max_depth": max_depth, "max_rounds": rounds, "auto_continue": True}})
    return SessionState(trace_id="b" * 32, options=request.options, ttl_seconds=3600,
                        material=material_from_start(request)).model_dump(mode="json")


def _scripted(action: dict[str, Any]) -> dict[str, Any]:
    """A scripted engine that never settles (each decision is one more tool) and its tools' evidence."""
    from shared.session.state import DecisionEnvelope, Evidence, RunTool

    payload = json.loads(action["input"])
    payload = json.loads(payload) if isinstance(payload, str) else payload
    if action["functionName"] == "decide":
        decision = RunTool(tool="get_requirement_status", arguments={"module": f"m{payload['steps']}"},
                           purpose="scripted")
        return DecisionEnvelope(decision=decision).model_dump(mode="json")
    return Evidence(tool=payload["tool"], arguments=payload["arguments"], status="success",
                    summary="scripted").model_dump(mode="json")


def print_replay(steps: int, repeats: int) -> None:
    print(f"replay cost of one long session ({steps} tool steps, median of {repeats} runs)")
    print("  replay ms of steps 1, 2, N-1, N (the same places in a round when a round is 2 steps), and the")
    print("  history events replayed at step N")
    print(f"  {'execution shape':<44}{'1':>7}{'2':>7}{'N-1':>7}{'N':>7}{'N':>4}{'history':>9}")
    small = max(2, -(-steps // 20))  # the smallest round that fits `steps` into 20 rounds
    shapes = ((f"max_depth={small}, continue_as_new each round", small, steps),
              (f"max_depth=20, {min(steps, 20)} steps in one execution", 20, min(steps, 20)))
    for label, depth, shown in shapes:
        timings, lengths = long_session_replay_ms(shown, depth, repeats)
        shown_ms = "".join(f"{timings[i]:>7.2f}" for i in (0, 1, -2, -1))
        print(f"  {label:<44}{shown_ms}{shown:>4}{lengths[-1]:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100, help="sessions in the load run")
    parser.add_argument("--concurrency", type=int, default=100, help="sessions at once")
    parser.add_argument("--long-steps", type=int, default=40, help="tool steps of the long session")
    parser.add_argument("--repeats", type=int, default=5, help="runs of the long session (median)")
    parser.add_argument("--skip-load", action="store_true", help="only the replay-cost part")
    args = parser.parse_args()
    if not args.skip_load:
        print_load(run_load(args.sessions, args.concurrency), args.sessions, args.concurrency)
    print_replay(args.long_steps, args.repeats)


if __name__ == "__main__":
    main()
