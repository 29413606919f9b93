"""The session as the orchestrator carries it: bounded, already redacted, JSON-serialisable.

It travels as orchestration input across `continue_as_new`, so everything here is capped (see material.py for the
file budget). Within one execution the activities do not get it again at every step: Durable history keeps every
activity input, and a whole state per step made a round's history grow with steps x (material + ledger). They
get a `StepInput`: a reference to the execution (whose input, the state when it started, is stored once and read
back by the activity) plus what changed since (bench/bench_history.py)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.models import ClientRequest, FailReason, Options, Report

EvidenceStatus = Literal["success", "no_data", "partial", "error"]

# Ledger caps: a session has at most 20 rounds of 20 steps; the ledger keeps the newest entries.
MAX_LEDGER_ENTRIES = 60
# Marks the client entry of a turn that brought a fresh Azure token (delegated identity): Azure calls refused
# for want of rights before it are worth making again (shared/engines/analyzers/ledger.py `azure_call`).
CREDENTIALS_RENEWED = "credentials_renewed"
# A stated name that also says where the resource lives: "stfleet (rg-fleet-data)", "kv-orders in rg-orders".
_NAME_WITH_PLACE = re.compile(r"^\s*(?P<name>[A-Za-z0-9][\w.-]*)\s*(?:\(\s*(?P<group>[\w.()-]+?)\s*\)|,|;|"
                              r"\s+(?:in|on)\s+(?:(?:resource[ -]group|rg)\s+)?(?P<group2>[\w.()-]+))")
MAX_EVIDENCE_SUMMARY_CHARS = 600
MAX_EVIDENCE_DATA_CHARS = 4_000


class FileExcerpt(BaseModel):
    path: str
    relevance: str
    content: str
    size_bytes: int
    truncated: bool = False


class Material(BaseModel):
    """What the client gave, redacted and cut to the session budget."""

    error_description: str
    files: list[FileExcerpt] = Field(default_factory=list)
    environment: dict[str, Any] = Field(default_factory=dict)
    answers: list[str] = Field(default_factory=list)
    omitted_files: list[str] = Field(default_factory=list)

    def spoken(self) -> list[str]:
        """What the client said, in order: the report, then each answer (not the files or environment_info)."""
        return [self.error_description, *self.answers]

    def spoken_text(self, separator: str = "\n") -> str:
        """What the client said as one text (a fact can be split between the report and an answer)."""
        return separator.join(self.spoken())

    def stated_name(self, key: str) -> str:
        """The resource name environment_info gives under `key` ("" when none): a value that also says where the
        resource lives ("stfleet (rg-fleet-data)", "kv-orders in rg-orders") names it by its first word."""
        value = self.environment.get(key)
        if not isinstance(value, str):
            return ""
        found = _NAME_WITH_PLACE.match(value)
        return found.group("name") if found else value.strip()

    def stated_group(self, key: str) -> str:
        """The resource group a name value of environment_info places its resource in ("" when it names none)."""
        value = self.environment.get(key)
        found = _NAME_WITH_PLACE.match(value) if isinstance(value, str) else None
        return (found.group("group") or found.group("group2") or "") if found else ""

    def technologies(self) -> list[str]:
        """environment_info's technologies as a list of strings (a single value counts as a list of one)."""
        listed = self.environment.get("technologies") or []
        return [str(t) for t in (listed if isinstance(listed, list) else [listed])]


class Evidence(BaseModel):
    """One tool result or client answer as the engine sees it. Failures are values, not exceptions."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    status: EvidenceStatus
    summary: str
    data: dict[str, Any] = Field(default_factory=dict)


class RunTool(BaseModel):
    kind: Literal["tool"] = "tool"
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    purpose: str = ""


class AskClient(BaseModel):
    kind: Literal["request"] = "request"
    request: ClientRequest
    # The report already rules out what a catalog entry of the family would conclude (the permission it says is
    # granted): the question is the next check, and the entry must not answer in its place.
    past_the_entry: bool = False


class Conclude(BaseModel):
    kind: Literal["done"] = "done"
    message: str
    report: Report
    # The text names a symptom with several causes (a knowledge entry's `investigate_first`): with Azure access the
    # resource's playbook runs first, and what it finds answers instead.
    investigate_first: bool = False


class GiveUp(BaseModel):
    kind: Literal["fail"] = "fail"
    reason: FailReason
    message: str
    report: Report


Decision = Annotated[RunTool | AskClient | Conclude | GiveUp, Field(discriminator="kind")]


class LlmUsage(BaseModel):
    """What the model cost: one decide step's calls, or the session's running total."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    failures: int = 0  # calls that got no usable answer (endpoint down, slow, refused)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: LlmUsage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.seconds = round(self.seconds + other.seconds, 3)
        self.failures += other.failures


class DecisionEnvelope(BaseModel):
    """Wrapper so a Decision union can be validated from the activity's JSON output.

    `usage` is what the model cost for this decision (absent for engines without a model); the
    orchestrator adds it to the session's total, so budgets survive replays and continue_as_new."""

    decision: Decision
    usage: LlmUsage | None = None


class MaterialDelta(BaseModel):
    """What one continue adds: already redacted by the HTTP layer, merged by the orchestrator."""

    turn: int
    answer: str | None = None
    files: list[FileExcerpt] = Field(default_factory=list)
    environment: dict[str, Any] = Field(default_factory=dict)
    redaction_numbers: dict[str, int] = Field(default_factory=dict)  # the session's map after this delta
    # Delegated identity: a fresh Azure token sent with this continue, sealed like the start's (ciphertext only).
    delegation: dict[str, Any] | None = None


class Waiting(BaseModel):
    """Set when the session waits for the client at the start of its next execution."""

    kind: Literal["request", "paused"]
    request: ClientRequest | None = None


class MemoryHint(BaseModel):
    """What the case memory knows of this problem (shared/cases/problem.py), set by the HTTP layer at the start:
    the check that settled it before runs first. It orders checks and sizes the budget; evidence still decides."""

    category: str
    decisive: str = ""       # "finding:<evidence finding id>" or "tool:<tool name>"; "" when none was recorded
    agreeing: int = 0        # past sessions of the problem whose fix worked, for this category
    share: float = 0.0       # their share of all the problem's sessions whose fix worked
    steps_p90: int | None = None  # the steps those sessions' concluding rounds took, 90th percentile


class SessionState(BaseModel):
    trace_id: str
    options: Options
    ttl_seconds: int            # how long a wait for the client lasts; read from settings by the HTTP layer
    azure_access: bool = False  # whether Azure tools may run (settings, fixed at the start)
    material: Material
    round: int = 1
    steps: int = 0              # steps over the whole session
    round_steps: int = 0
    progress: int = 0
    turn: int = 0               # client turns consumed; continue events carry the turn they answer
    requests_asked: list[ClientRequest] = Field(default_factory=list)
    ledger: list[Evidence] = Field(default_factory=list)
    waiting: Waiting | None = None
    llm_usage: LlmUsage = Field(default_factory=LlmUsage)  # the model's cost so far, summed by the orchestrator
    owner: str = ""             # the caller's keyed-hash id (shared/security/callers.py); never the key or principal
    # Keyed hash of a redacted value -> its placeholder number (shared/security/redaction_numbers.py): stable
    # `[REDACTED:kind#n]` across turns without storing the secret. Set by the HTTP layer, merged on resume.
    redaction_numbers: dict[str, int] = Field(default_factory=dict)
    # Telemetry ids, not content: the starting request's W3C traceparent, which every activity's span
    # continues (one trace per session), and the start time (epoch seconds) for the duration metric.
    traceparent: str | None = None
    started_at: float | None = None
    # Delegated identity only (shared/azure/delegation.py): the caller's Azure token as AES-GCM ciphertext
    # bound to this trace_id, with its expiry; never the token itself. None: the app's identity.
    delegation: dict[str, Any] | None = None
    # The poll capability (shared/security/poll_token.py), fixed at the start: a nonce and an expiry (Unix seconds).
    poll_nonce: str = ""
    poll_expires_at: int = 0
    # When the current round began (orchestration time, ISO 8601), for `budget.seconds_left`; None between rounds.
    round_started_at: str | None = None
    # How long after `done` the cause is re-checked (options.verify_after_minutes, in seconds; set by the HTTP layer,
    # which may shorten a minute for tests with DEBUG_VERIFY_MINUTE_SECONDS). 0: no verification.
    verify_after_seconds: int = 0
    # Categories the client reported as not the fix (a re-opened session): the engines treat them as ruled out.
    ruled_out: list[str] = Field(default_factory=list)
    # The session's model token budget (settings, fixed at the start by the HTTP layer); None without a model.
    model_token_budget: int | None = None
    # What the case memory knows of this problem (set by the HTTP layer at the start); None: nothing agreed on.
    memory_hint: MemoryHint | None = None

    def record_usage(self, usage: LlmUsage | None) -> None:
        """Add one decision's model usage to the session's total (plain arithmetic: safe in the orchestrator)."""
        if usage is not None:
            self.llm_usage.add(usage)

    def find_call(self, tool: str, arguments: dict[str, Any]) -> Evidence | None:
        """The newest result of this exact call (arguments normalised by the caller), if the session made it."""
        return next((e for e in reversed(self.ledger) if e.tool == tool and same_arguments(e.arguments, arguments)),
                    None)

    def add_evidence(self, evidence: Evidence) -> None:
        self.ledger.append(evidence)
        del self.ledger[:-MAX_LEDGER_ENTRIES]


class ExecutionRef(BaseModel):
    """One execution of a session's orchestration: its input is the state when it started. The counters pin it,
    so an activity never builds on another execution's input."""

    instance_id: str
    round: int
    turn: int
    steps: int


class StepInput(BaseModel):
    """What a `decide` step gets: the execution it belongs to and what the orchestrator changed since its start
    (the evidence added and the counters). `state_from` rebuilds the whole state from the execution's input."""

    execution: ExecutionRef
    added: list[Evidence] = Field(default_factory=list)
    steps: int
    round_steps: int
    progress: int
    llm_usage: LlmUsage = Field(default_factory=LlmUsage)

    def state_from(self, base: SessionState) -> SessionState:
        pinned = (base.trace_id, base.round, base.turn, base.steps)
        wanted = (self.execution.instance_id, self.execution.round, self.execution.turn, self.execution.steps)
        if pinned != wanted:
            raise ValueError(f"the instance's input is another execution's: {pinned[1:]} != {wanted[1:]}")
        state = base.model_copy(deep=True)
        for evidence in self.added:  # add_evidence trims the ledger exactly as the orchestrator's copy was
            state.add_evidence(evidence)
        state.steps, state.round_steps, state.progress = self.steps, self.round_steps, self.progress
        state.llm_usage = self.llm_usage.model_copy()
        return state


def same_arguments(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two calls' arguments name the same thing: Azure resource ids are case-insensitive
    (".../serverFarms/x" and ".../serverfarms/x" are one resource), so they compare case-folded."""
    return _folded(first) == _folded(second)


def _folded(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_folded(item) for item in value]
    if isinstance(value, str) and value.startswith(("/subscriptions/", "/providers/")):
        return value.lower()
    return value
