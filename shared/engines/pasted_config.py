"""The pasted configuration lines a conclusion rests on, quoted as its evidence.

Reports paste configuration beside the error: an app settings table, a .env file, a JSON listing, a host.json or a
policy fragment. The catalog's cause names the setting by its meaning ("the runtime version", "the extension
bundle"); the client's own line shows which setting and which value ("FUNCTIONS_EXTENSION_VERSION   ~2"). The
configuration lines are ranked by BM25 (rank_bm25) against the conclusion's root cause and actions, like the
report's sentences (`report_statements`); a line is quoted only when its setting's name shares one of
the conclusion's words and the whole line at least two (a line that shares them only through its value does not
count), when it is not quoted yet, and at most two are. Nothing is concluded from them: category and confidence
stay as they are."""

from __future__ import annotations

import re

from shared.catalog.similar import tokens
from shared.engines.base import Decision
from shared.engines.report_statements import nearest
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

# a setting and its value: KEY=value, key: value, key = "value", "key": value, { "name": "KEY", "value": ... }
_ASSIGNED = re.compile(r"""^\s*[{\[,]?\s*["']?(?P<key>[A-Za-z_][\w.:$@-]{2,80})["']?\]?\s*(?:=|:(?!//))\s*\S""")
_NAMED = re.compile(r'"name"\s*:\s*"(?P<key>[A-Za-z_][\w.:$@-]{2,80})"')
# a table row (az ... -o table, a portal grid copied): a name, two spaces or more, a value
_ROW = re.compile(r"^\s*(?P<key>[A-Za-z_][\w.:-]{2,80})\s{2,}\S")
# an XML element of a configuration (a csproj, an APIM policy): <key attribute="..."> or <key>value</key>
_ELEMENT = re.compile(r"^\s*<(?P<key>[A-Za-z][\w:.-]{2,80})[\s/>]")
# not configuration: a log line, a prompt's command, a stack frame, prose
_NOT_CONFIG = re.compile(r"^\s*(?:\[?\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d|\d\d/\d\d/\d\d|##\[|at |File \"|[$>#]|PS |az |"
                         r"kubectl |curl |Error|Exception|Traceback)")
_MAX_CHARS = 240
_QUOTED = 2
_SHARED_WORDS = 2


def config_lines(text: str) -> list[tuple[str, str]]:
    """(the setting's name, the line flattened to single spaces) of each configuration line of the text, once."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or len(line) > _MAX_CHARS or _NOT_CONFIG.match(line):
            continue
        match = _NAMED.search(line) or _ASSIGNED.match(line) or _ELEMENT.match(line) or _ROW.match(line)
        if match is None:
            continue
        flat = " ".join(line.split())
        found.setdefault(flat, match.group("key"))
    return [(key, flat) for flat, key in found.items()]


def with_pasted_config(state: SessionState, decision: Decision) -> Decision:
    """Quote in the conclusion's evidence (source `client`) the pasted configuration lines nearest it, at most two,
    each of whose setting names shares at least two of the conclusion's words."""
    if not isinstance(decision, Conclude) or decision.report.category is None:
        return decision
    conclusion = set(tokens(" ".join([decision.report.root_cause, *decision.report.actions])))
    quoted = " ".join(" ".join(e.summary.split()) for e in decision.report.evidence).lower()
    material = state.material
    text = "\n".join([material.spoken_text(), *(f.content for f in material.files)])
    lines = [(key, flat) for key, flat in config_lines(text) if flat.lower() not in quoted
             and conclusion & set(tokens(key)) and len(conclusion & set(tokens(flat))) >= _SHARED_WORDS]
    for line in nearest(conclusion, [flat for _, flat in lines], _QUOTED):
        decision.report.evidence.append(EvidenceItem(source="client", summary=f"the report shows: {line}"))
    return decision
