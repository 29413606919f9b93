"""Round 41, helper S4 (deciding details missing from right-category answers): listed names read from `az -o table`
output and inline `*_name=` arguments, also for a missing app setting; pasted configuration lines quoted as evidence;
a resource group the same Terraform/Bicep configuration creates but the failing resource names without a dependency;
an activity-log move's target group; the Table DateTime-before-1601 entry; the azurerm 4 subscription setting; the
Terraform backend's use_azuread_auth; Azure Backup behind a storage firewall. Each shows the mechanism deciding and a
near miss that stays silent."""

from __future__ import annotations

import json

from shared.engines.listed_names import listed_names, sought_names
from shared.engines.pasted_config import config_lines
from shared.session.state import Conclude
from shared.tools.azure_activity import _event
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, **context: object):
    start: dict = {"error_description": text}
    if context:
        start["context"] = {"environment_info": context}
    return run_engine(start).final


def _said(final: Conclude) -> str:
    return final.report.root_cause + json.dumps([e.model_dump() for e in final.report.evidence])


# --- listed names: az table output, inline name arguments, a missing setting ------------------------------------

_TABLE = """$ az storage container list --account-name stbillingtf01 --auth-mode login -o table
Name              Lease Status    Last Modified
----------------  --------------  -------------------------
terraform-state   unlocked        2025-09-14T07:30:02+00:00
backups           unlocked        2026-01-08T16:45:51+00:00
"""


def test_table_listing_gives_its_name_column_and_inline_name_arguments_are_sought() -> None:
    assert listed_names(_TABLE) == ["terraform-state", "backups"]
    assert "tfstate" in sought_names("terraform init -backend-config=container_name=tfstate -backend-config=key=a")
    # a table without the dashes under its header is not a listing (a log's columns)
    assert listed_names("$ az storage container list -o table\nName   Lease\nterraform-state   unlocked\n") == []


def test_backend_container_not_found_names_the_listed_container() -> None:
    text = ("Initializing the backend...\nError: Failed to get existing workspaces: containers.Client#ListBlobs: "
            "StatusCode=404 Code=\"ContainerNotFound\" Message=\"The specified container does not exist.\"\n\n"
            "terraform init -backend-config=container_name=terraformstate\n\n" + _TABLE)
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "'terraform-state'" in final.report.root_cause


def test_missing_setting_names_the_listed_setting_near_it_but_not_an_unrelated_one() -> None:
    error = ("The 'ReadMeters' function is in error: Microsoft.Azure.WebJobs.Extensions.EventHubs: Event Hub account "
             "connection string 'EventHubConn' does not exist. Make sure that it is a defined App Setting.\n\n"
             "$ az functionapp config appsettings list -n func-meter -g rg-m --query \"[].name\" -o tsv\n")
    near = _final(error + "AzureWebJobsStorage\nEventHubConnValue\nFUNCTIONS_WORKER_RUNTIME\n")
    assert isinstance(near, Conclude) and near.report.category == "config.missing_app_setting"
    assert "EventHubConnValue" in near.report.root_cause
    far = _final(error + "AzureWebJobsStorage\nFUNCTIONS_WORKER_RUNTIME\nWEBSITE_RUN_FROM_PACKAGE\n")
    assert isinstance(far, Conclude) and "nearest existing name" not in far.report.root_cause


# --- pasted configuration lines ----------------------------------------------------------------------------------

def test_config_lines_read_settings_rows_json_members_and_elements_not_logs() -> None:
    text = ("FUNCTIONS_EXTENSION_VERSION   ~2\nREDIS_DB=0\n  { \"name\": \"X_SETTING\", \"value\": \"1\" },\n"
            "<authentication-managed-identity resource=\"abc\" />\n2026-11-20T10:02:44.118 [Error] Error indexing\n"
            "We changed nothing since Friday.")
    keys = [key for key, _ in config_lines(text)]
    assert keys == ["FUNCTIONS_EXTENSION_VERSION", "REDIS_DB", "X_SETTING", "authentication-managed-identity"]


def test_the_deciding_setting_line_is_quoted_and_an_unrelated_one_is_not() -> None:
    text = ("2026-11-20T10:02:44.131 [Error] The 'Ingest' function is in error: The binding type(s) "
            "'eventHubTrigger' are not registered. Please ensure the type is correct and the binding extension "
            "is installed.\n\nSettings (JSON):\n  \"FUNCTIONS_EXTENSION_VERSION\": \"~3\",\n"
            "  \"WEBSITE_TIME_ZONE\": \"W. Europe Standard Time\"\n")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    shown = [e.summary for e in final.report.evidence if e.summary.startswith("the report shows:")]
    assert any('"FUNCTIONS_EXTENSION_VERSION": "~3"' in s for s in shown)
    assert not any("WEBSITE_TIME_ZONE" in e.summary for e in final.report.evidence)


# --- a parent the same configuration creates, named without a dependency -------------------------------------------

_TF_ERROR = ("Error: creating Key Vault: unexpected status 404 (404 Not Found) with error: ResourceGroupNotFound: "
             "Resource group 'rg-pay-qa' could not be found.\n\n"
             "resource \"azurerm_resource_group\" \"pay\" {\n  name     = local.rg_name\n"
             "  location = \"westeurope\"\n}\n\n"
             "resource \"azurerm_key_vault\" \"pay\" {\n  name                = \"kv-pay\"\n"
             "  resource_group_name = {ref}\n  sku_name            = \"standard\"\n}}\n")


def test_terraform_group_named_through_a_local_value_is_an_unordered_parent() -> None:
    final = _final(_TF_ERROR.replace("{ref}", "local.rg_name").replace("}}", "}"))
    assert isinstance(final, Conclude) and final.report.category == "deployment.parent_not_found"
    assert "dependency" in final.report.root_cause and "azurerm_key_vault.pay" in final.report.root_cause
    assert any("azurerm_resource_group.pay.name" in a for a in final.report.actions)


def test_terraform_group_named_through_the_resource_attribute_stays_silent() -> None:
    final = _final(_TF_ERROR.replace("{ref}", "azurerm_resource_group.pay.name").replace("}}", "}"))
    assert isinstance(final, Conclude) and "sees no dependency" not in final.report.root_cause


_BICEP = """az deployment sub create -f main.bicep
{"code":"ResourceGroupNotFound","message":"Resource group 'rg-claims-test' could not be found."}

module rgModule 'br/public:avm/res/resources/resource-group:0.4.1' = {
  params: {
    name: 'rg-claims-test'
  }
}

module storage 'modules/storage.bicep' = {
  scope: resourceGroup(rgModule.name)
  DEPENDS
  params: {
    accountName: 'stclaims'
  }
}
"""


def test_bicep_module_scoped_to_a_module_group_without_depends_on() -> None:
    final = _final(_BICEP.replace("DEPENDS", ""))
    assert isinstance(final, Conclude) and final.report.category == "deployment.parent_not_found"
    assert "dependsOn: [rgModule]" in final.report.root_cause
    near = _final(_BICEP.replace("DEPENDS", "dependsOn: [ rgModule ]"))
    assert isinstance(near, Conclude) and "dependsOn: [rgModule]" not in near.report.root_cause


# --- the activity log keeps a move's target group ---------------------------------------------------------------

def test_move_event_keeps_its_target_group_and_other_writes_do_not_get_one() -> None:
    body = json.dumps({"resources": ["/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Storage/"
                                     "storageAccounts/st1"],
                       "targetResourceGroup": "/subscriptions/s/resourceGroups/rg-platform"})
    move = {"operationName": {"value": "Microsoft.Resources/subscriptions/resourceGroups/moveResources/action"},
            "status": {"value": "Succeeded"}, "resourceId": "/subscriptions/s/resourceGroups/rg-a",
            "properties": {"requestbody": body}}
    assert _event(move)["target_group"] == "rg-platform"
    write = {**move, "properties": {"requestbody": json.dumps({"location": "westeurope"})}}
    assert "target_group" not in _event(write)


# --- catalog and advice data ------------------------------------------------------------------------------------

def test_table_out_of_range_with_a_datetime_names_1601_and_not_without_one() -> None:
    text = ("Azure.RequestFailedException: One of the request inputs is out of range.\nStatus: 400 (Bad Request)\n"
            "ErrorCode: OutOfRangeInput\nContent: {\"odata.error\":{\"code\":\"OutOfRangeInput\"}}\n"
            "TableClient.UpsertEntityAsync; the entity has DateTime LastLogin left at its default.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "1601" in final.report.root_cause
    # a queue name out of range: no table, no date
    assert best_entry_id("ErrorCode: OutOfRangeInput One of the request inputs is out of range. queue 'Orders_Q'") \
        != "storage-table-out-of-range-datetime-before-1601"


def test_azurerm4_subscription_error_names_the_environment_variable() -> None:
    final = _final("│ Error: building account: unable to configure ResourceManagerAccount: subscription ID could "
                   "not be determined and was not specified\n"
                   "│   with provider[\"registry.terraform.io/hashicorp/azurerm\"]")
    assert isinstance(final, Conclude) and "ARM_SUBSCRIPTION_ID" in final.report.root_cause


def test_backend_refused_shared_key_gets_use_azuread_auth_but_an_app_does_not() -> None:
    refusal = ("Status=403 Code=\"KeyBasedAuthenticationNotPermitted\" Message=\"Key based authentication is not "
               "permitted on this storage account.\"")
    backend = _final("terraform init\nInitializing the backend...\nError: Failed to get existing workspaces: "
                     + refusal)
    assert isinstance(backend, Conclude)
    assert any("use_azuread_auth" in a for a in backend.report.actions)
    app = _final("Our web app's upload fails: Azure.RequestFailedException: " + refusal)
    assert isinstance(app, Conclude) and not any("use_azuread_auth" in a for a in app.report.actions)


_RULES = """Networking of that account (az storage account show --query networkRuleSet):
  {
    "bypass": "None",
    "defaultAction": "Deny",
    "ipRules": [ { "action": "Allow", "value": "203.0.113.0/24" } ]
  }
"""


def test_backup_behind_the_firewall_needs_the_trusted_services_exception() -> None:
    final = _final("Recovery Services vault > Backup > Azure Files: the storage account stfin01 is not in the list."
                   "\n" + _RULES)
    assert isinstance(final, Conclude) and final.report.category == "network.storage_firewall"
    assert "trusted services list" in final.report.root_cause
    app = _final("Our web app gets 403 AuthorizationFailure uploading to stfin01.\n" + _RULES)
    assert isinstance(app, Conclude) and "Azure Backup reaches" not in app.report.root_cause
