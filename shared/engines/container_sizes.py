"""The containers behind a refused container-app total: when Container Apps refuses the CPU/memory total of an app
("... resources for this application (CPU: 1.0, memory: 2.5Gi) is invalid") and the session read that app, the
conclusion names each container of its template with its size, so the sidecars the total includes (a log shipper,
a proxy) are named, not only the container the command changed.

May import: shared.engines (ledger, session_reads), shared.session. Imported by shared.engines.rules."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.base import Decision
from shared.engines.session_reads import is_mentioned
from shared.session.state import Conclude, SessionState

# the total Container Apps states when it refuses an app's resources, as its messages print it
_REFUSED_TOTAL = re.compile(r"(?i)resources for this application "
                            r"\(CPU: (?P<cpu>[0-9.]+), memory: (?P<memory>[0-9.]+Gi)\)")


def with_container_sizes(state: SessionState, decision: Decision) -> Decision:
    """The refused total's containers, each with its CPU and memory, added to the conclusion that reads it."""
    if not isinstance(decision, Conclude):
        return decision
    said = state.material.spoken_text()
    total = _REFUSED_TOTAL.search(said)
    if total is None:
        return decision
    containers = _sized_containers(state, said.lower())
    if len(containers) < 2 or all(name in decision.report.root_cause for name, _, _ in containers):
        return decision  # one container is the total itself; nothing to add
    listed = ", ".join(f"{name} ({cpu} CPU / {memory})" for name, cpu, memory in containers)
    decision.report.root_cause += (f" The app's template holds {len(containers)} containers, and the total "
                                   f"(CPU {total['cpu']}, memory {total['memory']}) counts all of them "
                                   f"(each as the app runs now): {listed}.")
    return decision


def _sized_containers(state: SessionState, said: str) -> list[tuple[str, str, str]]:
    """The containers (name, cpu, memory) of the container app read in Azure, the one the report names first."""
    apps = reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$")
    named = [app for app in apps if app.get("name") and is_mentioned(str(app["name"]), said)]
    for app in (named or apps)[:1]:
        return [(str(c.get("name")), str(_resources(c).get("cpu")), str(_resources(c).get("memory")))
                for c in app.get("containers") or [] if isinstance(c, dict) and c.get("name") and _resources(c)]
    return []


def _resources(container: dict[str, Any]) -> dict[str, Any]:
    resources = container.get("resources")
    return resources if isinstance(resources, dict) and resources.get("memory") else {}
