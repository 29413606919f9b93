"""The report's own statements a conclusion rests on, quoted as its evidence.

Around the error people write what they saw and what changed ("the infra team attached id-backup-agent to the VM
on Thursday; id-build-agent was there before"). A conclusion that quotes those sentences shows the client which of
their facts it used, and names their resources in their own words where the catalog's cause can only say "the
identity" or "the setting". The sentences are ranked by BM25 (rank_bm25) against the conclusion's root cause and
actions; a sentence is quoted only when it shares at least two of the conclusion's words and is not quoted yet, and
at most two are. Nothing is concluded from them: category and confidence stay as they are."""

from __future__ import annotations

import re
from typing import Any

from rank_bm25 import BM25Okapi

from shared.catalog.similar import tokens
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

_JSON = re.compile(r'[{\[]\s*"|"\s*:\s*["{\[\d]|[{\[(]\s*$')  # a JSON fragment or a block's opening line
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(`'\"])")
# Not prose: log lines (timestamps, pipeline markers, stack frames, JSON members) and commands typed at a prompt.
_NOT_PROSE = re.compile(r"^\s*(?:\[?\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d|##\[|at |File \"|\"|[$>#]|PS |az |kubectl |curl )")
_QUOTED = 2
_SHARED_WORDS = 2
_MIN_CHARS, _MAX_CHARS = 25, 400


def statements(text: str) -> list[str]:
    """The sentences of the client's prose, each flattened to single spaces: lines split at sentence ends, without
    log lines, commands and questions (a question states no fact)."""
    found: list[str] = []
    for line in text.splitlines():
        if _NOT_PROSE.match(line) or _JSON.search(line):
            continue
        for sentence in _SENTENCE_END.split(line.strip()):
            flat = " ".join(sentence.split())
            if _MIN_CHARS <= len(flat) <= _MAX_CHARS and not flat.endswith("?") and flat not in found:
                found.append(flat)
    return found


def stated_context(environment: dict[str, Any]) -> list[str]:
    """The environment_info values the client wrote as text ("vault: kv-crm (enableRbacAuthorization: true)"), one
    statement each; lists (technology tags) and structured values (files) are not statements."""
    return [f"{key}: {' '.join(value.split())}" for key, value in environment.items()
            if isinstance(value, str) and value.strip() and len(value) <= _MAX_CHARS]


def with_report_statements(state: SessionState, decision: Decision) -> Decision:
    """Quote in the conclusion's evidence (source `client`) the report's sentences nearest it, at most two, and the
    environment_info value nearest it, at most one: a stated value must not crowd out what the client wrote."""
    if not isinstance(decision, Conclude) or decision.report.category is None:
        return decision
    conclusion = set(tokens(" ".join([decision.report.root_cause, *decision.report.actions])))
    quoted = " ".join(" ".join(e.summary.split()) for e in decision.report.evidence).lower()
    for said, limit in ((statements(state.material.spoken_text()), _QUOTED),
                        (stated_context(state.material.environment), 1)):
        fresh = [s for s in said if s.lower() not in quoted]  # the whole sentence: an excerpt may have cut it
        for statement in nearest(conclusion, fresh, limit):
            decision.report.evidence.append(EvidenceItem(source="client", summary=f"the report says: {statement}"))
    return decision


def nearest(conclusion: set[str], candidates: list[str], limit: int) -> list[str]:
    """The candidates BM25 ranks nearest the conclusion's words that share at least two of them, at most `limit`,
    in their own order."""
    corpus = [tokens(c) for c in candidates]
    if not conclusion or not any(corpus):
        return []
    scores = BM25Okapi(corpus).get_scores(sorted(conclusion))
    ranked = sorted(range(len(candidates)), key=lambda i: -scores[i])
    chosen = [i for i in ranked if len(conclusion & set(corpus[i])) >= _SHARED_WORDS][:limit]
    return [candidates[i] for i in sorted(chosen)]
