"""--require-keys: function and admin routes need the key; anonymous routes never do."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.devhost.support import SAMPLE_APP
from tests.helpers.devhost_process import devhost_log, run_devhost

KEY = "test-key-123"


@pytest.fixture(scope="module")
def keyed() -> Iterator[httpx.Client]:
    with (run_devhost(SAMPLE_APP, env={"DEVHOST_FUNCTION_KEY": KEY}, extra_args=["--require-keys"]) as url,
          httpx.Client(base_url=url, timeout=30) as client):
        yield client


def test_missing_or_wrong_key_is_401_with_empty_body(keyed: httpx.Client) -> None:
    wrong_key = {"x-functions-key": "no"}
    for response in (keyed.get("/api/items/new"), keyed.get("/api/items/new", headers=wrong_key),
                     keyed.get("/api/items/new?code=nope"), keyed.get("/api/admin-only")):
        assert response.status_code == 401
        assert response.content == b""


def test_key_in_header_or_code_parameter_is_accepted(keyed: httpx.Client) -> None:
    assert keyed.get("/api/items/new", headers={"x-functions-key": KEY}).json() == {"item": "new"}
    assert keyed.get(f"/api/items/new?code={KEY}").status_code == 200
    assert keyed.get("/api/admin-only", headers={"x-functions-key": KEY}).status_code == 200


def test_anonymous_routes_need_no_key(keyed: httpx.Client) -> None:
    assert keyed.get("/api/echo/free").status_code == 200


def test_durable_starter_works_with_a_key(keyed: httpx.Client) -> None:
    response = keyed.post("/api/orchestrators/chain", json=["K"], headers={"x-functions-key": KEY})
    assert response.status_code == 202


def test_a_generated_key_is_printed_once_and_works() -> None:
    with run_devhost(SAMPLE_APP, env={"DEVHOST_FUNCTION_KEY": ""}, extra_args=["--require-keys"]) as url:
        found = re.findall(r"function key \(send as x-functions-key or \?code=\): (\S+)", devhost_log(url))
        assert len(found) == 1
        assert httpx.get(f"{url}/api/items/new", headers={"x-functions-key": found[0]}).status_code == 200
        assert httpx.get(f"{url}/api/items/new").status_code == 401
