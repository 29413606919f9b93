"""A session belongs to the caller that started it; anyone else gets the same 404 as for no session."""

from __future__ import annotations

import hmac
import json
from typing import Any

import azure.functions as func

from shared.security.callers import identify_caller
from shared.settings import load_settings


def caller_id(req: func.HttpRequest) -> str:
    """The owner id of the request's caller (shared/security/callers.py)."""
    return identify_caller(req, load_settings().security).owner_id


def session_input(status: Any) -> dict[str, Any]:
    """The session state the instance runs with (its newest execution's input), or {}."""
    return json_object(getattr(status, "input_", None))


def json_object(value: Any) -> dict[str, Any]:
    """A value the Durable client returns as a dict, or as JSON text (encoded once or twice); {} otherwise."""
    while isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def owned_by(status: Any, owner: str) -> bool:
    """Does the instance belong to `owner`? A session without an owner belongs to no caller."""
    stored = session_input(status).get("owner")
    return isinstance(stored, str) and bool(stored) and hmac.compare_digest(stored, owner)
