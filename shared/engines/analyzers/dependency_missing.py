"""runtime.dependency_missing: a module is imported but the deployment does not install it."""

from __future__ import annotations

from shared.engines.analyzers.ledger import ask_once, env, since_last_answer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem, Report
from shared.report import checked_list
from shared.session import Conclude, RunTool, SessionState
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
        return ask_once(state, ClientRequest(
            question=f"Please send the app's requirements.txt (as a source file with relevance 'config'): "
                     f"the error says module '{module}' is missing.",
            why="It decides whether the package is missing from requirements.txt or not installed by the deployment.",
            suggested_commands=["cat requirements.txt"]),
            "requirements.txt is still missing; the cause cannot be confirmed.", hit.signature.category)
    return _conclude(state, hit, module, status.data, status.summary)


def _conclude(state: SessionState, hit: Hit, module: str, data: dict, summary: str) -> Decision:
    package = likely_distribution(module)
    app = env(state, "function_app", "<function-app>")
    group = env(state, "resource_group", "<resource-group>")
    importers = ", ".join(data.get("importers") or []) or "the app's code"
    evidence = [EvidenceItem(source="error", summary=q) for q in hit.quotes[:2]]
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
