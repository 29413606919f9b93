"""Symptoms that name no cause (HTTP 401/403, "Function host is not running", "Error indexing method").

If the error text or an answer also holds a specific error, that error's analyzer decides. Otherwise the
client is asked once for the detail that names the cause (knowledge/symptoms_questions.yaml); an answer
with a recognisable error is then classified like any other, and one without ends the session honestly."""

from __future__ import annotations

from dataclasses import replace

from shared.engines.analyzers.common import delegate, facts_for, fill, other_cloud, specific_hit, table, unknown
from shared.engines.analyzers.ledger import ask_once
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest
from shared.session.state import Conclude, SessionState

TABLE = "symptoms_questions"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    specific = specific_hit(state)
    if specific is not None:
        return delegate(state, specific)
    question = next((q for q in table(TABLE) if hit is not None and q["id"] == hit.signature.id), None)
    if question is None:
        return unknown(state)
    if question.get("first") and hit is not None:  # the family's analyzer may settle it (a computed fact)
        family = replace(hit.signature, analyzer=question["first"])
        settled = delegate(state, Hit(family, hit.score, hit.facts, hit.quotes))
        if isinstance(settled, Conclude):
            return settled
    facts = facts_for(state, hit)
    return ask_once(state, ClientRequest(
        question=fill(question["question"], facts).strip(), why=question["why"].strip(),
        suggested_commands=[fill(c, facts) for c in question.get("commands") or []]),
        question["unsettled"].strip())
