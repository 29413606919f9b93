"""Any catalog entry (knowledge/catalog/*.yaml): the one generic analyzer over Azure's error catalogs.

A conclusive entry (the code or text names the cause) concludes with its meaning and fix, filled only with facts
from the material; confidence is medium, never high from text alone (evidence raises it in the bespoke analyzers).
An inconclusive entry (a symptom: CrashLoopBackOff, a bare 503) first looks for more: the Azure playbook of the
resource when the service has access, else the entry's one discriminating command, asked once. What comes back is
scanned with the same index, so a specific error in the answer or the logs decides; if nothing more specific
turns up, the entry's category is given at low confidence, saying it is not confirmed."""

from __future__ import annotations

import re
from dataclasses import replace

from shared.catalog.index import EntryHit, Match
from shared.catalog.schema import CatalogEntry
from shared.catalog.similar import Lead, similar_entries
from shared.engines.analyzers.common import fill, filled_actions, report
from shared.engines.analyzers.ledger import ask_once, denial_note
from shared.engines.base import Decision
from shared.engines.catalog_hits import catalog_hits, contradicted, facts_of
from shared.engines.playbooks import conclude_finding, finding, next_read
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import Conclude, SessionState

_MAX_QUOTES = 3


def decide_from_entry(state: SessionState, hit: EntryHit) -> Decision:
    entry = hit.entry
    if entry.conclusive:
        confidence = "medium" if hit.exact or _long_phrase(hit) else "low"
        return conclude(state, hit, confidence)
    step = next_read(state)
    if step is not None:
        return step
    found = finding(state, delegates=False)  # what Azure's reads decide by themselves beats asking about a symptom
    if found is not None:
        return conclude_finding(state, *found)
    other = _corroborating(state, hit)
    if other is not None and not state.azure_access:  # two different errors of one family: the family is settled
        return _with_corroboration(conclude(state, hit, "low", unconfirmed=True), other)
    # the report holds what the check would show: its own words near known errors answer before a question
    lead = nearest_lead(state, envelopes=False) if _check_already_shown(state, entry) else None
    if lead is not None:
        return conclude_from_lead(state, lead)
    if not state.requests_asked:
        facts = facts_of(state, hit)  # the question quotes the meaning as the report fills it, never a {field}
        request = ClientRequest(
            question=f"{_first_sentence(fill(entry.meaning, facts))} To tell which cause it is, please run this "
                     f"command and paste its output: it shows {entry.check.azure}.{denial_note(state)}",
            why=f"'{hit.matches[0].found}' alone does not decide the cause: {entry.check.azure}.",
            suggested_commands=[fill(entry.check.command, facts)])
        return ask_once(state, request, "The error names a symptom and the answer did not decide it.",
                        entry.category)
    return conclude(state, hit, "low", unconfirmed=True)


def _check_already_shown(state: SessionState, entry: CatalogEntry) -> bool:
    """Whether the report already holds what the entry's check would show (its `shown_by`)."""
    return bool(entry.shown_by) and re.search(entry.shown_by, state.material.spoken_text()) is not None


def nearest_lead(state: SessionState, envelopes: bool = True) -> Lead | None:
    """The nearest catalog entries' category when it speaks for a service the report names (BM25 over the report's
    words, as for a report without any code), with the named service's entries first; else None. Without
    `envelopes`, an envelope's entry (`wrapper`) is no lead: the words around an envelope are what is looked up."""
    lead = similar_entries().lead(state.material.spoken_text())
    if lead is None or lead.category == "out_of_scope" or contradicted(state, lead.category):
        return None
    if not envelopes:
        lead = replace(lead, entries=tuple(e for e in lead.entries if not e.wrapper))
    named = [e for e in lead.entries if names_the_service(state, e.service)]
    return replace(lead, entries=(*named, *(e for e in lead.entries if e not in named))) if named else None


_SERVICE_NOISE = re.compile(r"(?i)\([^)]*\)|\b(?:azure|microsoft|sdk|for|the|service|services|and|of|legacy|apps?)\b")


def names_the_service(state: SessionState, service: str) -> bool:
    """Whether the report names the service of the nearest known errors (a word of it, "Redis" of "Azure Cache for
    Redis"): words near another service's errors are no lead for a report about something else."""
    words = [w for w in re.findall(r"[A-Za-z][\w.-]{2,}", _SERVICE_NOISE.sub(" ", service))]
    said = " ".join([*state.material.spoken(), *state.material.technologies()]).lower()
    return any(word.lower()[:5] in said for word in words)


def _corroborating(state: SessionState, hit: EntryHit) -> EntryHit | None:
    """Another catalog entry of the same category that the error text itself matched with other words (the
    template validation's message and the registry's UNAUTHORIZED): the report shows two errors of one family."""
    said = {m.found.lower() for m in hit.matches}
    return next((other for other in catalog_hits(state) if other.entry.id != hit.entry.id
                 and other.entry.category == hit.entry.category and not other.entry.wrapper
                 and any(m.origin == "error" and m.found.lower() not in said for m in other.matches)), None)


def _with_corroboration(decision: Conclude, other: EntryHit) -> Conclude:
    meaning = other.entry.meaning.strip()
    decision.report.root_cause += f" The report also shows a related error: {meaning}"
    cited = f"{other.entry.id}: {other.entry.source}"
    decision.report.evidence.append(EvidenceItem(source="catalog", summary=cited[:300]))
    return decision


def conclude(state: SessionState, hit: EntryHit, confidence: str, unconfirmed: bool = False) -> Conclude:
    entry = hit.entry
    facts = facts_of(state, hit)
    said = _said(hit)
    root_cause = f"{fill(entry.meaning, facts).strip()} ({entry.service}: {said})"
    if unconfirmed:
        root_cause = f"Most likely, not confirmed: {root_cause}"
    actions = _actions(entry, facts)
    evidence = [EvidenceItem(source=m.origin if m.origin != "answer" else "client",
                             summary=m.context[:_QUOTE_CHARS[m.origin == "evidence"]])
                for m in _distinct(hit)[:_MAX_QUOTES]]
    evidence.append(EvidenceItem(source="catalog", summary=f"{entry.id}: {entry.source}"[:300]))
    found = report(state, category=entry.category, confidence=confidence, root_cause=root_cause, actions=actions,
                   evidence=evidence)
    return Conclude(message=_first_sentence(root_cause), report=found)


_QUOTE_CHARS = (300, 700)  # the client's own text, Azure's (what the client has not seen is quoted longer)


def _actions(entry: CatalogEntry, facts: dict[str, str]) -> list[str]:
    """The entry's fix steps, then its check to confirm the cause, filled with the material's facts."""
    # a step that is one optional segment the material cannot fill is left out
    return [*filled_actions(list(entry.fix), facts),
            f"Confirm with: `{fill(entry.check.command, facts)}` ({entry.check.azure})."]


def _said(hit: EntryHit) -> str:
    best = _distinct(hit)[0]
    return f"'{best.context[:220]}'"


def _distinct(hit: EntryHit) -> list[Match]:
    seen: dict[str, Match] = {}
    for match in sorted(hit.matches, key=lambda m: m.kind != "code"):
        seen.setdefault(match.found.lower(), match)
    return list(seen.values())


def _long_phrase(hit: EntryHit) -> bool:
    return any(len(m.found) >= 30 for m in hit.matches)


def _first_sentence(text: str) -> str:
    head = text.strip().split(". ")[0].rstrip(".")
    return head[:300] + "."


def conclude_from_lead(state: SessionState, lead: Lead) -> Conclude:
    """No code or phrase matched, but the report's words are nearest to known errors of one category (BM25 over the
    catalog): that category at low confidence, the nearest entry's meaning and fix, and its check to confirm it."""
    entry = lead.entries[0]
    facts = facts_of(state, None)
    root_cause = (f"Most likely, not confirmed: {fill(entry.meaning, facts).strip()} (the report reads closest to "
                  f"these known {entry.service} errors; nothing in it matched an Azure error code exactly)")
    actions = _actions(entry, facts)
    evidence = [EvidenceItem(source="catalog", summary=f"nearest known errors: "
                             f"{', '.join(e.id for e in lead.entries[:3])} ({int(lead.share * 100)}% of the "
                             f"nearest entries' weight)")]
    found = report(state, category=lead.category, confidence="low", root_cause=root_cause, actions=actions,
                   evidence=evidence)
    return Conclude(message=_first_sentence(root_cause), report=found)
