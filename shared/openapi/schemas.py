"""The contract's JSON Schemas, generated from the pydantic models of shared/models.py.

Pydantic writes the shapes; this module only adds what the models cannot say themselves: the size limits
that shared/http/validation.py enforces after parsing (so that they answer 413, not 400) and the descriptions a
reader of the API description or a Power Automate user sees."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.models import (
    MAX_ANSWER_CHARS,
    MAX_ERROR_DESCRIPTION_CHARS,
    MAX_FILE_BYTES,
    MAX_SOURCE_FILES,
    MAX_TOTAL_FILE_BYTES,
    ContinueRequest,
    Envelope,
    ErrorBody,
    FeedbackRequest,
    StartRequest,
)
from shared.security.input_hygiene import RELATIVE_PATH_PATTERN
from shared.settings import ENGINES

REF_PREFIX = "#/components/schemas/"


class Health(BaseModel):
    """The body of `GET /api/health` (shared/http/api.py `health`); checked against real answers in the tests."""

    status: Literal["ok"]
    engine: str = Field(json_schema_extra={"enum": list(ENGINES)})
    contract: Literal["v1"]
    memory_pressure: Literal["ok", "shedding"]
    memory: Literal["on", "off"]


# Requests are documented as the server validates them, answers as the server writes them.
MODELS: tuple[tuple[type[BaseModel], JsonSchemaMode], ...] = (
    (StartRequest, "validation"),
    (ContinueRequest, "validation"),
    (FeedbackRequest, "validation"),
    (Envelope, "serialization"),
    (ErrorBody, "serialization"),
    (Health, "serialization"),
)

# Limits checked after parsing (413 payload_too_large, or 400 for the file count and the path rules). A
# string's length in characters is at most its UTF-8 length in bytes, so a byte limit is a sound maxLength.
_LIMITS: dict[tuple[str, str], dict[str, int | str]] = {
    ("StartRequest", "error_description"): {"maxLength": MAX_ERROR_DESCRIPTION_CHARS},
    ("ContinueRequest", "answer"): {"maxLength": MAX_ANSWER_CHARS},
    ("Context", "source_files"): {"maxItems": MAX_SOURCE_FILES},
    ("SourceFile", "content"): {"maxLength": MAX_FILE_BYTES},
    ("SourceFile", "path"): {"pattern": RELATIVE_PATH_PATTERN},
}

# Descriptions by schema and property; "" describes the schema itself. Building the schemas fails on an
# entry that names no real property, so a renamed field cannot leave a stale description behind.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "StartRequest": {
        "": "Starts a debug session.",
        "error_description": "The error as plain text: message, log lines, stack trace (1 to "
                             f"{MAX_ERROR_DESCRIPTION_CHARS:,} characters).",
        "context": "Optional source files and environment details.",
        "options": "Optional limits and behaviour of the session.",
    },
    "ContinueRequest": {
        "reopen": "On a finished session: a new round that keeps the evidence and treats the earlier conclusion as "
                  "not the fix (give what changed as `answer` or files).",
        "": "More context, an answer to a `request`, or nothing at all to resume a paused session.",
        "answer": f"Free-text reply to the session's `request` (at most {MAX_ANSWER_CHARS:,} characters).",
        "context": "More source files or environment details, merged into the session.",
        "options": "How long this call may wait.",
    },
    "Context": {
        "": f"What the client knows. All file contents together: at most {MAX_TOTAL_FILE_BYTES:,} bytes.",
        "source_files": f"Source or configuration files (at most {MAX_SOURCE_FILES}).",
        "environment_info": "Where the error happens; extra string keys (region, app name...) are kept.",
    },
    "SourceFile": {
        "path": "Relative path of the file; no `..`, no absolute root, no control characters.",
        "content": f"The file's text (at most {MAX_FILE_BYTES:,} bytes as UTF-8).",
        "relevance": "How central the file is to the error.",
        "size_bytes": "Accepted and ignored: the server measures.",
    },
    "EnvironmentInfo": {
        "azure_subscription": "Subscription id or display name.",
        "resource_group": "Resource group of the failing resource.",
        "technologies": "Languages, services and frameworks involved.",
    },
    "Options": {
        "max_depth": "Investigation steps (tool runs) per round.",
        "time_limit_seconds": "Time per round, in seconds.",
        "max_rounds": "Rounds per session; past the last one the session fails with reason `exhausted`.",
        "auto_continue": "Rounds follow each other without waiting for the client. Turn on for Logic Apps "
                         "and Power Automate, which only poll.",
        "wait_seconds": "How long this call may wait for a state that needs the client before it answers "
                        "202 (`continue` / `poll`).",
        "verify_after_minutes": "0-1440 (0: off). After `done`, when the cause rests on Azure reads, the session "
                                "reads them again this many minutes later and records `report.verification`.",
    },
    "ContinueOptions": {
        "wait_seconds": "How long this call may wait for a state that needs the client before it answers 202.",
    },
    "Envelope": {
        "": "Every session answer. Follow `next_action`: `none` finished, `answer` reply to `request` "
            "through continue, `continue` resume through continue, `poll` read again after Retry-After.",
        "trace_id": "The session's id: 32 hex characters, made by the server.",
        "status": "`done`, `request`, `continue` or `fail`.",
        "next_action": "What the client does next: `none`, `answer`, `continue` or `poll`.",
        "message": "A sentence a person can read.",
        "progress": "0 to 100; never goes down; 100 on `done` and `fail`.",
        "round": "The current round, from 1.",
        "steps": "Investigation steps so far.",
        "request": "Present when status is `request`: what only the client can supply.",
        "report": "Present on `done` and `fail`.",
        "reason": "Only on `fail`: why the session ended without a root cause.",
        "links": "URLs of this session: `self` (GET, key needed), `poll` (GET, signed, no key), `continue`.",
        "budget": "What is left: of the current (or next) round, of the session's rounds, of the model budget.",
    },
    "FeedbackRequest": {
        "": "Whether the session's fix worked; counted for its kind in the case memory (the last feedback counts).",
        "outcome": "`fixed`, `not_fixed` or `partly`.",
        "note": "Optional, at most 2,000 characters; redacted like every other text, kept with this session only.",
    },
    "SimilarCase": {
        "": "What past sessions of the same kind concluded: no resource names, no text of other sessions.",
        "category": "The taxonomy category they concluded.",
        "fix": "The fix, with names as placeholders.",
        "seen": "How many sessions concluded it.",
        "fixed": "How many reported (or verified) the fix worked.",
        "not_fixed": "How many reported (or verified) it did not.",
    },
    "Budget": {
        "": "What is left of the session's budgets (contract v1.1).",
        "steps_left": "Tool steps left in the current round (the next round's when waiting for the client).",
        "seconds_left": "Seconds left in the current round.",
        "rounds_left": "Rounds left in the session.",
        "model_tokens_left": "Model tokens left in the session; absent without a model.",
    },
    "ClientRequest": {
        "question": "What is needed.",
        "why": "What the answer will decide.",
        "suggested_commands": "Commands that would show it (az CLI).",
    },
    "Report": {
        "category": "One id of the error taxonomy, for example `network.storage_firewall`.",
        "root_cause": "The root cause in plain text.",
        "confidence": "`high`, `medium` or `low`.",
        "evidence": "What supports the conclusion, and where it came from.",
        "actions": "Ordered fix steps.",
        "checked": "What was examined.",
        "similar_cases": "What past sessions of the same kind concluded (case memory); no names, no text.",
        "verification": "The fix's re-check in Azure (with `verify_after_minutes`): pending, then verified, "
                        "still_failing or not_checkable.",
    },
    "Verification": {
        "state": "`pending`, `verified`, `still_failing` or `not_checkable`.",
        "check": "What is (or was) read again, in words.",
        "at": "When the check runs (pending) or ran, ISO 8601.",
    },
    "Links": {
        "self": "GET this session's envelope (function key needed).",
        "poll": "GET this session's envelope without headers: the token in the URL is the capability.",
        "continue": "POST here to answer or resume.",
    },
    "ErrorBody": {"": "Every error answer."},
    "ErrorInfo": {
        "code": "Stable error code, for example `invalid_request` or `rate_limited`.",
        "message": "What went wrong, readable.",
        "details": "Each field at fault and its problem.",
    },
    "ErrorDetail": {
        "field": "The field at fault, as a path: `options.max_depth`, `context.source_files[0].path`.",
        "problem": "What is wrong with it.",
    },
    "Health": {
        "": "Liveness and the active engine.",
        "engine": "The engine answering sessions.",
        "contract": "The API contract's version.",
        "memory": "Whether the case memory (similar past cases, feedback) is configured.",
        "memory_pressure": "`shedding` while this instance is over its memory high-water mark: large starts get 503 "
                           "with Retry-After, and the rules engine answers.",
    },
}


@lru_cache(maxsize=1)
def _component_schemas() -> dict[str, Any]:
    _, top = models_json_schema(list(MODELS), ref_template=REF_PREFIX + "{model}")
    schemas: dict[str, Any] = top["$defs"]
    for (name, field), constraints in _LIMITS.items():
        _non_null_branch(schemas[name]["properties"][field]).update(constraints)
    for name, texts in DESCRIPTIONS.items():
        for field, text in texts.items():
            target = schemas[name] if not field else schemas[name]["properties"][field]
            target["description"] = text
    return schemas


def component_schemas() -> dict[str, Any]:
    """`components.schemas` of the OpenAPI document: every model by name (a copy: callers may change it)."""
    return copy.deepcopy(_component_schemas())


def _non_null_branch(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of `X | None` (an anyOf with null), or the schema itself."""
    for branch in schema.get("anyOf", []):
        if branch.get("type") != "null":
            return branch
    return schema
