"""Clues in a report that names no error code (knowledge/symptom_clues.yaml): ask for the one command that decides,
then, if the answer names nothing more specific, give the clue's most likely cause at low confidence."""

from __future__ import annotations

import re
from typing import Any

from shared.catalog.facts import unwrapped
from shared.catalog.index import negated
from shared.engines.analyzers.common import fill, regex, report, table
from shared.engines.base import Decision
from shared.engines.catalog_hits import contradicted, decisive, facts_of
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

CLUES = "symptom_clues"
# the report says the thing the clue names is empty or clean ("the dead-letter queue is empty"): it is ruled out
_EMPTY_AFTER = re.compile(r"^[^.;!?\n]{0,25}\b(?:is|are|was|were|stays?|remains?|looks?) (?:empty|clean)\b|"
                          r"^[^.;!?\n]{0,25}\b(?:shows?|has|have|had|contains?) (?:nothing|no messages|0 messages)\b",
                          re.IGNORECASE)


def matching_clue(state: SessionState) -> dict[str, Any] | None:
    """The first clue whose pattern is in the error text or an answer (files are context, not the report), of a
    family the material does not rule out; a clue that `yields_to_catalog` counts only where no conclusive catalog
    entry names the cause."""
    spoken = state.material.spoken()
    # a clue of a family the material rules out ("the storage firewall is open to all networks") does not count
    found = [c for c in clues_in(spoken) if not contradicted(state, c["category"])]
    # a clue whose deciding fact the report states outranks an earlier one that could only ask
    clue = next((c for c in found if _deciding_words(state, c) is not None), found[0] if found else None)
    if clue is not None and clue.get("yields_to_catalog"):
        entry = decisive(state)
        if entry is not None and entry.entry.conclusive and not entry.entry.wrapper:
            return None
    return clue


def clue_in(spoken: list[str]) -> dict[str, Any] | None:
    """The first clue whose pattern is in one of the texts, or in them read together (a 401 in the report, the
    sovereign cloud in the answer), with the words it matched."""
    found = clues_in(spoken)
    return found[0] if found else None


def clues_in(spoken: list[str]) -> list[dict[str, Any]]:
    """Every clue whose pattern is in one of the texts (or in them read together), in file order, each with the
    words it matched."""
    texts, found = _each_and_together(spoken), []
    for clue in table(CLUES):
        match = next((m for text in texts for m in regex(clue["pattern"]).finditer(text) if not _denied(text, m)), None)
        if match:
            found.append({**clue, "_quote": match.group(0)})
    return found


def _each_and_together(spoken: list[str]) -> list[str]:
    """The texts one by one, then joined (a clue's facts can be split between the report and an answer), then
    with the lines a paste wrapped joined again."""
    texts = [*spoken, "\n".join(spoken)] if len(spoken) > 1 else list(spoken)
    return texts + [joined for joined in map(unwrapped, texts[:1]) if joined not in texts]


def _denied(text: str, found: re.Match[str]) -> bool:
    """The report denies what the clue matched ("no 502 since", "the dead-letter queue is empty")."""
    return negated(text, found.start(), found.end()) or bool(_EMPTY_AFTER.search(text[found.end():found.end() + 60]))


def clue_decided(state: SessionState, clue: dict[str, Any]) -> bool:
    """The report (or an answer) states the clue's deciding fact itself."""
    return _deciding_words(state, clue) is not None


def _deciding_words(state: SessionState, clue: dict[str, Any]) -> str | None:
    """The words of the report or an answer that state the clue's deciding fact (its `decides`), if any."""
    found = _deciding_match(state, clue)
    return None if found is None else found.group(0)


def _deciding_match(state: SessionState, clue: dict[str, Any]) -> re.Match[str] | None:
    if not clue.get("decides"):
        return None
    spoken = state.material.spoken()
    texts = _each_and_together(spoken)
    if clue.get("reads_environment"):  # the deciding fact is one environment_info states (the hosting plan)
        texts.append("\n".join([*spoken, environment_text(state.material.environment)]))
    return next((m for t in texts for m in [regex(clue["decides"]).search(t)] if m), None)


def environment_text(environment: dict[str, Any]) -> str:
    """environment_info as 'key: value' lines, a list's items joined: what the client stated about its setting."""
    return "\n".join(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
                     for key, value in environment.items() if isinstance(value, (str, int, float, list)))


# words of pasted error output: an error or exception word, a refusal, an HTTP status, a code-shaped CamelCase token
# (RequestDisallowedByPolicy), a stack frame or a quoted message; "fails" or "broken" alone is prose, not output
_ERROR_OUTPUT = re.compile(r"(?i:\b(?:error|errors|exception|denied|refused|forbidden|unauthori[sz]ed|timed? ?out|"
                           r"not found|cannot|can't|could not|unable|invalid|crash\w*|traceback|stack ?trace)\b)|"
                           r"\b[1-5]\d\d\b|\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b|^\s+at |\b(?:ERR|FATAL)\b",
                           re.MULTILINE)


_NO_OUTPUT_QUESTION = ("The report says what fails but shows no error. Please paste the complete error output of the "
                       "failing step (its log, the exception with its stack trace, or the command's output): the error "
                       "code, the HTTP status, the operation and the resource involved. If other environments or "
                       "regions fail the same way at the same time, say so as well.")


def quotes_no_error(state: SessionState) -> bool:
    """The report describes a failure only in prose ("the release is broken since this morning") and pastes no
    error output at all: no error word, status, code or stack frame, in the report or an answer."""
    return not any(_ERROR_OUTPUT.search(text) for text in state.material.spoken())


def decide_from_clue(state: SessionState, clue: dict[str, Any]) -> Decision:
    deciding = _deciding_match(state, clue)
    shown = None if deciding is None else deciding.group(0)
    # the deciding words' named groups ({variable}) fill the clue's templates, over the material's own facts
    facts = {**facts_of(state, None), **{k: v for k, v in (deciding.groupdict() if deciding else {}).items() if v}}
    decided = shown is not None
    if not state.requests_asked and not decided and clue.get("context") and quotes_no_error(state):
        # a setting clue ("nothing changed since...") over a report that pastes no error: the error output names the
        # cause far more often than a platform incident does, so it is asked for first
        return AskClient(request=ClientRequest(
            question=_NO_OUTPUT_QUESTION, why="The report describes the failure but shows no error output.",
            suggested_commands=[fill(clue["command"], facts)]))
    if not state.requests_asked and not decided:
        return AskClient(request=ClientRequest(
            question=" ".join(clue["question"].split()),
            why=f"The report mentions '{clue['_quote']}'." if clue["_quote"] else "The report describes this symptom.",
            suggested_commands=[fill(clue["command"], facts)]))
    # a clue made of lookaheads only (this symptom and that setting, anywhere in the text) matches no words to quote
    quote = " ".join(clue["_quote"].split())[:240]
    evidence = [EvidenceItem(source="error", summary=f"the report says '{quote}'")] if quote else []
    evidence.append(EvidenceItem(source="knowledge", summary=f"{clue['id']}: {clue['source']}"[:300]))
    if shown:  # what in the report decides it (a resolver's answer, a port test), in its own words
        evidence.insert(len(evidence) - 1, EvidenceItem(source="error", summary=" ".join(shown.split())[:300]))
    root_cause = " ".join(fill(clue["root_cause"], facts).split())
    if decided:  # the report states the decisive fact itself: not a guess
        root_cause = root_cause.replace("Most likely, not confirmed: ", "", 1)
        root_cause = root_cause[:1].upper() + root_cause[1:]
    found = report(state, category=clue["category"], confidence="medium" if decided else "low", root_cause=root_cause,
                   actions=[fill(a, facts) for a in clue["actions"]], evidence=evidence)
    if clue["category"] == "out_of_scope":  # the cause is outside Azure: the session ends there, as a fail
        return GiveUp(reason="out_of_scope", report=found, message=root_cause[:300])
    return Conclude(message=root_cause[:300], report=found)
