"""Round 35 realK: the mechanisms added for twenty real reports - an ephemeral OS disk larger than the size's cache,
Flexible scale sets that need a single placement group, the 100-VM limit of a single placement group and the Basic
load balancer of a large scale set, Application Insights' stamp-specific ingestion endpoint, Let's Encrypt's
registered-domain limit and Helm's dependency resolution (both out of scope), and four symptom clues: an NSG deny-all
rule ahead of the load balancer's probes, adaptive sampling behind partly missing telemetry, a Front Door route
template without customDomains, and AKS address ranges in the reserved blocks. Each check has a near miss that must
stay silent."""

from __future__ import annotations

import pytest

from shared.engines.clues import clues_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _start(text: str) -> dict:
    return {"error_description": text}


def _report(text: str) -> dict:
    envelope = run_engine(_start(text)).envelope()
    assert envelope["status"] in ("done", "fail"), envelope
    return envelope["report"]


def _clue_ids(text: str) -> list[str]:
    """Every clue whose pattern the text matches (a decided one wins over earlier ones that can only ask)."""
    return [clue["id"] for clue in clues_in([text])]


# --- catalog entries -------------------------------------------------------------------------------------------------

CACHE = ('Code="VMCacheSizeTooSmall" Message="The virtual machine size Standard_E2ds_v5 has a cache size of 0 bytes, '
         'but the OS disk requires 68719476736 bytes. Use a VM size with larger cache or disable ephemeral OS."')


def test_ephemeral_os_disk_larger_than_the_cache() -> None:
    assert best_entry_id(CACHE) == "compute-ephemeral-os-vm-cache-too-small"
    report = _report("Adding an AKS node pool fails:\n" + CACHE)
    assert report["category"] == "deployment.template_invalid" and "cache" in report["root_cause"]


def test_cache_placement_of_a_vm_is_the_same_entry() -> None:
    text = ('"code": "NotSupported", "message": "OS disk of Ephemeral VM with size greater than 50 GB is not allowed '
            'for VM size Standard_D2s_v3 when the DiffDiskPlacement is CacheDisk."')
    assert best_entry_id(text) == "compute-ephemeral-os-vm-cache-too-small"


def test_a_redis_cache_size_is_not_the_ephemeral_entry() -> None:
    assert best_entry_id("Scale the Redis cache to a larger cache size: used_memory is at maxmemory.") \
        != "compute-ephemeral-os-vm-cache-too-small"


FLEX = ('"code": "OperationNotAllowed", "message": "Virtual Machine Scale Sets with Flexible Orchestration Mode and '
        'a fault domain count of 2, or Virtual Machines referencing such Virtual Machine Scale Sets can only use VM '
        'Size Standard_M8ms, if single placement group on such Virtual Machine Scale Sets is set to true."')


def test_flexible_scale_set_size_needs_single_placement_group() -> None:
    assert best_entry_id(FLEX) == "compute-vmss-flex-size-requires-single-placement-group"
    report = _report("az vmss create fails:\n" + FLEX)
    assert report["category"] == "deployment.template_invalid" and "placement group" in report["root_cause"]


LIMIT = ('Status=409 Code="OperationNotAllowed" Message="Unable to create or update VirtualMachineScaleSet '
         '\'batch-clients\' as it exceeds the total limit of \'100\' Virtual Machine instances."')


def test_single_placement_group_holds_100_vms() -> None:
    assert best_entry_id(LIMIT) == "compute-vmss-single-placement-group-100-instances"
    report = _report("Raising the scale set's capacity to 140 fails:\n" + LIMIT)
    assert report["category"] == "deployment.template_invalid" and "placement group" in report["root_cause"]


def test_a_core_quota_refusal_is_not_the_placement_group_limit() -> None:
    text = ('Code="OperationNotAllowed" Message="Operation could not be completed as it results in exceeding approved '
            'Total Regional Cores quota. Current Limit: 100, Current Usage: 98, Additional Required: 4"')
    assert best_entry_id(text) != "compute-vmss-single-placement-group-100-instances"


def test_large_scale_set_behind_a_basic_load_balancer() -> None:
    text = ('Code="VMScaleSetCannotReferenceLoadbalancerWhenLargeScaleIsEnabled" Message="VM scale set cannot '
            'reference a load balancer when LargeScale property is enabled."')
    assert best_entry_id(text) == "compute-vmss-large-scale-set-basic-load-balancer"


def test_overconstrained_allocation_names_the_vm_size() -> None:
    text = ('Code="OverconstrainedAllocationRequest" Message="Allocation failed. VM(s) with the following constraints '
            'cannot be allocated, because the condition is too restrictive."')
    report = _report("azd up fails creating the AKS cluster:\n" + text)
    assert report["category"] == "quota.sku_not_available" and "VM size" in report["root_cause"]


STAMP = ('{"itemsReceived":6,"itemsAccepted":0,"errors":[{"index":0,"statusCode":308,"message":"Ingestion is allowed '
         'only from stamp specific endpoint - Location: https://germanywestcentral-0.in.applicationinsights.azure.com/'
         'v2/track"}]}')


def test_stamp_specific_endpoint_needs_the_connection_string() -> None:
    assert best_entry_id(STAMP) == "integration-appinsights-stamp-specific-endpoint"
    report = _report("Telemetry from our .NET Framework app never arrives in Application Insights:\n" + STAMP)
    assert report["category"] == "config.invalid_connection_string" and "IngestionEndpoint" in report["root_cause"]


def test_a_throttled_ingestion_is_not_the_endpoint_entry() -> None:
    text = ('{"itemsReceived":50,"itemsAccepted":0,"errors":[{"index":0,"statusCode":439,'
            '"message":"Too many requests"}]}')
    assert best_entry_id(text) != "integration-appinsights-stamp-specific-endpoint"


LE = ("Failed to create new order: acme: urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many "
      "certificates already issued for: nip.io: see https://letsencrypt.org/docs/rate-limits/")


def test_lets_encrypt_registered_domain_limit_is_out_of_scope_even_on_aks() -> None:
    assert best_entry_id(LE) == "other-clouds-lets-encrypt-registered-domain-limit"
    envelope = run_engine(_start("cert-manager on our AKS cluster never gets a certificate for the ingress:\n" + LE
                                 + "\nIs the Azure public IP blocked?")).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_the_rate_limits_address_alone_does_not_decide_on_aks() -> None:
    # only Let's Encrypt's address, no error words of its own: a report about an AKS ingress is not sent away
    envelope = run_engine(_start("The ingress on our AKS cluster answers 502; the docs page "
                                 "https://letsencrypt.org/docs/rate-limits/ was open in another tab.")).envelope()
    assert not (envelope["status"] == "fail" and envelope.get("report", {}).get("category") == "out_of_scope")


HELM = "Error: can't get a valid version for repositories redis. Try changing the version constraint in Chart.yaml"


def test_helm_dependency_without_a_matching_version_is_out_of_scope() -> None:
    assert best_entry_id(HELM) == "other-clouds-helm-dependency-no-valid-version"
    envelope = run_engine(_start("helm dependency update fails in CI, we deploy to AKS:\n" + HELM)).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_a_chart_in_the_teams_own_registry_is_not_sent_away() -> None:
    text = "dependencies:\n  - name: orders\n    repository: oci://contosoacr.azurecr.io/helm\n" + HELM
    assert best_entry_id(text) != "other-clouds-helm-dependency-no-valid-version"


def test_a_helm_release_name_conflict_is_not_the_dependency_entry() -> None:
    assert best_entry_id("Error: INSTALLATION FAILED: cannot re-use a name that is still in use") \
        != "other-clouds-helm-dependency-no-valid-version"


# --- symptom clues ---------------------------------------------------------------------------------------------------

NSG = ("A LoadBalancer service on AKS times out; the health probe shows 0 of 3 backends healthy.\n"
       "NSG rules:\n 100 allow-http Inbound Allow TCP 80 * -> *\n 4096 deny-all Inbound Deny * * * -> *\n")


def test_nsg_deny_all_ahead_of_the_load_balancer_probe() -> None:
    assert "nsg-deny-all-blocks-load-balancer-health-probe" in _clue_ids(NSG)
    report = _report(NSG)
    assert report["category"] == "network.nsg_blocked" and "AzureLoadBalancer" in report["root_cause"]
    assert report["confidence"] == "medium"


def test_an_nsg_that_allows_the_load_balancer_tag_is_not_decided() -> None:
    text = NSG + " 200 allow-lb Inbound Allow * AzureLoadBalancer -> *\n"
    envelope = run_engine(_start(text)).envelope()
    assert not (envelope["status"] == "done" and "AllowAzureLoadBalancerInBound" in
                envelope["report"]["root_cause"] and envelope["report"]["confidence"] == "medium")


SAMPLED = ("Application Insights is missing most of our ILogger traces: the app log has 412 lines, the traces table "
           "returns 37. The ones that arrive have itemCount 11 or 12.")


def test_partly_missing_telemetry_with_item_count_is_sampling() -> None:
    assert "appinsights-adaptive-sampling-drops-items" in _clue_ids(SAMPLED)
    report = _report(SAMPLED)
    assert report["category"] == "runtime.code_defect" and "sampling" in report["root_cause"]
    assert report["confidence"] == "medium"


def test_missing_telemetry_without_item_count_only_asks() -> None:
    envelope = run_engine(_start("Application Insights is missing some of our traces since Monday.")).envelope()
    assert envelope["status"] == "request" or "sampling" not in envelope["report"]["root_cause"]


ROUTE = ("Our apex domain answers 404 through Front Door after the Bicep redeploy, www still works.\n"
         "resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2023-05-01' = {\n  properties: {\n"
         "    originGroup: { id: originGroup.id }\n    patternsToMatch: [ '/*' ]\n  }\n}")


def test_front_door_route_template_without_custom_domains() -> None:
    assert "front-door-route-template-without-custom-domains" in _clue_ids(ROUTE)
    report = _report(ROUTE)
    assert report["category"] == "deployment.template_invalid" and "customDomains" in report["root_cause"]


def test_a_route_that_binds_its_custom_domains_is_not_decided() -> None:
    text = ROUTE.replace("    originGroup", "    customDomains: [ { id: apex.id } ]\n    originGroup")
    envelope = run_engine(_start(text)).envelope()
    assert not (envelope["status"] == "done" and "declares no customDomains" in envelope["report"]["root_cause"])


@pytest.mark.parametrize("cidr", ["172.30.0.0/16", "172.31.64.0/24", "169.254.0.0/16", "192.0.2.0/24"])
def test_aks_service_cidr_in_a_reserved_range(cidr: str) -> None:
    text = (f"az aks create ... --network-plugin azure --service-cidr {cidr} --dns-service-ip 10.0.0.10\n"
            "The deployment fails and the cluster ends up in provisioningState Failed.")
    report = _report(text)
    assert report["category"] == "deployment.template_invalid" and cidr in report["root_cause"]
    assert "172.30.0.0/16" in report["root_cause"]


def test_an_ordinary_service_cidr_is_not_reserved() -> None:
    text = ("az aks create ... --network-plugin azure --service-cidr 10.240.0.0/16 --dns-service-ip 10.240.0.10\n"
            "The deployment fails and the cluster ends up in provisioningState Failed.")
    envelope = run_engine(_start(text)).envelope()
    assert not (envelope["status"] == "done" and "AKS reserves" in envelope["report"]["root_cause"])


def test_the_imds_address_is_not_a_reserved_cluster_range() -> None:
    text = ("Pods on AKS cannot reach 169.254.169.254 for a token; the service CIDR is 10.0.0.0/16 and the pod CIDR "
            "10.244.0.0/16.")
    envelope = run_engine(_start(text)).envelope()
    assert not (envelope["status"] == "done" and "AKS reserves" in envelope.get("report", {}).get("root_cause", ""))
