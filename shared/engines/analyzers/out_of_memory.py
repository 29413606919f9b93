"""runtime.out_of_memory: the process ran out of memory (an OutOfMemory exception, or killed by the OOM killer).

An OutOfMemoryError / MemoryError / OOMKilled states it; exit code 137 alone only says the process was
killed (SIGKILL), usually for memory, so it is concluded with medium confidence. The hosting platform,
read from the error and the environment, selects the memory limit and the way to raise it
(knowledge/runtime_memory_errors.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    matched_entry,
    search,
    table_entry,
    texts,
)
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

TABLE = "runtime_memory_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    found = matched_entry(state, hit, TABLE, other_clouds=True)
    if not isinstance(found, tuple):
        return found
    entry, facts = found
    platform = table_entry(TABLE, "platform")
    environment = " ".join(str(v) for v in state.material.environment.values())
    facts = {**search(platform["facts"], [*texts(state, files=True), environment]), **facts}
    return conclude_entry(state, hit, {**entry, "derive": platform["derive"]}, facts_for(state, hit, facts))
