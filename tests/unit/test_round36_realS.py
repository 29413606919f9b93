"""Round 36 realS: the mechanisms added for thirteen real reports - VM size capability errors (accelerated networking,
a premium disk on a size without premium storage) read as invalid requests, not as a size the region lacks; catalog
entries for a subnet that cannot be delegated because other resources use it, an invalid Service Bus / Event Hubs
namespace name (the cause behind the internal server error the same deployment shows) and an AWS ACM certificate stuck
in Pending validation (out of scope even when the report names Azure); a MySQL/PostgreSQL login sent with an @-suffix
that is not the server it connects to; Pulumi/SST resource type tokens count as another platform's own words. Each
check has a near miss that must stay silent."""

from __future__ import annotations

from shared.engines.catalog_hits import _EXCEPTION_PATH
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict:
    return run_engine({"error_description": text}).envelope()


def _report(text: str) -> dict:
    envelope = _envelope(text)
    assert envelope["status"] in ("done", "fail"), envelope
    return envelope["report"]


# --- VM size capability errors --------------------------------------------------------------------------------------

ACCELERATED = ('{"code": "VMSizeIsNotPermittedToEnableAcceleratedNetworking", '
               '"message": "Virtual Machine size '
               'Standard_DS1_v2 is not in the allowed list of VM sizes for accelerated networking to be enabled on '
               'Network Interface /subscriptions/1/resourceGroups/rg/providers/Microsoft.Compute/'
               'virtualMachines/vm1."}')


def test_accelerated_networking_on_an_unsupported_size_is_an_invalid_template() -> None:
    assert best_entry_id(ACCELERATED) == "compute-accelerated-networking-size"
    report = _report(ACCELERATED)
    assert report["category"] == "deployment.template_invalid"
    assert "accelerated networking" in report["root_cause"].lower()


PREMIUM = ("Requested operation cannot be performed because the VM size Standard_D1_v2 does not support the storage "
           "account type Premium_LRS of disk 'disk1'. Consider updating the VM to a size that supports Premium "
           "storage.")


def test_premium_disk_on_a_size_without_premium_storage_is_an_invalid_template() -> None:
    assert best_entry_id(PREMIUM) == "compute-vm-size-no-premium-storage"
    assert _report(PREMIUM)["category"] == "deployment.template_invalid"


def test_a_size_the_region_does_not_offer_stays_sku_not_available() -> None:
    text = ("Code: SkuNotAvailable. Message: The requested VM size for resource 'Following SKUs have failed for "
            "Capacity Restrictions: Standard_D8s_v5' is currently not available in location 'westeurope'.")
    assert _report(text)["category"] == "quota.sku_not_available"


# --- subnet delegation blocked by resources in the subnet -----------------------------------------------------------

DELEGATION = ("ERROR: Delegations of subnet /subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/"
              "virtualNetworks/vnet1/subnets/apps cannot be changed from [] to [Microsoft.Web/serverFarms] because it "
              "is being used by the resource /subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/"
              "networkInterfaces/vm1-nic/ipConfigurations/ipconfig1.")


def test_a_subnet_in_use_cannot_be_delegated() -> None:
    assert best_entry_id(DELEGATION) == "compute-subnet-delegation-blocked-subnet-in-use"
    report = _report(DELEGATION)
    assert report["category"] == "deployment.template_invalid" and "unused" in report["root_cause"]


def test_a_missing_delegation_is_not_the_subnet_in_use_entry() -> None:
    text = ("(SubnetMissingRequiredDelegation) Subnet /subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/"
            "virtualNetworks/vnet1/subnets/apps requires any of the following delegation(s) "
            "[Microsoft.DBforPostgreSQL/flexibleServers] to reference service association link.")
    assert best_entry_id(text) != "compute-subnet-delegation-blocked-subnet-in-use"


# --- Service Bus / Event Hubs namespace name ------------------------------------------------------------------------

NAMESPACE = ('{"code":"DeploymentFailed","details":[{"code":"ResourceDeploymentFailure","message":"Encountered '
             'internal '
             "server error. Diagnostic information: timestamp '20220517T183238Z', tracking id 'x'.\"},{\"code\":"
             '"BadRequest","message":"The specified service namespace is invalid. CorrelationId: 1"}]}')


def test_an_invalid_namespace_name_is_the_cause_behind_the_internal_error() -> None:
    report = _report(NAMESPACE)
    assert report["category"] == "deployment.template_invalid" and "namespace name" in report["root_cause"]


def test_an_internal_server_error_alone_stays_a_platform_incident() -> None:
    text = ("{\"code\":\"ResourceDeploymentFailure\",\"message\":\"Encountered internal server error. Diagnostic "
            "information: timestamp '20220517T183238Z', subscription id '1', tracking id 'x'.\"}")
    assert _report(text)["category"] == "platform.service_incident"


# --- a database login whose @-suffix is not the server --------------------------------------------------------------

SUFFIX = ("$ mysql --host contoso-orders.mysql.database.azure.com --user ordersadmin@52.174.18.203 -p\n"
          "ERROR 1045 (28000): Access denied for user 'ordersadmin'@'52.174.18.203' (using password: YES)")


def test_a_login_suffix_that_is_not_the_server_is_an_invalid_connection_string() -> None:
    report = _report(SUFFIX)
    assert report["category"] == "config.invalid_connection_string"
    assert "ordersadmin@contoso-orders" in report["root_cause"] and "servername" in report["root_cause"]


def test_a_login_suffix_that_names_the_server_does_not_decide() -> None:
    text = SUFFIX.replace("--user ordersadmin@52.174.18.203", "--user ordersadmin@contoso-orders")
    report = _report(text)
    assert "is not the server's name" not in report.get("root_cause", "")


def test_a_refused_login_on_another_host_does_not_decide() -> None:
    text = SUFFIX.replace("contoso-orders.mysql.database.azure.com", "10.0.0.5")
    assert "is not the server's name" not in _report(text).get("root_cause", "")


# --- AWS ACM certificate pending validation -------------------------------------------------------------------------

ACM = ("Our booking API runs on Azure Container Apps; the site moved to AWS. npx sst deploy hangs:\n"
       "|  Creating  Site CertificateValidation aws:acm:CertificateValidation (14m 52s)\n"
       "The ACM certificate stays Pending validation although the Route 53 CNAME is right.")


def test_an_acm_certificate_validation_is_out_of_scope_even_beside_azure() -> None:
    envelope = _envelope(ACM)
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "AWS" in envelope["report"]["root_cause"]


def test_a_pulumi_type_token_counts_as_own_words_but_an_address_does_not() -> None:
    assert _EXCEPTION_PATH.search("aws:acm:CertificateValidation")
    assert not _EXCEPTION_PATH.search("https://x.supabase.co/functions/v1/run")
    assert not _EXCEPTION_PATH.search("db.contoso.com:5432")
