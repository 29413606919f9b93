"""runtime.timeout: an execution ran past a limit (the function timeout, or the 230 s limit of HTTP triggers).

The host states the function timeout outright ("Timeout value of 00:05:00 exceeded by function ...");
host.json's functionTimeout is read when sent, so the report can say whether the limit is the plan's
default or configured. Limits and fixes are data (knowledge/runtime_timeouts.yaml)."""

from __future__ import annotations

from pathlib import PurePosixPath

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    first_entry,
    grounded,
    other_cloud,
    table,
    unknown,
)
from shared.engines.analyzers.ledger import latest
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import EvidenceItem
from shared.session.state import RunTool, SessionState

CONFIG = "read_host_config"
TABLE = "runtime_timeouts"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    config = latest(state, CONFIG)
    if config is None and any(PurePosixPath(f.path.replace("\\", "/")).name == "host.json"
                              for f in state.material.files):
        return RunTool(tool=CONFIG, purpose="reading functionTimeout from host.json")
    found = first_entry(table(TABLE), state)
    if found is None:
        return unknown(state)
    entry, facts = found
    timeout = config.data.get("function_timeout") if config is not None else None
    configured = {"configured_timeout": str(timeout)} if timeout else {}
    evidence = [EvidenceItem(source=CONFIG, summary=config.summary)] if config and config.status == "success" else []
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts, configured), evidence)
