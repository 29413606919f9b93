"""Round 32 W (real reports on data services and Azure OpenAI, tests/scenarios/realW): another provider's managed
MySQL, PostgreSQL or Redis whose engine prints the same messages as Azure's, a local-only setup said in words, an
Event Hubs connection string whose EntityPath names another hub than the trigger, a lost Service Bus lock whose
renewal window the report shows shorter than the work, the Functions host storage on a hierarchical-namespace
account, and a subscription's name used as the topic."""

from __future__ import annotations

from shared.engines.computed_findings.messaging import lock_renewal_shorter_than_work
from shared.engines.durations import span_seconds
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.engine_loop import run_engine


def _out_of_scope(text: str) -> bool:
    final = final_of(text)
    return isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def _category(text: str) -> str | None:
    final = final_of(text)
    return final.report.category if isinstance(final, (Conclude, GiveUp)) and final.report is not None else None


# --- another provider's server of the same engine ------------------------------------------------------------------

ELASTICACHE = ("PHP Fatal error:  Uncaught exception 'RedisException' with message 'ERR unknown command 'CONFIG'' in "
               "/var/www/app/lib/cache.php:41\nThe cache is sessions-prod.abc123.0001.use1.cache.amazonaws.com.")
AZURE_REDIS = ("PHP Fatal error:  Uncaught exception 'RedisException' with message 'ERR unknown command 'CONFIG'' in "
               "/var/www/app/lib/cache.php:41\nThe cache is sessions-prod.redis.cache.windows.net:6380.")
RDS = ('FATAL:  no pg_hba.conf entry for host "172.31.44.12", user "pgbouncer", database "orders", no encryption\n'
       "pgbouncer on EC2 in front of our PostgreSQL 15 on AWS RDS.")


def test_an_engine_message_from_another_providers_managed_server_is_out_of_scope() -> None:
    assert _out_of_scope(ELASTICACHE)
    assert _out_of_scope(RDS)


def test_the_same_engine_message_from_an_azure_server_stays_in_scope() -> None:
    assert _category(AZURE_REDIS) == "runtime.code_defect"
    # a migration from RDS to Azure's flexible server: the failing server is Azure's
    assert not _out_of_scope(RDS.replace("on AWS RDS.", "after migrating from AWS RDS to Azure Database for "
                                                       "PostgreSQL flexible server."))


def test_an_azure_services_own_error_next_to_another_provider_stays_in_scope() -> None:
    # a Key Vault refusal is no engine message: naming ElastiCache elsewhere does not make it another provider's
    text = ("Azure.RequestFailedException: The user, group or application 'appid=1234' does not have secrets get "
            "permission on key vault 'kv-app;location=westeurope'. Code: Forbidden (ForbiddenByPolicy)\n"
            "The app then connects to ElastiCache.")
    assert not _out_of_scope(text)


# --- a setup the client says is local only ---------------------------------------------------------------------------

MYSQL_1419 = ("create function calculate_score(points double) returns decimal(3, 1) reads sql data begin end;\n"
              "You do not have the SUPER privilege and binary logging is enabled (you *might* want to use the less "
              "safe log_bin_trust_function_creators variable)\n")


def test_all_on_my_laptop_with_nothing_deployed_is_out_of_scope() -> None:
    assert _out_of_scope(MYSQL_1419 + "This is all on my laptop, nothing deployed yet.")


def test_works_on_my_laptop_is_no_local_only_setup() -> None:
    text = MYSQL_1419 + "It works on my laptop, but on our Azure Database for MySQL flexible server it fails."
    assert _category(text) == "config.missing_app_setting"
    assert not _out_of_scope(MYSQL_1419 + "All on my laptop it works; the deployed server fails.")


# --- EntityPath against the hub the trigger names --------------------------------------------------------------------

def _eventhub_report(path: str, hub: str) -> str:
    return (f"Event Hub trigger function created in the portal, Event Hub name = \"{hub}\". The app setting is "
            "Endpoint=sb://evhns-shop.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=<redacted>;"
            f"EntityPath={path}\nThe function runs with events from the old hub only.")


def test_an_entitypath_for_another_hub_than_the_trigger_names_decides() -> None:
    assert concludes(_eventhub_report("orders", "orders-v2"), "config.invalid_connection_string")
    final = final_of(_eventhub_report("orders", "orders-v2"))
    assert isinstance(final, Conclude) and "EntityPath=orders" in final.report.root_cause


def test_an_entitypath_naming_the_same_hub_is_no_mismatch() -> None:
    final = final_of(_eventhub_report("orders-v2", "orders-v2"))
    assert not (isinstance(final, Conclude) and "EntityPath=orders-v2 while" in final.report.root_cause)


# --- a lost lock and the renewal window -----------------------------------------------------------------------------

def _lock_state(text: str):  # type: ignore[no-untyped-def]
    return run_engine({"error_description": text}).state


SESSION = ("The session lock was lost. Request a new session receiver. (SessionLockLost)\nfunctionTimeout is "
           "00:02:00; after a timeout the next message of the session fails.\nhost.json: \"maxAutoLockRenewalDuration\""
           ": \"{renewal}\"")
MESSAGE = ("The lock supplied is invalid. Either the lock expired, or the message has already been removed from the "
           "queue. (MessageLockLost)\nRenders take 60-120 s. MaxAutoLockRenewalDuration = {renewal}.")


def test_durations_as_reports_write_them() -> None:
    assert span_seconds("00:03:00") == 180
    assert span_seconds("1.00:00:00") == 86400
    assert span_seconds("PT5M") == 300
    assert span_seconds("TimeSpan.Zero") == 0
    assert span_seconds("TimeSpan.FromMinutes(3)") == 180
    assert span_seconds("10 min") == 600


def test_a_renewal_window_shorter_than_the_work_decides_a_timeout() -> None:
    found = lock_renewal_shorter_than_work(_lock_state(SESSION.format(renewal="00:03:00")))
    assert found is not None and found["lock_kind"] == "session" and found["work"] == "4 minutes"
    assert lock_renewal_shorter_than_work(_lock_state(MESSAGE.format(renewal="TimeSpan.Zero"))) is not None
    assert concludes(MESSAGE.format(renewal="TimeSpan.Zero"), "runtime.timeout")


def test_a_renewal_window_longer_than_the_work_is_no_timeout() -> None:
    assert lock_renewal_shorter_than_work(_lock_state(SESSION.format(renewal="00:10:00"))) is None
    assert lock_renewal_shorter_than_work(_lock_state(MESSAGE.format(renewal="TimeSpan.FromMinutes(5)"))) is None
    # no lost lock, no verdict on the window
    assert lock_renewal_shorter_than_work(_lock_state(
        "Renders take 60-120 s. MaxAutoLockRenewalDuration = TimeSpan.Zero. How do I add a second queue?")) is None


# --- the Functions host storage on a hierarchical-namespace account ------------------------------------------------

HOST_STORAGE = ("Our Event Hub triggered function stopped triggering; events are piling up. The leases in "
                "azure-webjobs-eventhub show Expired. AzureWebJobsStorage now points at stdatalake01 (StorageV2, "
                "Hierarchical namespace: Enabled).")


def test_the_host_storage_with_hierarchical_namespace_is_the_hosts_setup() -> None:
    assert concludes(HOST_STORAGE, "functions.host_misconfigured")


def test_a_processor_checkpoint_account_outside_functions_keeps_the_checkpoint_store_reading() -> None:
    text = ("Our EventProcessorClient falls behind and checkpoints fail; the checkpoint store is the storage account "
            "stckpt01 with hierarchical namespace enabled.")
    assert _category(text) != "functions.host_misconfigured"


# --- a subscription's name used as the topic ------------------------------------------------------------------------

NOT_FOUND = ("Put token failed. status-code: 404, status-description: The messaging entity "
             "'sb://sbns-01.servicebus.windows.net/{entity}' could not be found. (MessagingEntityNotFound)\n"
             "In the namespace we have topic \"notifications\" with subscriptions \"providers\" and \"audit\".")


def test_a_subscription_name_sent_to_as_a_topic_is_named() -> None:
    final = final_of(NOT_FOUND.format(entity="providers"))
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "notifications" in final.report.root_cause and "subscription" in final.report.root_cause


def test_a_missing_entity_that_is_no_listed_subscription_is_not_called_swapped() -> None:
    final = final_of(NOT_FOUND.format(entity="billing"))
    assert not (isinstance(final, Conclude) and "swapped" in final.report.root_cause)
