"""Delegated Azure identity: Azure calls made with the caller's own rights instead of the app's.

Settings:

- `DEBUG_AZURE_IDENTITY` (default `app`): `app` uses the app's identity (shared/azure/clients.py
  `credential()`); `delegated` uses the caller's: a caller-supplied ARM access token (`X-Azure-Access-Token`)
  or, behind App Service Authentication, the caller's Entra token (`X-MS-TOKEN-AAD-ACCESS-TOKEN`) exchanged
  through the on-behalf-of flow with the app registration's `DEBUG_OBO_CLIENT_ID`, `DEBUG_OBO_TENANT_ID` and
  `DEBUG_OBO_CLIENT_SECRET` (or `DEBUG_OBO_CERTIFICATE_PATH`).
- `DEBUG_TOKEN_ENCRYPTION_KEY`: base64 of 32 random bytes (a Key Vault reference in Azure). The token must
  cross into Durable (session state, activity input), which stores it; it crosses only as AES-GCM
  ciphertext under this key, with the session's trace_id as associated data and the token's `exp` as expiry.

Tokens are read only over trusted paths (the same rule as the principal, shared/security/callers.py): the function
key is required on every debug route, and the Entra header only counts when the platform set it. A token is
checked for JWT shape and its `exp` only; its signature is Azure's to verify, not ours (we never trust its
claims for anything but when to forget it)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

IdentityMode = Literal["app", "delegated"]
TokenKind = Literal["arm", "obo"]  # an ARM token used as is, or an Entra assertion for on-behalf-of
ACCESS_TOKEN_HEADER = "x-azure-access-token"
AAD_TOKEN_HEADER = "x-ms-token-aad-access-token"
KEY_SETTING = "DEBUG_TOKEN_ENCRYPTION_KEY"
_MAX_TOKEN_CHARS = 16_384  # ARM tokens are a few kB; anything larger is not a token


class DelegationError(ValueError):
    """The request cannot start a delegated session; `code` names why (the HTTP layer maps it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def identity_mode() -> IdentityMode:
    """`app` or `delegated` (read each time: cheap, and tests change it); a DelegationError for other values."""
    value = os.environ.get("DEBUG_AZURE_IDENTITY", "").strip().lower() or "app"
    if value not in ("app", "delegated"):  # never a silent fallback to the app's (wider) rights
        raise DelegationError("delegation_unavailable",
                              "The setting DEBUG_AZURE_IDENTITY must be 'app' or 'delegated'.")
    return "delegated" if value == "delegated" else "app"


def encryption_key() -> bytes:
    """The AES-256 key from `DEBUG_TOKEN_ENCRYPTION_KEY`; a DelegationError when unset or not 32 bytes."""
    raw = os.environ.get(KEY_SETTING, "").strip()
    try:
        key = base64.b64decode(raw, validate=True) if raw else b""
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise DelegationError("delegation_unavailable", f"Delegated Azure identity needs the setting {KEY_SETTING} "
                              "(base64 of 32 random bytes); the service cannot accept caller tokens without it.")
    return key


def jwt_expiry(token: str) -> int:
    """The `exp` claim of a JWT-shaped token (three base64url parts, a JSON payload); never checks signatures."""
    parts = token.split(".")
    if len(token) > _MAX_TOKEN_CHARS or len(parts) != 3 or not all(parts):
        raise DelegationError("invalid_token", "The Azure access token is not a JWT.")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        raise DelegationError("invalid_token", "The Azure access token is not a JWT.") from None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise DelegationError("invalid_token", "The Azure access token has no expiry (exp).")
    if exp <= time.time():
        raise DelegationError("invalid_token", "The Azure access token has expired.")
    return exp


def token_from_headers(headers: Any, trusted: bool) -> tuple[TokenKind, str] | None:
    """The caller's token from request headers: the Entra one when the platform is trusted, else the ARM one.

    `trusted` is the principal's trust rule (shared/security/callers.py): without the platform a client could send
    `X-MS-TOKEN-AAD-ACCESS-TOKEN` itself, so it is ignored then."""
    entra = (headers.get(AAD_TOKEN_HEADER) or "").strip() if trusted else ""
    if entra:
        return "obo", entra
    arm = (headers.get(ACCESS_TOKEN_HEADER) or "").strip()
    if arm.lower().startswith("bearer "):
        arm = arm[7:].strip()
    return ("arm", arm) if arm else None


def seal(kind: TokenKind, token: str, trace_id: str, key: bytes) -> dict[str, Any]:
    """Encrypt a checked token for the session `trace_id`: the only form that may be stored."""
    exp = jwt_expiry(token)
    nonce = secrets.token_bytes(12)  # random per seal: the same key encrypts many tokens
    plain = json.dumps({"kind": kind, "token": token}).encode()
    ciphertext = AESGCM(key).encrypt(nonce, plain, _aad(trace_id, exp))
    return {"v": 1, "exp": exp, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}


@dataclass(frozen=True)
class Delegation:
    """A decrypted caller token, held in memory for one activity only."""

    kind: TokenKind
    token: str = field(repr=False)  # never in a repr, so never in a log line or traceback
    exp: int


def unseal(sealed: Any, trace_id: str, key: bytes, now: float | None = None) -> Delegation | None:
    """The token sealed for `trace_id`, or None when missing, expired, tampered or sealed for another session."""
    if not isinstance(sealed, dict) or sealed.get("v") != 1:
        return None
    exp = sealed.get("exp")
    if not isinstance(exp, int) or exp <= (time.time() if now is None else now):
        return None  # expired: as absent (the engine then asks the client, as for denied access)
    try:
        nonce = base64.b64decode(str(sealed.get("nonce", "")), validate=True)
        plain = AESGCM(key).decrypt(nonce, base64.b64decode(str(sealed.get("ciphertext", "")), validate=True),
                                    _aad(trace_id, exp))  # exp in the AAD: a stretched expiry fails here
        body = json.loads(plain)
    except (InvalidTag, binascii.Error, ValueError):
        return None
    if body.get("kind") not in ("arm", "obo") or not isinstance(body.get("token"), str):
        return None
    return Delegation(kind=body["kind"], token=body["token"], exp=exp)


def _aad(trace_id: str, exp: int) -> bytes:
    return f"debug-session:{trace_id}:{exp}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class CallerTokenCredential:
    """A TokenCredential returning the caller's ARM token until its expiry."""

    def __init__(self, token: str, exp: int) -> None:
        self._token = token
        self._exp = exp

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                  enable_cae: bool = False, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, self._exp)


class NoCallerCredential:
    """Delegated mode without a usable caller token: every call fails as unauthenticated, never as the app."""

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                  enable_cae: bool = False, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError("no usable caller token (absent or expired)")


def credential_for(delegation: Delegation | None) -> TokenCredential:
    """The per-call credential of a delegated session."""
    if delegation is None:
        return NoCallerCredential()
    if delegation.kind == "arm":
        return CallerTokenCredential(delegation.token, delegation.exp)
    from azure.identity import OnBehalfOfCredential  # imported late: only OBO sessions need it

    tenant = os.environ.get("DEBUG_OBO_TENANT_ID", "").strip()
    client_id = os.environ.get("DEBUG_OBO_CLIENT_ID", "").strip()
    certificate = os.environ.get("DEBUG_OBO_CERTIFICATE_PATH", "").strip()
    if certificate:
        with open(certificate, "rb") as handle:
            return OnBehalfOfCredential(tenant, client_id, client_certificate=handle.read(),
                                        user_assertion=delegation.token)
    return OnBehalfOfCredential(tenant, client_id, client_secret=os.environ.get("DEBUG_OBO_CLIENT_SECRET", ""),
                                user_assertion=delegation.token)


@dataclass
class CallerScope:
    """The credential of one activity and the SDK clients built with it (never shared with other callers)."""

    credential: TokenCredential
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)


_scope: ContextVar[CallerScope | None] = ContextVar("debug_caller_scope", default=None)


def caller_scope() -> CallerScope | None:
    """The delegated scope of the running activity, or None (the app's identity)."""
    return _scope.get()


@contextmanager
def delegated(credential: TokenCredential) -> Iterator[CallerScope]:
    """Run the enclosed Azure calls with `credential`; its clients are dropped at the end."""
    scope = CallerScope(credential)
    reset = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(reset)
        scope.clients.clear()


def activity_credential(carried: Any) -> TokenCredential | None:
    """The credential a run_tool activity uses: None for the app's identity; in delegated mode the caller's
    token unsealed from the activity input (`{"trace_id", "sealed"}`), or a credential that always fails when
    the token is absent, expired or cannot be decrypted (so the call is never made with the app's rights)."""
    if identity_mode() != "delegated":
        return None
    if not isinstance(carried, dict):
        return NoCallerCredential()
    try:
        key = encryption_key()
    except DelegationError:
        return NoCallerCredential()
    return credential_for(unseal(carried.get("sealed"), str(carried.get("trace_id", "")), key))
