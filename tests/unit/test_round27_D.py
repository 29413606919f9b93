"""Round 27 D (the twentieth session's development half docs35): a Container Apps environment's /23 demand read as a
Consumption-only environment, the provider's ContainerAppInvalidName wording and a name's length, the AKS static IP
outside the group the cloud provider searched, Amazon ECR's pull refusals out of scope, documentation addresses read
as public in a pasted lookup (a private-only account whose name resolves publicly is the private DNS, not its
firewall), and the existing subnet a new subnet's range overlaps."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import table_entry
from shared.engines.playbooks import conclude_finding, rule_facts
from shared.engines.session_reads import FINDINGS
from shared.session.state import Conclude, GiveUp, Material
from shared.tools.text_tools import HostArguments, get_dns_answer, private_address
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, state_with

SUBNET_23 = ('{"code":"DeploymentFailed","details":[{"code":"ManagedEnvironmentInvalidNetworkConfiguration",'
             '"message":"The environment network configuration is invalid: Provided subnet must have a size of at '
             'least /23"}]}')
APP_NAME = ("ContainerAppInvalidName: Invalid Container App name 'ca-reporting-export-dev-x4k2pd7lq5vfe'. A name must "
            "consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
            "alphanumeric character and cannot have '--'. The length must not be more than 32 characters.")
STATIC_IP = ("Warning  SyncLoadBalancerFailed  2m  service-controller  Error syncing load balancer: failed to ensure "
             "load balancer: user supplied IP Address 203.0.113.58 was not found in resource group "
             "MC_rg-aks_aks-prd_westeurope")
ECR_PULL = ('kubelet  Failed to pull image "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders/api:3.2.0": failed to '
            "resolve reference: unexpected status from HEAD request to https://111122223333.dkr.ecr.eu-west-1."
            "amazonaws.com/v2/orders/api/manifests/3.2.0: 403 Forbidden\n  Warning  Failed  12s  kubelet  Error: "
            "ErrImagePull\n  Normal  BackOff  1s  kubelet  Back-off pulling image ...")

CATALOG_CASES = {
    "containers-aca-subnet-too-small": SUBNET_23,
    "containers-aca-invalid-app-name": APP_NAME,
    "containers-aks-lb-user-supplied-ip-not-found": STATIC_IP,
    "other-clouds-aws-ecr-image-pull-denied": ECR_PULL,
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_specific_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_another_network_configuration_complaint_keeps_the_generic_entry() -> None:
    other = SUBNET_23.replace("Provided subnet must have a size of at least /23", "The subnet is delegated elsewhere")
    hits = catalog_index().hits([(other, "error")])
    assert hits and hits[0].entry.id == "containers-aca-invalid-network-configuration"


def test_the_23_demand_is_read_as_a_consumption_only_environment() -> None:
    final = run_engine({"error_description": SUBNET_23 + "\nOur /24 was sized for workload profiles."}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "/23" in final.report.root_cause and "workloadProfiles" in final.report.root_cause


def test_a_naming_error_counts_the_names_length() -> None:
    final = run_engine({"error_description": "azd provision failed:\n" + APP_NAME}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "is 37 characters long" in final.report.root_cause


def test_the_static_ip_entry_names_the_annotation_and_needs_its_not_found_line() -> None:
    final = run_engine({"error_description": STATIC_IP + "\nThe EXTERNAL-IP of the ingress stays <pending>."}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert any("azure-load-balancer-resource-group" in action for action in final.report.actions)
    other = STATIC_IP.replace("was not found in resource group", "is in use by resource group")
    assert all(h.entry.id != "containers-aks-lb-user-supplied-ip-not-found"
               for h in catalog_index().hits([(other, "error")]))


def test_an_ecr_refusal_is_out_of_scope_even_beside_aks() -> None:
    said = "The chart that works on AKS fails on the new cluster:\n" + ECR_PULL
    final = run_engine({"error_description": said}).final
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_the_same_refusal_from_an_azure_registry_is_not_ecr() -> None:
    acr = ECR_PULL.replace("111122223333.dkr.ecr.eu-west-1.amazonaws.com", "crshop.azurecr.io")
    assert all(h.entry.id != "other-clouds-aws-ecr-image-pull-denied" for h in catalog_index().hits([(acr, "error")]))


@pytest.mark.parametrize(("address", "private"), [("10.71.3.10", True), ("192.168.4.2", True), ("172.20.0.5", True),
                                                  ("198.51.100.140", False), ("203.0.113.9", False),
                                                  ("192.0.2.44", False), ("20.60.1.1", False), ("999.1.1.1", False)])
def test_documentation_addresses_are_public_in_a_pasted_lookup(address: str, private: bool) -> None:
    assert private_address(address) is private


def test_a_privatelink_alias_answered_with_a_documentation_address_is_public() -> None:
    lookup = ("$ nslookup st01.blob.core.windows.net\nNon-authoritative answer:\nName:    blob.ams23prdstr07a.store."
              "core.windows.net\nAddress:  198.51.100.140\nAliases:  st01.blob.core.windows.net\n"
              "          st01.privatelink.blob.core.windows.net\n")
    found = get_dns_answer(HostArguments(host="st01.blob.core.windows.net"), Material(error_description=lookup))
    assert found.status == "success" and found.data["private"] is False
    private = lookup.replace("198.51.100.140", "10.71.3.11")
    found = get_dns_answer(HostArguments(host="st01.blob.core.windows.net"), Material(error_description=private))
    assert found.data["private"] is True


def test_a_private_only_account_whose_name_resolves_publicly_is_the_private_dns() -> None:
    lookup = ("From the VM: az storage blob upload --account-name st01 ... ErrorCode:AuthorizationFailure\n"
              "$ nslookup st01.blob.core.windows.net\nNon-authoritative answer:\nName:    blob.x.store.core.windows.net"
              "\nAddress:  198.51.100.140\nAliases:  st01.blob.core.windows.net\n"
              "          st01.privatelink.blob.core.windows.net\n\n"
              "Public network access is disabled; private endpoint.")
    final = run_engine({"error_description": lookup}).final
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"


OVERLAP = "subnet-range-overlaps-existing-subnet"
OVERLAP_REPORT = ("Deployment failed. The PR only adds snet-functions (10.50.2.0/24, delegated to Microsoft.App/"
                  "environments); the template has snet-app and snet-data.")


def _vnet() -> dict[str, Any]:
    subnets = [{"name": name, "id": f"/vnet/subnets/{name}", "properties": {"addressPrefix": prefix}}
               for name, prefix in (("snet-app", "10.50.0.0/24"), ("snet-privatelink", "10.50.2.0/25"))]
    return {"type": "Microsoft.Network/virtualNetworks", "name": "vnet-spoke",
            **extracted("Microsoft.Network", "virtualNetworks", {"properties": {"subnets": subnets}})}


def _operations() -> dict[str, Any]:
    return {"failed": [{"code": "NetcfgSubnetRangesOverlap", "message": "Subnet 'snet-functions' is not valid because "
                        "its IP address range overlaps with that of an existing subnet in virtual network "
                        "'vnet-spoke'."}]}


def test_the_overlapped_subnet_is_named_from_the_virtual_network_read() -> None:
    state = state_with(OVERLAP_REPORT, [("list_deployment_operations", _operations()), ("get_resource", _vnet())])
    rule = table_entry(FINDINGS, OVERLAP)
    facts = rule_facts(state, rule)
    assert facts is not None and facts["other"] == "snet-privatelink" and facts["other_prefix"] == "10.50.2.0/25"
    report = conclude_finding(state, rule, facts).report
    assert report.category == "deployment.template_invalid" and "snet-privatelink" in report.root_cause


def test_no_overlap_named_when_the_range_is_free_or_unknown() -> None:
    free = state_with(OVERLAP_REPORT.replace("10.50.2.0/24", "10.50.3.0/24"),
                      [("list_deployment_operations", _operations()), ("get_resource", _vnet())])
    assert rule_facts(free, table_entry(FINDINGS, OVERLAP)) is None
    unknown = state_with("Deployment failed with NetcfgSubnetRangesOverlap for snet-functions.",
                         [("list_deployment_operations", _operations()), ("get_resource", _vnet())])
    assert rule_facts(unknown, table_entry(FINDINGS, OVERLAP)) is None
