"""Signed capabilities for polling one session without headers (Logic Apps, Power Automate).

A token is `<expiry>.<mac>`: an HMAC-SHA256 over the trace_id, the session's nonce and the expiry (Unix seconds). The
nonce and the expiry are fixed when the session starts and kept in its state (the orchestrator publishes them with
its status): reading the session never extends a token, a later session under the same trace_id (the same
Idempotency-Key) has another nonce, and deleting the session removes both, which revokes every token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def _mac(secret: bytes, trace_id: str, nonce: str, expires_at: int) -> str:
    digest = hmac.new(secret, f"{trace_id}.{nonce}.{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret: bytes, trace_id: str, nonce: str, expires_at: int) -> str:
    return f"{expires_at}.{_mac(secret, trace_id, nonce, expires_at)}"


def token_is_valid(secret: bytes, trace_id: str, token: str, now: float, nonce: str, expires_at: int) -> bool:
    """Whether the token is this session's (its nonce and fixed expiry) and has not expired."""
    expiry, _, mac = token.partition(".")
    if not expiry.isdigit() or not mac or not nonce or int(expiry) != expires_at or expires_at < now:
        return False
    return hmac.compare_digest(mac, _mac(secret, trace_id, nonce, expires_at))
