"""auth.rbac_missing (data plane): the identity reached the service but holds no data role for the operation.

Storage's AuthorizationPermissionMismatch, Service Bus' missing 'Send'/'Listen' claims and Cosmos DB's
"does not have required RBAC permissions" all mean the caller authenticated but lacks a data-plane role;
management roles (Owner, Contributor) do not include data actions. The role per service is data
(knowledge/auth_data_plane_roles.yaml). When the SDK's log shows which credential of DefaultAzureCredential's chain
signed in (the managed identity), the answer names that identity: it is the one the role is missing for."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import table_analyzer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import Conclude, SessionState

TABLE = "auth_data_plane_roles"

# the Azure SDKs' own log lines naming the chain's credential that got the token: .NET ("DefaultAzureCredential
# credential selected: Azure.Identity.ManagedIdentityCredential") and Python ("DefaultAzureCredential acquired a
# token from ManagedIdentityCredential")
_MANAGED_IDENTITY_SELECTED = re.compile(
    r"DefaultAzureCredential (?:credential selected:\s*(?:Azure\.Identity\.)?|acquired a token from )"
    r"ManagedIdentityCredential\b")

_MANAGED_IDENTITY_NOTE = (
    " The SDK's log shows DefaultAzureCredential signed in with ManagedIdentityCredential: the caller is the"
    " managed identity of the machine or app the code runs on (EnvironmentCredential, tried before it, found no"
    " complete service principal settings in the process's environment), so the data role is missing for that"
    " managed identity, not for the user or service principal meant. Grant the role to the managed identity, or"
    " give the process the service principal's AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or use"
    " that credential explicitly).")

_from_table = table_analyzer(TABLE)


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    decision = _from_table(state, hit)
    if not isinstance(decision, Conclude) or not _MANAGED_IDENTITY_SELECTED.search(state.material.spoken_text()):
        return decision
    report = decision.report
    if "managed identity" not in report.root_cause.lower():
        report.root_cause = report.root_cause.rstrip() + _MANAGED_IDENTITY_NOTE
    return decision
