"""auth.managed_identity_missing: the code asks for a managed identity the resource does not have, or not the
one it has.

"No identity has been assigned" and "The requested identity has not been assigned" say it outright. A
DefaultAzureCredential failure only lists every credential it tried, so whether the app has an identity
is a fact only the client has: it is asked once for `az functionapp identity show`, and the answer decides
(none -> missing; only user-assigned and the code names no client id -> not the one the code uses)."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    fill,
    first_entry,
    grounded,
    search,
    table,
    table_entry,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once, since_last_answer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.report import partial_report
from shared.session.state import Evidence, GiveUp, RunTool, SessionState

TABLE = "auth_managed_identity_errors"
TOOL = "get_identity_from_answers"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    found = first_entry(table(TABLE), state)
    if found is not None and not found[0].get("ask"):
        return conclude_entry(state, hit, found[0], facts_for(state, hit, _code_facts(state), found[1]))
    identity = since_last_answer(state, TOOL)
    if identity is None and state.material.answers:
        return RunTool(tool=TOOL, purpose="reading the app's managed identity from the client's answer")
    if identity is not None and identity.status == "success":
        return _from_identity(state, hit, identity)
    return _ask_identity(state, hit)


def _code_facts(state: SessionState) -> dict[str, str]:
    """The client id the code or settings select, if any (AZURE_CLIENT_ID, managed_identity_client_id)."""
    general = table_entry(TABLE, "facts")
    return search(general["facts"], texts(state, files=True))


def _from_identity(state: SessionState, hit: Hit, identity: Evidence) -> Decision:
    data: dict[str, Any] = identity.data
    facts = facts_for(state, hit, _code_facts(state))
    evidence = [EvidenceItem(source="client", summary=identity.summary)]
    if not data.get("assigned"):
        return conclude_entry(state, hit, table_entry(TABLE, "none-assigned"), facts, evidence)
    clients = data.get("user_assigned_client_ids") or []
    if not data.get("system_assigned") and clients and facts.get("client_id") not in clients:
        facts["assigned_client_ids"] = ", ".join(clients)
        return conclude_entry(state, hit, table_entry(TABLE, "user-assigned-not-selected"), facts, evidence)
    return GiveUp(reason="exhausted", message="The app has a managed identity the code can use, so a missing identity "
                                              "is ruled out; the credential failure has another cause.",
                  report=partial_report(state, root_cause=f"Managed identity present ({identity.summary}); a missing "
                                                          "identity is ruled out."))


def _ask_identity(state: SessionState, hit: Hit) -> Decision:
    facts = facts_for(state, hit)
    return ask_once(state, ClientRequest(
        question="DefaultAzureCredential found no credential that works. If the code runs in Azure, please run this "
                 "command and paste its output (empty output means the app has no managed identity). If it runs on "
                 "your machine, say so.",
        why="In Azure, the managed identity is the credential that should work: none assigned, or only a user-assigned "
            "one the code does not select, explains the failure.",
        suggested_commands=[fill("az functionapp identity show --name {function_app} --resource-group "
                                 "{resource_group}", facts)]),
        "Whether the app has a managed identity is still unknown.", hit.signature.category)
