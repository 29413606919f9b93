"""Benchmark: example-scenario sessions through devhost over HTTP, beside the same engine work in-process.

    .venv/bin/python bench/bench_sessions.py [--repeat 5] [--concurrency 20]

Prints p50/p95 time to the final envelope for sequential and concurrent sessions over HTTP, and for
the engine alone called in-process (the floor), so the cost of HTTP + Durable shows as a ratio.
A script, not a test: figures depend on the machine."""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import percentile  # noqa: E402
from shared.engines.signatures import clear_signature_scans  # noqa: E402
from shared.security.rate_limit import NO_LIMITS_ENV  # noqa: E402
from tests.helpers.api_client import follow  # noqa: E402
from tests.helpers.devhost_process import run_devhost  # noqa: E402
from tests.helpers.engine_loop import load_scenarios, run_engine  # noqa: E402


def one_http_session(base_url: str, scenario: dict) -> float:
    began = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=120) as http:
        first = http.post("/api/debug", json=scenario["request"]).json()
        session = follow(http, first, scenario.get("client", []))
    assert session.last["status"] in ("done", "fail"), session.last
    return time.perf_counter() - began


def one_engine_session(scenario: dict) -> float:
    clear_signature_scans()  # a repeat must not find its material already classified: each session starts cold
    began = time.perf_counter()
    run_engine(scenario["request"], scenario.get("client", []))
    return time.perf_counter() - began


def row(label: str, times: list[float], floor: float | None = None) -> str:
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    ratio = f"{p50 / (floor * 1000):10.0f}x" if floor else f"{'1x':>11}"
    return f"{label:<34}{len(times):>6}{p50:>12.1f}{p95:>12.1f}{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="sessions per scenario, sequential")
    parser.add_argument("--concurrency", type=int, default=20, help="sessions at once in the concurrent run")
    args = parser.parse_args()
    scenarios = [s for s in load_scenarios() if not s.get("azure")]
    work = [s for s in scenarios for _ in range(args.repeat)]

    floor = [one_engine_session(s) for s in work]
    with run_devhost(REPO, env={"DEBUG_POLL_TOKEN_SECRET": "bench", **NO_LIMITS_ENV}) as base_url:
        one_http_session(base_url, scenarios[0])  # warm-up: imports, first replay
        sequential = [one_http_session(base_url, s) for s in work]
        concurrent_work = [scenarios[i % len(scenarios)] for i in range(args.concurrency)]
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            concurrent = list(pool.map(lambda s: one_http_session(base_url, s), concurrent_work))

    floor_p50 = percentile(floor, 50)
    print(f"scenarios: {', '.join(s['id'] for s in scenarios)}")
    print(f"{'mode':<34}{'n':>6}{'p50 ms':>12}{'p95 ms':>12}{'vs floor':>11}")
    print(row("engine in-process (floor)", floor))
    print(row("devhost HTTP, sequential", sequential, floor_p50))
    print(row(f"devhost HTTP, {args.concurrency} concurrent", concurrent, floor_p50))


if __name__ == "__main__":
    main()
