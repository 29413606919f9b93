"""Delegated Azure identity: the sealed caller token (AES-GCM), its expiry, and whose token Azure sees."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator

import azure.functions as func
import pytest

from evals.playback import PlaybackServer
from shared.azure.delegation import (
    CallerTokenCredential,
    DelegationError,
    NoCallerCredential,
    activity_credential,
    encryption_key,
    jwt_expiry,
    seal,
    token_from_headers,
    unseal,
)
from shared.errors import ApiError
from shared.session.state import Material
from shared.tools.catalog import run_tool

KEY = os.urandom(32)
TRACE = "a" * 32


def jwt(exp: float, sub: str = "caller") -> str:
    """A JWT-shaped token (unsigned: the service never checks signatures, Azure does)."""
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'exp': int(exp), 'sub': sub})}.c2lnbmF0dXJl"


@pytest.fixture
def delegated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "delegated")
    monkeypatch.setenv("DEBUG_TOKEN_ENCRYPTION_KEY", base64.b64encode(KEY).decode())
    yield


def test_round_trip_keeps_only_ciphertext() -> None:
    token = jwt(time.time() + 600)
    sealed = seal("arm", token, TRACE, KEY)
    assert token not in json.dumps(sealed) and token[:16] not in json.dumps(sealed)
    opened = unseal(sealed, TRACE, KEY)
    assert opened is not None and (opened.kind, opened.token, opened.exp) == ("arm", token, jwt_expiry(token))
    assert token not in repr(opened)
    assert seal("arm", token, TRACE, KEY)["nonce"] != sealed["nonce"]  # a fresh nonce per seal


def test_another_sessions_trace_id_cannot_open_it() -> None:
    sealed = seal("arm", jwt(time.time() + 600), TRACE, KEY)
    assert unseal(sealed, "b" * 32, KEY) is None
    assert unseal(sealed, TRACE, os.urandom(32)) is None


def test_expired_is_absent() -> None:
    sealed = seal("obo", jwt(time.time() + 600), TRACE, KEY)
    assert unseal(sealed, TRACE, KEY, now=sealed["exp"] + 1) is None


@pytest.mark.parametrize("field", ["ciphertext", "nonce", "exp"])
def test_tampered_is_absent(field: str) -> None:
    sealed = seal("arm", jwt(time.time() + 600), TRACE, KEY)
    if field == "exp":
        sealed["exp"] += 3600  # a stretched expiry: exp is in the associated data
    else:
        raw = bytearray(base64.b64decode(sealed[field]))
        raw[0] ^= 1
        sealed[field] = base64.b64encode(bytes(raw)).decode()
    assert unseal(sealed, TRACE, KEY) is None


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b", "a..c", jwt(time.time() - 1),
                                   "e30." + base64.urlsafe_b64encode(b'{"sub":"x"}').decode() + ".sig"])
def test_only_unexpired_jwt_shapes_are_accepted(token: str) -> None:
    with pytest.raises(DelegationError):
        seal("arm", token, TRACE, KEY)


def test_the_entra_header_counts_only_when_the_platform_is_trusted() -> None:
    headers = {"x-ms-token-aad-access-token": "entra", "x-azure-access-token": "Bearer arm"}
    assert token_from_headers(headers, trusted=True) == ("obo", "entra")
    assert token_from_headers(headers, trusted=False) == ("arm", "arm")
    assert token_from_headers({}, trusted=True) is None


def test_missing_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEBUG_TOKEN_ENCRYPTION_KEY", raising=False)
    with pytest.raises(DelegationError, match="DEBUG_TOKEN_ENCRYPTION_KEY"):
        encryption_key()
    monkeypatch.setenv("DEBUG_TOKEN_ENCRYPTION_KEY", base64.b64encode(b"short").decode())
    with pytest.raises(DelegationError):
        encryption_key()


def test_activity_credential_by_mode(monkeypatch: pytest.MonkeyPatch, delegated_env: None) -> None:
    token = jwt(time.time() + 600)
    carried = {"trace_id": TRACE, "sealed": seal("arm", token, TRACE, KEY)}
    credential = activity_credential(carried)
    assert isinstance(credential, CallerTokenCredential) and credential.get_token("s").token == token
    assert isinstance(activity_credential({"trace_id": "c" * 32, "sealed": carried["sealed"]}), NoCallerCredential)
    assert isinstance(activity_credential(None), NoCallerCredential)
    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "app")
    assert activity_credential(carried) is None


def test_azure_sees_the_callers_token_and_clients_are_not_shared(azure: PlaybackServer, delegated_env: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.orchestration.activities import run_one_tool  # the activity: unseal, per-call credential, tool

    first, second = jwt(time.time() + 600, "first"), jwt(time.time() + 600, "second")
    monkeypatch.setattr(azure, "caller_tokens", [first, second])
    azure.load([{"match": {"method": "GET", "path": "/subscriptions"}, "status": 200, "body": {"value": []}}] * 3)
    material = Material(error_description="x").model_dump(mode="json")
    for token in (first, second):
        payload = {"tool": "list_subscriptions", "arguments": {}, "material": material,
                   "delegation": {"trace_id": TRACE, "sealed": seal("arm", token, TRACE, KEY)}}
        assert run_one_tool(payload)["status"] == "no_data"
    assert [c.get("bearer") for c in azure.calls] == ["caller#0", "caller#1"]
    # Delegated without a usable token: no call is made with the app's identity.
    evidence = run_one_tool({"tool": "list_subscriptions", "arguments": {}, "material": material})
    assert evidence["data"] == {"access": "no_credentials"} and len(azure.calls) == 2
    # App mode still uses the app's identity.
    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "app")
    assert run_tool("list_subscriptions", {}, Material(error_description="x")).status == "no_data"
    assert "bearer" not in azure.calls[-1]


def _request(headers: dict[str, str]) -> func.HttpRequest:
    return func.HttpRequest("POST", "http://localhost/api/debug", headers=headers, body=b"{}")


def test_a_delegated_start_needs_the_key_and_a_trusted_caller(monkeypatch: pytest.MonkeyPatch,
                                                             delegated_env: None) -> None:
    from shared.azure.delegated_start import sealed_delegation

    token = jwt(time.time() + 600)
    keyed = {"x-functions-key": "k", "x-azure-access-token": token}
    sealed = sealed_delegation(_request(keyed), TRACE)
    assert sealed is not None and unseal(sealed, TRACE, KEY) is not None
    assert sealed_delegation(_request({"x-functions-key": "k"}), TRACE) is None  # no token: no Azure rights
    with pytest.raises(ApiError) as anonymous:
        sealed_delegation(_request({"x-azure-access-token": token}), TRACE)
    assert (anonymous.value.status, anonymous.value.code) == (400, "invalid_azure_token")
    monkeypatch.delenv("DEBUG_TOKEN_ENCRYPTION_KEY")
    with pytest.raises(ApiError) as unavailable:
        sealed_delegation(_request(keyed), TRACE)
    assert (unavailable.value.status, unavailable.value.code) == (503, "delegation_unavailable")
    assert "DEBUG_TOKEN_ENCRYPTION_KEY" in unavailable.value.message
    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "app")
    assert sealed_delegation(_request(keyed), TRACE) is None  # the app's identity never reads caller tokens


def test_an_unknown_identity_mode_refuses_rather_than_falling_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.azure.delegated_start import sealed_delegation

    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "delgated")
    with pytest.raises(ApiError) as refused:
        sealed_delegation(_request({"x-functions-key": "k"}), TRACE)
    assert refused.value.status == 503 and refused.value.details[0].field == "DEBUG_AZURE_IDENTITY"


def test_a_denial_names_the_callers_lack_in_delegated_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.engines.analyzers.ledger import denial_note
    from shared.session.state import Evidence, Options, SessionState

    denied = Evidence(tool="get_resource", arguments={}, status="error", summary="denied",
                      data={"http_status": 403, "action": "Microsoft.Storage/storageAccounts/read",
                            "scope": "/subscriptions/x", "needs_role": "Reader"})
    state = SessionState(trace_id=TRACE, options=Options(), ttl_seconds=60,
                         material=Material(error_description="x"), ledger=[denied])
    assert "service's identity" in denial_note(state) and "it needs Reader" in denial_note(state)
    monkeypatch.setenv("DEBUG_AZURE_IDENTITY", "delegated")
    assert denial_note(state).startswith(" Your Azure identity was denied") and "you need Reader" in denial_note(state)


def test_an_entra_token_becomes_an_on_behalf_of_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import OnBehalfOfCredential

    from shared.azure.delegation import Delegation, credential_for

    monkeypatch.setenv("DEBUG_OBO_TENANT_ID", "00000000-0000-4000-8000-000000000001")
    monkeypatch.setenv("DEBUG_OBO_CLIENT_ID", "00000000-0000-4000-8000-000000000002")
    monkeypatch.setenv("DEBUG_OBO_CLIENT_SECRET", "app-registration-secret")
    credential = credential_for(Delegation(kind="obo", token=jwt(time.time() + 600), exp=int(time.time()) + 600))
    assert isinstance(credential, OnBehalfOfCredential)  # built without a network call; Entra is asked per call
