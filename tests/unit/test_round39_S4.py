"""Round 39 S4: deciding details the right category lacked. A Cosmos DB collection listed without ids (or not
listed) still leads to the throughput of the container the client names, MongoDB collections included, and an
autoscale ceiling is named; Azure OpenAI's DeploymentNotFound quotes the deployment the SDK call sends and a
deployments row told in prose; a Service Bus / Event Hubs entity path that is the namespace's own name; an NSG
conclusion names the service tag the blocked host needs (or the load balancer's probe source); a policy denial
quotes its own Reasons, the tag it requires and the public-network-access rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.engines.service_tags import _covers
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

ROB = {s["id"]: s for s in load_scenarios(Path(__file__).resolve().parents[1] / "scenarios" / "rob32s4")}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in ROB.items() if i.startswith(prefix)))


# --- Cosmos DB throughput read through collections listed without ids -------------------------------------------

def test_a_container_listed_by_name_only_leads_to_its_manual_throughput(azure: PlaybackServer) -> None:
    case = _case("rob32s4-cosmos-dotnet-429")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "throttling.rate_limited" and "1000 RU/s of manual" in report.root_cause


def test_an_autoscale_container_is_named_by_its_ceiling_not_as_manual(azure: PlaybackServer) -> None:
    case = _case("rob32s4-cosmos-dotnet-429")
    for entry in case["azure"]:
        if "throughputSettings" in str(entry["match"].get("path_contains", "")) and entry["status"] == 200:
            entry["body"]["properties"]["resource"] = {"throughput": 400, "autoscaleSettings": {"maxThroughput": 4000}}
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert "maximum of 4000 RU/s" in report.root_cause and "of manual provisioned" not in report.root_cause


def test_a_report_without_throttling_reads_no_throughput(azure: PlaybackServer) -> None:
    case = _case("rob32s4-cosmos-dotnet-429")
    case["request"]["error_description"] = ("Microsoft.Azure.Cosmos.CosmosException : Response status code does not "
                                            "indicate success: Forbidden (403); Substatus: 5301; Reason: (Request "
                                            "blocked by Auth cosmos-orderevents-we : principal does not have "
                                            "required RBAC permissions)")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert "RU/s of manual" not in report.root_cause


# --- Azure OpenAI: the deployment sent and the deployment that exists -----------------------------------------

def test_the_model_name_sent_and_the_deployment_row_are_both_quoted() -> None:
    report = run_engine(_case("rob32s4-aoai-python")["request"]).final.report
    assert "'gpt-35-turbo'" in report.root_cause and "'support-35'" in report.root_cause


def test_a_model_row_without_a_deployment_name_names_no_deployment() -> None:
    case = _case("rob32s4-aoai-python")
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        "name support-35, model gpt-35-turbo", "model gpt-35-turbo")
    report = run_engine(case["request"]).final.report
    assert "names the deployment it created" not in report.root_cause


# --- messaging: the entity path that is the namespace's name ------------------------------------------------

def test_an_entity_path_equal_to_the_namespace_is_named_with_the_real_entity() -> None:
    report = run_engine(_case("rob32s4-servicebus-python")["request"]).final.report
    assert "namespace's own name ('sbns-billing-weu')" in report.root_cause
    assert "'invoice-jobs'" in report.root_cause and "SharedAccessKeyName" not in report.root_cause


def test_another_entity_path_is_not_called_the_namespace_name() -> None:
    case = _case("rob32s4-servicebus-python")
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        "servicebus.windows.net/sbns-billing-weu'", "servicebus.windows.net/invoice-job'")
    report = run_engine(case["request"]).final.report
    assert "namespace's own name" not in report.root_cause and "'invoice-job'" in report.root_cause


# --- NSG conclusions: the service tag of the blocked host ----------------------------------------------------

def test_the_blocked_host_names_its_service_tag_missing_from_the_allow_rules(azure: PlaybackServer) -> None:
    case = _case("rob32s4-vm-payroll")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "network.nsg_blocked"
    assert "service tag AzureKeyVault" in report.root_cause and "not AzureKeyVault" in report.root_cause
    assert any("--destination-address-prefixes AzureKeyVault" in a for a in report.actions)


def test_a_tag_an_allow_rule_already_names_is_not_blamed(azure: PlaybackServer) -> None:
    case = _case("rob32s4-vm-payroll")
    for entry in case["azure"]:
        for rule in ((entry.get("body") or {}).get("properties") or {}).get("securityRules") or []:
            if rule["name"] == "Allow-Out-Entra":
                rule["properties"]["destinationAddressPrefix"] = "AzureKeyVault"
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert "AzureKeyVault" not in report.root_cause


def test_a_regional_tag_covers_its_service_and_another_does_not() -> None:
    assert _covers("Storage.NorthEurope", "Storage") and _covers("*", "AzureMonitor")
    assert not _covers("AzureActiveDirectory", "AzureKeyVault") and not _covers("StorageSyncService", "Storage")


# --- policy denials: the policy's own reason ------------------------------------------------------------------

def test_a_policy_reason_names_the_missing_tag_and_the_action_adds_it() -> None:
    report = run_engine(_case("rob32s4-bicep-storage")["request"]).final.report
    assert report.category == "deployment.policy_denied"
    assert "requires the tag 'CostCenter'" in report.root_cause
    assert any("--tags CostCenter=<value>" in a for a in report.actions)


def test_a_policy_reason_about_locations_names_no_tag() -> None:
    text = ("RequestDisallowedByPolicy: Resource 'stlogs01' was disallowed by policy. Reasons: 'Only West Europe and "
            "North Europe are allowed for storage.'. See error details for policy resource IDs.")
    report = run_engine({"error_description": text}).final.report
    assert "Only West Europe and North Europe" in report.root_cause and "requires the tag" not in report.root_cause
    assert "publicNetworkAccess" not in report.root_cause


def test_the_catalog_still_ranks_the_entity_not_found_entry_first() -> None:
    text = ("MessagingEntityNotFoundError: The messaging entity 'sb://ns-a1.servicebus.windows.net/ns-a1' could not be "
            "found. To know more visit https://aka.ms/sbResourceMgrExceptions.")
    assert best_entry_id(text) == "messaging-sb-entity-not-found"


# --- the remedy's own names: Cosmos DB data roles, the SQL contained user --------------------------------------

def test_a_cosmos_data_plane_refusal_names_the_built_in_data_roles() -> None:
    report = run_engine(_case("rob32s4-cosmos-python-function-403")["request"]).final.report
    assert report.category == "auth.rbac_missing" and "Cosmos DB Built-in Data Contributor" in report.root_cause


def test_a_token_login_without_a_contained_user_names_create_user() -> None:
    report = run_engine(_case("rob32s4-sql-node-mssql")["request"]).final.report
    assert report.category == "auth.rbac_missing" and "FROM EXTERNAL PROVIDER" in report.root_cause


def test_a_sql_password_login_failure_is_not_told_to_create_an_entra_user() -> None:
    text = ("Microsoft.Data.SqlClient.SqlException (0x80131904): Login failed for user 'app_reader'.\n"
            "Error Number:18456,State:1,Class:14")
    report = run_engine({"error_description": text}).final.report
    assert "FROM EXTERNAL PROVIDER" not in report.root_cause


# --- an inbound deny in front of a load balancer ---------------------------------------------------------------

def test_an_inbound_deny_without_a_load_balancer_names_no_probe_source() -> None:
    from shared.engines.analyzers.common import regex, table
    from shared.engines.service_tags import SERVICE_TAGS
    probe = next(e for e in table(SERVICE_TAGS) if e["tag"] == "AzureLoadBalancer")
    assert regex(probe["when"]).search("ingress-nginx-controller   LoadBalancer   10.0.184.21   20.103.81.77")
    assert not regex(probe["when"]).search("the VM's RDP port times out from the office since the NSG change")


# --- an access policy added on a vault that uses the RBAC permission model --------------------------------------

def test_an_access_policy_on_an_rbac_vault_is_named_as_ignored() -> None:
    report = run_engine(_case("rob32s4-functions-keyvault")["request"]).final.report
    assert report.category == "auth.keyvault_access_denied" and "RBAC permission model" in report.root_cause


def test_an_access_policy_on_an_access_policy_vault_is_not_called_ignored() -> None:
    case = _case("rob32s4-functions-keyvault")
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        "Permission model: Azure role-based access control", "Permission model: Vault access policy")
    report = run_engine(case["request"]).final.report
    assert "ignores its access policies" not in report.root_cause


# --- tier features: API Management's pricing tier, Kafka on a Basic Event Hubs namespace ------------------------

def test_a_method_not_allowed_in_a_pricing_tier_is_the_tier_entry() -> None:
    text = 'unexpected status 400 with error: MethodNotAllowedInPricingTier: Method not allowed in Basic pricing tier'
    assert best_entry_id(text) == "integration-apim-method-not-allowed-in-pricing-tier"
    report = run_engine({"error_description": text}).final.report
    assert report.category == "quota.sku_not_available" and "(Basic)" in report.root_cause


def test_kafka_on_a_basic_namespace_names_the_standard_tier() -> None:
    text = 'Code="BadRequest" Message="Kafka protocol is not supported on Basic Namespace SKU. CorrelationId: 1"'
    assert best_entry_id(text) == "messaging-eh-kafka-on-basic-namespace"


def test_a_kafka_client_error_on_a_standard_namespace_is_not_the_basic_tier_entry() -> None:
    text = ("org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication "
            "due to invalid credentials with SASL mechanism PLAIN evhns-a.servicebus.windows.net:9093")
    assert best_entry_id(text) != "messaging-eh-kafka-on-basic-namespace"


def test_a_metadata_request_429_is_not_blamed_on_the_container_throughput(azure: PlaybackServer) -> None:
    case = _case("rob32s4-cosmos-dotnet-429")
    case["request"]["error_description"] = (
        "Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success: TooManyRequests "
        "(429); Substatus: 0; Reason: (Message: The request did not complete due to a high rate of metadata requests.")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert "RU/s of manual" not in report.root_cause


def test_a_binding_not_registered_names_the_functions_sdk_version_the_report_gives() -> None:
    report = run_engine(_case("rob32s4-functions-inproc")["request"]).final.report
    assert "Microsoft.NET.Sdk.Functions 4.4.1" in report.root_cause


def test_a_binding_not_registered_without_the_sdk_package_names_no_version() -> None:
    text = ("The 'Run' function is in error: The binding type(s) 'queueTrigger' are not registered. Please ensure the "
            "type is correct and the binding extension is installed. Microsoft.Azure.WebJobs.Extensions.Storage 5.2.0")
    report = run_engine({"error_description": text}).final.report
    assert "Microsoft.NET.Sdk.Functions" not in report.root_cause
