"""With function keys required (as in Azure), debug routes need the key; health and signed polls do not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
KEY = "e2e-function-key"
BODY = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")["request"]


@pytest.fixture(scope="module")
def keyed() -> Iterator[str]:
    with run_devhost(REPO, env={"DEVHOST_FUNCTION_KEY": KEY}, extra_args=["--require-keys"]) as url:
        yield url


def test_debug_routes_refuse_a_missing_or_wrong_key(keyed: str):
    with httpx.Client(base_url=keyed, timeout=60) as http:
        assert http.post("/api/debug", json=BODY).status_code == 401
        assert http.post("/api/debug", json=BODY, headers={"x-functions-key": "wrong"}).status_code == 401
        assert http.get(f"/api/debug/{'0' * 32}").status_code == 401
        assert http.get("/api/health").status_code == 200


def test_the_key_opens_the_api_and_the_poll_url_needs_none(keyed: str):
    with httpx.Client(base_url=keyed, timeout=60) as http:
        started = http.post("/api/debug", json={**BODY, "options": {"wait_seconds": 0}},
                            headers={"x-functions-key": KEY})
        assert started.status_code == 202
        env = started.json()
        assert http.get(f"/api/debug/{env['trace_id']}", params={"code": KEY}).status_code in (200, 202)
    with httpx.Client(timeout=60) as bare:
        assert bare.get(started.headers["Location"]).status_code in (200, 202)


def test_on_azure_without_shared_secrets_the_api_refuses_and_health_says_why():
    env = {"WEBSITE_INSTANCE_ID": "e2e-instance", "DEBUG_POLL_TOKEN_SECRET": "", "DEBUG_CALLER_SECRET": ""}
    with run_devhost(REPO, env=env) as url, httpx.Client(base_url=url, timeout=60) as http:
        health = http.get("/api/health")
        assert health.status_code == 503 and "DEBUG_POLL_TOKEN_SECRET" in health.json()["reason"]
        started = http.post("/api/debug", json=BODY)
        assert started.status_code == 503
        assert started.json()["error"]["code"] == "service_unavailable"
        assert "DEBUG_CALLER_SECRET" in started.json()["error"]["message"]
