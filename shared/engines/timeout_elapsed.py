"""The operation timeout a tool gave up at, read from its own progress counter.

Terraform prints "Still creating... [44m50s elapsed]" every ten seconds while it polls a long-running operation and
gives up with "context deadline exceeded" when the resource's operation timeout runs out, without printing the
timeout. The last counter stops just short of it, so the timeout is the counter rounded up to the next five minutes
(44m50s: 45 minutes; 2h59m50s: 180 minutes). Computed here, because no phrase carries the number; it only adds to a
timeout conclusion whose report shows such a counter and the deadline."""

from __future__ import annotations

import math
import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_COUNTER = re.compile(r"(?i)Still (?:creating|modifying|destroying|reading)\.\.\. "
                      r"\[(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)? elapsed\]")
_DEADLINE = re.compile(r"(?i)context deadline exceeded|timeout while waiting for state")


def with_timeout_elapsed(state: SessionState, decision: Decision) -> Decision:
    """A timeout conclusion, with the operation timeout the last elapsed counter shows."""
    if not isinstance(decision, Conclude) or decision.report.category != "runtime.timeout":
        return decision
    text = "\n".join([state.material.error_description, *state.material.answers])
    minutes = timeout_minutes(text)
    if minutes is None or f"{minutes} minutes" in decision.report.root_cause:
        return decision
    decision.report.root_cause = (decision.report.root_cause.rstrip() + f" The last elapsed counter the report shows "
                                  f"stops just short of {minutes} minutes: that is the operation timeout Terraform "
                                  f"used for this resource, and the one a timeouts block has to raise.")
    return decision


def timeout_minutes(text: str) -> int | None:
    """The timeout the longest elapsed counter stops short of, in minutes (rounded up to five), when the report also
    shows the deadline; None without both, or for a counter under ten minutes (a short operation that failed
    otherwise)."""
    if not _DEADLINE.search(text):
        return None
    seconds = [int(h or 0) * 3600 + int(m or 0) * 60 + int(s or 0) for h, m, s in _COUNTER.findall(text)]
    longest = max(seconds, default=0)
    if longest < 600:
        return None
    return int(math.ceil((longest + 1) / 300.0)) * 5
