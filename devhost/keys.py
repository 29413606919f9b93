"""Function keys, like `func start`: not asked for unless --require-keys is given."""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass

from aiohttp import web

KEY_ENV = "DEVHOST_FUNCTION_KEY"
KEYS_ENV = "DEVHOST_FUNCTION_KEYS"  # more keys, comma-separated, like a Function App with several keys
PROTECTED_LEVELS = frozenset({"function", "admin"})


@dataclass(frozen=True)
class KeyPolicy:
    required: bool
    key: str = ""
    generated: bool = False
    more_keys: tuple[str, ...] = ()

    @classmethod
    def create(cls, required: bool) -> KeyPolicy:
        if not required:
            return cls(False)
        more = tuple(k.strip() for k in os.environ.get(KEYS_ENV, "").split(",") if k.strip())
        configured = os.environ.get(KEY_ENV, "") or (more[0] if more else "")
        return cls(True, configured or secrets.token_urlsafe(32), generated=not configured, more_keys=more)

    def allows(self, auth_level: str, request: web.Request) -> bool:
        """One key serves both `function` and `admin` levels; `anonymous` routes never need one."""
        if not self.required or auth_level not in PROTECTED_LEVELS:
            return True
        given = request.headers.get("x-functions-key") or request.query.get("code") or ""
        # Every key is compared (no early exit), so timing does not tell which key came close.
        matches = [hmac.compare_digest(given.encode(), key.encode()) for key in (self.key, *self.more_keys)]
        return any(matches)
