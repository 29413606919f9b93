"""An access-denied conclusion cites the calling identity's role assignments on the called resource
(shared/engines/access_evidence.py, knowledge/data_access_roles.yaml): one more read, then what the identity holds,
at which scope, and the role that grants the access."""

from __future__ import annotations

from typing import Any

from shared.engines.access_evidence import with_role_assignments
from shared.models import Options, Report
from shared.session.state import Conclude, Evidence, Material, RunTool, SessionState

GROUP = "/subscriptions/8f2c6a40-d3b9-4e17-a5f8-0c4e7b1d9a62/resourceGroups/rg-claims"
SITE = f"{GROUP}/providers/Microsoft.Web/sites/func-claims"
VAULT = f"{GROUP}/providers/Microsoft.KeyVault/vaults/kv-claims-prd"
PRINCIPAL = "7a9c1e3f-5b2d-4d60-8f4a-c6e8a0b2d419"
CAUSE = "The app's identity was denied secret 'db-password' in vault 'kv-claims-prd' (AccessToKeyVaultDenied)."


def state_with(*resources: dict[str, Any], azure_access: bool = True) -> SessionState:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=azure_access,
                         material=Material(error_description="func-claims: Key Vault reference AccessToKeyVaultDenied"))
    for resource in resources:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=resource["name"], data=resource))
    return state


def site(principal: str | None = PRINCIPAL, name: str = "func-claims") -> dict[str, Any]:
    identity = {"type": "SystemAssigned", "principalId": principal, "userAssigned": []} if principal else None
    return {"id": f"{GROUP}/providers/Microsoft.Web/sites/{name}", "name": name, "type": "Microsoft.Web/sites",
            "identity": identity}


VAULT_READ = {"id": VAULT, "name": "kv-claims-prd", "type": "Microsoft.KeyVault/vaults", "identity": None}


def concluded(category: str = "auth.keyvault_access_denied") -> Conclude:
    return Conclude(message=CAUSE, report=Report(category=category, root_cause=CAUSE, confidence="medium"))


def answered(state: SessionState, assignments: list[dict[str, Any]]) -> Conclude:
    asked = with_role_assignments(state, concluded())
    assert isinstance(asked, RunTool) and asked.tool == "list_role_assignments"
    assert asked.arguments == {"scope": VAULT, "principal_id": PRINCIPAL}
    state.add_evidence(Evidence(tool="list_role_assignments", status="success" if assignments else "no_data",
                                summary="roles", arguments=asked.arguments,
                                data={"assignments": assignments, "count": len(assignments)}))
    decision = with_role_assignments(state, concluded())
    if isinstance(decision, RunTool) and not assignments:  # holding nothing, who holds a role there is read next
        assert decision.arguments.get("principal_id") is None
        state.add_evidence(Evidence(tool="list_role_assignments", status="no_data", summary="none",
                                    arguments=decision.arguments, data={"assignments": [], "count": 0}))
        decision = with_role_assignments(state, concluded())
    assert isinstance(decision, Conclude)
    assert decision.report.category == "auth.keyvault_access_denied" and decision.report.confidence == "medium"
    assert decision.report.evidence[-1].source == "list_role_assignments"
    return decision


def test_a_metadata_only_role_is_named_with_the_data_role_the_identity_needs():
    decision = answered(state_with(site(), VAULT_READ),
                        [{"role": "Key Vault Reader", "scope": VAULT, "relation": "at"}])
    assert "Key Vault Reader at scope vaults/kv-claims-prd (at)" in decision.report.root_cause
    assert "None of them grants data access; it needs Key Vault Secrets User" in decision.report.root_cause


def test_a_data_role_held_on_one_secret_only_is_told_apart_from_one_on_the_vault():
    below = [{"role": "Key Vault Secrets User", "scope": f"{VAULT}/secrets/other-secret", "relation": "below"}]
    decision = answered(state_with(site(), VAULT_READ), below)
    assert "held only below 'kv-claims-prd', on vaults/kv-claims-prd/secrets/other-secret" in decision.report.root_cause
    whole = [{"role": "Key Vault Secrets User", "scope": GROUP, "relation": "inherited"}]
    decision = answered(state_with(site(), VAULT_READ), whole)
    assert "grants data access on the whole resource" in decision.report.root_cause


def test_no_assignment_at_all_is_said_and_an_unreadable_role_is_not_called_a_non_data_role():
    decision = answered(state_with(site(), VAULT_READ), [])
    assert "no role assignment of func-claims's identity" in decision.report.root_cause
    decision = answered(state_with(site(), VAULT_READ), [{"role": None, "scope": VAULT, "relation": "at"}])
    assert "None of them grants" not in decision.report.root_cause


def test_nothing_is_read_without_azure_a_caller_identity_a_named_resource_or_an_access_category():
    assert isinstance(with_role_assignments(state_with(site(), VAULT_READ, azure_access=False), concluded()),
                      Conclude)
    assert isinstance(with_role_assignments(state_with(site(principal=None), VAULT_READ), concluded()), Conclude)
    assert isinstance(with_role_assignments(state_with(site()), concluded()), Conclude)  # the vault was not read
    assert isinstance(with_role_assignments(state_with(site(), VAULT_READ), concluded("network.storage_firewall")),
                      Conclude)
    two = state_with(site(), site("0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "web-orders"), VAULT_READ)
    two.material.error_description = "a Key Vault reference is denied"  # neither app is named: no guess
    assert isinstance(with_role_assignments(two, concluded()), Conclude)


def test_a_storage_account_calling_the_vault_for_its_key_needs_the_encryption_role_and_gets_the_command():
    storage = {"id": f"{GROUP}/providers/Microsoft.Storage/storageAccounts/strecords", "name": "strecords",
               "type": "Microsoft.Storage/storageAccounts",
               "identity": {"type": "UserAssigned", "principalId": None,
                            "userAssigned": [{"id": "uami", "principalId": PRINCIPAL}]}}
    state = state_with(storage, VAULT_READ)
    asked = with_role_assignments(state, concluded())
    assert isinstance(asked, RunTool) and asked.arguments["principal_id"] == PRINCIPAL
    state.add_evidence(Evidence(tool="list_role_assignments", status="success", summary="roles",
                                arguments=asked.arguments, data={"assignments": [
                                    {"role": "Key Vault Reader", "scope": VAULT, "relation": "at"}]}))
    decision = with_role_assignments(state, concluded())
    assert isinstance(decision, Conclude)
    assert "Key Vault Crypto Service Encryption User" in decision.report.root_cause
    assert any("az role assignment create" in a and "Encryption User" in a for a in decision.report.actions)
    # a storage account is a caller of a vault only: for a storage 403 it is the called resource, not a caller
    assert isinstance(with_role_assignments(state_with(storage), concluded("auth.rbac_missing")), Conclude)
