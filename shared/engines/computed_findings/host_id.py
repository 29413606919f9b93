"""Computed finding: two Functions hosts that derive the same default host ID. The host ID is the site name,
lower-cased and cut to 32 characters; a slot's ID adds the slot name after the site name, so for a site name of 32
characters or more the production app and its slots share one ID, and with it the timer and lease locks in the
storage account they share (the host ID collision the host reports as AZFD0004 in newer versions)."""

from __future__ import annotations

import json
from collections.abc import Callable

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import SITES, Facts, read_setting_names, said_by_client
from shared.session.state import SessionState

_HOST_ID_LENGTH = 32
_HOST_ID_SETTING = "azurefunctionswebhost__hostid"


def slots_share_host_id(state: SessionState) -> Facts:
    """A function app whose name fills the host ID's 32 characters, with a deployment slot the session read or the
    report names, and no explicit host ID setting: production and slot hosts run under one host ID."""
    for app in reads_of_type(state, SITES):
        name = str(app.get("name") or "")
        if "functionapp" not in str(app.get("kind") or "").lower() or len(name) < _HOST_ID_LENGTH:
            continue
        if any(n.lower() == _HOST_ID_SETTING for n in read_setting_names(state) or []):
            return None  # the host ID is set explicitly (per slot): the default one is not used
        if _has_slot(state, str(app.get("id") or "")):
            return {"app": name, "host_id": name.lower()[:_HOST_ID_LENGTH].rstrip("-")}
    return None


def _has_slot(state: SessionState, site_id: str) -> bool:
    """Whether a read shows a slot of the site (a listing row or read whose id is under its /slots), or the report
    speaks of its slot."""
    under = f"{site_id.lower()}/slots/"
    read = any(under in json.dumps(e.data, default=str).lower() for e in state.ledger if e.status == "success")
    return read or "slot" in said_by_client(state).lower()


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "functions-slots-share-host-id": slots_share_host_id,
}
