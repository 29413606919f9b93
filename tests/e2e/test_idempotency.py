"""`Idempotency-Key` on start, over HTTP on devhost: one session per (caller, key) within the session TTL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
KEY_A, KEY_B = "idem-caller-a", "idem-caller-b"
BODY = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")["request"]
QUICK = {**BODY, "options": {"wait_seconds": 0}}
TTL_SECONDS = 3


@pytest.fixture(scope="module")
def devhost() -> Iterator[str]:
    env = {"DEBUG_POLL_TOKEN_SECRET": "idem-secret", "DEVHOST_FUNCTION_KEYS": f"{KEY_A},{KEY_B}",
           "DEBUG_SESSION_TTL_SECONDS": str(TTL_SECONDS)}
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        yield url


def sessions(http: httpx.Client) -> list[dict[str, Any]]:
    return [i for i in http.get("/runtime/webhooks/durabletask/instances/").json() if i["name"] == "debug_session"]


def start(http: httpx.Client, caller: str, key: str | None) -> httpx.Response:
    headers = {"x-functions-key": caller, **({"Idempotency-Key": key} if key is not None else {})}
    return http.post("/api/debug", json=QUICK, headers=headers)


def test_same_key_same_caller_same_session_other_caller_its_own(devhost: str):
    with httpx.Client(base_url=devhost, timeout=60) as http:
        first = start(http, KEY_A, "order-42")
        assert first.status_code in (200, 202), first.text
        count = len(sessions(http))
        again = start(http, KEY_A, "order-42")
        assert again.status_code in (200, 202), again.text
        assert again.json()["trace_id"] == first.json()["trace_id"]
        assert len(sessions(http)) == count, "no second instance"

        other = start(http, KEY_B, "order-42")
        assert other.status_code in (200, 202)
        trace_ids = {first.json()["trace_id"], other.json()["trace_id"]}
        assert len(trace_ids) == 2 and all(len(t) == 32 for t in trace_ids)
        assert start(http, KEY_A, "order-43").json()["trace_id"] not in trace_ids
        assert start(http, KEY_A, None).json()["trace_id"] != start(http, KEY_A, None).json()["trace_id"]


@pytest.mark.parametrize("key", ["", "x" * 201, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_refused_naming_the_header(devhost: str, key: str):
    with httpx.Client(base_url=devhost, timeout=60) as http:
        headers = {"x-functions-key": KEY_A, "Idempotency-Key": key.encode("utf-8")}
        response = http.post("/api/debug", json=QUICK, headers=headers)  # type: ignore[arg-type]
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_header" and error["details"][0]["field"] == "Idempotency-Key"


def test_a_key_older_than_the_ttl_starts_a_new_session(devhost: str):
    with httpx.Client(base_url=devhost, timeout=60) as http:
        trace_id = start(http, KEY_A, "expiring").json()["trace_id"]
        created = http.get(f"/runtime/webhooks/durabletask/instances/{trace_id}").json()["createdTime"]
        deadline = time.monotonic() + TTL_SECONDS * 4 + 10
        while http.get(f"/api/debug/{trace_id}", headers={"x-functions-key": KEY_A}).json()["status"] != "fail":
            assert time.monotonic() < deadline, "the session should expire waiting for the client"
            time.sleep(0.3)
        assert start(http, KEY_A, "expiring").json()["trace_id"] == trace_id  # finished, within the TTL
        time.sleep(TTL_SECONDS + 0.5)
        restarted = start(http, KEY_A, "expiring")
        assert restarted.status_code in (200, 202) and restarted.json()["trace_id"] == trace_id
        assert http.get(f"/runtime/webhooks/durabletask/instances/{trace_id}").json()["createdTime"] != created


def test_a_poll_token_is_fixed_at_the_start_expires_then_and_dies_with_its_session(devhost: str):
    with httpx.Client(base_url=devhost, timeout=60) as http, httpx.Client(timeout=60) as bare:
        started = start(http, KEY_A, "poll-capability")
        poll = started.json()["links"]["poll"]
        trace_id = started.json()["trace_id"]
        assert bare.get(poll).status_code in (200, 202)
        again = http.get(f"/api/debug/{trace_id}", headers={"x-functions-key": KEY_A}).json()["links"]["poll"]
        assert again == poll and bare.get(poll).json()["links"]["poll"] == poll  # reading never renews it
        expiry = int(poll.split("token=")[1].split(".")[0])
        time.sleep(max(0.0, expiry - time.time()) + 1.5)
        assert bare.get(poll).status_code == 404  # expired at the time fixed when the session started

        # a later session under the same Idempotency-Key (the same trace_id) does not honour the earlier token
        while http.get(f"/api/debug/{trace_id}", headers={"x-functions-key": KEY_A}).json()["status"] != "fail":
            time.sleep(0.3)
        time.sleep(TTL_SECONDS + 0.5)  # the key names a new session once the old one is older than the TTL
        restarted = start(http, KEY_A, "poll-capability")
        assert restarted.json()["trace_id"] == trace_id and restarted.json()["links"]["poll"] != poll
        new_poll = restarted.json()["links"]["poll"]
        assert bare.get(poll).status_code == 404 and bare.get(new_poll).status_code in (200, 202)
        assert http.delete(f"/api/debug/{trace_id}", headers={"x-functions-key": KEY_A}).status_code == 204
        assert bare.get(new_poll).status_code == 404  # deleting the session revoked it
