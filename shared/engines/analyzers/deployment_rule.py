"""A deployment or provisioning error with a generic code (BadRequest, InvalidParameter, Conflict, a provider's 400)
whose message states the rule it broke ("is not supported in zone 3", "cannot be changed after creation", "must be
one of", "requires the Standard tier"): the rule's kind names the family (knowledge/deployment_rules.yaml) and the
rule's own sentence is the deciding detail quoted in the root cause.

Only a provisioning operation counts (an az CLI create/update, Terraform, an ARM/Bicep deployment, azd, a
management.azure.com call, the portal's "Deployment failed", an administration client creating an entity): the same
words in an application's runtime log or a data-plane call are no deployment rule, and the analyzer stays silent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.engines.analyzers.common import conclude_entry, facts_for, regex, table
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "deployment_rules"
_RULE_CHARS = 300  # a rule sentence longer than this is cut (a CLI line can carry a whole JSON body)
# a line of the error's own output rather than the client's prose: indented, boxed by Terraform, or carrying an
# error marker (a code in parentheses, "Message", "error", a status)
_ERROR_LINE = re.compile(r'(?i)^\s+\S|^[│|]|^\s*[({\["]|\berror\b|\bmessage\b|\bcode\b|\bstatus\b|\bexception\b|'
                         r'\bfail(?:ed|ure)\b|\bdenied\b|\brefused\b|\bbadrequest\b|\bconflict\b')
_SENTENCE_END = re.compile(r'(?<=[.!?])(?:\\[rn])*(?:\s+|["\'}]|\\")(?=\S)|\\r\\n|\\n')


@dataclass(frozen=True)
class RuleReading:
    kind: dict
    rule: str  # the message's sentence that states the rule
    facts: dict[str, str]

    @property
    def loose(self) -> bool:
        return bool(self.kind.get("loose"))

    @property
    def category(self) -> str:
        return str(self.kind["category"])


def _role(role: str) -> list[dict]:
    return [e for e in table(TABLE) if e["role"] == role]


def _any(role: str, text: str) -> bool:
    return any(regex(p).search(text) for e in _role(role) for p in e["patterns"])


def _sentences(text: str) -> list[str]:
    """The error output's sentences: its lines (the client's unindented prose left out), each cut at sentence ends
    (escaped line breaks of a JSON message included)."""
    found = []
    for line in text.splitlines():
        if not _ERROR_LINE.search(line):
            continue
        found += [s.strip(' \t"\'{}[],│|') for s in _SENTENCE_END.split(line) if s.strip()]
    return found


def read_rule(state: SessionState) -> RuleReading | None:
    """The first rule kind (in the table's order) whose phrase one of the error's sentences carries, when the text
    shows a provisioning operation and a generic code; None otherwise."""
    said = state.material.spoken_text()
    if not (_any("shape", said) and _any("generic", said)):
        return None
    sentences = _sentences(said)
    for kind in _role("kind"):
        if kind["category"] in state.ruled_out:
            continue
        for pattern in kind["phrases"]:
            for sentence in sentences:
                found = regex(pattern).search(sentence)
                if found is None:
                    continue
                rule = sentence if len(sentence) <= _RULE_CHARS else sentence[:_RULE_CHARS].rstrip() + "..."
                facts = {k: v.strip() for k, v in found.groupdict().items() if v}
                return RuleReading(kind=kind, rule=rule, facts=facts)
    return None


def conclude_rule(state: SessionState, reading: RuleReading) -> Decision:
    """The family of the rule's kind, its sentence quoted as the deciding detail; medium at most, low for a kind
    read from loose words."""
    facts = facts_for(state, None, {**reading.facts, "rule": reading.rule})
    return conclude_entry(state, None, reading.kind, facts, confidence="low" if reading.loose else "medium")


def deployment_rule(state: SessionState, loose: bool = True) -> Decision | None:
    """The conclusion the rule's kind gives, or None (no provisioning shape, no generic code, no rule phrase, or only
    a loose reading when `loose` is False)."""
    reading = read_rule(state)
    if reading is None or (reading.loose and not loose):
        return None
    return conclude_rule(state, reading)
