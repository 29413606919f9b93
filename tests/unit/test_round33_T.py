"""Round 33 T (real reports on deployments and quotas, networking, Application Insights and VMs, tests/scenarios/realT):
AWS EC2 account limits printed by Terraform or Ansible (instance, Elastic IP, vCPU limits), a VM create refused
because the size is not on the availability set's hardware cluster, the Application Insights connection string
handed to an overload that takes an instrumentation key, a private endpoint that never got its DNS record, and a
subnet NSG that denies what the NIC's NSG allows."""

from __future__ import annotations

from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes, final_of


def _category(text: str) -> str | None:
    final = final_of(text)
    return final.report.category if isinstance(final, (Conclude, GiveUp)) and final.report is not None else None


def _root_cause(text: str) -> str:
    final = final_of(text)
    return final.report.root_cause if isinstance(final, (Conclude, GiveUp)) and final.report is not None else ""


# --- AWS EC2 account limits -----------------------------------------------------------------------------------------

INSTANCE_LIMIT = ("aws_instance.zookeeper.1: Error: 1 error(s) occurred:\n* Error launching source instance: "
                  "InstanceLimitExceeded: Your quota allows for 0 more running instance(s). You requested at least 1")
EIP_LIMIT = ("* aws_eip.nat_eip.4: Error creating EIP: AddressLimitExceeded: The maximum number of addresses has been "
             "reached.\n\tstatus code: 400, request id: 4ea4ffb9")
AZURE_CORES = ("Operation could not be completed as it results in exceeding approved Total Regional Cores quota. "
               "Additional details - Deployment Model: Resource Manager, Location: eastus2, Current Limit: 100, "
               "Current Usage: 100, Additional Required: 20")


def test_aws_instance_and_address_limits_are_out_of_scope() -> None:
    assert _category(INSTANCE_LIMIT) == "out_of_scope"
    assert _category(EIP_LIMIT) == "out_of_scope"


def test_azures_own_cores_quota_stays_an_azure_quota() -> None:
    assert _category(AZURE_CORES) == "quota.exceeded"


# --- a size the availability set's hardware cluster does not offer ---------------------------------------------------

CLUSTER = ("New-AzVM : Unable to create the VM 'LABDC2' because the requested size Standard_D2s_v3 is not available in "
           "the current hardware cluster. The available sizes are: Basic_A0,Standard_A1,Standard_D1.\n"
           "ErrorCode: OperationNotAllowed\nStatusCode: 409")


def test_a_size_missing_from_the_hardware_cluster_names_the_size() -> None:
    assert _category(CLUSTER) == "quota.sku_not_available"
    assert "Standard_D2s_v3" in _root_cause(CLUSTER)


# --- the connection string passed where an instrumentation key belongs -----------------------------------------------

AS_KEY = ("No traces reach Application Insights, the traces table stays empty. We call\n"
          "builder.Logging.AddApplicationInsights(\n    configuration[\"APPLICATIONINSIGHTS_CONNECTION_STRING\"]);")
LITERAL = ('Nothing shows in Application Insights from the worker.\n'
           'services.AddApplicationInsightsTelemetryWorkerService('
           '"InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://westeurope-5.in.'
           'applicationinsights.azure.com/");')
OPTIONS = ("No traces reach Application Insights, the traces table stays empty. We call\n"
           "services.AddApplicationInsightsTelemetryWorkerService(options => options.ConnectionString = "
           "configuration[\"APPLICATIONINSIGHTS_CONNECTION_STRING\"]);")
IKEY = ("No traces reach Application Insights, the traces table stays empty. We call\n"
        "builder.Logging.AddApplicationInsights(instrumentationKey);")


def test_a_connection_string_given_to_the_key_overload_is_named() -> None:
    assert concludes(AS_KEY, "config.invalid_connection_string")
    assert "instrumentation key" in _root_cause(AS_KEY)
    assert concludes(LITERAL, "config.invalid_connection_string")


def test_the_options_form_or_a_key_variable_is_no_such_verdict() -> None:
    assert "whose one-string overload" not in _root_cause(OPTIONS)
    assert "whose one-string overload" not in _root_cause(IKEY)


# --- a private endpoint that never got its DNS record ----------------------------------------------------------------

NO_GROUP = ("The storage account has a private endpoint and the zone privatelink.file.core.windows.net is linked to "
            "the spoke VNet, but the private endpoint resources in our Terraform module have no private_dns_zone_group "
            "block and the share still resolves to a public IP from the session hosts.")
NO_RECORD = ("Key Vault has a private endpoint; the private DNS zone privatelink.vaultcore.azure.net has no A record, "
             "only the SOA. The app gets a 403 from the vault's firewall.")
WITH_GROUP = ("The storage account has a private endpoint with a private_dns_zone_group pointing at "
              "privatelink.file.core.windows.net, linked to the spoke VNet, and the share still times out.")


def test_an_endpoint_without_zone_group_or_record_is_concluded() -> None:
    assert concludes(NO_GROUP, "network.private_endpoint_dns")
    assert "zone group" in _root_cause(NO_GROUP)
    assert concludes(NO_RECORD, "network.private_endpoint_dns")


def test_an_endpoint_with_its_zone_group_is_no_missing_record_verdict() -> None:
    assert "was never registered" not in _root_cause(WITH_GROUP)


# --- the subnet's NSG denies what the NIC's NSG allows ---------------------------------------------------------------

BOTH = ("I can't RDP (3389) to the Windows bastion; it times out. The NIC has an NSG nsg-bastion-nic with Allow 3389 "
        "from our office range. The bastion subnet also has an NSG, nsg-admin-subnet:\n  100 allow-ssh 22 Allow\n"
        "  4096 deny-all * Deny")
NIC_ONLY = ("I can't RDP (3389) to the Windows bastion; it times out. The NIC has an NSG nsg-bastion-nic with "
            "Allow 3389 from our office range. Nothing else is configured on the subnet.")


def test_a_subnet_nsg_that_denies_what_the_nic_allows_is_named() -> None:
    assert concludes(BOTH, "network.nsg_blocked")
    assert "subnet" in _root_cause(BOTH)


def test_an_allow_on_the_nic_alone_is_no_subnet_verdict() -> None:
    assert "before the network interface's group" not in _root_cause(NIC_ONLY)
