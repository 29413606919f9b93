"""Round 37 F1 (the thirtieth session's development cases real90-92): catalog entries for errors the engine asked about
or answered only with a generic reading, each with a near miss that must stay silent; the Terraform state-lock entry
no longer reads another cloud's backend; Let's Encrypt's newer wording (the registered domain in quotes)."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine, settled_report

ACR_PORT = ("docker push myreg.azurecr.io:443/team/api:1.0\n"
            "The push refers to repository [myreg.azurecr.io:443/team/api]\n"
            "unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.")
ACR_NO_PORT = ACR_PORT.replace(":443", "")
ACA_PROFILE_NAME = ('{"code":"BadRequest","message":"Cannot specify workload profile name for container app in '
                    'Consumption Only environment."}')
ACA_PROFILE_PROPERTY = ('ERROR CODE: WorkloadProfilePropertyNotSupported\n'
                        '{"error": {"code": '
                        '"WorkloadProfilePropertyNotSupported", '
                        '"message": "Workload Profile property is not supported"}}')
APIM_FRAGMENT = ("Status Message: The policy fragment is not a valid XML: Data at the root level is invalid. Line 1, "
                 "position 1. (Code:ValidationError)")
LOGIC_TIMESPAN = ("Workflow validation failed for the workflow 'w1'. The request content is not valid and could not be "
                  "deserialized: 'The string '3M' is not a valid TimeSpan value.'.")
METRIC_SCOPES = ('{"code":"BadRequest","message":"You can\'t define a scope that is different from the selected target '
                 'resource type."}')
AMPLIFY = ("Domain activation failed: One or more of the CNAMEs you provided are already associated with a different "
           "resource.")
S3_LOCK = ("Error: Error acquiring the state lock\n"
           "Error message: ValidationException: One or more parameter values were "
           "invalid: Missing the key LockID in the item\nbackend \"s3\" { dynamodb_table = \"locks\" }")
AZURERM_LOCK = ("Error: Error acquiring the state lock\nError message: state blob is already locked\nLock Info:\n"
                "  Path: tfstate/prod.terraform.tfstate")
WASB = ("org.apache.hadoop.fs.azure.AzureException: Container raw in account stdata01.blob.core.windows.net "
        "not found, "
        "and we can't create it using anoynomous credentials, and no credentials found for them in the configuration.")
PG_DISK = ("Requested data Disk size '131072' cannot be less than current size '262144'. Please make sure to request "
           "correct disk size.")
SB_WINDOW = ("SubCode=40000. The value supplied must be between 00:00:20 and 7.00:00:00.\n"
             "Parameter name: DuplicateDetectionHistoryTimeWindow")
AOAI_FQDN = ("Outbound network access is restricted. The hostname 'srch-x.search.windows.net' "
             "for parameter 'endpoint' "
             "is not in the allowed FQDN list for this resource.")
SEARCH_COSMOS = ("Error with data source: The connection to the Cosmos DB database 'db1' could not be made "
                 "due to missing authorizations. Please adjust your data source definition in order to proceed.")
PREFIX_EXPRESSION = ("Code: InvalidAddressPrefixFormat\nMessage: Address prefix [parameters('hubPrefix')] of resource "
                     "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v "
                     "is not formatted "
                     "correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
PREFIX_TYPO = PREFIX_EXPRESSION.replace("[parameters('hubPrefix')]", "10.0.0.0/33a")
LEGAL_TERMS = ('Code="ResourcePurchaseValidationFailed" Message="User failed validation to purchase resources. Error '
               "message: 'Legal terms have not been accepted for this item on this subscription: '1234'.'\"")
ELIGIBILITY = ("MarketplacePurchaseEligibilityFailed : Marketplace purchase eligibilty check returned errors. Offer "
               "with PublisherId: bitnami cannot be purchased due to validation errors.")
AZD_SELECT = ("? Enter a value for the 'aiLocation' infrastructure parameter: 3. (US) East US 2 (eastus2)\n"
              "ERROR: prompting for value: default value of select must be an int or string")
BACKUP = ("az backup protection enable-for-vm -g rg-app -v rsv1 --vm vm1 -p Daily\nThe Resource "
          "'Microsoft.RecoveryServices/vaults/rsv1' under resource group 'rg-app' was not found.")
AADSTS_SP = ("AADSTS650052: The app is trying to access a service '3c9d1e22-7f4b-4a55-9b0e-2d8c6f1a7e90'(Orders API) "
             "that your organization 'a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b' lacks a service principal for.")
AADSTS_NOT_SUBSCRIBED = ("AADSTS650052: The app needs access to a service (\"https://service.powerapps.com/\") that "
                         "your organization has not subscribed to or enabled.")
FLEX_TF = ("The following list of 2 site configuration properties (Site.SiteConfig.FtpsState, "
           "Site.SiteConfig.Use32BitWorkerProcess) for Flex Consumption sites is invalid. Please remove or rename them "
           "before retrying.\nThe app was created by our Terraform module.")
FLEX_PLAIN = FLEX_TF.replace("\nThe app was created by our Terraform module.", "\nThe app was created in the portal.")

CATALOG_CASES = {
    "containers-acr-login-server-with-port": ACR_PORT,
    "containers-aca-workload-profile-name-consumption-only-environment": ACA_PROFILE_NAME,
    "containers-aca-workload-profile-property-not-supported": ACA_PROFILE_PROPERTY,
    "integration-apim-policy-fragment-not-valid-xml": APIM_FRAGMENT,
    "integration-logicapps-not-a-valid-timespan": LOGIC_TIMESPAN,
    "integration-metric-alert-scopes-of-mixed-types": METRIC_SCOPES,
    "other-clouds-amplify-cname-already-associated": AMPLIFY,
    "other-clouds-terraform-s3-backend-lock-table-key": S3_LOCK,
    "storage-hadoop-wasbs-no-credentials-configured": WASB,
    "databases-postgres-flexible-disk-smaller-than-current": PG_DISK,
    "messaging-servicebus-duplicate-detection-window-out-of-range": SB_WINDOW,
    "openai-outbound-host-not-in-allowed-fqdn-list": AOAI_FQDN,
    "cosmos-search-indexer-missing-authorizations": SEARCH_COSMOS,
    "compute-network-address-prefix-unevaluated-expression": PREFIX_EXPRESSION,
    "compute-marketplace-legal-terms-not-accepted": LEGAL_TERMS,
    "tooling-azd-select-default-must-be-int-or-string": AZD_SELECT,
    "tooling-az-backup-vm-in-other-resource-group": BACKUP,
    "entra-aadsts650052-api-service-principal-missing-in-tenant": AADSTS_SP,
    "functions-flex-site-config-invalid-terraform-created": FLEX_TF,
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    assert best_entry_id(CATALOG_CASES[entry_id]) == entry_id


def test_near_misses_keep_the_older_reading() -> None:
    # no port in the image reference: an ordinary registry credential problem, not the host:port form
    assert best_entry_id(ACR_NO_PORT) != "containers-acr-login-server-with-port"
    # a prefix that is a typo, not expression text: the generic CIDR entry
    assert best_entry_id(PREFIX_TYPO) == "compute-network-invalid-address-prefix-format"
    # a purchase blocked without the legal-terms words stays the eligibility (policy) entry
    assert best_entry_id(ELIGIBILITY) == "compute-marketplace-terms"
    # the other AADSTS650052 wording (a Microsoft service the tenant has not enabled) keeps its entry
    assert best_entry_id(AADSTS_NOT_SUBSCRIBED) != "entra-aadsts650052-api-service-principal-missing-in-tenant"
    # a Flex app not made by Terraform keeps the general Flex entry
    assert best_entry_id(FLEX_PLAIN) == "functions-flex-site-config-invalid"
    # the azurerm backend's own lease is still Terraform-on-Azure's state lock
    assert best_entry_id(AZURERM_LOCK) == "tooling-tf-state-lock"
    # a Logic Apps TimeSpan entry needs the workflow context
    assert best_entry_id("System.FormatException: The string 'abc' is not a valid TimeSpan value.") \
        != "integration-logicapps-not-a-valid-timespan"


def test_an_s3_backend_lock_error_is_out_of_scope_naming_the_lock_key() -> None:
    report = out_of_scope_report("Azure resources via Terraform; state in AWS.\n" + S3_LOCK)
    assert "LockID" in report["root_cause"]


def test_lets_encrypt_limit_for_a_shared_azure_suffix_is_out_of_scope() -> None:
    text = ("Requesting a certificate for app1.eastus.cloudapp.azure.com\nError creating new order :: too many "
            "certificates already issued for \"eastus.cloudapp.azure.com\". Retry after 2024-04-25T20:00:00Z: see "
            "https://letsencrypt.org/docs/rate-limits/\nNothing changed in our scripts since last month. Is Azure "
            "throttling the DNS label?")
    out_of_scope_report(text)


def test_a_search_indexer_without_the_account_scope_role_is_answered_without_a_question() -> None:
    text = "AI Search indexer on Cosmos DB with the search identity.\n" + SEARCH_COSMOS
    outcome = run_engine({"error_description": text})
    assert not outcome.requests
    report = outcome.envelope()["report"]
    assert report["category"] == "auth.rbac_missing" and "account" in report["root_cause"]


def test_a_duplicate_detection_window_over_seven_days_is_a_template_value() -> None:
    report = settled_report("creating topic 'orders' failed: error code: 400. " + SB_WINDOW)
    assert report["category"] == "deployment.template_invalid"
    assert "DuplicateDetectionHistoryTimeWindow" in report["root_cause"] and "days" in report["root_cause"]
