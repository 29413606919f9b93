"""CORS as func start does it: nothing granted unless configured; `--cors` grants the listed origins."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.devhost.support import SAMPLE_APP
from tests.helpers.devhost_process import run_devhost

PORTAL = "https://portal.azure.com"


@pytest.fixture(scope="module")
def portal_http() -> Iterator[httpx.Client]:
    with run_devhost(SAMPLE_APP, extra_args=["--cors", PORTAL]) as url, httpx.Client(base_url=url) as client:
        yield client


def test_preflight_from_an_allowed_origin_is_granted(portal_http: httpx.Client) -> None:
    response = portal_http.options("/api/items/42", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-functions-key"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert response.headers["access-control-allow-methods"] == "POST"
    assert response.headers["access-control-allow-headers"] == "content-type,x-functions-key"


def test_an_allowed_origin_may_read_the_answer_and_its_polling_headers(portal_http: httpx.Client) -> None:
    response = portal_http.get("/api/items/42", headers={"Origin": PORTAL})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "Location" in response.headers["access-control-expose-headers"]


def test_another_origin_gets_no_grant(portal_http: httpx.Client) -> None:
    other = {"Origin": "https://evil.example"}
    assert "access-control-allow-origin" not in portal_http.get("/api/items/42", headers=other).headers
    preflight = portal_http.options("/api/items/42", headers={**other, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_without_configuration_nothing_is_granted(http: httpx.Client) -> None:
    response = http.get("/api/items/42", headers={"Origin": PORTAL})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_local_settings_host_cors_is_read_and_the_command_line_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from devhost.cors import CorsPolicy

    (tmp_path / "local.settings.json").write_text(
        '{"Values": {}, "Host": {"CORS": "https://portal.azure.com, http://localhost:3000/", "CORSCredentials": true}}')
    policy = CorsPolicy.from_settings(tmp_path, None)
    assert policy.allows("http://localhost:3000") and policy.allows(PORTAL)
    assert not policy.allows("https://portal.azure.com.evil.example")
    assert policy.grant(PORTAL)["Access-Control-Allow-Credentials"] == "true"
    assert CorsPolicy.from_settings(tmp_path, "*").allows("https://anything.example")
    assert not CorsPolicy.from_settings(tmp_path, "").allows(PORTAL)
