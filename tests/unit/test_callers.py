"""Caller identity: principal only when the platform vouches for it, else the key's keyed hash, else anonymous."""

from __future__ import annotations

import base64
import json

import azure.functions as func

from shared.security.callers import identify_caller
from shared.settings import SecuritySettings


def _security(trust: bool) -> SecuritySettings:
    return SecuritySettings(caller_secret=b"s", trust_principal=trust, rate_per_minute=10, rate_burst=10,
                            max_open_sessions=5)


def _request(headers: dict[str, str], params: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest("GET", "http://h/api/debug", headers=headers, params=params or {}, body=b"")


def test_principal_is_trusted_only_when_the_platform_says_auth_is_on():
    headers = {"x-ms-client-principal-id": "oid-1", "x-functions-key": "k"}
    assert identify_caller(_request(headers), _security(True)).kind == "principal"
    assert identify_caller(_request(headers), _security(False)).kind == "key"


def test_principal_from_the_encoded_claims():
    doc = {"claims": [{"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "oid-9"}]}
    encoded = base64.b64encode(json.dumps(doc).encode()).decode()
    by_claims = identify_caller(_request({"x-ms-client-principal": encoded}), _security(True))
    by_id = identify_caller(_request({"x-ms-client-principal-id": "oid-9"}), _security(True))
    assert by_claims == by_id
    assert identify_caller(_request({"x-ms-client-principal": "%%%"}), _security(True)).kind == "anonymous"


def test_key_is_hashed_and_header_equals_query():
    header = identify_caller(_request({"x-functions-key": "key-1"}), _security(False))
    query = identify_caller(_request({}, {"code": "key-1"}), _security(False))
    assert header == query and "key-1" not in header.owner_id and len(header.owner_id) == 64
    assert identify_caller(_request({"x-functions-key": "key-2"}), _security(False)) != header
    assert identify_caller(_request({}), _security(False)).kind == "anonymous"
