"""A not-found conclusion names the sought name missing from the names the report lists as existing
(shared/engines/listed_names.py), through the whole rules engine, and stays silent on near misses."""

from __future__ import annotations

from shared.engines.listed_names import listed_names, nearest_unlisted, other_group, sought_names
from tests.helpers.engine_loop import run_engine

HUB_RENAMED = """The listener for function 'Functions.ingest' was unable to start. Azure.Messaging.EventHubs:
The messaging
entity 'sb://evhns-fleet.servicebus.windows.net/telemetry' could not be found. (ResourceNotFound)

app setting TELEMETRY_HUB = telemetry

  $ az eventhubs eventhub list -g rg-fleet --namespace-name evhns-fleet --query "[].name" -o tsv
  telemetry-v2
  alerts
"""

APP_LISTED_AS_JSON = """> az webapp list --query "[].name"
[
  "contoso-shop-api",
  "contoso-shop-admin"
]

> az webapp deploy -g rg-shop --name contoso-shop-apl --src-path app.zip
(ResourceNotFound) The Resource 'Microsoft.Web/sites/contoso-shop-apl' under resource group 'rg-shop' was not found.
"""

CONTAINER_NEVER_CREATED = """Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success:
NotFound (404); Substatus: 0; Reason: (Message: {"Errors":["Resource Not Found."]})

  Store:Cosmos:SessionsContainer = chatsessions
  Store:Cosmos:MessagesContainer = chatmessages
  Store:Cosmos:SourcesContainer = chatmemorysources

Data Explorer shows database Chat with containers: chatsessions, chatmessages.
"""


def test_a_listing_commands_tsv_output_and_the_entity_the_error_seeks() -> None:
    assert listed_names(HUB_RENAMED) == ["telemetry-v2", "alerts"]
    assert "telemetry" in sought_names(HUB_RENAMED)
    ratio, sought, nearest = nearest_unlisted(sought_names(HUB_RENAMED), listed_names(HUB_RENAMED)) or (0, "", "")
    assert (sought, nearest) == ("telemetry", "telemetry-v2") and ratio > 0.75


def test_a_json_array_listing_and_the_resource_id_s_last_segment() -> None:
    assert listed_names(APP_LISTED_AS_JSON) == ["contoso-shop-api", "contoso-shop-admin"]
    found = nearest_unlisted(sought_names(APP_LISTED_AS_JSON), listed_names(APP_LISTED_AS_JSON))
    assert found is not None and found[1:] == ("contoso-shop-apl", "contoso-shop-api")


def test_a_written_list_and_a_setting_value_of_the_same_kind() -> None:
    assert listed_names(CONTAINER_NEVER_CREATED) == ["chatsessions", "chatmessages"]
    found = nearest_unlisted(sought_names(CONTAINER_NEVER_CREATED), listed_names(CONTAINER_NEVER_CREATED))
    assert found is not None and found[1] == "chatmemorysources"


def test_the_engine_names_the_missing_name_and_the_one_meant() -> None:
    report = run_engine({"error_description": HUB_RENAMED}).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "'telemetry' is not among the names" in report["root_cause"]
    assert "nearest existing name is 'telemetry-v2'" in report["root_cause"]


def test_a_container_never_created_is_named_without_a_misleading_nearest_name() -> None:
    report = run_engine({"error_description": CONTAINER_NEVER_CREATED}).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "'chatmemorysources' is not among the names" in report["root_cause"]
    assert "nearest existing name" not in report["root_cause"]  # chatmessages is a sibling, not the name meant


def test_near_misses_stay_silent() -> None:
    listed = ["telemetry", "alerts"]
    assert nearest_unlisted(["telemetry"], listed) is None  # the sought name exists
    assert nearest_unlisted(["rg-fleet", "evhns-fleet"], listed) is None  # nothing of the listed kind
    assert listed_names("$ az eventhubs eventhub list -g rg\nThe command failed: forbidden\n") == []  # not names
    assert listed_names("The portal shows: nothing at all.") == []


def test_another_category_is_left_as_it_is() -> None:
    text = HUB_RENAMED.replace("could not be found. (ResourceNotFound)", "Unauthorized access. 'Listen' claim(s) "
                               "are required to perform this operation. (Unauthorized)")
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert "is not among the names" not in str(report.get("root_cause"))


CLUSTER_ELSEWHERE = """$ az aks browse --resource-group rg-hub-net --name aks-dev
The Resource 'Microsoft.ContainerService/managedClusters/aks-dev' under resource group 'rg-hub-net' was not found.

$ az aks list -o table
Name     ResourceGroup    Location
-------  ---------------  ----------
aks-dev  rg-aks-dev-01    westeurope
"""

VNET_SAID_ELSEWHERE = """New-AzResourceGroupDeployment -ResourceGroupName rg-crm-app -TemplateFile .\\app.bicep
Status Message: The Resource 'Microsoft.Network/virtualNetworks/vnet-hub' under resource group 'rg-crm-app' was not
found. (Code:ResourceNotFound)
app.bicep references it with `existing`. The vnet lives in rg-net-hub (network team)."""


def test_the_group_a_listing_table_or_json_shows_the_resource_in() -> None:
    assert other_group(CLUSTER_ELSEWHERE) == ("aks-dev", "rg-hub-net", "rg-aks-dev-01")
    as_json = CLUSTER_ELSEWHERE.split("$ az aks list")[0] + '[{"name": "aks-dev", "resourceGroup": "rg-aks-dev-01"}]'
    assert other_group(as_json) == ("aks-dev", "rg-hub-net", "rg-aks-dev-01")


def test_the_group_the_writer_says_the_resource_lives_in() -> None:
    assert other_group(VNET_SAID_ELSEWHERE) == ("vnet-hub", "rg-crm-app", "rg-net-hub")
    report = run_engine({"error_description": VNET_SAID_ELSEWHERE}).envelope()["report"]
    assert "in resource group 'rg-net-hub', not in 'rg-crm-app'" in report["root_cause"]


def test_no_other_group_when_the_report_shows_none() -> None:
    assert other_group(VNET_SAID_ELSEWHERE.replace("rg-net-hub", "rg-crm-app")) is None  # the same group
    assert other_group(VNET_SAID_ELSEWHERE.replace("rg-net-hub", "westeurope")) is None  # a region, not a group
    assert other_group(CLUSTER_ELSEWHERE.replace("aks-dev  rg", "aks-prd  rg")) is None  # another cluster's row
