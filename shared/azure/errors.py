"""Azure SDK errors as evidence: what failed, in the terms the engine reasons with.

Below the tool boundary an SDK error is re-raised as `AzureFailure` (chained with `raise ... from`, so the
cause stays in the traceback); at the boundary the failure becomes Evidence. The mapping (status: data):

- 403 (AuthorizationFailed and other denials) -> error: http_status, code, action (parsed from the message,
  else the action the tool needs), scope (parsed, else the tool's), principal_id (when the message names it),
  needs_role (a built-in role that grants the action, from NEEDS_ROLE; Reader by default)
- 404 -> no_data: http_status, code, id
- 401, azure-identity's CredentialUnavailableError, any ClientAuthenticationError -> error: access: no_credentials
- 429 and 5xx (after the SDK's retries) -> error: http_status, code, retry_after_given, retry_after
- a timeout (the transport's, or the tool's whole-call bound) -> error: timeout: true
- a connection failure -> error: connection_error: true
- any other HTTP status -> error: http_status, code, message (capped)"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)

from shared.session.state import Evidence, EvidenceStatus

# The built-in role that grants an action, first match wins (patterns are case-insensitive). Roles and
# their actions: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
NEEDS_ROLE: list[tuple[str, str]] = [
    ("microsoft.web/sites/config/list/action", "Website Contributor"),
    ("microsoft.web/staticsites/listappsettings/action", "Contributor"),
    ("microsoft.operationalinsights/workspaces/query/*", "Log Analytics Reader"),
    ("microsoft.insights/metrics/read", "Monitoring Reader"),
    ("microsoft.storage/storageaccounts/listkeys/action", "Storage Account Key Operator Service Role"),
    ("microsoft.authorization/roleassignments/write", "Role Based Access Control Administrator"),
    ("*/read", "Reader"),
    ("*/write", "Contributor"),
    ("*/delete", "Contributor"),
    ("*/action", "Contributor"),
]
_MESSAGE_CHARS = 300
_ACTION = re.compile(r"perform action(?:\(s\))? '([^']+)'", re.IGNORECASE)
_SCOPE = re.compile(r"(?:over|on) (?:the linked )?scope(?:\(s\))? '([^']+)'", re.IGNORECASE)
_PRINCIPAL = re.compile(r"object id '([0-9a-fA-F-]{36})'")


class AzureFailure(Exception):
    """An Azure call that failed, already classified: the evidence status, a summary and its data."""

    def __init__(self, status: EvidenceStatus, summary: str, data: dict[str, Any]) -> None:
        super().__init__(summary)
        self.status: EvidenceStatus = status
        self.summary = summary
        self.data = data

    def evidence(self, tool: str, arguments: dict[str, Any]) -> Evidence:
        return Evidence(tool=tool, arguments=arguments, status=self.status, summary=self.summary, data=self.data)


def needs_role(action: str | None) -> str:
    """A built-in role that grants `action` (Reader when the action is unknown)."""
    lowered = (action or "").lower()
    for pattern, role in NEEDS_ROLE:
        if fnmatch.fnmatchcase(lowered, pattern):
            return role
    return "Reader"


@contextmanager
def azure_errors(scope: str, action: str) -> Iterator[None]:
    """Re-raise SDK errors inside the block as AzureFailure; `action` is the RBAC action the call needs."""
    try:
        yield
    except AzureFailure:
        raise
    except (AzureError, TimeoutError) as exc:
        raise classify(exc, scope, action) from exc


def classify(exc: BaseException, scope: str, action: str) -> AzureFailure:
    """The evidence an SDK error amounts to (see the module docstring)."""
    if isinstance(exc, ClientAuthenticationError):  # 401s, and azure-identity's CredentialUnavailableError
        return AzureFailure("error", "the service has no usable Azure credentials "
                            f"({type(exc).__name__})", {"access": "no_credentials"})
    if isinstance(exc, (TimeoutError, ServiceRequestTimeoutError, ServiceResponseTimeoutError)):
        return AzureFailure("error", "the Azure call timed out", {"timeout": True})
    if isinstance(exc, HttpResponseError) and exc.status_code:
        return _http_failure(exc, scope, action)
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return AzureFailure("error", f"could not reach Azure ({type(exc).__name__})", {"connection_error": True})
    return AzureFailure("error", f"the Azure call failed ({type(exc).__name__})", {})


def _http_failure(exc: HttpResponseError, scope: str, action: str) -> AzureFailure:
    status = int(exc.status_code or 0)
    code, message = error_code_and_message(exc)
    if status == 404:
        return AzureFailure("no_data", f"resource not found: {scope}", {"http_status": 404, "code": code, "id": scope})
    if status == 403:
        return _denied(code, message, scope, action)
    if status == 401:
        return AzureFailure("error", "Azure rejected the service's credentials (401)",
                            {"access": "no_credentials", "http_status": 401, "code": code})
    if status == 429 or status >= 500:
        retry_after = _retry_after(exc)
        label = f"{status} {code}" if code else str(status)
        return AzureFailure("error", f"Azure answered {label} after retries",
                            {"http_status": status, "code": code, "retry_after_given": retry_after is not None,
                             "retry_after": retry_after})
    return AzureFailure("error", f"Azure answered {status} {code}: {message[:_MESSAGE_CHARS]}",
                        {"http_status": status, "code": code, "message": message[:_MESSAGE_CHARS]})


def _denied(code: str | None, message: str, scope: str, action: str) -> AzureFailure:
    actions, scopes, principal = _ACTION.findall(message), _SCOPE.findall(message), _PRINCIPAL.search(message)
    # LinkedAuthorizationFailed names the granted action first and the missing one last.
    denied_action = actions[-1] if actions else action
    denied_scope = scopes[-1] if scopes else scope
    role = needs_role(denied_action)
    data: dict[str, Any] = {"http_status": 403, "code": code, "action": denied_action, "scope": denied_scope,
                            "needs_role": role}
    if principal:
        data["principal_id"] = principal.group(1)
    return AzureFailure("error", f"Azure denied {denied_action} on {denied_scope} ({code or 'Forbidden'}); "
                        f"the service's identity needs a role such as {role}", data)


def error_code_and_message(exc: HttpResponseError) -> tuple[str | None, str]:
    """The ARM-style error code and message of an HTTP error ({"error": {"code", "message"}})."""
    error = getattr(exc, "error", None)
    code, message = getattr(error, "code", None), getattr(error, "message", None)
    response: Any = exc.response
    if not code and response is not None:
        try:
            body = response.json()
        except Exception:  # not JSON: keep what the SDK parsed
            body = None
        inner = body.get("error") if isinstance(body, dict) else None
        if isinstance(inner, dict):
            code, message = inner.get("code"), inner.get("message")
    return (str(code) if code else None), str(message or exc.reason or "")


def _retry_after(exc: HttpResponseError) -> str | None:
    response: Any = exc.response
    if response is None:
        return None
    headers = response.headers
    for name in ("Retry-After", "retry-after-ms", "x-ms-retry-after-ms"):
        if headers.get(name):
            return str(headers[name])
    return None
