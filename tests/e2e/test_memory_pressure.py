"""Memory pressure over HTTP: a devhost whose instance size is set far below what the worker already uses sheds
load at once (shared/resilience/memory_guard.py): health says so, a large start gets 503 with Retry-After naming
the body, and a small start still runs to its answer (with the rules engine)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
SMALL = next(s for s in load_scenarios() if s["id"] == "module-not-found-functions-python")["request"]


@pytest.fixture(scope="module")
def pressed() -> Iterator[str]:
    # 10 MB: any Python worker is over 80% of it, so the guard sheds from the first invocation.
    with run_devhost(REPO, env={"DEBUG_INSTANCE_MEMORY_MB": "10", "DEBUG_SHED_START_MAX_BYTES": "20000"}) as url:
        yield url


def test_health_says_the_worker_sheds_load(pressed: str):
    body = httpx.get(f"{pressed}/api/health", timeout=30).json()
    assert body["memory_pressure"] == "shedding" and body["engine"] == "rules"


def test_a_large_start_is_refused_with_retry_after_and_a_small_one_runs(pressed: str):
    large = {**SMALL, "context": {"source_files": [{"path": "big.py", "content": "x = 1\n" * 10_000}]}}
    refused = httpx.post(f"{pressed}/api/debug", json=large, timeout=30)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 30
    error = refused.json()["error"]
    assert error["code"] == "service_unavailable" and error["details"][0]["field"] == "body"
    answered = httpx.post(f"{pressed}/api/debug", json=SMALL, timeout=60)
    assert answered.status_code in (200, 202) and answered.json()["status"] in ("done", "continue", "request")
