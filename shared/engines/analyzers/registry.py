"""One analyzer per error family; signatures.yaml names them by these keys."""

from __future__ import annotations

from collections.abc import Callable

from shared.engines.analyzers import dependency_missing, out_of_scope, rbac_missing, storage_firewall, unknown
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

Analyzer = Callable[[SessionState, Hit | None], Decision]

ANALYZERS: dict[str, Analyzer] = {
    "dependency_missing": dependency_missing.analyze,
    "storage_firewall": storage_firewall.analyze,
    "rbac_missing": rbac_missing.analyze,
    "out_of_scope": out_of_scope.analyze,
}


def analyzer_for(name: str) -> Analyzer:
    return ANALYZERS.get(name, unknown.analyze)
