"""Turns a raw HTTP body into a validated request, or an ApiError that names each field and problem.

Order matters: the body size, the encoding and the JSON syntax are checked first, then the schema,
then the contract's size limits, so that nothing over a limit ever reaches redaction or storage."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import ApiError
from shared.models import (
    MAX_ANSWER_CHARS,
    MAX_BODY_BYTES,
    MAX_ERROR_DESCRIPTION_CHARS,
    MAX_FILE_BYTES,
    MAX_SOURCE_FILES,
    MAX_TOTAL_FILE_BYTES,
    Context,
    ContinueRequest,
    ErrorDetail,
    FeedbackRequest,
    StartRequest,
)
from shared.security.input_hygiene import path_problem

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_start(body: bytes) -> StartRequest:
    request = _parse(body, StartRequest, empty_allowed=False)
    _check_paths(request.context)
    _check_limits(_text_limits("error_description", request.error_description,
                               MAX_ERROR_DESCRIPTION_CHARS) + _context_limits(request.context))
    return request


def parse_continue(body: bytes) -> ContinueRequest:
    request = _parse(body, ContinueRequest, empty_allowed=True)
    _check_paths(request.context)
    _check_limits(_text_limits("answer", request.answer or "", MAX_ANSWER_CHARS)
                  + _context_limits(request.context))
    return request


def parse_feedback(body: bytes) -> FeedbackRequest:
    return _parse(body, FeedbackRequest, empty_allowed=False)


def _parse(body: bytes, model: type[ModelT], empty_allowed: bool) -> ModelT:
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.",
                       [ErrorDetail(field="body", problem=f"larger than {MAX_BODY_BYTES} bytes")])
    if not body.strip() and empty_allowed:
        return model()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", "The body is not UTF-8.",
                       [ErrorDetail(field="body", problem=f"invalid UTF-8 at byte {exc.start}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.",
                       [ErrorDetail(field="body", problem=f"{exc.msg} at line {exc.lineno} column {exc.colno}")]
                       ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", "The body must be a JSON object.",
                       [ErrorDetail(field="body", problem=f"expected an object, got {type(data).__name__}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, "invalid_request", "The body does not match the schema.",
                       [_detail(e) for e in exc.errors(include_url=False)]) from None


def _detail(error: Any) -> ErrorDetail:
    field = ""
    for part in error["loc"]:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    problem = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
    return ErrorDetail(field=field or "body", problem=problem)


def _text_limits(field: str, text: str, max_chars: int) -> list[ErrorDetail]:
    if len(text) > max_chars:
        return [ErrorDetail(field=field, problem=f"{len(text)} characters, at most {max_chars} allowed")]
    return []


def _context_limits(context: Context) -> list[ErrorDetail]:
    files = context.source_files
    if len(files) > MAX_SOURCE_FILES:
        # A count is a schema limit (400); what is measured in bytes or characters is a size (413).
        raise ApiError(400, "invalid_request", "Too many source files.",
                       [ErrorDetail(field="context.source_files",
                                    problem=f"{len(files)} files, at most {MAX_SOURCE_FILES} allowed")])
    details, total = [], 0
    for index, source in enumerate(files):
        size = len(source.content.encode("utf-8", "surrogatepass"))
        total += size
        if size > MAX_FILE_BYTES:
            details.append(ErrorDetail(field=f"context.source_files[{index}].content",
                                       problem=f"{size} bytes, at most {MAX_FILE_BYTES} allowed"))
    if total > MAX_TOTAL_FILE_BYTES:
        details.append(ErrorDetail(field="context.source_files",
                                   problem=f"{total} bytes in all, at most {MAX_TOTAL_FILE_BYTES} allowed"))
    return details


def _check_paths(context: Context) -> None:
    """Refuse climbing, rooted or control-character paths (shared/security/input_hygiene.py says why)."""
    details = [ErrorDetail(field=f"context.source_files[{index}].path", problem=problem)
               for index, source in enumerate(context.source_files)
               if (problem := path_problem(source.path)) is not None]
    if details:
        raise ApiError(400, "invalid_request", "A source file path is not a plain relative path.", details)


def _check_limits(details: list[ErrorDetail]) -> None:
    if details:
        raise ApiError(413, "payload_too_large", "The request is over a size limit; nothing was stored.", details)
