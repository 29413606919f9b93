"""Round 30, helper N (docsN): an app's managed identity read in Azure instead of asked, the other clients' forms of
a SQL error number, an Azure OpenAI deployment name taken from a setting (and a code expression that is no name), a
Cosmos DB 1003 whose database and container come from settings, a template reference found in another resource
group, and a shared access signature in an app setting whose expiry (se=) has passed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evals.playback import PlaybackServer
from shared.catalog.index import sql_number_forms
from shared.engines.analyzers.common import table_entry
from shared.engines.playbooks import rule_facts
from shared.engines.session_reads import FINDINGS
from shared.session.state import AskClient, Conclude, Material
from shared.tools.azure_resources import setting_sas_expiries
from shared.tools.catalog import run_tool
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine
from tests.helpers.finding_checks import state_with

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "docsN"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


def _with_settings(case: dict[str, Any], extra: dict[str, str]) -> list[dict[str, Any]]:
    """The case's recordings with these settings added to the app's settings list."""
    entries = copy.deepcopy(case["azure"])
    for entry in entries:
        if str(entry["match"].get("path", "")).endswith("/config/appsettings/list"):
            entry["body"]["properties"].update(extra)
    return entries


# --- the app's managed identity, read in Azure --------------------------------------------------------------------

UAMI = "docsN-functions-python-defaultazurecredential-400"


def test_an_app_with_only_a_user_assigned_identity_and_no_client_id_is_read_not_asked(azure: PlaybackServer):
    case = _case(UAMI)
    azure.load(case["azure"])
    outcome = run_engine(case["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert report.category == "auth.managed_identity_missing" and "only user-assigned" in report.root_cause
    assert any(e.source == "get_resource" and "UserAssigned" in e.summary for e in report.evidence)


def test_a_setting_that_selects_the_identity_rules_the_cause_out(azure: PlaybackServer):
    case = _case(UAMI)
    client_id = next(iter(next(e for e in case["azure"] if str(e["match"].get("path", "")).endswith(
        "func-orders-export"))["body"]["identity"]["userAssignedIdentities"].values()))["clientId"]
    azure.load(_with_settings(case, {"AZURE_CLIENT_ID": client_id}))
    outcome = run_engine(case["request"], azure_access=True)
    assert not (isinstance(outcome.final, Conclude) and "only user-assigned" in outcome.final.report.root_cause)


def test_a_binding_connections_client_id_does_not_select_the_codes_identity(azure: PlaybackServer):
    case = _case(UAMI)  # the host's AzureWebJobsStorage__clientId is not what DefaultAzureCredential reads
    client_id = next(iter(next(e for e in case["azure"] if str(e["match"].get("path", "")).endswith(
        "func-orders-export"))["body"]["identity"]["userAssignedIdentities"].values()))["clientId"]
    azure.load(_with_settings(case, {"AzureWebJobsStorage__clientId": client_id}))
    outcome = run_engine(case["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and "only user-assigned" in outcome.final.report.root_cause


def test_without_azure_the_identity_is_still_asked():
    case = _case(UAMI)
    outcome = run_engine(case["request"])
    assert isinstance(outcome.final, AskClient) and "identity show" in " ".join(
        outcome.final.request.suggested_commands)


# --- SQL error numbers as each client prints them -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Message=Error 40544 State 2,Source=.Net SqlClient Data Provider,SqlErrorNumber=40544,Class=17",
    "pyodbc.ProgrammingError: ('42000', '[42000] [Microsoft][ODBC Driver 18 for SQL Server] (40544) (SQLExecDirectW)')",
    "Errors=[{Class=17,Number=40544,State=2,Message=,},]",
    "WARN  SqlExceptionHelper - SQL Error: 40544, SQLState: 42000",
])
def test_a_sql_error_number_matches_in_every_clients_form(text: str):
    assert best_entry_id(text) == "sql-database-size-quota"


def test_a_number_inside_another_word_or_another_services_phrase_is_not_a_sql_error():
    assert best_entry_id("ProductNumber=40544,State=open; order rejected") != "sql-database-size-quota"
    assert sql_number_forms("Azure OpenAI", "error: 40544") == ()
    assert "sqlerrornumber=40544" in sql_number_forms("Azure SQL Database", "error number:40544")


# --- Azure OpenAI: the deployment name comes from a setting ---------------------------------------------------------

AOAI = "docsN-aoai-langchain-deploymentnotfound"


def test_a_deployment_taken_from_a_setting_is_compared_with_the_accounts_deployments(azure: PlaybackServer):
    case = _case(AOAI)
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "config.wrong_resource_name"
    assert "AZURE_OPENAI_DEPLOYMENT" in report.root_cause and "triage-4o-mini" in report.root_cause
    assert "'os.environ'" not in report.root_cause  # a code expression is not the name the client asks for


def test_a_deployment_the_report_names_goes_to_the_named_finding(azure: PlaybackServer):
    case = _case(AOAI)
    case["request"]["error_description"] += '\nllm = AzureChatOpenAI(azure_deployment="gpt-4o-mini")\n'
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert "gpt-4o-mini', which the Azure OpenAI account does not have" in report.root_cause


# --- Cosmos DB 1003: database and container names from settings ---------------------------------------------------

COSMOS = "docsN-cosmos-java-404-substatus-1003"


def test_a_1003_without_a_path_names_the_accounts_databases_and_the_settings(azure: PlaybackServer):
    case = _case(COSMOS)
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "config.wrong_resource_name"
    assert "catalogdb" in report.root_cause and "COSMOS_DATABASE" in report.root_cause


def test_a_1003_whose_text_shows_the_path_is_left_to_the_path_finding():
    state = state_with("CosmosException 404 substatus 1003 Owner resource does not exist, dbs/catalog/colls/products",
                       [("list_app_setting_names", {"names": ["COSMOS_DATABASE"], "count": 1}),
                        ("get_resource", {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
                                          "databases": ["catalogdb"]})])
    assert rule_facts(state, table_entry(FINDINGS, "cosmos-owner-missing-names-from-settings")) is None
    assert rule_facts(state, table_entry(FINDINGS, "cosmos-database-or-container-not-found")) is not None


# --- a template reference that lives in another resource group -----------------------------------------------------

NOT_FOUND = ("ResourceNotFound: The Resource 'Microsoft.Network/virtualNetworks/vnet-shared/subnets/snet-app' under "
             "resource group 'rg-app' was not found.")
ELSEWHERE = "deployment-reference-in-other-group"


def _found_in(group: str) -> tuple[str, dict[str, Any]]:
    return "find_resource_by_name", {"resources": [{"id": f"/subscriptions/s/resourceGroups/{group}/providers/"
                                                         "Microsoft.Network/virtualNetworks/vnet-shared",
                                                   "name": "vnet-shared", "resource_group": group}], "count": 1}


def test_a_reference_found_in_another_group_is_named_with_that_group():
    state = state_with(NOT_FOUND, [_found_in("rg-network")])
    state.ledger[-1].arguments = {"resource_name": "vnet-shared", "resource_type": "Microsoft.Network/virtualNetworks"}
    facts = rule_facts(state, table_entry(FINDINGS, ELSEWHERE))
    assert facts is not None and facts["actual_group"] == "rg-network" and facts["searched_group"] == "rg-app"


def test_a_reference_found_in_the_group_searched_says_nothing_about_scope():
    state = state_with(NOT_FOUND, [_found_in("rg-app")])
    state.ledger[-1].arguments = {"resource_name": "vnet-shared", "resource_type": "Microsoft.Network/virtualNetworks"}
    assert rule_facts(state, table_entry(FINDINGS, ELSEWHERE)) is None


def test_the_bicep_case_is_concluded_with_the_group_the_vnet_lives_in(azure: PlaybackServer):
    case = _case("docsN-bicep-existing-vnet")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "deployment.parent_not_found" and "rg-network-weu" in report.root_cause
    assert report.confidence == "high"


SUB = "3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13"
IN_SCOPE = Material(error_description="test", environment={"azure_subscription": SUB})


def test_find_resource_by_name_keeps_only_that_name_and_type(azure: PlaybackServer):
    group = f"/subscriptions/{SUB}/resourceGroups/rg-net/providers"
    azure.load([{"match": {"method": "GET", "path": f"/subscriptions/{SUB}/resources"}, "body": {"value": [
        {"id": f"{group}/Microsoft.Network/virtualNetworks/vnet-shared", "name": "vnet-shared",
         "type": "Microsoft.Network/virtualNetworks"},
        {"id": f"{group}/Microsoft.Network/networkSecurityGroups/vnet-shared", "name": "vnet-shared",
         "type": "Microsoft.Network/networkSecurityGroups"}]}}])
    evidence = run_tool("find_resource_by_name", {"subscription_id": SUB, "resource_name": "vnet-shared",
                                                  "resource_type": "Microsoft.Network/virtualNetworks"}, IN_SCOPE)
    assert evidence.status == "success" and evidence.data["count"] == 1
    assert evidence.data["resources"][0]["resource_group"] == "rg-net"


def test_find_resource_by_name_refuses_a_name_that_could_change_the_filter():
    from shared.tools.azure_resources import NamedResourceArguments
    with pytest.raises(ValidationError):
        NamedResourceArguments(subscription_id=SUB, resource_name="x' or name ne 'y",
                               resource_type="Microsoft.Network/virtualNetworks")


# --- a shared access signature whose expiry has passed --------------------------------------------------------------

SAS = ("BlobEndpoint=https://st.blob.core.windows.net/;QueueEndpoint=https://st.queue.core.windows.net/;"
       "SharedAccessSignature=sv=2022-11-02&ss=bq&srt=sco&sp=rl&se={expiry}&spr=https&sig=c2lnbmF0dXJl")


def test_only_a_signed_sas_gives_its_expiry_and_nothing_of_its_signature():
    found = setting_sas_expiries({"Queue": SAS.format(expiry="2020-01-31T00:00:00Z"), "Plain": "se=2020-01-01",
                                  "Url": "https://st.blob.core.windows.net/c?sp=r&se=2030-01-01T00%3A00%3A00Z&sig=x"})
    assert found == {"Queue": "2020-01-31T00:00:00Z", "Url": "2030-01-01T00:00:00Z"}
    assert "c2lnbmF0dXJl" not in str(found)


def _sas_state(expiry: str) -> Any:
    return state_with("Listener unable to start. Status: 403 (Server failed to authenticate the request.) "
                      "ErrorCode: AuthenticationFailed", [("list_app_setting_names", {
                          "names": ["Queue"], "count": 1, "sas_expiries": {"Queue": expiry}})])


def test_an_expired_sas_in_a_setting_is_the_finding_and_a_valid_one_is_not():
    facts = rule_facts(_sas_state("2020-01-31T00:00:00Z"), table_entry(FINDINGS, "app-setting-sas-expired"))
    assert facts is not None and facts["setting"] == "Queue" and facts["expiry"].startswith("2020-01-31")
    assert rule_facts(_sas_state("2999-01-01T00:00:00Z"), table_entry(FINDINGS, "app-setting-sas-expired")) is None


def test_the_queue_listener_case_names_the_expired_setting(azure: PlaybackServer):
    case = _case("docsN-functions-queue-listener")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "auth.credential_invalid" and "OrdersQueue" in report.root_cause
    assert "expired" in report.root_cause
