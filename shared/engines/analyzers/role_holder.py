"""Who called against who holds the role, computed from what the client pasted (knowledge/role_holders.yaml).

- The identity in the token it sends (the appid, azp or oid claim) against the principals of a role assignment
  listing of the resource: when the listing names a role only for other principals, the role went to another
  identity than the caller (auth.rbac_missing).
- The object id an AuthorizationFailed names against the identities of the host (`az vm identity show` and the
  like): when it is the host's system-assigned principal while the host also has a user-assigned identity, the tool
  signed in with the system-assigned identity instead of the user-assigned one it was meant to use
  (auth.managed_identity_missing: not the identity the code uses)."""

from __future__ import annotations

import re

from shared.azure import GUID
from shared.engines.analyzers.common import conclude_entry, facts_for, table_entry
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "role_holders"
# the caller's identity as a decoded token shows it
_CLAIM = re.compile(rf'"(?P<claim>appid|azp|oid)"\s*:\s*"(?P<id>{GUID})"')
# a role assignment: a table row (principal, then the role name) or the JSON of `az role assignment list`
_ROLE = (r"[A-Z][\w-]*(?: [\w()-]+){0,6}? "
         r"(?:Reader|Contributor|Owner|User|Sender|Receiver|Administrator|Operator|Officer)")
_ROW = re.compile(rf"(?m)^\s*(?P<principal>{GUID})\s{{2,}}(?P<role>{_ROLE})\b")
_JSON = re.compile(rf'"principalId"\s*:\s*"(?P<principal>{GUID})"[^{{}}]{{0,600}}?"roleDefinitionName"\s*:\s*'
                   rf'"(?P<role>[^"]+)"|"roleDefinitionName"\s*:\s*"(?P<role2>[^"]+)"[^{{}}]{{0,600}}?'
                   rf'"principalId"\s*:\s*"(?P<principal2>{GUID})"')


def _assignments(text: str) -> list[tuple[str, str]]:
    rows = [(m.group("principal"), m.group("role")) for m in _ROW.finditer(text)]
    rows += [(m.group("principal") or m.group("principal2"), m.group("role") or m.group("role2"))
             for m in _JSON.finditer(text)]
    return [(p.lower(), r.strip()) for p, r in rows]


def role_held_by_another(state: SessionState) -> Decision | None:
    """The token's identities and the listed role holders are both shown and never meet: decisive."""
    said = state.material.spoken_text()
    claims = {m.group("claim"): m.group("id") for m in _CLAIM.finditer(said)}
    callers, held = {c.lower() for c in claims.values()}, _assignments(said)
    if not callers or not held or any(principal in callers for principal, _ in held):
        return None
    caller = claims.get("appid") or claims.get("azp") or claims["oid"]  # the application's id names it best
    facts = {"role": held[0][1], "holder": held[0][0], "caller": caller}
    return conclude_entry(state, None, table_entry(TABLE, "role-held-by-another-principal"),
                          facts_for(state, None, facts))


# the caller an AuthorizationFailed names ("The client 'X' with object id 'Y' does not have authorization")
_REFUSED_CALLER = re.compile(rf"with object id '(?P<object_id>{GUID})'", re.IGNORECASE)
# the host's identities as `az ... identity show` prints them: the system-assigned principal at the top level
_SYSTEM_PRINCIPAL = re.compile(
    rf'"type"\s*:\s*"SystemAssigned[^"]*"[^{{}}]{{0,300}}?"principalId"\s*:\s*"(?P<a>{GUID})"'
    rf'|"principalId"\s*:\s*"(?P<b>{GUID})"[^{{}}\n]{{0,80}}system[- ]assigned', re.IGNORECASE)
_USER_ASSIGNED = re.compile(rf"userAssignedIdentities/(?P<name>[\w.-]{{1,128}})[^{{}}]{{0,20}}\{{[^{{}}]{{0,300}}?"
                            rf'"clientId"\s*:\s*"(?P<client_id>{GUID})"', re.IGNORECASE)


def system_identity_called(state: SessionState) -> Decision | None:
    """The refused caller is the host's system-assigned identity while the host also has a user-assigned one."""
    said = state.material.spoken_text()
    refused = _REFUSED_CALLER.search(said)
    user_assigned = _USER_ASSIGNED.search(said)
    if refused is None or user_assigned is None:
        return None
    system = {(m.group("a") or m.group("b")).lower() for m in _SYSTEM_PRINCIPAL.finditer(said)}
    if refused.group("object_id").lower() not in system:
        return None
    facts = {"caller": refused.group("object_id"), "identity": user_assigned.group("name"),
             "client_id": user_assigned.group("client_id")}
    return conclude_entry(state, None, table_entry(TABLE, "system-identity-called-instead-of-user-assigned"),
                          facts_for(state, None, facts))
