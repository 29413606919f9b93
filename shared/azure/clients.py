"""The credential and the Azure SDK clients the tools use, built once from settings and reused.

Settings (Application settings in Azure, environment variables locally; read once, cached):

- `DEBUG_AZURE_ACCESS` (default `none`): `none`: every Azure tool answers evidence status `error` with data
  `{"access": "none"}` at once, without network (the engine then asks the client to run the tool's Azure CLI
  equivalent); `app`: the app's own identity, `DefaultAzureCredential` (the managed identity in Azure).
  Any other value is logged as an error and means `none`.
- `AZURE_RESOURCE_MANAGER_ENDPOINT` (default `https://management.azure.com`): Azure Resource Manager; tests
  and evaluations point it at the local playback server. Must be https.
- `AZURE_LOG_ANALYTICS_ENDPOINT` (default `https://api.loganalytics.io`): the Log Analytics query API (the SDK
  adds `/v1`). Must be https.
- `DEBUG_AZURE_STATIC_TOKEN` (unset): tests and evaluations only: a fixed bearer token instead of
  azure-identity. Never set it in production; a WARNING is logged once when it is set.
- `DEBUG_AZURE_CA_BUNDLE` (unset): a PEM file of trusted CAs passed as `connection_verify` to every client (the
  playback server's self-signed certificate). TLS verification is never turned off.
- `DEBUG_AZURE_TIMEOUT_SECONDS` (default 8, 1-120): the connect and the read timeout of each HTTP call; a
  whole tool call (retries and Retry-After waits included) is bounded by twice that.
- `AZURE_INVESTIGATION_SCOPES` (unset): comma-separated subscription or resource group ids the app may read;
  every session is bound to the scopes it names within these (shared/azure/scope.py).

Retries are azure-core's RetryPolicy (RETRY_POLICY below; it honours Retry-After), never a loop here.
Clients are cached per (kind, subscription) for the app's identity, per activity for a delegated caller
(shared/azure/delegation.py); `clear_caches()` forgets settings, credential and clients."""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from azure.core.credentials import AccessToken, TokenCredential

from shared.azure.delegation import caller_scope
from shared.azure.scope import allowed_scopes
from shared.resilience import memory_guard
from shared.settings import load_settings

AccessMode = Literal["none", "app"]
T = TypeVar("T")

# azure-core RetryPolicy settings for every client: few retries, short backoff. Tests patch the backoff.
RETRY_POLICY: dict[str, Any] = {"retry_total": 2, "retry_backoff_factor": 0.4, "retry_backoff_max": 4}
_TOOL_CALL_FACTOR = 2  # a whole tool call may take this many per-call timeouts (covers one retry round)
_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="azure-call")


@dataclass(frozen=True)
class AzureSettings:
    access: AccessMode
    resource_manager_endpoint: str
    log_analytics_endpoint: str
    static_token: str | None
    ca_bundle: str | None
    timeout_seconds: int
    investigation_scopes: tuple[str, ...] = ()  # AZURE_INVESTIGATION_SCOPES (shared/azure/scope.py); () = unbound

    @property
    def tool_deadline_seconds(self) -> float:
        return float(self.timeout_seconds * _TOOL_CALL_FACTOR)


def _https_endpoint(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip().rstrip("/") or default
    if not value.lower().startswith("https://"):
        raise ValueError(f"setting {name} must be an https:// URL")
    return value


def _timeout_seconds() -> int:
    raw = os.environ.get("DEBUG_AZURE_TIMEOUT_SECONDS", "").strip()
    value = int(raw) if raw else 8
    if not 1 <= value <= 120:
        raise ValueError(f"setting DEBUG_AZURE_TIMEOUT_SECONDS must be between 1 and 120, got {value}")
    return value


@lru_cache(maxsize=1)
def azure_settings() -> AzureSettings:
    """The Azure settings, read once (see the module docstring)."""
    # DEBUG_AZURE_ACCESS is read once for the whole app, by shared.settings (a wrong value refuses to start).
    access = load_settings().azure_access
    static_token = os.environ.get("DEBUG_AZURE_STATIC_TOKEN", "").strip() or None
    if static_token:
        logging.warning("DEBUG_AZURE_STATIC_TOKEN is set: Azure calls use a fixed token (tests and evaluations only)")
    return AzureSettings(
        access="app" if access == "app" else "none",
        resource_manager_endpoint=_https_endpoint("AZURE_RESOURCE_MANAGER_ENDPOINT", "https://management.azure.com"),
        log_analytics_endpoint=_https_endpoint("AZURE_LOG_ANALYTICS_ENDPOINT", "https://api.loganalytics.io"),
        static_token=static_token,
        ca_bundle=os.environ.get("DEBUG_AZURE_CA_BUNDLE", "").strip() or None,
        timeout_seconds=_timeout_seconds(),
        investigation_scopes=allowed_scopes(),
    )


class StaticTokenCredential:
    """A TokenCredential that always returns the same bearer token (tests and evaluations only)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                  enable_cae: bool = False, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 10 * 365 * 24 * 3600)


@lru_cache(maxsize=1)
def credential() -> TokenCredential:
    """The app's identity: the static test token when set, else DefaultAzureCredential (managed identity)."""
    settings = azure_settings()
    if settings.static_token:
        return StaticTokenCredential(settings.static_token)
    from azure.identity import DefaultAzureCredential  # imported late: only `app` access needs it

    return DefaultAzureCredential()


def _common_kwargs(settings: AzureSettings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {**RETRY_POLICY, "connection_timeout": settings.timeout_seconds,
                              "read_timeout": settings.timeout_seconds, "timeout": settings.tool_deadline_seconds}
    if settings.ca_bundle:
        kwargs["connection_verify"] = settings.ca_bundle
    return kwargs


def call_options() -> dict[str, Any]:
    """Per-call keyword arguments for SDK operations: connect/read timeouts and the retries' overall bound."""
    settings = azure_settings()
    return {"connection_timeout": settings.timeout_seconds, "read_timeout": settings.timeout_seconds,
            "timeout": settings.tool_deadline_seconds}


ClientKind = Literal["resources", "subscriptions", "deployments", "monitor", "authorization", "resourcehealth",
                     "logs"]


def _arm_client(kind: ClientKind, subscription_id: str, settings: AzureSettings,
                cred: TokenCredential) -> Any:
    base_url = settings.resource_manager_endpoint
    kwargs = {**_common_kwargs(settings), "credential_scopes": [f"{base_url}/.default"]}
    if kind == "subscriptions":
        from azure.mgmt.resource.subscriptions import SubscriptionClient
        return SubscriptionClient(cred, base_url=base_url, **kwargs)
    if kind == "resources":
        from azure.mgmt.resource.resources import ResourceManagementClient
        return ResourceManagementClient(cred, subscription_id, base_url=base_url, **kwargs)
    if kind == "deployments":
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient
        return DeploymentsMgmtClient(cred, subscription_id, base_url=base_url, **kwargs)
    if kind == "monitor":
        from azure.mgmt.monitor import MonitorManagementClient
        return MonitorManagementClient(cred, subscription_id, base_url=base_url, **kwargs)
    if kind == "authorization":
        from azure.mgmt.authorization import AuthorizationManagementClient
        return AuthorizationManagementClient(cred, subscription_id, base_url=base_url, **kwargs)
    if kind == "resourcehealth":
        from azure.mgmt.resourcehealth import ResourceHealthMgmtClient
        return ResourceHealthMgmtClient(cred, subscription_id, base_url=base_url, **kwargs)
    raise ValueError(f"unknown client kind {kind!r}")


def client(kind: ClientKind, subscription_id: str = "") -> Any:
    """The SDK client of a kind for a subscription, created once per credential and reused (SDK clients are
    thread-safe). In a delegated activity (shared/azure/delegation.py) the clients are that caller's own and
    end with the activity: a client holding one caller's token is never handed to another."""
    scope = caller_scope()
    if scope is None:
        return _app_client(kind, subscription_id)
    if (kind, subscription_id) not in scope.clients:
        scope.clients[(kind, subscription_id)] = _build_client(kind, subscription_id, scope.credential)
    return scope.clients[(kind, subscription_id)]


@lru_cache(maxsize=64)
def _app_client(kind: ClientKind, subscription_id: str) -> Any:
    return _build_client(kind, subscription_id, credential())


def _build_client(kind: ClientKind, subscription_id: str, cred: TokenCredential) -> Any:
    settings = azure_settings()
    # The SDK logs every request's URL and headers at INFO; this service logs no request content.
    logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)
    if kind == "logs":
        from azure.monitor.query import LogsQueryClient
        return LogsQueryClient(cred, endpoint=settings.log_analytics_endpoint, **_common_kwargs(settings))
    return _arm_client(kind, subscription_id, settings, cred)


def run_bounded(work: Callable[[], T], seconds: float) -> T:
    """Run `work` with a wall-clock bound: a Retry-After or a slow read cannot hold the activity longer.

    Raises TimeoutError when the bound passes; the call itself then ends in the background, bounded by its
    own connect/read timeouts."""
    # The context travels to the worker thread: a delegated activity's credential (a ContextVar) with it.
    return _executor.submit(contextvars.copy_context().run, work).result(timeout=seconds)


_other_caches: list[Callable[[], None]] = []


def register_cache(cache_clear: Callable[[], None]) -> None:
    """Add a cache that `clear_caches` empties too (the tools' caches of Azure answers); memory pressure empties
    it as well (shared/resilience/memory_guard.py)."""
    _other_caches.append(cache_clear)
    memory_guard.register_cache(cache_clear)


def clear_caches() -> None:
    """Forget settings, credential, clients and cached Azure answers (tests change settings between cases)."""
    _app_client.cache_clear()
    credential.cache_clear()
    azure_settings.cache_clear()
    load_settings.cache_clear()
    for cache_clear in _other_caches:
        cache_clear()
