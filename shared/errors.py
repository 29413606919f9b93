"""The contract's error body, raised as an exception below the HTTP layer and rendered once by it."""

from __future__ import annotations

from shared.models import ErrorBody, ErrorDetail, ErrorInfo


class ApiError(Exception):
    """A client-facing error: HTTP status, stable code, readable message, and the fields at fault."""

    def __init__(self, status: int, code: str, message: str, details: list[ErrorDetail] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers: dict[str, str] = {}  # e.g. Retry-After on a 429

    def body(self) -> dict:
        info = ErrorInfo(code=self.code, message=self.message, details=self.details)
        return ErrorBody(error=info).model_dump(mode="json")


def not_found() -> ApiError:
    return ApiError(404, "not_found", "No debug session with this trace_id.",
                    [ErrorDetail(field="trace_id", problem="unknown session")])
