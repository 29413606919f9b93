"""deployment.* and quota.*: Azure Resource Manager refused or failed a deployment or an operation.

The codes and their meaning are data (knowledge/deployment_arm_errors.yaml). DeploymentFailed,
InvalidTemplateDeployment, Conflict and BadRequest only wrap the real error, so the analyzer reads every
code in the text and concludes on the first one that names a cause; with only a wrapper it asks once
for the failed deployment operations."""

from __future__ import annotations

from shared.engines.analyzers.common import (
    Entry,
    conclude_entry,
    delegate,
    facts_for,
    regex,
    search,
    specific_hit,
    table,
    texts,
)
from shared.engines.analyzers.ledger import ask_once, env, since_last_answer
from shared.engines.base import Decision
from shared.engines.catalog_hits import evidence_text
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import RunTool, SessionState

TOOL = "list_error_codes"
TABLE = "deployment_arm_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    codes = since_last_answer(state, TOOL)
    if codes is None:
        return RunTool(tool=TOOL, purpose="reading every error code in the deployment error, outermost first")
    found = [c["code"] for c in codes.data.get("codes", [])]
    entry = cause_entry(found, state)
    if entry is not None:
        facts = facts_for(state, hit, search(entry.get("facts") or [], [*texts(state, files=True),
                                                                         *_operations_read(state)]))
        evidence = [EvidenceItem(source=TOOL, summary=codes.summary)] if found else []
        return conclude_entry(state, hit, entry, facts, evidence)
    other = specific_hit(state, exclude_analyzers={"arm_deployment"})
    if other is not None:
        return delegate(state, other)
    return _ask_for_operations(state, hit, found)


def _operations_read(state: SessionState) -> list[str]:
    """The failed deployment operations read in Azure, as text: the facts the pasted error lacks (the policy that
    denied, the field it evaluated) are in the operations' own errors."""
    return [evidence_text(e.tool, e.data) for e in state.ledger
            if e.tool == "list_deployment_operations" and e.status == "success"]


def cause_entry(codes: list[str], state: SessionState) -> Entry | None:
    """The first table entry (most specific first) whose code was found or whose message is in the text."""
    sources = texts(state)
    for entry in table(TABLE):
        if entry.get("wrapper"):
            continue
        by_code = bool(set(entry.get("codes") or []) & set(codes)) or _named_in_prose(entry, sources)
        by_message = any(regex(entry["match"]).search(t) for t in sources) if entry.get("match") else False
        if (by_code or by_message) and _condition_holds(entry, sources):
            return entry
    return None


_PROSE_CODE = 12  # characters: a code this long (RequestDisallowedByPolicy, SkuNotAvailable...) names one error


def _named_in_prose(entry: Entry, sources: list[str]) -> bool:
    """A long, distinctive code that the report names in its own sentence ("it fails with RequestDisallowedByPolicy
    for ..."), where no JSON or CLI syntax marks it as a code."""
    return any(len(code) >= _PROSE_CODE and regex(rf"\b{code}\b").search(text)
               for code in entry.get("codes") or [] for text in sources)


def _condition_holds(entry: Entry, sources: list[str]) -> bool:
    """Some codes mean a cause only with certain words (OperationNotAllowed is a quota error only with 'quota')."""
    when = entry.get("when")
    return when is None or any(regex(when).search(t) for t in sources)


def _ask_for_operations(state: SessionState, hit: Hit | None, codes: list[str]) -> Decision:
    group = env(state, "resource_group", "<resource-group>")
    wrapper = ", ".join(codes[:3]) or "DeploymentFailed"
    return ask_once(state, ClientRequest(
        question=f"The error only shows the wrapper code ({wrapper}), not the operation that failed. Please paste the "
                 f"failed deployment operations: their statusMessage holds the inner error code and message.",
        why="The inner code (for example StorageAccountAlreadyTaken, RequestDisallowedByPolicy, SkuNotAvailable) "
            "decides the cause and the fix.",
        suggested_commands=[
            f"az deployment operation group list --resource-group {group} --name <deployment-name> "
            "--query \"[?properties.provisioningState=='Failed'].properties.statusMessage\" -o json",
            f"az deployment group show --resource-group {group} --name <deployment-name> --query properties.error"]),
        "The deployment's inner error is still unknown; only the wrapper code was seen.",
        hit.signature.category if hit and not hit.signature.id.startswith("symptom-") else None)
