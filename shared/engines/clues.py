"""Clues in a report that names no error code (knowledge/symptom_clues.yaml): ask for the one command that decides,
then, if the answer names nothing more specific, give the clue's most likely cause at low confidence."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import fill, regex, report, table
from shared.engines.base import Decision
from shared.engines.catalog_hits import facts_of
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import AskClient, Conclude, SessionState

CLUES = "symptom_clues"


def matching_clue(state: SessionState) -> dict[str, Any] | None:
    """The first clue whose pattern is in the error text or an answer (files are context, not the report)."""
    return clue_in([state.material.error_description, *state.material.answers])


def clue_in(spoken: list[str]) -> dict[str, Any] | None:
    """The first clue whose pattern is in one of the texts, with the words it matched."""
    for clue in table(CLUES):
        for text in spoken:
            found = regex(clue["pattern"]).search(text)
            if found:
                return {**clue, "_quote": found.group(0)}
    return None


def clue_decided(state: SessionState, clue: dict[str, Any]) -> bool:
    """The report (or an answer) states the clue's deciding fact itself."""
    spoken = [state.material.error_description, *state.material.answers]
    return bool(clue.get("decides")) and any(regex(clue["decides"]).search(t) for t in spoken)


def decide_from_clue(state: SessionState, clue: dict[str, Any]) -> Decision:
    facts = facts_of(state, None)
    spoken = [state.material.error_description, *state.material.answers]
    shown = next((m.group(0) for t in spoken for m in [regex(clue["decides"]).search(t)] if m),
                 None) if clue.get("decides") else None
    decided = shown is not None
    if not state.requests_asked and not decided:
        return AskClient(request=ClientRequest(
            question=" ".join(clue["question"].split()), why=f"The report mentions '{clue['_quote']}'.",
            suggested_commands=[fill(clue["command"], facts)]))
    evidence = [EvidenceItem(source="error", summary=f"the report says '{clue['_quote']}'"),
                EvidenceItem(source="knowledge", summary=f"{clue['id']}: {clue['source']}"[:300])]
    if shown:  # what in the report decides it (a resolver's answer, a port test), in its own words
        evidence.insert(1, EvidenceItem(source="error", summary=" ".join(shown.split())[:300]))
    root_cause = " ".join(fill(clue["root_cause"], facts).split())
    if decided:  # the report states the decisive fact itself: not a guess
        root_cause = root_cause.replace("Most likely, not confirmed: ", "", 1)
    return Conclude(message=root_cause[:300], report=report(
        state, category=clue["category"], confidence="medium" if decided else "low", root_cause=root_cause,
        actions=[fill(a, facts) for a in clue["actions"]], evidence=evidence))
