"""Per-caller limits over HTTP: a token bucket on starts and continues, and a cap on open sessions."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
BODY = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")["request"]
QUICK = {**BODY, "options": {"wait_seconds": 0}}
KEYS = ("rate-a", "rate-b", "open-a", "burst-a")
SECRET = "rate-test-secret"
ENTITY = "/runtime/webhooks/durabletask/entities/caller_limits/{}"


@pytest.fixture(scope="module")
def limited() -> Iterator[str]:
    env = {"DEVHOST_FUNCTION_KEYS": ",".join(KEYS), "DEBUG_RATE_PER_MINUTE": "3", "DEBUG_RATE_BURST": "3",
           "DEBUG_MAX_OPEN_SESSIONS": "2", "DEBUG_CALLER_SECRET": SECRET,
           "DEVHOST_ENTITY_SIGNAL_DELAY_MS": "150"}  # signals land later, as through Azure's queues
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        yield url


def _entity(http: httpx.Client, key: str) -> str:
    """The caller's limits entity as stored (the owner id is recomputed from the test's caller secret)."""
    owner = hmac.new(SECRET.encode(), f"key:{key}".encode(), "sha256").hexdigest()
    return http.get(ENTITY.format(owner)).text


def _settled(http: httpx.Client, key: str, before: str) -> None:
    """Wait until the entity has applied the signal the last request sent (it runs asynchronously)."""
    deadline = time.monotonic() + 10
    while _entity(http, key) == before and time.monotonic() < deadline:
        time.sleep(0.05)


def _start(http: httpx.Client, key: str) -> httpx.Response:
    before = _entity(http, key)
    response = http.post("/api/debug", json=QUICK, headers={"x-functions-key": key})
    if response.status_code != 429:
        _settled(http, key, before)
    return response


def _delete(http: httpx.Client, key: str, trace_id: str) -> int:
    before = _entity(http, key)
    status = http.delete(f"/api/debug/{trace_id}", headers={"x-functions-key": key}).status_code
    _settled(http, key, before)
    return status


def _assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["error"]["code"] == "rate_limited"


def test_the_bucket_refuses_the_request_over_the_burst_per_caller(limited: str):
    with httpx.Client(base_url=limited, timeout=60) as http:
        first = _start(http, "rate-a")
        trace_id = first.json()["trace_id"]
        assert _delete(http, "rate-a", trace_id) == 204  # keeps under the open cap
        second = _start(http, "rate-a")
        assert _delete(http, "rate-a", second.json()["trace_id"]) == 204
        third = http.post(f"/api/debug/{trace_id}/continue", json={}, headers={"x-functions-key": "rate-a"})
        assert third.status_code == 404  # deleted: refused before any token is spent
        assert _start(http, "rate-a").status_code in (200, 202)
        refused = _start(http, "rate-a")
        _assert_rate_limited(refused)
        assert int(refused.headers["Retry-After"]) <= 20  # one token comes back every 20 s at 3/minute
        assert _start(http, "rate-b").status_code in (200, 202)  # another caller has its own bucket


def test_the_open_session_cap_frees_up_when_a_session_is_deleted(limited: str):
    with httpx.Client(base_url=limited, timeout=60) as http:
        first = _start(http, "open-a").json()["trace_id"]
        assert _start(http, "open-a").status_code in (200, 202)
        _assert_rate_limited(_start(http, "open-a"))
        assert _delete(http, "open-a", first) == 204
        assert _start(http, "open-a").status_code in (200, 202)


def test_a_burst_of_concurrent_starts_admits_no_more_than_the_limits(limited: str):
    # Ten starts at once, before the entity can apply any spend: the process's own ledger must refuse what
    # the entity's (not yet updated) counts would let through. Open cap 2 (< burst 3) decides here.
    def start(_: int) -> int:
        with httpx.Client(base_url=limited, timeout=60) as http:
            return http.post("/api/debug", json=QUICK, headers={"x-functions-key": "burst-a"}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(start, range(10)))
    assert sorted(codes).count(429) == 8, codes
    assert all(code in (200, 202) for code in codes if code != 429), codes
