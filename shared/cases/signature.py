"""A session's case signature: the category it concluded, the catalog entries and catalog error codes its texts
matched, and the catalog's fix template; words of the service's own vocabulary only (see the package docstring)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shared.engines.catalog_hits import catalog_hits
from shared.models import Report
from shared.session.state import SessionState

MAX_ENTRIES = 3


@dataclass(frozen=True)
class CaseSignature:
    category: str
    entries: tuple[str, ...]   # catalog entry ids, best first
    codes: tuple[str, ...]     # the catalog's own codes those entries matched by (never text from the session)
    fix: str                   # the best entry's fix template, placeholders unfilled ("" without an entry)

    @property
    def key(self) -> str:
        """Stable id of the signature (the case's row key)."""
        text = "|".join([self.category, *self.entries, *sorted(self.codes)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]

    def tokens(self) -> list[str]:
        """What the nearest-signature ranking compares."""
        return [self.category, *self.entries, *(code.lower() for code in self.codes)]


def signature_of(state: SessionState, report: Report) -> CaseSignature | None:
    """The signature of a session that concluded `report` (None without a category)."""
    if not report.category or report.category == "out_of_scope":
        return None
    hits = [h for h in catalog_hits(state) if h.entry.category == report.category][:MAX_ENTRIES]
    codes = sorted({code for h in hits for code in h.entry.codes  # the catalog's spelling, not the session's text
                    if any(m.kind == "code" and m.found.lower() == code.lower() for m in h.matches)})
    fix = " ".join(hits[0].entry.fix) if hits else ""
    return CaseSignature(report.category, tuple(h.entry.id for h in hits), tuple(codes), fix)
