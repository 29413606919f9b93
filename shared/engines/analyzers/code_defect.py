"""runtime.code_defect: a bug in the submitted code (an exception raised by the app's own code, no Azure signal).

The stack trace decides: when the exception is raised in a frame of the app's code and no Azure SDK frame
is involved, the failing line is the cause; what each exception type usually means is data
(knowledge/runtime_exception_hints.yaml). An exception raised inside an Azure SDK is not a plain bug: a
more specific signature, or the unknown-error path, handles it."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import (
    Entry,
    delegate,
    facts_for,
    fill,
    grounded,
    other_cloud,
    quotes,
    regex,
    report,
    specific_hit,
    table,
    unknown,
)
from shared.engines.analyzers.ledger import latest
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import EvidenceItem
from shared.session.state import Conclude, Evidence, RunTool, SessionState

TOOL = "get_stack_frames"
TABLE = "runtime_exception_hints"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    frames = latest(state, TOOL)
    if frames is None:
        return RunTool(tool=TOOL, purpose="reading the stack trace: where the exception was raised, and by whose code")
    data = frames.data
    if frames.status != "success" or (data.get("azure_sdk_frames") and not data.get("origin_in_user_code")):
        other = specific_hit(state, exclude_analyzers={"code_defect"})
        return delegate(state, other) if other else unknown(state)
    return _conclude(state, hit, frames, data)


def _hint(exception: str, message: str) -> Entry:
    text = f"{exception}: {message}"
    return next(e for e in table(TABLE) if regex(e["match"]).search(text))


def _conclude(state: SessionState, hit: Hit, frames: Evidence, data: dict[str, Any]) -> Conclude:
    failing = data["failing_frame"]
    clean = data["origin_in_user_code"] and not data["library_frames_below_user_code"] and not data["azure_sdk_frames"]
    message = str(data.get("message", "")).strip().rstrip(".")
    facts = facts_for(state, hit, {"exception": data["exception"], "message": message,
                                   "file": failing["file"], "line": str(failing["line"]),
                                   "function": failing["function"], "code": failing.get("code", "")})
    hint = _hint(data["exception"], data.get("message", ""))
    where = "in the app's own code" if data["origin_in_user_code"] else "in a library called by the app's code"
    cause = fill("The exception {exception}[[: {message}]] is raised " + where + " at {file} line {line}, in {function}"
                 "[[ (`{code}`)]]. ", facts) + fill(hint["meaning"], facts).strip()
    if clean:
        cause += " No Azure service call is involved in the trace, so the fix is in the code, not in Azure."
    return Conclude(message=fill("A bug in the app's code: {exception} at {file} line {line}.", facts),
                    report=report(state, category=hit.signature.category, confidence="high" if clean else "medium",
                                  root_cause=cause, actions=[fill(a, facts) for a in hint["actions"]],
                                  evidence=quotes(hit) + [EvidenceItem(source=TOOL, summary=frames.summary)]))
