"""A publish refused for a runtime mismatch that is really a publish to the wrong app.

Core Tools refuses `func azure functionapp publish <app>` when the app's FUNCTIONS_WORKER_RUNTIME differs from the
local project's. Read alone, that is a misconfigured app (and the tool offers --force, which would overwrite the
other app's runtime). When the report also shows a sibling app (same naming prefix) that runs the local project's
runtime, the command named the wrong app: the deciding fact is that sibling's name, computed here from the listing
or the writer's description."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, SessionState

_CATEGORY = "config.wrong_resource_name"
# Core Tools' refusal (functions-run-local.md: the target app's worker runtime must match the local project)
_REFUSED = re.compile(r"(?i)Function App has '?FUNCTIONS_WORKER_RUNTIME'? set to '?(?P<remote>[\w-]+)'? while your "
                      r"local project is set to '?(?P<local>[\w-]+)'?")
_PUBLISH = re.compile(r"(?i)\bfunc\s+azure\s+functionapp\s+publish\s+(?P<app>[A-Za-z0-9][\w-]{1,58})")
_NAME = re.compile(r"(?<![\w.-])[A-Za-z0-9][A-Za-z0-9-]{2,58}(?![\w.-])")
_RUNTIMES = {"dotnet": "dotnet(?!-isolated)", "dotnet-isolated": "dotnet[- ]isolated|\\.net (?:\\d+ )?isolated",
             "node": "node(?:\\.?js)?", "python": "python", "java": "java", "powershell": "powershell|pwsh",
             "custom": "custom"}


def with_wrong_target(state: SessionState, decision: Decision) -> Decision:
    """A runtime-mismatch reading (or a question) of a refused publish, replaced by the wrong-target reading when
    the report shows a sibling app with the local project's runtime. A conclusion at high confidence stands."""
    if isinstance(decision, Conclude) and (decision.report.confidence == "high"
                                           or decision.report.category == _CATEGORY):
        return decision
    if not isinstance(decision, Conclude | AskClient):
        return decision
    found = wrong_target("\n".join(state.material.spoken()))
    if found is None:
        return decision
    target, remote, local, sibling, line = found
    cause = (f"The publish went to the wrong function app: '{target}' runs the '{remote}' worker while the local "
             f"project is '{local}', and the report shows '{sibling}' running '{local}'. Core Tools refused to "
             f"deploy because the command names '{target}', not the app this project belongs to.")
    actions = [f"Publish to the app meant: `func azure functionapp publish {sibling}`.",
               f"Do not pass --force: it would set FUNCTIONS_WORKER_RUNTIME of '{target}' to '{local}' and break the "
               f"'{remote}' functions it runs."]
    evidence = [EvidenceItem(source="error", summary=" ".join(line.split())[:300])]
    return Conclude(message=cause[:300], report=report(state, category=_CATEGORY, confidence="medium",
                                                        root_cause=cause, actions=actions, evidence=evidence))


def wrong_target(text: str) -> tuple[str, str, str, str, str] | None:
    """(target app, its runtime, the local runtime, the sibling app with the local runtime, the line showing it)."""
    refused, publish = _REFUSED.search(text), _PUBLISH.search(text)
    if refused is None or publish is None:
        return None
    target, remote, local = publish.group("app"), refused.group("remote").lower(), refused.group("local").lower()
    runtime = re.compile(rf"(?i)\b(?:{_RUNTIMES.get(local, re.escape(local))})\b")
    prefix = _prefix(target)
    if not prefix:
        return None  # a name without a naming convention has no siblings to tell apart
    for line in text.split("\n"):
        if _REFUSED.search(line) or _PUBLISH.search(line):
            continue
        for name in _NAME.finditer(line):
            candidate = name.group(0)
            if candidate.lower() == target.lower() or _prefix(candidate).lower() != prefix.lower():
                continue
            near = line[name.end():name.end() + 80]
            cut = next((m.start() for m in _NAME.finditer(near) if _prefix(m.group(0)).lower() == prefix.lower()),
                       len(near))  # the runtime said of this name, before the next sibling's name
            if runtime.search(near[:cut]):
                return target, remote, local, candidate, line
    return None


def _prefix(name: str) -> str:
    """The naming prefix of an app: its name up to the last hyphen ('func-orders' of 'func-orders-api')."""
    return name.rsplit("-", 1)[0] if "-" in name else ""
