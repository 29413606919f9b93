"""Function keys, like `func start`: not asked for unless --require-keys is given."""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass

from aiohttp import web

KEY_ENV = "DEVHOST_FUNCTION_KEY"
PROTECTED_LEVELS = frozenset({"function", "admin"})


@dataclass(frozen=True)
class KeyPolicy:
    required: bool
    key: str = ""
    generated: bool = False

    @classmethod
    def create(cls, required: bool) -> KeyPolicy:
        if not required:
            return cls(False)
        configured = os.environ.get(KEY_ENV, "")
        return cls(True, configured or secrets.token_urlsafe(32), generated=not configured)

    def allows(self, auth_level: str, request: web.Request) -> bool:
        """One key serves both `function` and `admin` levels; `anonymous` routes never need one."""
        if not self.required or auth_level not in PROTECTED_LEVELS:
            return True
        given = request.headers.get("x-functions-key") or request.query.get("code") or ""
        return hmac.compare_digest(given.encode(), self.key.encode())
