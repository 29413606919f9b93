"""auth.managed_identity_missing: the code asks for a managed identity the resource does not have, or not the
one it has.

"No identity has been assigned" and "The requested identity has not been assigned" say it outright. A
DefaultAzureCredential failure only lists every credential it tried, so whether the app has an identity
is a fact the app's own resource holds: with Azure access the app (web or function app, container app) is read
in its resource group, with its settings' client ids; without it, the client is asked once for `az functionapp
identity show`. Either answer decides (none -> missing; only user-assigned and neither the code nor a setting names
one of their client ids -> not the one the code uses)."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.azure_scope import group_resources
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
from shared.engines.analyzers.ledger import ask_once, azure_call, since_last_answer
from shared.engines.analyzers.storage_azure import pick_resource
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.report import partial_report
from shared.session.state import Conclude, Evidence, GiveUp, RunTool, SessionState

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
    read = _identity_in_azure(state) if identity is None else None
    if isinstance(read, RunTool):
        return read
    decided = _from_azure_identity(state, hit, *read) if read is not None else None
    return decided if decided is not None else _ask_identity(state, hit)


# the app kinds whose resource carries the identity the code's credential uses
_APP_TYPES = ("microsoft.web/sites", "microsoft.app/containerapps")


def _identity_in_azure(state: SessionState) -> tuple[Evidence, dict[str, str]] | RunTool | None:
    """The app's identity read from its own resource (and the client ids its settings name), when the session can
    read Azure and the resource group holds one app the session names, or only one; None otherwise."""
    resources = group_resources(state)
    if not isinstance(resources, list):
        return resources
    app = next((found for kind in _APP_TYPES if (found := pick_resource(resources, kind, None, state))), None)
    if app is None:
        return None
    app = _named_slot(state, app, resources) or app
    read = azure_call(state, "get_resource", {"resource_id": app["id"]},
                      f"reading the managed identity of '{app['name']}'")
    if not isinstance(read, Evidence):
        return read
    setting_ids: dict[str, str] = {}
    if str(app.get("type", "")).lower() == "microsoft.web/sites":
        settings = azure_call(state, "list_app_setting_names", {"site_id": app["id"]},
                              f"finding which identity the settings of '{app['name']}' select")
        if isinstance(settings, RunTool):
            return settings
        found = (settings.data.get("client_ids") or {}) if settings is not None else {}
        # DefaultAzureCredential reads AZURE_CLIENT_ID; a binding connection's <name>__clientId is the host's
        setting_ids = {k: v for k, v in found.items() if k.upper() == "AZURE_CLIENT_ID"}
    else:  # a container app's env values that name a client id (read by get_resource, nothing else of value)
        setting_ids = {k: str(v) for k, v in (read.data.get("envClientIds") or {}).items()
                       if k.upper() == "AZURE_CLIENT_ID"}
    evidence = _identity_evidence(read)
    if app.get("slot"):
        if read.status != "success":  # an unread slot says nothing of its identity
            return None
        evidence.data["slot"] = str(app["name"])
    return evidence, setting_ids


_SLOT_WORDS = r"(?:deployment )?slots?"


def _named_slot(state: SessionState, app: dict[str, Any], resources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The app's deployment slot the report says fails ("the staging slot", environment_info `slot: staging`), when
    the group lists it: a slot is its own resource with its own identity (not cloned from production), so the code
    running there gets the slot's identity, not the app's."""
    prefix = f"{str(app.get('name', '')).lower()}/"
    slots = [r for r in resources if str(r.get("type", "")).lower() == "microsoft.web/sites/slots"
             and str(r.get("name", "")).lower().startswith(prefix)]
    if not slots:
        return None
    environment = " ".join(f"{k}: {v}" for k, v in state.material.environment.items() if isinstance(v, str))
    text = " ".join([state.material.error_description, *state.material.answers, environment])
    for slot in slots:
        name = re.escape(str(slot["name"]).split("/", 1)[1])
        if re.search(rf"(?i)\b{name}[ -]{_SLOT_WORDS}\b|\b{_SLOT_WORDS}\W{{1,3}}['\"]?{name}\b", text):
            # the listing's id of a child resource is not always its ARM path; the slot's id is the app's + /slots/
            return {**slot, "id": f"{app['id']}/slots/{str(slot['name']).split('/', 1)[1]}", "slot": True}
    return None


def _identity_evidence(read: Evidence) -> Evidence:
    """A resource read as the identity answer's shape (assigned, type, client ids of the user-assigned ones)."""
    identity = read.data.get("identity") or {}
    kind = str(identity.get("type") or "None")
    clients = [str(u.get("clientId")).lower() for u in identity.get("userAssigned") or [] if u.get("clientId")]
    summary = (f"{read.data.get('name')}: identity type {kind}, principal {identity.get('principalId') or 'none'}, "
               f"user-assigned client ids {', '.join(clients) or 'none'}")
    return Evidence(tool="get_resource", status="success", summary=summary,
                    data={"assigned": kind.lower() != "none", "type": kind, "principalId": identity.get("principalId"),
                          "user_assigned_client_ids": clients, "system_assigned": "systemassigned" in kind.lower()})


def _code_facts(state: SessionState) -> dict[str, str]:
    """The client id the code or settings select, if any (AZURE_CLIENT_ID, managed_identity_client_id)."""
    general = table_entry(TABLE, "facts")
    return search(general["facts"], texts(state, files=True))


def _from_azure_identity(state: SessionState, hit: Hit, identity: Evidence,
                         setting_ids: dict[str, str]) -> Decision | None:
    """What the app's identity read in Azure settles by itself: no identity at all, or only user-assigned ones while
    neither the code nor a setting names a client id; anything else (a setting naming an identity the app does not
    have, a system-assigned identity) is left to the findings and the question, as before."""
    data: dict[str, Any] = identity.data
    facts = facts_for(state, hit, _code_facts(state))
    evidence = [EvidenceItem(source="get_resource", summary=identity.summary)]
    if not data.get("assigned"):
        decided = conclude_entry(state, hit, table_entry(TABLE, "none-assigned"), facts, evidence)
        if data.get("slot") and isinstance(decided, Conclude):
            decided.report.root_cause += (
                f" The failing code runs in the deployment slot '{data['slot']}', a resource of its own whose identity "
                "is not cloned from production: the production app's identity does not carry over to the slot.")
            decided.report.actions.insert(0, f"Enable the identity on the slot itself (`az webapp identity assign "
                                             f"--slot {data['slot'].split('/', 1)[1]} ...`) and give it the same "
                                             "roles or access policies production's identity has.")
        return decided
    clients = [str(c).lower() for c in data.get("user_assigned_client_ids") or []]
    if data.get("system_assigned") or not clients or facts.get("client_id") or setting_ids:
        return None
    facts["assigned_client_ids"] = ", ".join(clients)
    return conclude_entry(state, hit, table_entry(TABLE, "user-assigned-not-selected"), facts, evidence)


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
