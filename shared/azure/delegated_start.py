"""Starting a delegated session: the caller's Azure token, read from the request and sealed for the session.

Kept apart from shared/azure/delegation.py (no HTTP there) so the activity side never imports the API's."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from shared.azure.delegation import (
    ACCESS_TOKEN_HEADER,
    KEY_SETTING,
    DelegationError,
    encryption_key,
    identity_mode,
    seal,
    token_from_headers,
)
from shared.errors import ApiError
from shared.models import ErrorDetail
from shared.security.callers import identify_caller
from shared.settings import load_settings


def sealed_delegation(req: func.HttpRequest, trace_id: str) -> dict[str, Any] | None:
    """The caller's token sealed for `trace_id`, or None (app identity, or delegated without a token).

    Delegated mode refuses to start (503 `delegation_unavailable`) without a valid encryption key (or with
    an unknown `DEBUG_AZURE_IDENTITY`), and
    answers 400 `invalid_azure_token` for a token that is not a JWT or has expired, or that came from an
    anonymous caller: a token is accepted only from a caller with a function key or a platform principal.
    Without any token the session starts with no Azure rights: tools then fail and the engine asks the client.
    """
    try:
        if identity_mode() != "delegated":
            return None  # app identity: caller tokens are never read
        key = encryption_key()  # checked first: a misconfigured service says so, whatever the request holds
    except DelegationError as exc:
        setting = "DEBUG_AZURE_IDENTITY" if "DEBUG_AZURE_IDENTITY" in str(exc) else KEY_SETTING
        raise ApiError(503, exc.code, str(exc), [ErrorDetail(field=setting, problem="not usable")]) from None
    security = load_settings().security
    found = token_from_headers(req.headers, security.trust_principal)
    if found is None:
        return None
    if identify_caller(req, security).kind == "anonymous":
        raise ApiError(400, "invalid_azure_token", "An Azure token is accepted only with a function key or "
                       "App Service Authentication.", [ErrorDetail(field=ACCESS_TOKEN_HEADER, problem="untrusted")])
    try:
        return seal(found[0], found[1], trace_id, key)
    except DelegationError as exc:
        raise ApiError(400, exc.code if exc.code != "invalid_token" else "invalid_azure_token", str(exc),
                       [ErrorDetail(field=ACCESS_TOKEN_HEADER, problem="not a valid token")]) from None
