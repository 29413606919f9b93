"""Who is calling: the owner id a session is stored under, never the raw key or principal.

Order of trust: the Entra principal that App Service Authentication puts in `X-MS-CLIENT-PRINCIPAL-ID`
(only when the platform says authentication is on, `WEBSITE_AUTH_ENABLED=true`: without the platform a
client can send that header itself), then the function key presented, then "anonymous" (no key
required, as on plain devhost). Ids are HMAC-SHA256 with a server secret, so the stored id says
nothing about the key and cannot be recomputed without the secret."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass

import azure.functions as func

from shared.settings import SecuritySettings

ANONYMOUS_OWNER = "anonymous"
PRINCIPAL_ID_HEADER = "x-ms-client-principal-id"
PRINCIPAL_HEADER = "x-ms-client-principal"


@dataclass(frozen=True)
class Caller:
    """The caller as the service knows it: how it was identified and its keyed-hash owner id."""

    kind: str      # "principal", "key" or "anonymous"
    owner_id: str  # hex HMAC-SHA256; the only form stored in session state and entity keys


def identify_caller(req: func.HttpRequest, security: SecuritySettings) -> Caller:
    """The caller of an HTTP request (see the module docstring for the order of trust)."""
    principal = _principal(req) if security.trust_principal else None
    if principal:
        return Caller("principal", _owner(security.caller_secret, "principal", principal))
    key = req.headers.get("x-functions-key") or req.params.get("code") or ""
    if key:
        return Caller("key", _owner(security.caller_secret, "key", key))
    # Anonymous callers (no key, no principal: plain devhost) are one caller; their id needs no secret, so
    # sessions stay theirs across a restart even when the secrets are per-process random ones.
    return Caller("anonymous", ANONYMOUS_OWNER)


def _principal(req: func.HttpRequest) -> str | None:
    """The principal's object id: the id header, or the `oid` claim of the base64 JSON principal."""
    direct = req.headers.get(PRINCIPAL_ID_HEADER, "").strip()
    if direct:
        return direct
    encoded = req.headers.get(PRINCIPAL_HEADER, "").strip()
    if not encoded:
        return None
    try:
        principal = json.loads(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError):
        return None  # a malformed header identifies no one; the key decides instead
    claims = principal.get("claims", []) if isinstance(principal, dict) else []
    for claim in claims if isinstance(claims, list) else []:
        if isinstance(claim, dict) and claim.get("typ") in (
                "http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"):
            return str(claim.get("val", "")) or None
    return None


def _owner(secret: bytes, kind: str, value: str) -> str:
    # The kind is part of the message: a key that equals some principal's id is a different caller.
    return hmac.new(secret, f"{kind}:{value}".encode("utf-8", "surrogatepass"), "sha256").hexdigest()
