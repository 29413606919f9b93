"""Round 33 F (this session's development halves, docs51 / real80): Podman's short-name refusal on a build
machine, containerd's own wording of an Amazon ECR refusal, a storage account name stored with a trailing newline,
a NAT gateway written before an IP firewall started refusing the callers, a data role granted on the sibling
resource of the one that refuses, a parent resource found in another group than the deployment's, and a
LoadBalancer Service whose source ranges leave out the caller that times out."""
from __future__ import annotations

from typing import Any

from shared.engines.access_evidence import with_role_assignments
from shared.engines.base import Decision
from shared.engines.clues import clue_in
from shared.engines.computed_findings.inbound import service_source_ranges_exclude_caller
from shared.engines.computed_findings.platform import parent_in_other_group
from shared.engines.playbooks import finding
from shared.engines.recent_change import fitting_change
from shared.models import Options
from shared.session.state import Conclude, Evidence, GiveUp, Material, RunTool, SessionState
from tests.helpers.engine_loop import run_engine
from tests.unit.test_access_evidence import PRINCIPAL, VAULT, VAULT_READ, concluded, site, state_with

NEWLINE = "storage-account-name-trailing-newline"


def _final(text: str, technologies: list[str] | None = None) -> Decision:
    start = {"error_description": text, "context": {"environment_info": {"technologies": technologies or []}}}
    return run_engine(start).final


def test_podman_short_name_refusal_is_the_build_machines_not_the_registrys() -> None:
    final = _final("Build before az acr login fails:\n$ podman build -t cr1.azurecr.io/app:1 .\nSTEP 1/7: FROM "
                   "python:3.12-slim\nError: creating build container: short-name resolution enforced but cannot "
                   "prompt without a TTY\nIs ACR rejecting the name?", ["podman", "azure-container-registry"])
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    assert "short-name" in final.report.root_cause


def test_an_acr_push_refusal_from_podman_stays_in_scope() -> None:
    final = _final("podman push cr1.azurecr.io/app:1 fails: Error: writing blob: initiating layer upload to "
                   "/v2/app/blobs/uploads/ in cr1.azurecr.io: unauthorized: authentication required")
    assert not isinstance(final, GiveUp) or final.report is None or final.report.category != "out_of_scope"


ECR_PULL = ("kubelet Failed to pull image \"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/lbc:v2.7.1\": rpc "
            "error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: pulling from "
            "host 602401143452.dkr.ecr.eu-west-1.amazonaws.com failed with status code [manifests v2.7.1]: 401 "
            "Unauthorized\nkubelet Error: ImagePullBackOff\nOn AKS we would just attach ACR; what is the equivalent?")


def test_containerds_refusal_from_an_ecr_host_is_aws_even_when_aks_is_named() -> None:
    final = _final(ECR_PULL, ["aws-eks"])
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_the_same_containerd_refusal_from_an_azure_registry_stays_azures() -> None:
    text = ECR_PULL.replace("602401143452.dkr.ecr.eu-west-1.amazonaws.com", "crfleet.azurecr.io")
    final = _final(text, ["aks"])
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"


MOUNT = ("MountVolume.SetUp failed for volume \"templates\" : mount failed: exit status 1\nMounting arguments: -t cifs "
         "-o username=stdocs\n,password=<masked>\n,vers=3.0 //stdocs\n.file.core.windows.net/templates /var/lib/x\n"
         "Output: mount error: could not resolve address for stdocs\n.file.core.windows.net: Unknown error")


def test_an_account_name_broken_by_a_newline_is_a_malformed_setting_not_dns() -> None:
    found = clue_in([MOUNT])
    assert found is not None and found["id"] == NEWLINE
    final = _final(MOUNT, ["aks", "azure-files"])
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "newline" in final.report.root_cause and "'stdocs'" in final.report.root_cause


def test_a_whole_storage_host_name_stays_silent() -> None:
    whole = "mount error: could not resolve address for stdocs.file.core.windows.net: Unknown error"
    for text in (whole, "the account is stdocs\n\nThe share //stdocs.file.core.windows.net/templates fails"):
        found = clue_in([text])
        assert found is None or found["id"] != NEWLINE


GROUP = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/MC_rg_aks_neu/providers"
NAT_WRITTEN = {"time": "2026-12-06T06:18:02Z", "operation": "Microsoft.Network/natGateways/write",
               "status": "Succeeded", "caller": "ops", "resource_id": f"{GROUP}/Microsoft.Network/natGateways/natgw1"}


def test_a_nat_gateway_written_is_the_change_behind_an_ip_firewall_refusal() -> None:
    assert fitting_change("network.nsg_blocked", [NAT_WRITTEN], "aksbillingnatgw1") == NAT_WRITTEN
    # another category, a failed write, or a gateway the report does not name: no citation
    assert fitting_change("network.dns_resolution", [NAT_WRITTEN], "natgw1") is None
    assert fitting_change("network.nsg_blocked", [{**NAT_WRITTEN, "status": "Failed"}], "natgw1") is None
    assert fitting_change("network.nsg_blocked", [NAT_WRITTEN], "somethingelse") is None


# the identity refused on one vault or registry, granted on its sibling of the same type (a runbook with the wrong name)
DEV_VAULT = VAULT.replace("kv-claims-prd", "kv-claims-dev")
DEV_READ = {**VAULT_READ, "id": DEV_VAULT, "name": "kv-claims-dev"}
PLAN = {"id": VAULT.replace("Microsoft.KeyVault/vaults/kv-claims-prd", "Microsoft.Web/serverfarms/kv-claims-plan"),
        "name": "kv-claims-plan", "type": "Microsoft.Web/serverfarms", "identity": None}


def _after_reads(on_sibling: list[dict[str, Any]]) -> tuple[list[str], str]:
    state, scopes = state_with(site(), VAULT_READ, DEV_READ, PLAN), list[str]()
    for _ in range(4):
        decision = with_role_assignments(state, concluded())
        if not isinstance(decision, RunTool):
            assert isinstance(decision, Conclude) and decision.report.category == "auth.keyvault_access_denied"
            return scopes, decision.report.root_cause
        scope = decision.arguments["scope"]
        scopes.append(scope)
        held = on_sibling if scope == DEV_VAULT else []
        state.add_evidence(Evidence(tool="list_role_assignments", status="success" if held else "no_data",
                                    summary="roles", arguments=decision.arguments,
                                    data={"assignments": held, "count": len(held)}))
    raise AssertionError("no conclusion")


def test_a_data_role_held_on_the_sibling_vault_is_named_as_the_misplaced_grant() -> None:
    scopes, cause = _after_reads([{"role": "Key Vault Secrets User", "scope": DEV_VAULT, "relation": "at"}])
    assert scopes == [VAULT, DEV_VAULT]  # the refused vault, then its sibling; never the plan of another type
    assert "does hold that role on 'kv-claims-dev'" in cause and "wrong resource" in cause
    assert PRINCIPAL not in cause


def test_a_non_data_role_on_the_sibling_is_no_misplaced_grant() -> None:
    _, cause = _after_reads([{"role": "Key Vault Reader", "scope": DEV_VAULT, "relation": "at"}])
    assert "Azure shows no role assignment" in cause and "kv-claims-dev" not in cause


SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups"
PARENT_ERROR = ("DeploymentFailed ParentResourceNotFound: Failed to perform 'write' on resource(s) of type "
                "'privateDnsZones/virtualNetworkLinks', because the parent resource '" + SUBSCRIPTION +
                "/rg-app/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net' could not be "
                "found.")


def _listed(group: str, name: str, kind: str = "Microsoft.Network/privateDnsZones") -> SessionState:
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=PARENT_ERROR))
    resources = [{"id": f"{SUBSCRIPTION}/{group}/providers/{kind}/{name}", "name": name, "type": kind}]
    state.add_evidence(Evidence(tool="list_resources_in_group", status="success", summary="listed",
                                arguments={"resource_group": group}, data={"resources": resources}))
    return state


def test_a_parent_listed_in_another_group_is_named_with_that_group() -> None:
    found = finding(_listed("rg-hub-dns", "privatelink.vaultcore.azure.net"))
    assert found is not None and found[0]["id"] == "deployment-parent-in-other-group"
    assert found[1]["actual_group"] == "rg-hub-dns" and found[1]["searched_group"] == "rg-app"


def test_the_parent_missing_everywhere_or_of_another_type_or_in_its_own_group_stays_silent() -> None:
    for state in (_listed("rg-hub-dns", "privatelink.blob.core.windows.net"),
                  _listed("rg-hub-dns", "privatelink.vaultcore.azure.net", "Microsoft.Network/dnszones"),
                  _listed("rg-app", "privatelink.vaultcore.azure.net")):
        assert parent_in_other_group(state) is None


SERVICE = ("Partner (their egress 198.51.100.40) gets: * Connection timed out after 20001 milliseconds\n"
           "From our office it answers 200.\n  spec:\n    type: LoadBalancer\n"
           "    loadBalancerSourceRanges: [\"203.0.113.0/24\"]\n    ports: [{port: 443}]\n")


def _report_state(text: str) -> SessionState:
    return SessionState(trace_id="a" * 32, options=Options(), ttl_seconds=60, azure_access=False,
                        material=Material(error_description=text))


def test_a_caller_outside_the_services_source_ranges_is_the_node_nsg_dropping_it() -> None:
    facts = service_source_ranges_exclude_caller(_report_state(SERVICE))
    assert facts == {"ranges": "203.0.113.0/24", "caller": "198.51.100.40"}
    block = SERVICE.replace('loadBalancerSourceRanges: ["203.0.113.0/24"]',
                            "loadBalancerSourceRanges:\n    - 203.0.113.0/24\n    - 192.0.2.0/28")
    assert service_source_ranges_exclude_caller(_report_state(block)) == {
        "ranges": "203.0.113.0/24, 192.0.2.0/28", "caller": "198.51.100.40"}
    final = run_engine({"error_description": SERVICE}).final
    assert isinstance(final, Conclude) and final.report.category == "network.nsg_blocked"
    assert "loadBalancerSourceRanges" in final.report.root_cause


def test_a_caller_inside_the_ranges_or_an_answered_call_stays_silent() -> None:
    inside = SERVICE.replace("198.51.100.40", "203.0.113.77")
    answered = SERVICE.replace("* Connection timed out after 20001 milliseconds", "HTTP 502 Bad Gateway")
    for text in (inside, answered, SERVICE.replace("loadBalancerSourceRanges", "sourceRanges")):
        assert service_source_ranges_exclude_caller(_report_state(text)) is None
