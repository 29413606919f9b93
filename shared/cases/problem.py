"""A problem as a new session states it, and what the memory knows of it: the check that settled it before.

The problem key is computed from the error text alone, the same way at the start of a session and when it
concludes, from the service's own vocabulary: the catalog entries the text matches and the symptom clue it names,
else, weaker, the catalog entries nearest to its words (BM25, shared/catalog/similar.py). Two callers pasting the
same error get the same key whatever their resource names. When past sessions of the
problem agree (at least `MIN_AGREEING` whose fix worked, `MIN_SHARE` of those that worked), the hint names the
check that settled them (that check then runs first), and, for a key of the first kind, the steps they took size
the round's budget. Memory
never decides: the engine concludes only from what the check shows (shared/engines/playbooks.py)."""

from __future__ import annotations

import hashlib
import logging
import statistics
from collections import Counter

from shared.cases.store import PastProblem, case_memory
from shared.catalog.index import catalog_index
from shared.catalog.similar import similar_entries
from shared.engines.clues import clue_in
from shared.engines.playbooks import finding
from shared.models import Report
from shared.session.state import MemoryHint, SessionState
from shared.telemetry.metrics import record_case_lookup

MIN_AGREEING = 2
MIN_SHARE = 0.6
_ENTRIES = 3


def problem_key(error_description: str) -> str | None:
    """The key of the problem the text states: the catalog entries it matches and the symptom clue it names, else
    (a weak key, prefixed `near-`) the catalog entries nearest to its words; None for a text with neither."""
    hits = catalog_index().hits([(error_description, "error")])
    clue = clue_in([error_description])
    tokens = [h.entry.id for h in hits[:_ENTRIES]] + ([f"clue:{clue['id']}"] if clue else [])
    prefix = ""
    if not tokens:
        tokens, prefix = [entry.id for entry, _ in similar_entries().nearest(error_description, _ENTRIES)], "near-"
    if not tokens:
        return None
    return prefix + hashlib.sha256("|".join(tokens).encode("utf-8")).hexdigest()[:40]


def decisive_of(state: SessionState, report: Report) -> str:
    """The check that settled the session: the evidence finding of the concluded category, else the Azure read the
    report cites first; "" when the error text alone decided."""
    found = finding(state)
    if found is not None and found[0].get("category") == report.category:
        return f"finding:{found[0]['id']}"
    tools = {e.tool for e in state.ledger}
    cited = next((item.source for item in report.evidence if item.source in tools and item.source != "client"), "")
    return f"tool:{cited}" if cited else ""


def hint_from(past: list[PastProblem]) -> MemoryHint | None:
    """What the past sessions agree on, or None (abstain) when fewer than MIN_AGREEING worked for one category or
    that category has less than MIN_SHARE of the fixes that worked."""
    fixed = Counter[str]()
    for case in past:
        fixed[case.category] += case.fixed
    if not fixed or fixed.total() == 0:
        return None
    category, agreeing = fixed.most_common(1)[0]
    share = agreeing / fixed.total()
    if agreeing < MIN_AGREEING or share < MIN_SHARE:
        return None
    agreed = [case for case in past if case.category == category and case.fixed > 0]
    decisive = Counter(case.decisive for case in agreed if case.decisive).most_common(1)
    steps = [s for case in agreed for s in case.steps]
    p90 = round(statistics.quantiles(steps, n=10, method="inclusive")[8]) if len(steps) >= 2 else None
    return MemoryHint(category=category, decisive=decisive[0][0] if decisive else "", agreeing=agreeing,
                      share=round(share, 2), steps_p90=p90)


def recall(error_description: str) -> MemoryHint | None:
    """The memory's hint for a new session's problem; None when memory is off, knows nothing or disagrees."""
    memory = case_memory()
    key = problem_key(error_description) if memory is not None else None  # a catalog scan: only when it is used
    if memory is None or key is None:
        return None
    try:
        past = memory.recall(key)
    except Exception as exc:  # memory is an aid: a store outage must not stop a session from starting
        logging.warning("case memory unavailable: %s", type(exc).__name__)
        record_case_lookup("error")
        return None
    hint = hint_from(past)
    if hint is not None and key.startswith("near-"):  # nearness orders checks; only the same error sizes budgets
        hint = hint.model_copy(update={"steps_p90": None})
    record_case_lookup("steered" if hint else "abstained" if past else "unknown_problem")
    return hint

