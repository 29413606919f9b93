"""Round 29, audit F (Microsoft Learn pages on Functions triggers, Durable Functions, Flex Consumption and
deployment): the Cosmos DB trigger's SDK conflict, two apps on one Event Hubs consumer group, PowerShell managed
dependencies on Flex Consumption, a Durable task hub two apps share, the portal's read-only package banner, and the
clues for a timer two apps' shared host ID silences, a package URL replaced without a trigger sync and Durable
orchestrations Pending in a 32-bit worker; each with a near miss that must stay silent."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes

EPOCH = ("Microsoft.Azure.EventHubs.ReceiverDisconnectedException: New receiver with higher epoch of '0' is created "
         "hence current receiver with epoch '0' is getting disconnected. If you are recreating the receiver, make "
         "sure a higher epoch is used.")
NOT_FOUND = ("Microsoft.Azure.WebJobs.Extensions.DurableTask: The function 'ProcessOrder' doesn't exist, is disabled, "
             "or is not an orchestrator function.")

CATALOG_CASES = {
    "cosmos-functions-trigger-sdk-package-conflict":
        "Microsoft.Azure.WebJobs.Host: Error indexing method 'Feed'. Microsoft.Azure.WebJobs.Extensions.CosmosDB: "
        "Binding can be done only with IReadOnlyList<Document> or JArray.",
    "messaging-eh-epoch-two-apps-one-consumer-group":
        EPOCH + "\nWe deployed a second function app on the same hub; neither sets consumerGroup, "
        "so both use $Default.",
    "functions-powershell-managed-dependencies-flex-legion":
        "Failed to install function app dependencies. Error: 'Managed Dependencies is not supported in Linux "
        "Consumption on Legion. Please remove all module references from requirements.psd1 and include the function "
        "app dependencies with the function app content.'",
    "functions-durable-task-hub-shared-between-apps":
        NOT_FOUND + "\nTwo function apps use the same storage account and both have hubName WorkflowHub in host.json.",
    "functions-portal-read-only-run-from-package":
        "Your app is currently in read only mode because you are running from a package file. To make any changes "
        "update the content in your zip file and WEBSITE_RUN_FROM_PACKAGE app setting.",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_an_epoch_disconnect_of_one_app_scaling_out_is_not_the_shared_consumer_group() -> None:
    text = EPOCH + "\nIt shows for a minute whenever our function app scales out to more instances, then stops."
    hits = catalog_index().hits([(text, "error")])
    assert all(h.entry.id != "messaging-eh-epoch-two-apps-one-consumer-group" for h in hits)


def test_a_durable_function_missing_in_one_app_is_not_a_shared_task_hub() -> None:
    text = NOT_FOUND + "\nI renamed the orchestrator class yesterday and redeployed."
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "functions-durable-function-not-found"


TIMER = ("We have two function apps that use the same storage account. Both have host.json with \"id\": "
         "\"billing-host\". The timer trigger in the second app has never run; no errors.")


def test_two_apps_with_one_host_id_silence_a_timer() -> None:
    found = clue_in([TIMER])
    assert found is not None and found["id"] == "functions-timer-apps-share-storage-and-host-id"
    assert concludes(TIMER, "functions.host_misconfigured")


def test_a_timer_that_does_not_run_in_a_single_app_is_not_the_host_id_clue() -> None:
    text = "The timer trigger in our function app has never run since Monday; no errors. The schedule is 0 */5 * * * *."
    found = clue_in([text])
    assert found is None or found["id"] != "functions-timer-apps-share-storage-and-host-id"


SYNC = ("Our pipeline uploads a new zip to the blob that WEBSITE_RUN_FROM_PACKAGE points to (SAS URL). The new queue "
        "function we added never runs and messages pile up until I restart the app.")


def test_a_package_url_replaced_without_a_trigger_sync() -> None:
    found = clue_in([SYNC])
    assert found is not None and found["id"] == "functions-run-from-package-url-triggers-not-synced"
    assert concludes(SYNC, "functions.host_misconfigured")


def test_a_release_that_already_syncs_triggers_is_not_blamed() -> None:
    text = SYNC + " The release already calls syncfunctiontriggers after each upload."
    found = clue_in([text])
    assert found is None or found["id"] != "functions-run-from-package-url-triggers-not-synced"


PENDING = ("Durable orchestrations started by the HTTP starter stay in runtimeStatus Pending forever. The app's "
           "general settings show Platform: 32 Bit.")


def test_durable_orchestrations_pending_in_a_32_bit_worker() -> None:
    found = clue_in([PENDING])
    assert found is not None and found["id"] == "durable-orchestration-pending-32-bit-memory"
    assert concludes(PENDING, "runtime.out_of_memory")


def test_pending_orchestrations_without_a_memory_sign_are_not_this_clue() -> None:
    text = "Durable orchestrations stay in runtimeStatus Pending forever since we changed the task hub name."
    found = clue_in([text])
    assert found is None or found["id"] != "durable-orchestration-pending-32-bit-memory"
