"""platform.service_incident: an Azure platform incident or resource health event, not the app's own fault.

Resource health ("Unavailable" with a platform-initiated reason) and Service Health notices (with a
tracking ID) say so outright; words like "platform issue" without them only make it likely. What to
check and do is data (knowledge/platform_incident_markers.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import conclude_entry, facts_for, first_entry, grounded, table, unknown
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "platform_incident_markers"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    found = first_entry(table(TABLE), state, files=True)
    if found is None:
        return unknown(state)
    entry, facts = found
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
