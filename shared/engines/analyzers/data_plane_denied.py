"""auth.rbac_missing (data plane): the identity reached the service but holds no data role for the operation.

Storage's AuthorizationPermissionMismatch, Service Bus' missing 'Send'/'Listen' claims and Cosmos DB's
"does not have required RBAC permissions" all mean the caller authenticated but lacks a data-plane role;
management roles (Owner, Contributor) do not include data actions. The role per service is data
(knowledge/auth_data_plane_roles.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import conclude_entry, facts_for, first_entry, grounded, table, unknown
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "auth_data_plane_roles"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    found = first_entry(table(TABLE), state)
    if found is None:
        return unknown(state)
    entry, facts = found
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
