"""An Azure error code the catalog does not hold, read by the shape Azure's providers give their codes
(<Thing>NameInUse, <Thing>LimitReached, <Thing>NotAvailableInRegion): the family it belongs to, from
knowledge/code_shapes.yaml, instead of the generic question when nothing else matched."""

from __future__ import annotations

import re
from functools import cache

from shared.catalog.loader import all_entries
from shared.engines.analyzers.common import conclude_entry, facts_for, regex, search, table
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "code_shapes"
# a code where an error prints its code: Error Code: X, "code": "X", Code="X", (X) opening a line, (Code: X)
_CODE_PLACE = re.compile(r'''(?xm)
    (?:\bError\s?Code|"code"|\b[Cc]ode)\s*[:=]\s*["']?(?P<a>[A-Z][A-Za-z0-9]{5,80})\b
  | ^\s*\((?P<b>[A-Z][A-Za-z0-9]{5,80})\)\s
  | \(Code:\s*(?P<c>[A-Z][A-Za-z0-9]{5,80})\)''')


def printed_codes(text: str) -> set[str]:
    """The codes the text prints where an error prints its code (not a code word mentioned in prose)."""
    return {next(group for group in found.groups() if group) for found in _CODE_PLACE.finditer(text)}


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(code for entry in all_entries() for code in entry.codes)


def code_by_shape(state: SessionState) -> Decision | None:
    """The first code in a code position that the catalog does not know and whose ending names a family; never a
    family the client ruled out."""
    said = state.material.spoken_text()
    known = _known_codes()
    for found in _CODE_PLACE.finditer(said):
        code = next(group for group in found.groups() if group)
        if code in known:
            continue
        shape = next((s for s in table(TABLE) if regex(s["suffix"]).search(code)), None)
        if shape is not None and shape["category"] not in state.ruled_out:
            named = search(shape.get("facts") or [], [said])  # what the message says besides the code
            return conclude_entry(state, None, shape, facts_for(state, None, {**named, "code": code}))
    return None
