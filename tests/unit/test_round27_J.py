"""Round 27 J (robustness: the same known failures told in other words): a Terraform data source that reads a
resource the user says the same configuration creates (not only the plan's "will be created"), and a workload
identity pod that the user says has the token file but no AZURE_CLIENT_ID (the .NET form, where the SDK does not
name the missing client_id itself), which is the client-id annotation case, not a webhook that injected nothing."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.session.state import Conclude
from tests.helpers.clue_checks import final_of

DATA_ID = "tooling-terraform-data-source-reads-resource-planned-for-create"
DATA = (
    '│ Error: Virtual Network (Subscription: "00000000-0000-0000-0000-000000000001"\n'
    '│ Resource Group Name: "rg-spoke"\n│ Virtual Network Name: "vnet-spoke") was not found\n│\n'
    '│   with data.azurerm_virtual_network.spoke,\n'
    '│   on peering.tf line 1, in data "azurerm_virtual_network" "spoke":\n'
    "{said}")


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize("said", [
    "vnet-spoke is created by module.spoke (azurerm_virtual_network.this) in this same root module.",
    "The VNet is declared in this same configuration.",
    "In the plan it shows as + create.",
    "module.spoke.azurerm_virtual_network.this will be created",
])
def test_a_data_source_reading_what_the_same_configuration_creates(said: str) -> None:
    assert DATA_ID in _ids(DATA.format(said=said))


@pytest.mark.parametrize("said", [
    "The VNet is created by the network team's pipeline, not in this same configuration.",
    "The VNet was created by hand last year.",
    "",
])
def test_a_data_source_for_a_resource_made_elsewhere_is_not_that_entry(said: str) -> None:
    assert DATA_ID not in _ids(DATA.format(said=said))


def test_the_ordering_case_concludes_without_asking() -> None:
    text = DATA.format(said="vnet-spoke is created by module.spoke in this same root module, + create in the plan.")
    final = final_of(text)
    assert isinstance(final, Conclude) and final.report.category == "deployment.parent_not_found"


WEBHOOK_ID = "entra-workloadidentity-aks-webhook-not-injected"
WI = (
    "billing-worker pod on AKS (.NET, Azure.Identity):\nAzure.Identity.CredentialUnavailableException: "
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n- WorkloadIdentityCredential "
    "authentication unavailable. The workload options are not fully configured.\n{env}")


@pytest.mark.parametrize("env", [
    "env in pod has AZURE_FEDERATED_TOKEN_FILE and AZURE_TENANT_ID but no AZURE_CLIENT_ID.",
    "AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE are set, AZURE_CLIENT_ID is not set.",
    "AZURE_FEDERATED_TOKEN_FILE is there; AZURE_CLIENT_ID missing.",
])
def test_only_the_client_id_missing_is_not_the_webhook_that_injected_nothing(env: str) -> None:
    ids = _ids(WI.format(env=env))
    assert WEBHOOK_ID not in ids and "entra-workloadidentity-not-configured" in ids


@pytest.mark.parametrize("env", [
    "no AZURE_CLIENT_ID or AZURE_FEDERATED_TOKEN_FILE in the pod.",
    "AZURE_CLIENT_ID is not set and AZURE_FEDERATED_TOKEN_FILE is missing too.",
    "none of the AZURE_* variables are in the pod.",
])
def test_nothing_injected_stays_the_webhook_case(env: str) -> None:
    assert WEBHOOK_ID in _ids(WI.format(env=env))
