"""Benchmark: what a session read costs, by route, on a session carrying a full material budget.

    .venv/bin/python bench/bench_reads.py [--reads 300]

A keyed GET must check that the caller owns the session; the signed poll URL needs no such check. Both are
timed over real HTTP against devhost, side by side, with the size of the instance status each read asks
Durable for (with and without the orchestration input). A script, not a test: figures depend on the machine."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import percentile  # noqa: E402
from shared.security.rate_limit import NO_LIMITS_ENV  # noqa: E402
from tests.helpers.devhost_process import run_devhost  # noqa: E402

STATUS = "/runtime/webhooks/durabletask/instances/{}"


def big_session(http: httpx.Client) -> dict:
    """A session that waits for the client, with as much material as the session budget keeps."""
    files = [{"path": f"src/module_{i}.py", "content": f"# module {i}\n" + "value = 'x' * 80\n" * 2_000,
              "relevance": "secondary"} for i in range(10)]
    body = {"error_description": "Azure Function deployment failed with connection timeout to storage account "
                                 "'mystorageaccount'. " + "trace line\n" * 3_000,
            "context": {"source_files": files, "environment_info": {"resource_group": "functions-rg"}}}
    envelope = http.post("/api/debug", json=body).json()
    assert envelope["status"] == "request", envelope
    return envelope


def timed(http: httpx.Client, url: str, reads: int) -> list[float]:
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        assert http.get(url).status_code == 200
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=300)
    reads = parser.parse_args().reads
    with run_devhost(REPO, env={"DEBUG_POLL_TOKEN_SECRET": "bench", **NO_LIMITS_ENV}) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        envelope = big_session(http)
        trace_id = envelope["trace_id"]
        with_input = len(http.get(STATUS.format(trace_id), params={"showInput": "true"}).content)
        without_input = len(http.get(STATUS.format(trace_id), params={"showInput": "false"}).content)
        keyed = timed(http, f"/api/debug/{trace_id}", reads)
        polled = timed(http, envelope["links"]["poll"], reads)
    print(f"instance status: {with_input:,} bytes with the input, {without_input:,} without")
    print(f"{'route':<28}{'p50 ms':>10}{'p95 ms':>10}   ({reads} reads each)")
    for name, values in (("GET /api/debug/{id} (owner)", keyed), ("GET …/poll (token)", polled)):
        print(f"{name:<28}{percentile(values, 50):>10.2f}{percentile(values, 95):>10.2f}")


if __name__ == "__main__":
    main()
