"""Simulated App Service Authentication: platform principal headers come from devhost, never the client."""

from __future__ import annotations

import base64
import json

from devhost.easy_auth import platform_headers


def test_client_sent_platform_headers_are_always_removed() -> None:
    forged = {"x-ms-client-principal-id": "alice", "x-ms-client-principal": "e30=", "x-other": "kept"}
    assert platform_headers(forged, easy_auth=True) == {"x-other": "kept"}
    assert platform_headers(forged, easy_auth=False) == {"x-other": "kept"}


def test_a_simulated_sign_in_becomes_the_platform_headers() -> None:
    headers = platform_headers({"x-devhost-principal": "bob", "x-ms-client-principal-id": "alice"}, easy_auth=True)
    assert headers["x-ms-client-principal-id"] == "bob" and "x-devhost-principal" not in headers
    claims = json.loads(base64.b64decode(headers["x-ms-client-principal"]))["claims"]
    assert {"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "bob"} in claims


def test_without_easy_auth_a_simulated_sign_in_means_nothing() -> None:
    assert platform_headers({"x-devhost-principal": "bob"}, easy_auth=False) == {}
