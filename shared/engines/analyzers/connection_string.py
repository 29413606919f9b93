"""config.invalid_connection_string: a connection string or endpoint is malformed or points at the wrong place.

The parse errors and what they mean are data (knowledge/config_connection_string_errors.yaml). The app's
settings (local.settings.json value shapes, never the secrets) are read for evidence: a storage setting
still set to UseDevelopmentStorage=true explains connections to 127.0.0.1:10000 in Azure."""

from __future__ import annotations

from shared.engines.analyzers.common import conclude_entry, facts_for, first_entry, grounded, table, unknown
from shared.engines.analyzers.ledger import latest
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import EvidenceItem
from shared.session.state import RunTool, SessionState

TOOL = "list_app_settings"
TABLE = "config_connection_string_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    settings = latest(state, TOOL)
    if settings is None:
        return RunTool(tool=TOOL, purpose="reading the shape of the connection settings (values stay redacted)")
    local = (settings.data.get("local") or {}) if settings.status == "success" else {}
    entries = tuple(e for e in table(TABLE) if local.get(e.get("when_local_empty", "")) == "empty"
                    or not e.get("when_local_empty"))
    found = first_entry(entries, state)
    if found is None:
        return unknown(state)
    entry, facts = found
    emulator = [name for name, shape in local.items() if shape.startswith("UseDevelopmentStorage")]
    # the host's own AzureWebJobsStorage is rarely the one the code connects with: name the others first
    emulator.sort(key=lambda name: name == "AzureWebJobsStorage")
    extra = ({"emulator_setting": emulator[0], "emulator_settings": ", ".join(f"'{n}'" for n in emulator)}
             if emulator else {})
    evidence = [EvidenceItem(source=TOOL, summary=settings.summary)] if settings.status == "success" else []
    confidence = "high" if entry.get("confirmed_by") != "emulator_setting" or emulator else "medium"
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts, extra), evidence, confidence=confidence)
