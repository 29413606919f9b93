"""The app's settings, read from the environment in one place (never from an orchestrator)."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    session_ttl_seconds: int
    poll_token_secret: bytes
    engine: str
    retry_after_seconds: int
    azure_access: str  # "none": no Azure calls (ask the client instead); "app": the app's own identity


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"setting {name} must be between {low} and {high}, got {value}")
    return value


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in allowed:
        raise ValueError(f"setting {name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    secret = os.environ.get("DEBUG_POLL_TOKEN_SECRET", "")
    if not secret:
        # Tokens then only verify inside this process: fine for one local host, wrong for a scaled-out app.
        logging.warning("DEBUG_POLL_TOKEN_SECRET is not set; poll tokens use a per-process random secret")
        secret = secrets.token_hex(32)
    return Settings(
        session_ttl_seconds=_int("DEBUG_SESSION_TTL_SECONDS", 3600, 1, 7 * 24 * 3600),
        poll_token_secret=secret.encode("utf-8"),
        engine=os.environ.get("DEBUG_ENGINE", "rules").strip() or "rules",
        retry_after_seconds=_int("DEBUG_RETRY_AFTER_SECONDS", 2, 1, 60),
        azure_access=_choice("DEBUG_AZURE_ACCESS", "none", ("none", "app")),
    )
