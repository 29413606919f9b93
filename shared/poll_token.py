"""Signed capabilities for polling one session without headers (Logic Apps, Power Automate).

A token is `<expiry>.<mac>`: an HMAC-SHA256 over the trace_id and the expiry (Unix seconds), so it
grants GET of that one session until it expires, and nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _mac(secret: bytes, trace_id: str, expires_at: int) -> str:
    digest = hmac.new(secret, f"{trace_id}.{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret: bytes, trace_id: str, expires_at: int) -> str:
    return f"{expires_at}.{_mac(secret, trace_id, expires_at)}"


def token_is_valid(secret: bytes, trace_id: str, token: str, now: float) -> bool:
    expiry, _, mac = token.partition(".")
    if not expiry.isdigit() or not mac or int(expiry) < now:
        return False
    return hmac.compare_digest(mac, _mac(secret, trace_id, int(expiry)))
