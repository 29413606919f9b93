"""A throttling conclusion names the one resource the report says many parallel callers share.

Request limits are counted per resource (a storage account's requests per second, a namespace's, a subscription's
writes per hour): when the writer says that all of several parallel jobs go through the same storage account,
namespace or subscription, that shared resource is where the limit is reached, and giving each job its own (or running
them one after another) is the change to make. No catalog phrase can say which resource the report's jobs share, so it
is read here from the writer's own sentence."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_KINDS = (r"storage account|service connection|subscription|namespace|event hub|queue|key vault|registry|"
          r"cosmos db account|database|account|api key|key|endpoint|deployment|app service plan|plan|service principal")
# "all tasks use the same service connection and the same storage account": a sentence that starts with the many
_MANY = re.compile(r"(?i)\b(?:all|every|each)\b[^.\n]{0,80}?\b(?:use|uses|share|shares|go through|goes through|"
                   r"upload to|uploads to|upload through|write to|call)\b(?P<rest>[^.\n]{0,200})")
_SAME = re.compile(rf"(?i)\bsame\s+[\"'`]?(?P<kind>{_KINDS})\b[\"'`]?(?:\s+input)?"
                   rf"(?:\s*\(?\s*[\"'`]?(?P<name>[a-z0-9][\w.-]{{2,62}})[\"'`]?\)?)?")
_NOT_A_NAME = frozenset({"for", "and", "the", "with", "input", "to", "in", "on", "as", "of"})


def shared_resources(text: str) -> list[tuple[str, str]]:
    """(kind, name or '') of each resource the writer says all the callers use alike, in order."""
    found: list[tuple[str, str]] = []
    for many in _MANY.finditer(text):
        for same in _SAME.finditer(many.group("rest")):
            name = same.group("name") or ""
            found.append((same.group("kind").lower(), "" if name.lower() in _NOT_A_NAME else name))
    return list(dict.fromkeys(found))


def with_shared_limit(state: SessionState, decision: Decision) -> Decision:
    """The throttling conclusion, with the resource the report's parallel callers share."""
    if not isinstance(decision, Conclude) or decision.report.category != "throttling.rate_limited":
        return decision
    shared = shared_resources(state.material.spoken_text())
    if not shared:
        return decision
    named = " and ".join(f"the {kind} '{name}'" if name else f"the {kind}" for kind, name in shared)
    decision.report.root_cause = (decision.report.root_cause.rstrip() + f" The report says the parallel callers all"
                                  f" use {named}: a request limit counted per resource is reached on what they share;"
                                  f" give each caller its own, or run them one after another.")
    return decision
