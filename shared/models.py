"""The HTTP contract's shapes (contract v1, see docs/api.md): the single definition of requests,
envelopes and error bodies. Limits that the contract names live here too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# Limits from the contract. A request over any of them is refused whole, before anything is stored.
MAX_ERROR_DESCRIPTION_CHARS = 50_000
MAX_ANSWER_CHARS = 50_000
MAX_SOURCE_FILES = 50
MAX_FILE_BYTES = 2_000_000
MAX_TOTAL_FILE_BYTES = 10_000_000
# A body larger than this cannot be a valid request even with worst-case JSON escaping; refusing it
# before parsing keeps a hostile body from costing memory.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_PATH_CHARS = 1_024

Relevance = Literal["primary", "secondary", "config"]


def _whole_float_as_int(value: Any) -> Any:
    # JSON has one number type: 30.0 is the integer 30 (JSON Schema says so too, and Python's json.dumps or a
    # Logic Apps expression may write it that way). 30.5 stays a float and strict int validation refuses it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_whole_float_as_int)]
Status = Literal["done", "request", "continue", "fail"]
NextAction = Literal["none", "answer", "continue", "poll"]
Confidence = Literal["high", "medium", "low"]
FailReason = Literal["exhausted", "limits", "expired", "cancelled", "out_of_scope", "error"]


class _Strict(BaseModel):
    # strict: "5" is not 5 and "true" is not true; forbid: a misspelt field is an error, not silence.
    model_config = ConfigDict(strict=True, extra="forbid")


class SourceFile(_Strict):
    path: str = Field(min_length=1, max_length=MAX_PATH_CHARS)
    content: str
    relevance: Relevance = "secondary"
    size_bytes: WholeNumber | None = None  # accepted and ignored: the server measures


class EnvironmentInfo(BaseModel):
    # Clients add their own keys here (region, app name...); they are kept as free text.
    model_config = ConfigDict(strict=True, extra="allow")

    azure_subscription: str | None = Field(default=None, max_length=200)
    resource_group: str | None = Field(default=None, max_length=200)
    technologies: list[str] = Field(default_factory=list, max_length=50)


class Context(_Strict):
    source_files: list[SourceFile] = Field(default_factory=list)
    environment_info: EnvironmentInfo | None = None


class Options(_Strict):
    max_depth: WholeNumber = Field(default=5, ge=1, le=20)
    time_limit_seconds: WholeNumber = Field(default=40, ge=5, le=600)
    max_rounds: WholeNumber = Field(default=5, ge=1, le=20)
    auto_continue: bool = False
    wait_seconds: WholeNumber = Field(default=30, ge=0, le=200)
    # v1.1: after `done`, re-check the cause in Azure this many minutes later (0: off); see `report.verification`
    verify_after_minutes: WholeNumber = Field(default=0, ge=0, le=1440)


class ContinueOptions(_Strict):
    wait_seconds: WholeNumber = Field(default=30, ge=0, le=200)


class StartRequest(_Strict):
    error_description: str = Field(min_length=1)
    context: Context = Field(default_factory=Context)
    options: Options = Field(default_factory=Options)


class ContinueRequest(_Strict):
    answer: str | None = None
    reopen: bool = False  # v1.1: on a finished session, a new round that treats the earlier conclusion as not the fix
    context: Context = Field(default_factory=Context)
    options: ContinueOptions = Field(default_factory=ContinueOptions)


MAX_FEEDBACK_NOTE_CHARS = 2_000
FeedbackOutcome = Literal["fixed", "not_fixed", "partly"]


class FeedbackRequest(_Strict):
    """POST /api/debug/{trace_id}/feedback (contract v1.1)."""

    outcome: FeedbackOutcome
    note: str | None = Field(default=None, max_length=MAX_FEEDBACK_NOTE_CHARS)


class ClientRequest(BaseModel):
    question: str
    why: str
    suggested_commands: list[str] = Field(default_factory=list)


class EvidenceItem(BaseModel):
    source: str
    summary: str


class SimilarCase(BaseModel):
    """What past sessions of the same kind concluded (contract v1.1 `report.similar_cases`): no names, no text."""

    category: str
    fix: str = Field(description="the fix, with names as placeholders")
    seen: int = Field(ge=0)
    fixed: int = Field(ge=0)
    not_fixed: int = Field(ge=0)

    @property
    def fix_fails_more_often(self) -> bool:
        return self.not_fixed > self.fixed


VerificationState = Literal["pending", "verified", "still_failing", "not_checkable"]


class Verification(BaseModel):
    """Whether the fix worked, re-checked in Azure after `verify_after_minutes` (contract v1.1)."""

    state: VerificationState
    check: str
    at: str  # ISO 8601: when the check runs (pending) or ran


class Report(BaseModel):
    category: str | None = None
    root_cause: str = ""
    confidence: Confidence = "low"
    evidence: list[EvidenceItem] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=list)
    similar_cases: list[SimilarCase] | None = None
    verification: Verification | None = None


class Links(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    self: str
    poll: str
    continue_: str = Field(alias="continue")


class Budget(BaseModel):
    """What is left (contract v1.1): of the current round, of the session, and of the model budget."""

    steps_left: int = Field(ge=0)
    seconds_left: int = Field(ge=0)
    rounds_left: int = Field(ge=0)
    model_tokens_left: int | None = Field(default=None, ge=0)  # absent without a model


NOTHING_LEFT = Budget(steps_left=0, seconds_left=0, rounds_left=0)


class Envelope(BaseModel):
    trace_id: str
    status: Status
    next_action: NextAction
    message: str
    progress: int = Field(ge=0, le=100)
    round: int = 1
    steps: int = 0
    request: ClientRequest | None = None
    report: Report | None = None
    reason: FailReason | None = None
    budget: Budget = NOTHING_LEFT
    links: Links | None = None

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorInfo
