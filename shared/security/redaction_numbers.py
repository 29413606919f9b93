"""Stable placeholder numbers within one session: `[REDACTED:storage-key#1]` is the same key everywhere.

The engine can then see that two files (or a file and a later answer) use the same secret without
seeing it. Nothing reversible is kept: the map is keyed by an HMAC of the value (server secret, and the
trace_id so that numbers in two sessions cannot be correlated), and it travels in the session state."""

from __future__ import annotations

import hmac

from shared.settings import load_settings


class Numbering:
    """A session's map from keyed hashes of redacted values to their numbers (per kind, from 1)."""

    def __init__(self, secret: bytes, trace_id: str, known: dict[str, int] | None = None) -> None:
        self._secret = secret
        self._salt = trace_id.encode()
        self.known: dict[str, int] = dict(known or {})

    def number(self, kind: str, value: str) -> int:
        """The value's number: the one it got before in this session, or the kind's next one."""
        digest = hmac.new(self._secret, self._salt + b"\0" + value.encode("utf-8", "surrogatepass"), "sha256")
        key = f"{kind}:{digest.hexdigest()[:32]}"  # 128 bits: collisions are not a practical concern
        if key not in self.known:
            prefix = f"{kind}:"
            self.known[key] = 1 + sum(1 for k in self.known if k.startswith(prefix))
        return self.known[key]


def session_numbering(trace_id: str, known: object = None) -> Numbering:
    """The numbering of a session, from its state's `redaction_numbers` (anything else: empty)."""
    # A key of its own, derived from the caller secret: owner ids and numbers never share a hash input space.
    secret = hmac.new(load_settings().security.caller_secret, b"placeholder-numbers", "sha256").digest()
    valid = {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, int)} \
        if isinstance(known, dict) else {}
    return Numbering(secret, trace_id, valid)
