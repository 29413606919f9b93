"""The session as the orchestrator carries it: bounded, already redacted, JSON-serialisable.

It travels as orchestration input across `continue_as_new`, and a view of it goes to the `decide`
activity at every step, so everything here is capped (see material.py for the file budget)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.models import ClientRequest, FailReason, Options, Report

EvidenceStatus = Literal["success", "no_data", "partial", "error"]

# Ledger caps: a session has at most 20 rounds of 20 steps; the ledger keeps the newest entries.
MAX_LEDGER_ENTRIES = 60
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


class Conclude(BaseModel):
    kind: Literal["done"] = "done"
    message: str
    report: Report


class GiveUp(BaseModel):
    kind: Literal["fail"] = "fail"
    reason: FailReason
    message: str
    report: Report


Decision = Annotated[RunTool | AskClient | Conclude | GiveUp, Field(discriminator="kind")]


class DecisionEnvelope(BaseModel):
    """Wrapper so a Decision union can be validated from the activity's JSON output."""

    decision: Decision


class MaterialDelta(BaseModel):
    """What one continue adds: already redacted by the HTTP layer, merged by the orchestrator."""

    turn: int
    answer: str | None = None
    files: list[FileExcerpt] = Field(default_factory=list)
    environment: dict[str, Any] = Field(default_factory=dict)


class Waiting(BaseModel):
    """Set when the session waits for the client at the start of its next execution."""

    kind: Literal["request", "paused"]
    request: ClientRequest | None = None


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

    def add_evidence(self, evidence: Evidence) -> None:
        self.ledger.append(evidence)
        del self.ledger[:-MAX_LEDGER_ENTRIES]
