"""Round 34 F2 (data and messaging services): catalog entries for errors the engine could not place (an empty Data
Factory BadRequest, Event Grid's input schema, the self-hosted IR's JVM heap, vector indexes on shared throughput,
the Event Hubs firewall, Service Bus entity reads, failover groups with two partners, Neon and SQS), and the Azure
reads that decide a case: a Premium entity's own maximum message size, a Cosmos DB account without automatic
failover during a regional incident, an Event Grid topic identity without the destination's sender role, a file
share at its quota, and a group that holds only the read-only SMB share role."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.engines.catalog_hits import contradictions
from shared.engines.computed_findings.data import _share_numbers
from shared.models import Options
from shared.session.state import Conclude, Material, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

ROB = {s["id"]: s for s in load_scenarios(Path(__file__).resolve().parents[1] / "scenarios" / "rob272")}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in ROB.items() if i.startswith(prefix)))


# --- catalog entries -------------------------------------------------------------------------------------------

ADF_EMPTY = '{"code":"BadRequest","message":null,"target":"pipeline//runid/0b5e7c21","details":null,"error":null}'


def test_an_empty_bad_request_of_a_pipeline_run_names_the_names_with_spaces() -> None:
    assert best_entry_id(ADF_EMPTY) == "integration-adf-badrequest-null-message-name-with-spaces"


def test_an_empty_bad_request_outside_data_factory_is_not_that_entry() -> None:
    text = 'POST https://api.contoso.example/orders -> 400 {"code":"BadRequest","message":null}'
    assert best_entry_id(text) != "integration-adf-badrequest-null-message-name-with-spaces"


@pytest.mark.parametrize(("text", "entry"), [
    ("(BadRequest) This resource is configured for 'EventGridEvent' schema. Received unexpected property 'source' in "
     "JSON which does not conform to the expected schema.", "integration-eventgrid-schema-mismatch-cloudevent"),
    ("Message: {\"Errors\":[\"Vector Indexing is not supported for shared throughput offer\"]}",
     "cosmos-vector-index-shared-throughput"),
    ("Code=\"FailoverGroupCreateOrUpdateRequestUnsupportedPartnerCount\" Message=\"Only one partner server is "
     "supported.\"", "sql-failover-group-unsupported-partner-count"),
    ("SubCode=40100: Unauthorized : Unauthorized access for 'GetQueue' operation on endpoint "
     "sb://sbns-pay.servicebus.windows.net/payments-in", "messaging-sb-entity-read-unauthorized"),
    ("SubCode=40100: Unauthorized : Unauthorized access for 'CreateQueue' operation on endpoint "
     "sb://sbns-pay.servicebus.windows.net/payments-in", "messaging-sb-entity-management-unauthorized"),
    ("Status: \"PrivateDnsZoneNameNotValid\" Message: \"The Private DNS Zone name provided [pg-a.postgres.database."
     "azure.com] is not valid. It can not be server name plus zone suffix.\"",
     "databases-pg-flexible-private-dns-zone-name"),
])
def test_each_new_error_text_finds_its_entry(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


def test_the_firewall_rejection_outranks_the_kafka_topic_authorization_words() -> None:
    text = ("sasl_ssl://evh-a.servicebus.windows.net:9093/bootstrap: SASL authentication error: The request was "
            "rejected by firewall checks. (after 3ms in state AUTH_REQ) (TOPIC_AUTHORIZATION_FAILED)")
    assert best_entry_id(text) == "messaging-eh-rejected-by-firewall-checks"
    assert best_entry_id("Broker: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED) evh-a.servicebus.windows.net"
                         ) == "messaging-eh-kafka-topic-authorization-failed"


def test_the_jvm_heap_of_the_integration_runtime_names_java_options() -> None:
    text = ("ErrorCode=ParquetJavaInvocationException,Message=An error occurred when invoking java, message: "
            "java.lang.OutOfMemoryError:Java heap space")
    assert best_entry_id(text) == "integration-adf-shir-java-heap-space"
    report = run_engine({"error_description": text}).final.report
    assert report.category == "runtime.out_of_memory" and "_JAVA_OPTIONS" in report.root_cause


def test_a_java_heap_error_of_an_ordinary_app_is_not_the_integration_runtime() -> None:
    text = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n at com.contoso.Report.build"
    assert best_entry_id(text) != "integration-adf-shir-java-heap-space"


def test_neon_and_sqs_are_out_of_scope_with_their_own_reason() -> None:
    neon = run_engine(_case("rob272-out-of-scope-neon")["request"]).envelope()
    assert (neon["status"], neon["report"]["category"]) == ("fail", "out_of_scope")
    sqs = run_engine(_case("rob272-out-of-scope-sqs")["request"]).envelope()
    assert sqs["report"]["category"] == "out_of_scope" and "threshold" in sqs["report"]["root_cause"]


def test_a_session_that_cannot_be_locked_names_the_unclosed_receiver() -> None:
    report = run_engine(_case("rob272-servicebus-python-session-retry")["request"]).final.report
    assert report.category == "runtime.code_defect" and "closed" in report.root_cause


# --- a file share at its quota, from the client's pasted stats ---------------------------------------------------

def test_share_stats_are_read_from_json_and_from_a_powershell_table() -> None:
    assert _share_numbers('{\n "quota": 1024,\n "usageBytes": 1099478302720\n}') == (1024, 1099478302720)
    table = ("Name  QuotaGiB ShareUsageBytes AccessTier\n----  -------- --------------- ----------\n"
             "media      500    536869273600 Hot")
    assert _share_numbers(table) == (500, 536869273600)
    assert _share_numbers("the quota is generous") is None


def test_an_unexpected_cancel_with_the_share_at_its_quota_is_a_full_share() -> None:
    case = _case("rob272-files-storage-explorer")
    outcome = run_engine(case["request"], case["client"])
    assert len(outcome.requests) == 1 and "quota" in outcome.requests[0].request.question.lower()
    report = outcome.final.report
    assert report.category == "quota.exceeded" and "536869273600" in report.root_cause


def test_a_share_with_room_left_is_not_called_full() -> None:
    case = _case("rob272-files-storage-explorer")
    for rule in case["client"]:
        rule["answer"] = rule["answer"].replace("536869273600", "268434636800")  # half the quota
    final = run_engine(case["request"], case["client"]).final
    assert not (isinstance(final, Conclude) and "The file share has used" in final.report.root_cause)


# --- Azure reads that decide ------------------------------------------------------------------------------------

def test_a_premium_topic_with_the_default_message_size_is_named(azure: PlaybackServer) -> None:
    case = _case("rob272-servicebus-python-premium-topic")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "quota.exceeded" and "maxMessageSizeInKilobytes 1024" in report.root_cause


def test_a_premium_topic_that_already_takes_large_messages_is_not_blamed(azure: PlaybackServer) -> None:
    case = _case("rob272-servicebus-python-premium-topic")
    for entry in case["azure"]:
        for item in (entry.get("body") or {}).get("value") or []:
            if isinstance(item, dict) and isinstance(item.get("properties"), dict):
                item["properties"]["maxMessageSizeInKilobytes"] = 102400
    azure.load(case["azure"])
    final = run_engine(case["request"], azure_access=True).final
    assert not (isinstance(final, Conclude) and "maxMessageSizeInKilobytes" in final.report.root_cause)


def _cosmos_account(case: dict[str, Any]) -> dict[str, Any]:
    return next(e["body"] for e in case["azure"] if str(e["match"].get("path", "")).endswith("cosmos-loyalty-weu"))


def test_an_incident_on_a_single_write_region_without_automatic_failover_says_so(azure: PlaybackServer) -> None:
    case = _case("rob272-cosmos-python-points-upserts")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "platform.service_incident"
    assert "automatic failover" in report.root_cause and "North Europe" in report.root_cause


def test_an_account_with_automatic_failover_gets_the_plain_incident(azure: PlaybackServer) -> None:
    case = _case("rob272-cosmos-python-points-upserts")
    _cosmos_account(case)["properties"]["enableAutomaticFailover"] = True
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "platform.service_incident" and "automatic failover" not in report.root_cause


def test_a_topic_identity_without_the_sender_role_on_the_destination_is_the_cause(azure: PlaybackServer) -> None:
    case = _case("rob272-eventgrid-custom-topic-identity")
    azure.load(case["azure"])
    outcome = run_engine(case["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert report.category == "auth.rbac_missing"
    assert "needs Azure Service Bus Data Sender" in report.root_cause and "Data Receiver" in report.root_cause


def test_a_topic_identity_that_holds_the_sender_role_is_not_blamed(azure: PlaybackServer) -> None:
    case = _case("rob272-eventgrid-custom-topic-identity")
    for entry in case["azure"]:
        for item in (entry.get("body") or {}).get("value") or []:
            if isinstance(item, dict) and "roleDefinitionId" in str(item):
                item["properties"]["roleDefinitionId"] = item["properties"]["roleDefinitionId"].replace(
                    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39")  # Data Sender
    azure.load(case["azure"])
    final = run_engine(case["request"], azure_access=True).final
    assert not (isinstance(final, Conclude) and "needs Azure Service Bus Data Sender" in final.report.root_cause)


def test_a_group_with_only_the_smb_share_reader_role_cannot_save(azure: PlaybackServer) -> None:
    case = _case("rob272-files-entra-kerberos")
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "auth.rbac_missing" and "SMB Share Reader" in report.root_cause


def test_a_group_that_holds_a_writing_share_role_is_not_blamed(azure: PlaybackServer) -> None:
    case = _case("rob272-files-entra-kerberos")
    for entry in case["azure"]:
        for item in (entry.get("body") or {}).get("value") or []:
            if isinstance(item, dict) and "aba4ae5f" in str(item):  # the reader role becomes SMB Share Contributor
                item["properties"]["roleDefinitionId"] = item["properties"]["roleDefinitionId"].replace(
                    "aba4ae5f-2193-4029-9191-0cb91df5e314", "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb")
    azure.load(case["azure"])
    final = run_engine(case["request"], azure_access=True).final
    assert not (isinstance(final, Conclude)
                and "holds only Storage File Data SMB Share Reader" in final.report.root_cause)


@pytest.mark.parametrize(("text", "ruled_out"), [
    ("users can open the workbooks but can't save anything", True),
    ("we can still list the folders, however we cannot upload new files", True),
    ("nobody can open the share at all, access denied for every file", False),
])
def test_reads_that_work_with_writes_refused_rule_the_storage_firewall_out(text: str, ruled_out: bool) -> None:
    state = SessionState(trace_id="0" * 32, options=Options(), ttl_seconds=60,
                         material=Material(error_description=text))
    found = contradictions(state)
    assert ("network.storage_firewall" in found) is ruled_out


# --- a MySQL login refused while SSL is enforced and the client sends no SSL options (wide-set mend) -------------

MYSQL_1045 = ("$ mysql -u appadmin@mysql-a -h mysql-a.mysql.database.azure.com -p\n"
              "ERROR 1045 (28000): Access denied for user 'appadmin'@'203.0.113.9' (using password: YES)\n"
              "The password is right, I reset it in the portal.")


def test_ssl_enforced_and_a_client_without_ssl_options_decides_the_connection_settings() -> None:
    answer = ("Enforce SSL connection = ENABLED. The command has no SSL options at all. MySQL Workbench with "
              "\"Use SSL: Require\" and the same user and password connects fine.")
    outcome = run_engine({"error_description": MYSQL_1045}, [{"when_asked_contains": "", "answer": answer}])
    report = outcome.final.report
    assert report.category == "config.invalid_connection_string" and "SSL" in report.root_cause


def test_an_access_denied_without_the_ssl_facts_is_not_called_an_ssl_setting() -> None:
    answer = "I reset the password in the portal and my IP is in the firewall rules."
    final = run_engine({"error_description": MYSQL_1045}, [{"when_asked_contains": "", "answer": answer}]).final
    assert not (isinstance(final, Conclude) and "enforces SSL connections" in final.report.root_cause)
