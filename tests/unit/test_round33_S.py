"""Round 33, helper S (docs-style cases docsS: App Service, Functions, Storage, SQL, Cosmos DB, Service Bus, Event
Hubs, Redis): an Event Hubs Kafka login beside a Confluent Cloud the report moves away from, a consumer group
Event Hubs cannot find, a local MySQL container and a self-run Redis whose own setup the report shows although the
report names Azure elsewhere, and a Cosmos DB container's provisioned throughput behind a 429 (read through the
account's databases and their containers)."""

from __future__ import annotations

from typing import Any

from shared.engines.playbooks import Target, _each_call
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, finding_report, reads_state


def _report(text: str) -> dict[str, Any]:
    return dict(run_engine({"error_description": text}).envelope().get("report") or {})


# --- Confluent Cloud named as the platform left behind -----------------------------------------------------------

KAFKA_LOGIN = ("[Producer clientId=producer-1] Connection to node -1 ({host}:9093) failed authentication due to: "
               "Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN\n"
               "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during "
               "authentication due to invalid credentials with SASL mechanism PLAIN")


def test_an_event_hubs_kafka_login_is_azure_even_when_the_report_moves_away_from_confluent_cloud() -> None:
    text = ("Moving our producer from Confluent Cloud to Event Hubs (Standard, Kafka enabled). "
            "bootstrap-servers: evhns-orders.servicebus.windows.net:9093, sasl.jaas.config username=\"RootManage"
            "SharedAccessKey\".\n" + KAFKA_LOGIN.format(host="evhns-orders.servicebus.windows.net/20.38.116.40"))
    report = _report(text)
    assert report["category"] == "auth.credential_invalid" and "$ConnectionString" in report["root_cause"]


def test_a_confluent_cloud_broker_still_refusing_the_login_stays_out_of_scope() -> None:
    text = ("Our producer on an Azure VM talks to Confluent Cloud.\n"
            + KAFKA_LOGIN.format(host="pkc-12abc.westeurope.azure.confluent.cloud/20.1.2.3"))
    assert _report(text)["category"] == "out_of_scope"


# --- an Event Hubs consumer group Event Hubs cannot find ------------------------------------------------------

def test_an_event_hubs_receive_path_not_found_names_the_missing_consumer_group() -> None:
    text = ("The listener for function 'Functions.sessionize' was unable to start. Azure.Messaging.EventHubs."
            "EventHubsException(ResourceNotFound): The messaging entity 'evhns-clicks:eventhub:page-views~16383|"
            "sessionizer' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions. "
            "SystemTracker:evhns-clicks:eventhub:page-views~16383|sessionizer, Timestamp:2026-12-05T10:02:17")
    report = _report(text)
    assert report["category"] == "config.wrong_resource_name"
    assert "consumer group 'sessionizer'" in report["root_cause"] and "'page-views'" in report["root_cause"]
    assert any("consumer-group create" in action for action in report["actions"])


def test_a_service_bus_subscription_not_found_is_no_consumer_group() -> None:
    text = ("ServiceBusException: The messaging entity 'sb-billing:topic:invoices|invoice-processor' could not be "
            "found. To know more visit https://aka.ms/sbResourceMgrExceptions. (MessagingEntityNotFound)")
    report = _report(text)
    assert report["category"] == "config.wrong_resource_name" and "consumer group" not in report["root_cause"]


# --- a local server's own setup, in a report that names Azure elsewhere ----------------------------------------

COMPOSE_MYSQL = ("Setting up dev for our app that will later run on Azure Database for MySQL flexible server.\n"
                 "services:\n  db:\n    image: mysql:8.0\n    environment:\n      MYSQL_ROOT_PASSWORD: \"new\"\n"
                 "$ docker compose exec db mysql -uroot -p'new'\n"
                 "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)")


def test_a_docker_mysql_refusing_root_is_out_of_scope_although_azure_is_the_later_target() -> None:
    report = run_engine({"error_description": COMPOSE_MYSQL}).envelope()
    assert report["status"] == "fail" and report["report"]["category"] == "out_of_scope"


def test_the_same_refusal_from_an_azure_server_stays_azure() -> None:
    text = ("Our app service cannot log in to mysql-shop.mysql.database.azure.com since the password reset:\n"
            "ERROR 1045 (28000): Access denied for user 'shopapp'@'10.0.1.4' (using password: YES)")
    assert _report(text).get("category") != "out_of_scope"


MISCONF = ("redis.exceptions.ResponseError: MISCONF Redis is configured to save RDB snapshots, but it's currently "
           "unable to persist to disk. Commands that may modify the data set are disabled (stop-writes-on-bgsave-"
           "error option).\n")


def test_a_self_run_redis_refusing_writes_is_out_of_scope() -> None:
    text = ("redis-server 7.2 in WSL2 on my laptop (prod uses Azure Cache for Redis):\n" + MISCONF
            + "/var/log/redis/redis-server.log: Write error saving DB on disk: No space left on device")
    assert _report(text)["category"] == "out_of_scope"


def test_the_misconf_words_with_an_azure_cache_host_are_not_called_out_of_scope() -> None:
    text = "Client for cache-prod.redis.cache.windows.net:6380 in WSL2:\n" + MISCONF
    assert _report(text).get("category") != "out_of_scope"


# --- a Cosmos DB container's throughput behind a 429 --------------------------------------------------------------

ACCOUNT = ("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/"
           "Microsoft.DocumentDB/databaseAccounts/cosmos-cat")
THROTTLED = ("CosmosException: Response status code does not indicate success: TooManyRequests (429); Substatus: "
             "3200; Reason: Request rate is large. More Request Units may be needed")
THROUGHPUT = "cosmos-throttled-on-manual-throughput"


def _throughput(resource: dict[str, Any]) -> dict[str, Any]:
    body = {"id": f"{ACCOUNT}/sqlDatabases/catalog/containers/products/throughputSettings/default",
            "properties": {"resource": resource}}
    return {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/throughputSettings",
            "name": "default", **extracted("Microsoft.DocumentDB",
                                           "databaseAccounts/sqlDatabases/containers/throughputSettings", body)}


def test_a_429_on_a_container_with_manual_throughput_names_the_rate() -> None:
    state = reads_state(THROTTLED, [_throughput({"throughput": 400, "minimumThroughput": "400"})])
    assert finding_id(state) == THROUGHPUT
    report = finding_report(state)
    assert report.category == "throttling.rate_limited" and "400 RU/s" in report.root_cause
    assert "{" not in report.root_cause


def test_autoscale_or_no_throttling_gives_no_manual_throughput_verdict() -> None:
    autoscale = _throughput({"throughput": 400, "autoscaleSettings": {"maxThroughput": 4000}})
    assert finding_id(reads_state(THROTTLED, [autoscale])) != THROUGHPUT
    manual = _throughput({"throughput": 400})
    assert finding_id(reads_state("Query returns an empty page for category 7", [manual])) != THROUGHPUT


def test_then_each_reads_each_container_of_each_database() -> None:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=THROTTLED))
    database = f"{ACCOUNT}/sqlDatabases/catalog"
    for resource_id, ids in ((f"{ACCOUNT}/sqlDatabases", [database]),
                             (f"{database}/containers", [f"{database}/containers/products"])):
        state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": resource_id}, status="success",
                                    summary="listed", data={"ids": ids}))
    step = {"tool": "get_resource", "each": "{resource_id}/sqlDatabases", "then_each": "{item}/containers",
            "arguments": {"resource_id": "{item}/throughputSettings/default"}, "purpose": "reading"}
    call = _each_call(state, Target(ACCOUNT, "Microsoft.DocumentDB/databaseAccounts", "cosmos-cat"), step)
    assert isinstance(call, RunTool)
    assert call.arguments == {"resource_id": f"{database}/containers/products/throughputSettings/default"}
    del step["then_each"]  # without it, the databases' own throughput is what is read
    call = _each_call(state, Target(ACCOUNT, "Microsoft.DocumentDB/databaseAccounts", "cosmos-cat"), step)
    assert isinstance(call, RunTool) and call.arguments == {"resource_id": f"{database}/throughputSettings/default"}
