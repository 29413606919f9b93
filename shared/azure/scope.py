"""Which Azure scopes one session may read: the scopes it names, within the scopes the deployment allows.

Text in an error description can try to steer the investigation ("also read /subscriptions/.../payroll-rg", a
prompt injection aimed at the model). Every Azure tool call is therefore checked, at the tool boundary
(shared/tools/azure_common.py), against two lists:

- the session's scopes, from what the caller stated: `environment_info.azure_subscription` (a GUID: that
  subscription), `environment_info.resource_group` (that group, in the stated subscription, or in any
  subscription when only a display name was given), and every subscription or resource id in the material (the
  description, files, answers, environment values). A named resource brings in its resource group: the reads
  that explain a resource (its group's recent changes, its dependencies beside it) live there;
- the deployment's allowed scopes, `AZURE_INVESTIGATION_SCOPES` (comma-separated subscription or resource group
  ids; infra/main.bicep sets it to the scopes it grants Reader on). Unset or empty: no deployment-level bound
  (the identity's own role assignments are then the only bound; delegated mode uses the caller's rights).

A call outside both is not made: it is evidence "out of scope for this session", and the engine asks the client.
Pure functions over strings: no I/O, so the orchestrator-side engines may use them too."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from shared.azure import SUBSCRIPTION_ID

SCOPES_SETTING = "AZURE_INVESTIGATION_SCOPES"
ANY_SUBSCRIPTION = "*"
_ID_IN_TEXT = re.compile(rf"/subscriptions/({SUBSCRIPTION_ID})(?:/resourceGroups/([-\w._()]{{1,90}}))?",
                         re.IGNORECASE)
_ALLOWED_ENTRY = re.compile(rf"^/subscriptions/{SUBSCRIPTION_ID}(/resourceGroups/[-\w._()]{{1,90}})?$", re.IGNORECASE)


def _segments(scope: str) -> list[str]:
    return [part for part in scope.strip().lower().split("/") if part]


def covers(outer: str, inner: str) -> bool:
    """True when scope `inner` is `outer` or lies below it ('*' in `outer`'s subscription place matches any)."""
    outer_parts, inner_parts = _segments(outer), _segments(inner)
    if not outer_parts or len(outer_parts) > len(inner_parts):
        return False
    return all(o == i or (index == 1 and o == ANY_SUBSCRIPTION)
               for index, (o, i) in enumerate(zip(outer_parts, inner_parts, strict=False)))


def allowed_scopes(raw: str | None = None) -> tuple[str, ...]:
    """The deployment's allowed scopes (AZURE_INVESTIGATION_SCOPES). A malformed entry raises ValueError: a typo
    must not widen the bound to everything."""
    value = os.environ.get(SCOPES_SETTING, "") if raw is None else raw
    entries = [entry.strip().rstrip("/") for entry in value.split(",") if entry.strip()]
    for entry in entries:
        if not _ALLOWED_ENTRY.match(entry):
            raise ValueError(f"setting {SCOPES_SETTING}: not a subscription or resource group id: {entry[:120]!r}")
    return tuple(entry.lower() for entry in entries)


def session_scopes(error_description: str, texts: Iterable[str], environment: dict[str, Any]) -> tuple[str, ...]:
    """The scopes a session names (see the module docstring), lowercased, without duplicates."""
    found: list[str] = []
    subscription = str(environment.get("azure_subscription") or "").strip()
    stated_guid = bool(re.fullmatch(SUBSCRIPTION_ID, subscription))
    if stated_guid:
        found.append(f"/subscriptions/{subscription}")
    group = str(environment.get("resource_group") or "").strip()
    if group and re.fullmatch(r"[-\w._()]{1,90}", group):
        found.append(f"/subscriptions/{subscription if stated_guid else ANY_SUBSCRIPTION}/resourceGroups/{group}")
    environment_text = [str(value) for value in environment.values() if isinstance(value, str)]
    for text in [error_description, *texts, *environment_text]:
        for match in _ID_IN_TEXT.finditer(text):
            sub, named_group = match.group(1), match.group(2)
            found.append(f"/subscriptions/{sub}/resourceGroups/{named_group}" if named_group
                         else f"/subscriptions/{sub}")
    return tuple(dict.fromkeys(scope.lower() for scope in found))


def out_of_scope(target: str, session: tuple[str, ...], allowed: tuple[str, ...]) -> str | None:
    """Why the session may not read `target` (None: it may)."""
    if not any(covers(scope, target) for scope in session):
        return "the session names no subscription, resource group or resource that contains it"
    if allowed and not any(covers(scope, target) for scope in allowed):
        return f"it is outside the scopes this deployment may investigate ({SCOPES_SETTING})"
    return None
