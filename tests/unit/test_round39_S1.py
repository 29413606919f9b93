"""Stated configuration decides like a read (shared/engines/stated_app_config.py): each reader compares a pasted
configuration with what the error needs, and names the value it read; each stays silent when the stated
configuration agrees with the error (its near miss)."""

from __future__ import annotations

from shared.engines.stated_app_config import listed_secrets, misspelled_variables, stated_assignments, stated_ip_rules
from tests.helpers.engine_loop import run_engine


def _report(text: str, done: bool = True) -> dict:
    """The final report (a near miss may end with a question instead: then an empty report)."""
    outcome = run_engine({"error_description": text})
    envelope = outcome.envelope()
    assert envelope["status"] == "done" or not done, envelope
    return envelope.get("report") or {"root_cause": "", "evidence": [], "category": None}


def _said(report: dict) -> str:
    return " ".join([report["root_cause"], *(e["summary"] for e in report["evidence"])])


_ACR = """docker push crfleet.azurecr.io/api:1 fails:
denied: client with IP '192.0.2.55' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.
az acr show -n crfleet --query networkRuleSet
{{ "defaultAction": "Deny", "ipRules": [ {{ "action": "Allow", "ipAddressOrRange": "{rule}" }} ] }}"""


def test_an_ip_rule_list_that_misses_the_refused_address_is_named() -> None:
    found = _report(_ACR.format(rule="192.0.2.5/32"))
    assert found["category"] == "network.nsg_blocked"
    assert "192.0.2.5/32" in found["root_cause"] and "do not cover" in found["root_cause"]


def test_an_ip_rule_that_covers_the_refused_address_says_nothing_of_the_rules() -> None:
    found = _report(_ACR.format(rule="192.0.2.0/24"), done=False)
    assert "do not cover" not in _said(found)


def test_stated_ip_rules_reads_json_and_leaves_other_numbers() -> None:
    assert stated_ip_rules('"ipRules": [ {"value": "198.51.100.24/32"}, {"value": "10.0.0.1"} ], "port": "1.2"') == [
        "198.51.100.24/32", "10.0.0.1"]
    assert stated_ip_rules("no rules here 10.0.0.1") == []


_FDID = """Every request through Front Door now returns:
Error 403 - Forbidden
The web app you have attempted to reach has blocked your access.
az webapp config access-restriction show -n app-x -g rg-x
[ {{ "action": "Allow", "headers": {{ "x-azure-fdid": [ "11111111-2222-4333-8444-555555555555" ] }},
    "ipAddress": "AzureFrontDoor.Backend", "tag": "ServiceTag" }} ]
az afd profile show --query frontDoorId
"frontDoorId": "{fdid}"
"""


def test_a_front_door_header_filter_with_another_id_is_named() -> None:
    found = _report(_FDID.format(fdid="99999999-8888-4777-8666-555555555555"))
    assert "X-Azure-FDID" in found["root_cause"] and "99999999-8888-4777-8666-555555555555" in found["root_cause"]


def test_a_front_door_header_filter_with_the_profile_id_stays_silent() -> None:
    found = _report(_FDID.format(fdid="11111111-2222-4333-8444-555555555555"), done=False)
    assert "header X-Azure-FDID =" not in found["root_cause"]


_CONTAINERS = """ca-x crashes:
KeyError: 'QUEUE_NAME'
az containerapp show -n ca-x -g rg-x --query properties.template -o yaml
  containers:
  - image: x.azurecr.io/worker:1
    name: worker
    env:
    - name: APP_ENV
      value: prod
{worker_extra}  - image: busybox:1
    name: log-shipper
    env:
    - name: QUEUE_NAME
      value: orders
"""


def test_a_variable_defined_on_another_container_is_named() -> None:
    found = _report(_CONTAINERS.format(worker_extra=""))
    assert found["category"] == "config.missing_app_setting"
    assert "log-shipper" in found["root_cause"] and "'worker'" in found["root_cause"]


def test_a_variable_defined_on_every_container_says_nothing_of_containers() -> None:
    found = _report(_CONTAINERS.format(worker_extra="    - name: QUEUE_NAME\n      value: orders\n"), done=False)
    assert "log-shipper" not in found["root_cause"]


_PIPELINE = """##[error]Error: Resource 'app-web-prd' doesn't exist. Resource should exist before deployment.
  - task: AzureWebApp@1
    inputs:
      azureSubscription: 'sc-web'
      appName: 'app-web-prd'
      resourceGroupName: 'rg-web-prd'
Service connection sc-web: scope level Subscription, resource group: {group}
"""


def test_a_service_connection_scoped_to_another_group_is_the_cause() -> None:
    found = _report(_PIPELINE.format(group="rg-web-tst"))
    assert found["category"] == "auth.rbac_missing" and "rg-web-tst" in found["root_cause"]


def test_a_service_connection_scoped_to_the_target_group_is_not() -> None:
    found = _report(_PIPELINE.format(group="rg-web-prd"), done=False)
    assert found["category"] != "auth.rbac_missing"


_SUBNETS = """Azure Functions runtime is unreachable. Click here for details on storage configuration.
az storage account show -n stx --query networkRuleSet
{{ "defaultAction": "Deny", "virtualNetworkRules": [ {{ "id":\
 "/subscriptions/0000/resourceGroups/rg-n/providers/Microsoft.Network/virtualNetworks/vn/subnets/{rule}" }} ] }}
az functionapp show -n fx --query virtualNetworkSubnetId
"/subscriptions/0000/resourceGroups/rg-n/providers/Microsoft.Network/virtualNetworks/vn/subnets/snet-b"
"""


def test_a_storage_rule_for_another_subnet_than_the_apps_is_the_storage_firewall() -> None:
    found = _report(_SUBNETS.format(rule="snet-a"))
    assert found["category"] == "network.storage_firewall" and "snet-b" in found["root_cause"]


def test_a_storage_rule_for_the_apps_subnet_stays_silent() -> None:
    found = _report(_SUBNETS.format(rule="snet-b"), done=False)
    assert "integration subnet 'snet-b'" not in found["root_cause"]


_WORKFLOW = """Run azure/login@v2
Error: Login failed with Error: Using auth-type: SERVICE_PRINCIPAL. Not all values are present. Ensure\
 'client-id' and 'tenant-id' are supplied.
      client-id: ${{{{ secrets.{ref} }}}}
$ gh secret list
NAME              UPDATED
AZURE_APP_ID      about 1 day ago
AZURE_TENANT_ID   about 1 day ago
"""


def test_a_workflow_secret_the_repository_does_not_list_is_named() -> None:
    found = _report(_WORKFLOW.format(ref="AZURE_APPID"))
    assert "secrets.AZURE_APPID" in found["root_cause"] and "AZURE_APP_ID" in found["root_cause"]
    assert found["confidence"] == "medium"


def test_a_workflow_secret_that_is_listed_stays_silent() -> None:
    found = _report(_WORKFLOW.format(ref="AZURE_APP_ID"), done=False)
    assert "not among the secrets or variables" not in found["root_cause"]


def test_listed_secrets_reads_gh_output_and_prose() -> None:
    assert listed_secrets("$ gh secret list\nNAME  UPDATED\nA_B  now\nC_D  now\n\nmore") == ["A_B", "C_D"]
    assert listed_secrets("Repository secrets show: AZURE_X, AZURE_Y") == ["AZURE_X", "AZURE_Y"]


_ROLES = """Azure.Messaging.ServiceBus.ServiceBusException: Unauthorized access. 'Listen' claim(s) are\
 required to perform this operation. Resource: 'sb://sb-pay-prd.servicebus.windows.net/payments'.
az role assignment list --assignee 1111 --all
[ {{ "role": "Azure Service Bus Data Receiver", "scope": "/subscriptions/0000/resourceGroups/rg-pay/providers\
/Microsoft.ServiceBus/namespaces/{ns}" }} ]
"""


def test_a_stated_role_on_another_namespace_is_named() -> None:
    found = _report(_ROLES.format(ns="sb-pay-uat"))
    assert found["category"] == "auth.rbac_missing" and "sb-pay-uat" in found["root_cause"]


def test_a_stated_role_on_the_refused_namespace_says_nothing_of_other_scopes() -> None:
    found = _report(_ROLES.format(ns="sb-pay-prd"), done=False)
    assert "only on another resource" not in found["root_cause"]


def test_stated_assignments_reads_a_table() -> None:
    table = ("Principal  Role                          Scope\n"
             "--------   ----------------------------  -----\n"
             "abc        Azure Event Hubs Data Sender  /subscriptions/0/resourceGroups/r/providers/X.Y/z/ns1\n")
    assert stated_assignments(table) == [("Azure Event Hubs Data Sender",
                                          "/subscriptions/0/resourceGroups/r/providers/X.Y/z/ns1")]


_TERRAFORM = """terraform plan
Error: building AzureRM Client: please ensure you have installed Azure CLI version 2.0.79 or newer. Error\
 parsing json result from the Azure CLI: launching Azure CLI: exec: "az": executable file not found in $PATH.
env:
  ARM_CLIENT_ID: ${{{{ secrets.ID }}}}
  {name}: ${{{{ secrets.SECRET }}}}
  ARM_TENANT_ID: ${{{{ secrets.TENANT }}}}
"""


def test_a_misspelled_provider_variable_is_the_missing_setting() -> None:
    found = _report(_TERRAFORM.format(name="ARM_CLEINT_SECRET"))
    assert found["category"] == "config.missing_app_setting"
    assert "ARM_CLEINT_SECRET" in found["root_cause"] and "ARM_CLIENT_SECRET" in found["root_cause"]


def test_a_correctly_spelled_provider_variable_leaves_the_cli_reading() -> None:
    found = _report(_TERRAFORM.format(name="ARM_CLIENT_SECRET"), done=False)
    assert found["category"] != "config.missing_app_setting"


def test_misspelled_variables_needs_a_near_unset_name_of_the_same_family() -> None:
    assert misspelled_variables("AZURE_CLIENT_SCRET=x\nAZURE_CLIENT_ID=y\n")[0][:2] == (
        "AZURE_CLIENT_SCRET", "AZURE_CLIENT_SECRET")
    assert misspelled_variables("AZURE_CLIENT_SECRET=x\nAZURE_CLIENT_SCRET=y\n") == []  # the right one is set too
    assert misspelled_variables("ARM_USE_MSAL=true\nAZURE_LOCATION=westeurope\n") == []  # names the tools read


_SUBNET_SAID = """Azure Functions runtime is unreachable. Click here for details on storage configuration.
az storage account show -n stx --query networkRuleSet
{{ "defaultAction": "Deny", "virtualNetworkRules": [ {{ "id":\
 "/subscriptions/0000/resourceGroups/rg-n/providers/Microsoft.Network/virtualNetworks/vn/subnets/snet-old" }} ] }}
The function app is integrated with {subnet} since last week.
"""


def test_the_apps_subnet_said_by_name_is_compared_with_the_rules_subnet_names() -> None:
    found = _report(_SUBNET_SAID.format(subnet="snet-new"))
    assert found["category"] == "network.storage_firewall" and "'snet-new'" in found["root_cause"]
    near = _report(_SUBNET_SAID.format(subnet="snet-old"), done=False)
    assert "integration subnet 'snet-old'" not in near["root_cause"]


def test_a_workflow_variable_the_repository_does_not_list_is_named() -> None:
    text = _WORKFLOW.format(ref="AZURE_APPID").replace("secrets.AZURE_APPID", "vars.AZURE_APPID").replace(
        "gh secret list", "gh variable list")
    found = _report(text)
    assert "vars.AZURE_APPID" in found["root_cause"]
