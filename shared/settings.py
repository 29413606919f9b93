"""The app's settings, read from the environment in one place (never from an orchestrator)."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache

ENGINES = ("rules", "hybrid", "llm")
# Below the Durable Azure Storage backend's 6-day limit for one timer: a longer wait takes the SDK's long-timer
# path (a chain of timers), whose cancellation has a known bug, and a session's wait is a cancelled timer.
MAX_SESSION_TTL_SECONDS = 6 * 24 * 3600 - 3600
# A GA data-plane api-version of Azure OpenAI chat completions with tool calling.
DEFAULT_OPENAI_API_VERSION = "2024-10-21"
UNRESOLVED_KEY_VAULT_REFERENCE = "@Microsoft.KeyVault("


@dataclass(frozen=True)
class LlmSettings:
    """The model endpoint and the per-session budgets of the LLM engine (docs/how-it-works.md, "LLM engine")."""

    endpoint: str | None          # AZURE_OPENAI_ENDPOINT; None: no model, the rules engine answers
    deployment: str               # the Azure deployment name, or the model name of an OpenAI-compatible server
    api_version: str
    api_key: str | None           # None: keyless (Entra ID token from DefaultAzureCredential)
    openai_compatible: bool       # the plain OpenAI client with base_url=endpoint (local models, tests)
    timeout_seconds: float        # each HTTP call to the model
    max_retries: int              # the openai client's own retries (it honours Retry-After)
    max_calls: int                # per session
    max_tokens: int               # prompt + completion per session, from the API's usage
    max_seconds: int              # wall time spent in model calls per session


@dataclass(frozen=True)
class SecuritySettings:
    """Who the caller is and how much it may do (docs/security.md)."""

    caller_secret: bytes        # HMAC key for owner ids (hashed function keys and principals) and placeholders
    trust_principal: bool       # WEBSITE_AUTH_ENABLED: App Service Authentication sets X-MS-CLIENT-PRINCIPAL*
    rate_per_minute: int        # starts and continues per caller per minute (token bucket refill)
    rate_burst: int             # bucket size: how many may come at once
    max_open_sessions: int      # running sessions per caller


@dataclass(frozen=True)
class MemorySettings:
    """When the worker sheds load (shared/resilience/memory_guard.py)."""

    high_water_mb: float        # DEBUG_INSTANCE_MEMORY_MB x DEBUG_MEMORY_HIGH_WATER_PERCENT: start shedding
    low_water_mb: float         # ... x DEBUG_MEMORY_LOW_WATER_PERCENT: recover
    shed_start_max_bytes: int   # the largest start body accepted while shedding


@dataclass(frozen=True)
class Settings:
    session_ttl_seconds: int
    poll_token_secret: bytes
    engine: str
    retry_after_seconds: int
    azure_access: str  # "none": no Azure calls (ask the client instead); "app": the app's own identity
    llm: LlmSettings
    security: SecuritySettings
    memory: MemorySettings
    verify_minute_seconds: int  # DEBUG_VERIFY_MINUTE_SECONDS: 60; tests shorten it to wait seconds, not minutes
    # Why the debug API must refuse to serve (on Azure without its shared secrets), or None. Set settings by name.
    unconfigured: str | None = None


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


def _text(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _secret(name: str) -> str | None:
    value = _text(name)
    # App Service passes a Key Vault reference it could not resolve through as its own text: a public,
    # predictable string that must never become an HMAC key.
    if value and value.startswith(UNRESOLVED_KEY_VAULT_REFERENCE):
        raise ValueError(f"setting {name} is a Key Vault reference that App Service could not resolve "
                         "(check the identity's access to the vault and the reference's status)")
    return value


def _flag(name: str) -> bool:
    return _choice(name, "false", ("true", "false", "1", "0", "yes", "no")) in ("true", "1", "yes")


def _security_settings(poll_secret: str) -> SecuritySettings:
    # Without its own secret the caller key derives from the poll secret: still stable across instances
    # when that one is set, and never equal to it (a leaked owner id must not help forge poll tokens).
    caller = _secret("DEBUG_CALLER_SECRET") or hmac.new(poll_secret.encode(), b"caller-id", "sha256").hexdigest()
    # A local host (Core Tools and devhost set AZURE_FUNCTIONS_ENVIRONMENT=Development; Azure sets Production) serves
    # one developer and the tools pointed at it, one caller by design: there the rate and the open sessions default
    # to the ceiling. Explicit settings win everywhere.
    local = os.environ.get("AZURE_FUNCTIONS_ENVIRONMENT", "").strip().lower() == "development"
    rate = _int("DEBUG_RATE_PER_MINUTE", 10_000 if local else 30, 1, 10_000)
    return SecuritySettings(
        caller_secret=caller.encode("utf-8"),
        trust_principal=os.environ.get("WEBSITE_AUTH_ENABLED", "").strip().lower() == "true",
        rate_per_minute=rate,
        rate_burst=_int("DEBUG_RATE_BURST", min(rate, 10), 1, 10_000),
        max_open_sessions=_int("DEBUG_MAX_OPEN_SESSIONS", 10_000 if local else 10, 1, 10_000),
    )


def _llm_settings() -> LlmSettings:
    return LlmSettings(
        endpoint=_text("AZURE_OPENAI_ENDPOINT"),
        deployment=_text("AZURE_OPENAI_DEPLOYMENT") or "gpt-4o",
        api_version=_text("AZURE_OPENAI_API_VERSION") or DEFAULT_OPENAI_API_VERSION,
        api_key=_text("AZURE_OPENAI_API_KEY"),
        openai_compatible=_flag("DEBUG_OPENAI_COMPATIBLE"),
        timeout_seconds=float(_int("DEBUG_LLM_TIMEOUT_SECONDS", 30, 1, 600)),
        max_retries=_int("DEBUG_LLM_MAX_RETRIES", 2, 0, 10),
        max_calls=_int("DEBUG_LLM_MAX_CALLS", 30, 0, 1000),
        max_tokens=_int("DEBUG_LLM_MAX_TOKENS", 300_000, 0, 100_000_000),
        max_seconds=_int("DEBUG_LLM_MAX_SECONDS", 300, 0, 86_400),
    )


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    secret = _secret("DEBUG_POLL_TOKEN_SECRET") or ""
    unconfigured = _missing_shared_secrets(bool(secret))
    if not secret:
        # Tokens then only verify inside this process: fine for one local host, wrong for a scaled-out app.
        logging.warning("DEBUG_POLL_TOKEN_SECRET is not set; poll tokens use a per-process random secret")
        secret = secrets.token_hex(32)
    llm = _llm_settings()
    # With a model endpoint the hybrid engine is the default: rules first, the model for what they cannot settle.
    default_engine = "hybrid" if llm.endpoint else "rules"
    return Settings(
        session_ttl_seconds=_int("DEBUG_SESSION_TTL_SECONDS", 3600, 1, MAX_SESSION_TTL_SECONDS),
        poll_token_secret=secret.encode("utf-8"),
        engine=_choice("DEBUG_ENGINE", default_engine, ENGINES),
        retry_after_seconds=_int("DEBUG_RETRY_AFTER_SECONDS", 2, 1, 60),
        azure_access=_choice("DEBUG_AZURE_ACCESS", "none", ("none", "app")),
        llm=llm,
        security=_security_settings(secret),
        memory=_memory_settings(),
        verify_minute_seconds=_int("DEBUG_VERIFY_MINUTE_SECONDS", 60, 1, 60),
        unconfigured=unconfigured,
    )


def _memory_settings() -> MemorySettings:
    instance_mb = _int("DEBUG_INSTANCE_MEMORY_MB", 2048, 1, 1_048_576)
    high = _int("DEBUG_MEMORY_HIGH_WATER_PERCENT", 80, 1, 100)
    low = _int("DEBUG_MEMORY_LOW_WATER_PERCENT", 70, 1, 100)
    if low >= high:
        raise ValueError("setting DEBUG_MEMORY_LOW_WATER_PERCENT must be below DEBUG_MEMORY_HIGH_WATER_PERCENT")
    return MemorySettings(high_water_mb=instance_mb * high / 100, low_water_mb=instance_mb * low / 100,
                          shed_start_max_bytes=_int("DEBUG_SHED_START_MAX_BYTES", 65_536, 1, 64 * 2**20))


def _missing_shared_secrets(poll_secret_set: bool) -> str | None:
    """On Azure (WEBSITE_INSTANCE_ID is set), instances must share the poll-token and caller secrets: with a
    per-process secret, a restart or a second instance loses every caller's sessions. Then the API refuses."""
    if not os.environ.get("WEBSITE_INSTANCE_ID"):
        return None
    missing = [name for name, present in (("DEBUG_POLL_TOKEN_SECRET", poll_secret_set),
                                          ("DEBUG_CALLER_SECRET", bool(_secret("DEBUG_CALLER_SECRET"))))
               if not present]
    if not missing:
        return None
    logging.error("refusing to serve the debug API: %s not set (instances must share them)", " and ".join(missing))
    return f"The service is not configured: {' and '.join(missing)} must be set on this app."
