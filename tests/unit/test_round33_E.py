"""Round 33 E (docs50 / docs52 development cases): an Azure OpenAI endpoint that points at another account than the
one holding the deployment, an API Management API whose subscription key names were renamed, a storage firewall
that lists a same-region app's outbound addresses, a data role held by the user-assigned identity while the call
runs as the system-assigned one, and catalog forms (Service Bus's link-size refusal, node-postgres's password
failure with Single Server's @server suffix, HCP Terraform's missing API token)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.access_evidence import _typed, _unused_identity_holds
from shared.engines.analyzers.storage_firewall import Verdict, _shared_region
from shared.session.state import Evidence, RunTool
from shared.tools.catalog import normalized_arguments
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, reads_state, state_with

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"


# --- Azure OpenAI: the endpoint's account lacks the deployment another account holds ---------------------------

def _deployments(account: str, names: list[str]) -> dict[str, Any]:
    body = {"value": [{"name": n, "sku": {"name": "Standard", "capacity": 50},
                       "properties": {"model": {"name": "gpt-4o"}}} for n in names]}
    return {"id": f"{SUB}/providers/Microsoft.CognitiveServices/accounts/{account}/deployments",
            "type": "Microsoft.CognitiveServices/accounts/deployments",
            **extracted("Microsoft.CognitiveServices", "accounts/deployments", body)}


NOT_FOUND = ("openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': 'The API "
             "deployment for this resource does not exist.'}} The deployment chat-main exists in the portal.")


def _openai_state(endpoint_account: str, report: str = NOT_FOUND) -> Any:
    settings = {"names": ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT"], "count": 2,
                "targets": {"AZURE_OPENAI_ENDPOINT": f"{endpoint_account}.openai.azure.com"}}
    reads = [("get_resource", _deployments("oai-team", ["chat-main", "embed"])),
             ("get_resource", _deployments("oai-shared", ["gpt-35"])), ("list_app_setting_names", settings)]
    return state_with(report, reads)


def test_a_deployment_held_by_another_account_than_the_endpoints_is_the_endpoint_setting() -> None:
    check_round_finding(_openai_state("oai-shared"), "openai-endpoint-account-lacks-deployment",
                        "config.invalid_connection_string", "oai-team")


def test_an_endpoint_on_the_account_that_holds_the_deployment_is_no_endpoint_verdict() -> None:
    assert finding_id(_openai_state("oai-team")) != "openai-endpoint-account-lacks-deployment"
    # a name no account holds is a wrong deployment name, not a wrong endpoint
    other = NOT_FOUND.replace("chat-main", "chat-old")
    assert finding_id(_openai_state("oai-shared", other)) != "openai-endpoint-account-lacks-deployment"


# --- API Management: the API reads its key from renamed header and query names --------------------------------

def _apis(header: str) -> dict[str, Any]:
    body = {"value": [{"name": "rates", "properties": {"path": "rates/v1", "subscriptionRequired": True,
                                                      "subscriptionKeyParameterNames": {"header": header,
                                                                                        "query": "key"}}}]}
    return {"type": "Microsoft.ApiManagement/service/apis",
            **extracted("Microsoft.ApiManagement", "service/apis", body)}


def _missing_key(header: str) -> str:
    return (f'curl -H "{header}: abc" https://gw.example/rates/v1/quote -> 401 {{ "message": "Access denied due to '
            'missing subscription key. Make sure to include subscription key when making requests to an API." }')


def test_a_key_sent_in_the_default_header_to_an_api_that_renamed_it_is_no_key_at_all() -> None:
    check_round_finding(reads_state(_missing_key("Ocp-Apim-Subscription-Key"), [_apis("X-Partner-Key")]),
                        "apim-subscription-key-name-renamed", "auth.credential_invalid", "X-Partner-Key")


def test_a_key_in_the_renamed_header_or_an_api_with_default_names_is_no_rename_verdict() -> None:
    rule = "apim-subscription-key-name-renamed"
    assert finding_id(reads_state(_missing_key("X-Partner-Key"), [_apis("X-Partner-Key")])) != rule
    assert finding_id(reads_state(_missing_key("Ocp-Apim-Subscription-Key"),
                                  [_apis("Ocp-Apim-Subscription-Key")])) != rule


# --- Storage firewall: IP rules do not admit an app of the account's own region --------------------------------

def test_an_app_in_the_accounts_region_is_not_admitted_by_its_listed_addresses() -> None:
    region = _shared_region({"location": "West Europe"}, {"location": "westeurope"})
    assert region == "westeurope"
    verdict = Verdict(account="st", group="rg", default_action="Deny", allowed=["20.0.0.1"], subnets=0,
                      addresses_known=True, same_region=region)
    assert not verdict.covered()


def test_an_app_of_another_region_with_every_address_listed_is_admitted() -> None:
    assert _shared_region({"location": "North Europe"}, {"location": "westeurope"}) == ""
    verdict = Verdict(account="st", group="rg", default_action="Deny", allowed=["20.0.0.1"], subnets=0,
                      addresses_known=True)
    assert verdict.covered()


# --- The data role is on the user-assigned identity, the call runs as the system-assigned one ------------------

ACCOUNT = {"id": f"{SUB}/providers/Microsoft.Storage/storageAccounts/starchive", "name": "starchive",
           "type": "Microsoft.Storage/storageAccounts"}
SYSTEM, ASSIGNED, CLIENT = (f"{n}{n}{n}{n}{n}{n}{n}{n}-{n}{n}{n}{n}-{n}{n}{n}{n}-{n}{n}{n}{n}-{n * 12}" for n in "123")
SITE = {"id": f"{SUB}/providers/Microsoft.Web/sites/la-app", "name": "la-app", "type": "Microsoft.Web/sites",
        "identity": {"type": "SystemAssigned, UserAssigned", "principalId": SYSTEM,
                     "userAssigned": [{"id": f"{SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a",
                                       "principalId": ASSIGNED, "clientId": CLIENT}]}}
CALLER = ("la-app", SYSTEM, False, "")


def _identity_state(named_client: str | None = None) -> Any:
    reads: list[tuple[str, dict[str, Any]]] = [("get_resource", ACCOUNT), ("get_resource", SITE)]
    if named_client:
        reads.append(("list_app_setting_names", {"names": ["AZURE_CLIENT_ID"], "count": 1,
                                                 "client_ids": {"AZURE_CLIENT_ID": named_client}}))
    return state_with("403 AuthorizationPermissionMismatch", reads)


def test_the_user_assigned_identity_holding_the_role_the_system_identity_lacks_is_found() -> None:
    state = _identity_state()
    kind = _typed([ACCOUNT])[0][1]
    step = _unused_identity_holds(state, ACCOUNT, kind, CALLER)
    assert isinstance(step, RunTool) and step.arguments["principal_id"] == ASSIGNED
    state.add_evidence(Evidence(tool="list_role_assignments", status="success", summary="read",
                                arguments=normalized_arguments("list_role_assignments", step.arguments),
                                data={"assignments": [{"role": "Storage Blob Data Contributor", "relation": "at"}]}))
    found = _unused_identity_holds(state, ACCOUNT, kind, CALLER)
    assert isinstance(found, dict) and found["clientId"] == CLIENT


def test_an_app_that_names_the_user_assigned_client_id_is_not_read_for_it() -> None:
    kind = _typed([ACCOUNT])[0][1]
    assert _unused_identity_holds(_identity_state(CLIENT), ACCOUNT, kind, CALLER) is None


# --- Catalog forms -------------------------------------------------------------------------------------------

SB_TOO_BIG = ("com.azure.messaging.servicebus.ServiceBusException: The received message (delivery-id:0, size:412309 "
              "bytes) exceeds the limit (262144 bytes) currently allowed on the link.")
EH_TOO_BIG = ("Azure.Messaging.EventHubs.EventHubsException: The received message (delivery-id:0, size:1200000 "
              "bytes) exceeds the limit (1048576 bytes) currently allowed on the link.")
PG_SUFFIX = ('We moved to the flexible server. error: password authentication failed for user '
             '"billing@pg-old-single"\n    at Parser.parseErrorMessage (node_modules/pg-protocol/dist/parser.js:283)')
HCP_TOKEN = ("Initializing HCP Terraform...\nError: Required token could not be found\n\nRun the following command "
             "to generate a token for app.terraform.io:\n    terraform login")


def _first(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


@pytest.mark.parametrize(("text", "entry_id"), [
    (SB_TOO_BIG, "messaging-sb-message-size-exceeded"),
    (PG_SUFFIX, "databases-pg-flexible-user-with-single-server-suffix"),
    (HCP_TOKEN, "other-clouds-hcp-terraform-token-missing"),
])
def test_a_round_33_e_catalog_form_reads_its_error(text: str, entry_id: str) -> None:
    assert _first(text) == entry_id


def test_the_near_forms_keep_their_own_entries() -> None:
    assert _first(EH_TOO_BIG) != "messaging-sb-message-size-exceeded"
    assert _first(PG_SUFFIX.replace("billing@pg-old-single", "billing")) == "databases-pg-password-auth-failed"
    assert _first("Error: No valid (unexpired) Azure CLI Auth Tokens found for az login --service-principal") \
        != "other-clouds-hcp-terraform-token-missing"
