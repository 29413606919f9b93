"""The evidence finding nearest a report whose words no finding's symptom pattern matches (BM25, rank_bm25).

An evidence finding (knowledge/evidence_findings.yaml) concludes when a resource the session read shows a value
(a registry with anonymous pull off, an endpoint with no traffic) and the report names the symptom that value
explains (`report_matches`). The symptom pattern is written from a few reports; a user who tells the same symptom in
other words gets no answer, although Azure shows the value. When nothing else decides, the findings whose read
condition holds are ranked by how near their words (the symptom pattern's words, the cause, the field) are to the
report's, and a clear nearest one is given at low confidence: a lead the read supports, never a confirmed cause."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from rank_bm25 import BM25Okapi

from shared.catalog.similar import tokens
from shared.engines.analyzers.common import table
from shared.engines.playbooks import conclude_finding, rule_facts
from shared.engines.session_reads import FINDINGS
from shared.session.state import Conclude, SessionState

MIN_SCORE = 6.0  # a weaker match is words in common, not the same symptom
_REGEX_WORD = re.compile(r"(?<![\\?(])\b[A-Za-z][a-z]{3,}\b")  # the literal words of a pattern (not \b, (?i))


@cache
def _rules() -> tuple[dict[str, Any], ...]:
    """Findings that judge one read field and one symptom: the ones a relaxed symptom match can stand for (a missing
    setting or a logged event says nothing without its own symptom)."""
    return tuple(r for r in table(FINDINGS) if r.get("field") and r.get("report_matches") and not r.get("delegate")
                 and not r.get("computed"))


@cache
def _index() -> BM25Okapi:
    return BM25Okapi([tokens(" ".join([*_REGEX_WORD.findall(r["report_matches"]), r["root_cause"], r["field"]]))
                      for r in _rules()])


def nearest_finding(state: SessionState) -> Conclude | None:
    """The nearest finding whose read condition the session's Azure results satisfy, concluded at low confidence;
    None when none holds or none is near enough."""
    query = list(dict.fromkeys(tokens(" ".join(state.material.spoken()))))
    if not state.azure_access or not query:
        return None
    scores = _index().get_scores(query)
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    for i in (i for i in ranked if scores[i] >= MIN_SCORE):
        rule = _rules()[i]
        facts = rule_facts(state, {k: v for k, v in rule.items() if k != "report_matches"})
        if facts is not None:
            return _as_lead(conclude_finding(state, rule, facts))
    return None


def _as_lead(decision: Conclude) -> Conclude:
    decision.report.confidence = "low"
    decision.report.root_cause = ("Most likely, not confirmed (what Azure shows fits the report, though not in the "
                                  f"words this finding knows): {decision.report.root_cause}")
    return decision
