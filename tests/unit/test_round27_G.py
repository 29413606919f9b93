"""Round 27, robustness set G (known failures in other people's words): a self-hosted build agent is no hosted
runner, Synapse serverless's "directory cannot be listed" behind a storage firewall, a checkpoint store given a
container with a folder path, an app setting named like a read-only platform variable, and a pipeline's service
principal that cannot create an app registration."""

from __future__ import annotations

from shared.catalog.index import catalog_index, first_affirmed
from shared.engines.analyzers.common import regex, table, table_entry
from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

SELF_HOSTED_PULL = (
    "Azure DevOps pipeline on our self-hosted agent vm-ado-agent-03 (Ubuntu 22.04, in vnet-build, "
    "VNet DNS = 10.60.1.10).\n"
    "/usr/bin/docker pull acrshared.azurecr.io/base/node:20-alpine\n"
    "Error response from daemon: Get \"https://acrshared.azurecr.io/v2/\": context deadline exceeded\n"
    "$ nslookup acrshared.azurecr.io\n;; connection timed out; no servers could be reached\n"
    "$ nslookup acrshared.azurecr.io 168.63.129.16\nName:   acrshared.privatelink.azurecr.io\nAddress: 10.60.4.7\n"
    "Microsoft-hosted agents pull fine.")


def _runner() -> dict:
    return next(h for h in table("outside_hosts") if h["id"] == "github-hosted-runner")


def test_a_self_hosted_agent_is_not_read_as_a_hosted_runner() -> None:
    runner = _runner()
    assert first_affirmed(regex(runner["pattern"]), "the job runs on our self-hosted agent") is None
    assert first_affirmed(regex(runner["pattern"]), "the job runs on a self hosted runner") is None
    assert regex(runner["unless"]).search("Docker@2 task on our self-hosted agent vm-build-01")


def test_a_hosted_agent_still_is_one() -> None:
    runner = _runner()
    assert first_affirmed(regex(runner["pattern"]), "the job runs on a Microsoft-hosted agent") is not None
    assert first_affirmed(regex(runner["pattern"]), "runs-on: ubuntu-latest") is not None
    assert not regex(runner["unless"]).search("the job runs on a Microsoft-hosted agent")


def test_a_pull_from_a_self_hosted_agent_behind_custom_dns_is_an_azure_dns_cause() -> None:
    final = run_engine({"error_description": SELF_HOSTED_PULL}).final
    assert not isinstance(final, GiveUp), final
    assert isinstance(final, Conclude) and final.report.category == "network.dns_resolution"


LISTED = ("Msg 13807, Level 16, State 1, Line 1\nContent of directory on path "
          "'https://dlsfin.dfs.core.windows.net/raw/ledger/*.parquet' cannot be listed.")


def test_directory_cannot_be_listed_behind_a_storage_firewall_is_the_firewall() -> None:
    text = LISTED + "\nThe account's networking: Enabled from selected virtual networks and IP addresses."
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].entry.id == "integration-synapse-serverless-directory-cannot-be-listed-storage-firewall"
    assert hits[0].entry.category == "network.storage_firewall"


def test_directory_cannot_be_listed_alone_is_not_concluded_from_the_text() -> None:
    hits = catalog_index().hits([(LISTED, "error")])
    assert hits[0].entry.id == "integration-synapse-serverless-directory-cannot-be-listed"
    assert hits[0].entry.conclusive is False
    assert all(h.entry.id != "integration-synapse-serverless-directory-cannot-be-listed-storage-firewall"
               for h in hits)


CHECKPOINT = ("Event processor never checkpoints; every start reads the stream again.\n"
              "checkpoint_store = BlobCheckpointStore.from_connection_string(CONN, container_name=\"{name}\")\n"
              "client = EventHubConsumerClient.from_connection_string(EH, consumer_group=\"$Default\", "
              "checkpoint_store=checkpoint_store)")


def test_a_checkpoint_container_with_a_folder_path_is_a_wrong_resource_name() -> None:
    found = clue_in([CHECKPOINT.format(name="iot-state/checkpoints")])
    assert found is not None and found["id"] == "checkpoint-store-container-name-with-folder-path"
    final = run_engine({"error_description": CHECKPOINT.format(name="iot-state/checkpoints")}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"


def test_a_plain_checkpoint_container_name_is_no_folder_path() -> None:
    found = clue_in([CHECKPOINT.format(name="iot-state")])
    assert found is None or found["id"] != "checkpoint-store-container-name-with-folder-path"


UNREACHABLE = "Portal shows 'Azure Functions runtime is unreachable' since the settings sync ran; nothing runs."
SETTINGS = "$ az functionapp config appsettings list -n fa -g rg --query \"[].name\" -o tsv\nAzureWebJobsStorage\n" \
           "FUNCTIONS_WORKER_RUNTIME\nREGION_NAME\nWEBSITE_RUN_FROM_PACKAGE"


def test_an_app_setting_named_like_a_platform_variable_stops_the_host() -> None:
    final = run_engine({"error_description": UNREACHABLE + "\n" + SETTINGS}).final
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "REGION_NAME" in final.report.root_cause


def test_an_environment_dump_with_platform_variables_is_no_such_setting() -> None:
    dump = UNREACHABLE + "\nKudu Environment page:\nREGION_NAME=West Europe\nWEBSITE_SITE_NAME=fa"
    found = clue_in([dump])
    assert found is None or found["id"] != "functions-app-setting-named-like-read-only-platform-variable"


def test_a_log_stream_only_mentioned_still_asks_for_the_settings() -> None:
    unless = regex(table_entry("functions_host_errors", "runtime-unreachable")["ask_without_azure"]["unless"])
    assert not unless.search("the log stream just shows the host restarting every minute")
    assert unless.search("Log stream:\n2024-01-01T10:00:00 Host started")
    final = run_engine({"error_description": UNREACHABLE + " The log stream just shows the host restarting."}).final
    assert isinstance(final, AskClient)


DENIED = "ERROR: Insufficient privileges to complete the operation."


def test_a_workflow_service_principal_creating_an_app_needs_a_directory_permission() -> None:
    text = ("GitHub Actions workflow, azure/login@v2 as sp-gh-bootstrap (Owner).\n"
            "az ad app create --display-name x\n" + DENIED)
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].entry.id == "entra-ad-app-create-denied-service-principal"


def test_a_signed_in_user_creating_an_app_keeps_the_user_reading() -> None:
    text = "On my laptop after az login:\naz ad app create --display-name x\n" + DENIED
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].entry.id == "entra-ad-app-create-denied"
    assert all(h.entry.id != "entra-ad-app-create-denied-service-principal" for h in hits)
