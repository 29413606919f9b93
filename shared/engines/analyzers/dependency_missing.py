"""runtime.dependency_missing: a module is imported but the deployment does not install it."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import Entry, fill, regex, table
from shared.engines.analyzers.ledger import env, since_last_answer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import EvidenceItem, Report
from shared.session.report import checked_list
from shared.session.state import Conclude, RunTool, SessionState
from shared.tools.material_tools import likely_distribution

TOOL = "get_requirement_status"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
    module = hit.facts.get("module", "")
    status = since_last_answer(state, TOOL)
    if status is None:
        return RunTool(tool=TOOL, arguments={"module": module},
                       purpose=f"checking whether requirements.txt provides '{module}'")
    if status.status == "no_data":
        if _stated_listed(state, module):  # "requests is listed in requirements.txt"
            return _conclude(state, hit, module, {"listed": True}, f"the report says '{module}' is listed "
                                                                     "in requirements.txt")
        return _conclude_without_requirements(state, hit, module)
    return _conclude(state, hit, module, status.data, status.summary)


def _stated_listed(state: SessionState, module: str) -> bool:
    name = re.escape(module.split(".")[0])
    pattern = re.compile(rf"(?i)\b{name}\b[^.\n]{{0,40}}\b(?:is|are)\s+(?:listed|included|present|in)\b[^.\n]{{0,30}}"
                         rf"requirements\.txt|requirements\.txt[^.\n]{{0,30}}\b(?:lists|contains|has|includes)\b"
                         rf"[^.\n]{{0,20}}\b{name}\b")
    return any(pattern.search(t) for t in state.material.spoken())


def _build_path(state: SessionState) -> Entry | None:
    """The deployment path the report shows (knowledge/python_build_paths.yaml), first match; the match's named
    groups ({built}, {runtime}) fill the path's text, since a version mismatch is only explained by its numbers."""
    said = state.material.spoken_text()
    for path in table("python_build_paths"):
        found = regex(path["match"]).search(said)
        if found:
            facts = {k: v for k, v in found.groupdict().items() if v}
            return {**path, "says": fill(str(path["says"]), facts), "action": fill(str(path["action"]), facts)}
    return None


def _conclude_without_requirements(state: SessionState, hit: Hit, module: str) -> Decision:
    """requirements.txt was not sent: the error itself decides the family; which of its two causes holds is the
    one check left, named in the actions (medium confidence)."""
    package = likely_distribution(module)
    app = env(state, "function_app", "<function-app>")
    evidence = [EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]]
    path = _build_path(state)
    report = Report(
        category=hit.signature.category, confidence="medium", evidence=evidence, checked=checked_list(state),
        root_cause=(f"The deployed app cannot import '{module}': the package that provides it is not installed "
                    f"where the app runs. Either requirements.txt does not list it (`{package}`), or the deployment "
                    "did not install requirements.txt (no remote build: the package was not built during "
                    "deployment, or was built for another platform)."
                    + (f" Here {' '.join(str(path['says']).split())}." if path else "")),
        actions=[f"Check requirements.txt lists `{package}` (with a version pin); add it if not.",
                 *([str(path["action"])] if path else []),
                 "Make the deployment install it: set SCM_DO_BUILD_DURING_DEPLOYMENT=true (and ENABLE_ORYX_BUILD="
                 f"true) or publish with `func azure functionapp publish {app} --build remote`.",
                 "Check the deployment log for the pip install step (Oryx build output) after redeploying."])
    return Conclude(message=f"'{module}' is not installed in the deployed app.", report=report)


def _conclude(state: SessionState, hit: Hit, module: str, data: dict, summary: str) -> Decision:
    package = likely_distribution(module)
    app = env(state, "function_app", "<function-app>")
    group = env(state, "resource_group", "<resource-group>")
    importers = ", ".join(data.get("importers") or []) or "the app's code"
    evidence = [EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]]
    evidence.append(EvidenceItem(source=TOOL, summary=summary))
    if not data.get("listed"):
        report = Report(
            category=hit.signature.category, confidence="high", evidence=evidence, checked=checked_list(state),
            root_cause=(f"{importers} imports '{module}', but requirements.txt does not list the package that "
                        f"provides it, so the deployment's build never installs it and the Python worker fails "
                        f"with ModuleNotFoundError while indexing the functions (0 functions loaded)."),
            actions=[f"Add the package providing '{module}' to requirements.txt (e.g. `{package}` with a "
                     f"version pin), next to the packages already listed.",
                     "Redeploy with a remote build so requirements.txt is installed: "
                     f"`func azure functionapp publish {app} --build remote` (or zip deploy with "
                     "SCM_DO_BUILD_DURING_DEPLOYMENT=true).",
                     "Check that the functions are indexed again: "
                     f"`az functionapp function list --name {app} --resource-group {group}`.",
                     "Reproduce locally in a clean virtual environment: "
                     "`python -m venv .venv && .venv/bin/pip install -r requirements.txt && func start`."])
        return Conclude(message=f"'{module}' is imported but missing from requirements.txt.", report=report)
    report = Report(
        category=hit.signature.category, confidence="medium", evidence=evidence, checked=checked_list(state),
        root_cause=(f"requirements.txt lists the package for '{module}', yet the worker cannot import it: the "
                    f"deployment did not install requirements.txt (no remote build, or packages built for "
                    f"another platform in .python_packages)."),
        actions=["Enable the remote build: set SCM_DO_BUILD_DURING_DEPLOYMENT=true and ENABLE_ORYX_BUILD=true, "
                 f"or publish with `func azure functionapp publish {app} --build remote`.",
                 "If you package locally, build on Linux for the app's Python version "
                 "(`pip install --target .python_packages/lib/site-packages -r requirements.txt`)."])
    return Conclude(message=f"'{module}' is listed but not installed by the deployment.", report=report)
