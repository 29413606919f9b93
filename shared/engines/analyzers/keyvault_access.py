"""auth.keyvault_access_denied: Key Vault refused the caller (access policy or Azure RBAC, data plane).

The two permission models answer differently: access policies say "does not have secrets get permission",
RBAC says "Caller is not authorized to perform action on resource ... ForbiddenByRbac". When the error
shows neither (a bare 403 from the vault), the vault's enableRbacAuthorization decides the fix, so the
client is asked once for it. Messages and roles are data (knowledge/auth_keyvault_errors.yaml)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import (
    Entry,
    conclude_entry,
    facts_for,
    fill,
    first_entry,
    grounded,
    regex,
    search,
    table,
    table_entry,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once, reads_of_type, since_last_answer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import AskClient, RunTool, SessionState

TABLE = "auth_keyvault_errors"
FIREWALLS = "network_service_firewalls"
FIELDS = "read_answer_fields"
_MODEL_FIELD = "enableRbacAuthorization"
_AMBIGUOUS = {"reference-denied"}  # App Service reports a vault firewall refusal with the same status
_GROUP = re.compile(r"(?i)\bgroups?\b")  # a grant the report gives to a group, not to the caller itself


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    said = _firewall_said(state)
    firewall = _firewall_stated(state, said)
    if firewall is not None:
        return firewall
    found = first_entry(table(TABLE), state, files=False)
    # an error that names the refusing check (ForbiddenByRbac, an access policy) is that check; one that does not
    # (a reference denied, a bare failure) leaves the firewall open when the report says the permission is there
    network = _ask_network_when_granted(state, hit, said) if found is None or found[0]["id"] in _AMBIGUOUS else None
    if network is not None:
        return network
    if found is not None:
        entry, facts = found
        return conclude_entry(state, hit, entry, _facts(state, hit, facts))
    fields = since_last_answer(state, FIELDS)
    if fields is None and state.material.answers:
        return RunTool(tool=FIELDS, arguments={"fields": [_MODEL_FIELD]},
                       purpose="reading the vault's permission model from the client's answer")
    value = str((fields.data.get("values") or {}).get(_MODEL_FIELD, "")).lower() if fields else ""
    if value in {"true", "false"}:
        entry = table_entry(TABLE, ("model-rbac" if value == "true" else "model-access-policy"))
        evidence = [EvidenceItem(source=FIELDS, summary=fields.summary)] if fields else []
        return conclude_entry(state, hit, entry, _facts(state, hit, {}), evidence)
    stated = _stated_model(state)
    if stated is not None:  # the report says which model the vault uses: no need to ask
        return conclude_entry(state, hit, stated, _facts(state, hit, {}))
    read = _read_model(state)
    if read is not None:  # the vault was read in Azure: its own setting tells the model
        entry = table_entry(TABLE, "model-rbac" if read else "model-access-policy")
        return conclude_entry(state, hit, entry, _facts(state, hit, {}), [EvidenceItem(
            source="get_resource", summary=f"the vault's {_MODEL_FIELD} is {str(read).lower()}")])
    return _ask_model(state, hit)


def _read_model(state: SessionState) -> bool | None:
    """The permission model of the vault the session read (enableRbacAuthorization), when one vault was read."""
    models = {str(v.get(_MODEL_FIELD)).lower() for v in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$")
              if v.get(_MODEL_FIELD) is not None}
    return (models.pop() == "true") if len(models) == 1 else None


def _firewall_said(state: SessionState) -> dict[str, str | None]:
    """The report's own lines, if any, that say the vault admits only selected networks (`stated`), that opening it
    makes the call work (`proven`), that the caller already holds the permission (`granted`) and that the vault is
    open to all networks (`open`)."""
    rule = table_entry(TABLE, "firewall-stated")
    return {key: next((_sentence(t, m) for t in texts(state) for m in [regex(rule[key]).search(t)] if m), None)
            for key in ("stated", "proven", "granted", "open")}


def _firewall_stated(state: SessionState, said: dict[str, str | None]) -> Decision | None:
    """The report says the vault admits only selected networks and shows that opening it makes the call work (or
    that the permission is there): the vault's firewall refuses the caller, at medium confidence."""
    if not said["stated"] or not (said["proven"] or said["granted"]):
        return None
    firewall = table_entry(FIREWALLS, "keyvault-firewall")
    facts = facts_for(state, None, search(firewall["facts"], texts(state, files=True)))
    shown = list(dict.fromkeys(s for k, s in said.items() if s and k != "open"))
    return conclude_entry(state, None, firewall, facts, confidence="medium",
                          evidence=[EvidenceItem(source="error", summary=f"the report says: {s}") for s in shown])


def _ask_network_when_granted(state: SessionState, hit: Hit, said: dict[str, str | None]) -> Decision | None:
    """The report says the caller already has the permission: the vault's network rules are the next check, asked
    once, and a catalog entry that would only repeat the permission must not answer in its place. A report that says
    the vault is open to all networks (and not that it admits only selected ones) has already answered it, and a
    grant held by a group is no proof that the caller has the permission yet."""
    if state.requests_asked or not said["granted"] or (said["open"] and not said["stated"]):
        return None
    if _GROUP.search(said["granted"]):
        return None  # a group holds the role: whether the caller's membership counts yet is the open question
    facts = _facts(state, hit, {})
    return AskClient(past_the_entry=True, request=ClientRequest(
        question=fill("The report says the caller already has access to the secrets, so the vault's network rules "
                      "are the next check. Please paste the Networking settings of vault '{vault}' (firewall: public "
                      "access from all networks, from selected networks or disabled; the allowed IP ranges and "
                      "virtual networks; whether trusted Microsoft services may bypass it) and where the caller "
                      "runs (its network or subnet).", facts),
        why="With selected networks only, a caller outside them is refused whatever its permissions.",
        suggested_commands=[fill("az keyvault show --name {vault} --query \"{public:properties.publicNetworkAccess, "
                                 "acls:properties.networkAcls}\"", facts)]))


def _sentence(text: str, found: re.Match[str]) -> str:
    """The line of the text that holds the match (the report's own words, for the evidence)."""
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return " ".join(text[start:end if end >= 0 else len(text)].split())[:300]


def _stated_model(state: SessionState) -> Entry | None:
    """The model entry whose `stated` words the report uses, when it uses only one model's words."""
    said = [e for e in (table_entry(TABLE, "model-rbac"), table_entry(TABLE, "model-access-policy"))
            if any(regex(e["stated"]).search(t) for t in texts(state))]
    return said[0] if len(said) == 1 else None


def _facts(state: SessionState, hit: Hit, found: dict[str, str]) -> dict[str, str]:
    """The vault, the caller and the denied action, wherever the error or the files name them."""
    general = table_entry(TABLE, "facts")
    facts = facts_for(state, hit, search(general["facts"], texts(state, files=True)), found)
    kind = facts.get("permission_type", "")
    if kind:
        facts.setdefault("permission_flag", f"--{kind.rstrip('s')}-permissions")
    return facts


def _ask_model(state: SessionState, hit: Hit) -> Decision:
    facts = _facts(state, hit, {})
    return ask_once(state, ClientRequest(
        question=fill("Key Vault refused the call, and the error does not say which permission model the vault uses. "
                      "Please run this command and paste its output: whether vault '{vault}' uses Azure RBAC "
                      "(enableRbacAuthorization true) or access policies (false).", facts),
        why="With Azure RBAC the caller needs a Key Vault data role; with access policies it needs a policy entry; "
            "the fix differs.",
        suggested_commands=[fill("az keyvault show --name {vault} --query properties.enableRbacAuthorization", facts)]),
        "The vault's permission model is still unknown.", hit.signature.category)
