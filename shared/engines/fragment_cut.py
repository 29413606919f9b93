"""A request whose path was cut at an unencoded '#': the service looked up only the part before it.

A value put into a URL path without encoding ends the path at its first '#' (RFC 3986: '#' starts the fragment, and
clients never send the fragment). A guest's user principal name (`name_domain#EXT#@tenant.onmicrosoft.com`), a
blob or secret name with '#' in it: the service answers 404 for the prefix, and the catalog can only say "the
resource does not exist". The deciding fact is computed from two strings no phrase carries: the value the report
gives with a '#' in it, and the not-found error (or request line) that names exactly its part before the '#'.

Sources: RFC 3986 section 3.5 (fragment) and learn.microsoft.com/graph/api/user-get (a guest's userPrincipalName
holds '#EXT#', which must be URL-encoded as %23EXT%23 in the request path)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.session.state import AskClient, Conclude, SessionState

# a value with a '#' inside it (not a comment, not a colour): word characters on both sides
_HASHED = re.compile(r"(?<![\w.@%+-])(?P<head>[\w.@+-]{4,200})#(?P<tail>[\w#@.+-]{2,200})")
_NOT_FOUND = re.compile(r"(?i)\b404\b|not found|does not exist|doesn't exist|NotFound\b")


def cut_value(text: str) -> tuple[str, str] | None:
    """(the whole value, its part before '#') when the text also names that part alone where a path would end."""
    if not _NOT_FOUND.search(text):
        return None
    for found in _HASHED.finditer(text):
        head = found.group("head")
        if head.startswith("#") or re.fullmatch(r"[0-9a-fA-F]{3,8}", found.group("tail")[:8]):
            continue  # a colour or an anchor, not a value with '#' inside
        alone = re.compile(rf"(?:/|')(?:{re.escape(head)})(?=['\"\s]|$)", re.MULTILINE)
        if alone.search(text):
            return found.group(0), head
    return None


def with_fragment_cut(state: SessionState, decision: Decision) -> Decision:
    """A not-found conclusion (or a question, which the computed fact answers) whose request path stopped at an
    unencoded '#' of the value the report gives."""
    if not isinstance(decision, (Conclude, AskClient)) or (
            isinstance(decision, Conclude) and decision.report.confidence == "high"):
        return decision
    found = cut_value(state.material.spoken_text())
    if found is None:
        return decision
    value, head = found
    if isinstance(decision, AskClient):
        decision = Conclude(message=f"The request path ends at the '#' of '{value}'.",
                            report=report(state, category=None, confidence="medium", root_cause="", actions=[],
                                          evidence=[]))
    decision.report.category = "runtime.code_defect"
    decision.report.confidence = "medium"
    decision.report.root_cause = (
        f"The value '{value}' is put into the request's URL path without encoding, and '#' starts the URL fragment, "
        f"which clients never send: the request path ends at '{head}', so the service looks up '{head}' and answers "
        "that it does not exist. The resource itself is fine; the code must URL-encode the value ('#' as %23).")
    decision.report.actions = [
        f"URL-encode the value before building the path (for '{value}': replace '#' with %23, e.g. "
        "[uri]::EscapeDataString() in PowerShell, encodeURIComponent() in JavaScript, urllib.parse.quote(value, "
        "safe='') in Python), or look the object up by its id instead.", *decision.report.actions[:1]]
    return decision
