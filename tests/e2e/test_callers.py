"""Sessions belong to their caller: two function keys, and two Entra principals behind (simulated) Easy Auth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
KEY_A, KEY_B = "caller-a-key", "caller-b-key"
BODY = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")["request"]
QUICK = {**BODY, "options": {"wait_seconds": 0}}
ENV = {"DEBUG_POLL_TOKEN_SECRET": "e2e-secret", "DEBUG_RATE_PER_MINUTE": "1000"}


@pytest.fixture(scope="module")
def two_keys() -> Iterator[str]:
    env = {**ENV, "DEVHOST_FUNCTION_KEYS": f"{KEY_A},{KEY_B}"}
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        yield url


@pytest.fixture(scope="module")
def easy_auth() -> Iterator[str]:
    with run_devhost(REPO, env=ENV, extra_args=["--easy-auth"]) as url:
        yield url


def _assert_private(http: httpx.Client, trace_id: str, owner: dict, other: dict) -> None:
    """`other` gets the unknown-session 404 on get, continue and delete; `owner` still sees the session."""
    unknown = http.get(f"/api/debug/{'0' * 32}", headers=other).json()
    for response in (http.get(f"/api/debug/{trace_id}", headers=other),
                     http.post(f"/api/debug/{trace_id}/continue", json={"answer": "x"}, headers=other),
                     http.delete(f"/api/debug/{trace_id}", headers=other)):
        assert response.status_code == 404, response.text
        assert response.json() == unknown
    assert http.get(f"/api/debug/{trace_id}", headers=owner).status_code in (200, 202)


def test_a_session_is_private_to_its_function_key(two_keys: str):
    a, b = {"x-functions-key": KEY_A}, {"x-functions-key": KEY_B}
    with httpx.Client(base_url=two_keys, timeout=60) as http:
        started = http.post("/api/debug", json=QUICK, headers=a)
        assert started.status_code in (200, 202), started.text
        trace_id = started.json()["trace_id"]
        _assert_private(http, trace_id, a, b)
        assert http.get(started.headers.get("Location") or started.json()["links"]["poll"]).status_code in (200, 202)
        assert http.delete(f"/api/debug/{trace_id}", headers=a).status_code == 204


def test_a_session_is_private_to_its_principal(easy_auth: str):
    alice, bob = {"X-Devhost-Principal": "alice-oid"}, {"X-Devhost-Principal": "bob-oid"}
    with httpx.Client(base_url=easy_auth, timeout=60) as http:
        trace_id = http.post("/api/debug", json=QUICK, headers=alice).json()["trace_id"]
        _assert_private(http, trace_id, alice, bob)
        _assert_private(http, trace_id, alice, {})  # not signed in: the anonymous caller


def test_client_sent_principal_headers_are_never_trusted(easy_auth: str):
    forged = {"X-MS-CLIENT-PRINCIPAL-ID": "alice-oid"}
    with httpx.Client(base_url=easy_auth, timeout=60) as http:
        trace_id = http.post("/api/debug", json=QUICK, headers={"X-Devhost-Principal": "alice-oid"}).json()["trace_id"]
        assert http.get(f"/api/debug/{trace_id}", headers=forged).status_code == 404
