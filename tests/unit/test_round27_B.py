"""Round 27 (B, the twentieth session's development halves real63 / real64): Kafka's unknown topic on an Event Hubs
namespace, an Azure OpenAI api-version too old while the settings shown name none, a Terraform lock file with
another platform's checksums (outside Azure), and AADSTS500113 as a missing registration setting."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine


def _first(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


KAFKA = ("Sending 10 messages to topic: orders-in, broker(s): evhns-shop.servicebus.windows.net:9093\n"
         "Exception Occurred - Broker: Unknown topic or partition")


def test_an_unknown_kafka_topic_on_event_hubs_is_an_event_hub_that_does_not_exist() -> None:
    final = run_engine({"error_description": KAFKA}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "orders-in" in final.report.root_cause
    java = ("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this "
            "topic-partition. bootstrap.servers=evhns-shop.servicebus.windows.net:9093")
    assert _first(java) == "messaging-eh-kafka-unknown-topic"


def test_an_unknown_topic_on_a_broker_outside_azure_is_not_event_hubs() -> None:
    text = KAFKA.replace("evhns-shop.servicebus.windows.net", "b-1.msk.eu-west-1.amazonaws.com")
    assert _first(text) != "messaging-eh-kafka-unknown-topic"


OLD_VERSION = ("LLM error (400): Model {modelName} is enabled only for api versions 2024-12-01-preview and later\n"
               ".env:\n  AZURE_OPENAI_ENDPOINT=https://aoai-x.openai.azure.com/\n  AZURE_OPENAI_API_KEY=<redacted>\n")


def test_a_too_old_api_version_with_no_version_setting_shown_is_the_missing_setting() -> None:
    final = run_engine({"error_description": OLD_VERSION}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "2024-12-01-preview" in final.report.root_cause


def test_a_version_setting_shown_or_no_settings_at_all_keep_the_version_reading() -> None:
    stated = OLD_VERSION + "  AZURE_OPENAI_API_VERSION=2024-10-21\n"
    assert _first(stated) == "openai-api-version-unsupported"
    bare = OLD_VERSION.split(".env")[0] + "Resource https://aoai-x.openai.azure.com/, deployment o3-mini."
    assert _first(bare) == "openai-api-version-unsupported"


LOCK = ("Error: Failed to install provider\n\nError while installing hashicorp/google v5.1.0: the local package for "
        "registry.terraform.io/hashicorp/google 5.1.0 doesn't match any of the checksums previously recorded in "
        "the dependency lock file (this might be because the available checksums are for packages targeting "
        "different platforms)")


def test_a_lock_file_with_another_platforms_checksums_is_outside_azure() -> None:
    final = run_engine({"error_description": LOCK}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    assert "hashicorp/google" in final.report.root_cause


def test_an_inconsistent_lock_file_stays_terraform_tooling() -> None:
    text = ("Error: Inconsistent dependency lock file\nThe following dependency selections recorded in the lock file "
            "are inconsistent with the current configuration: provider registry.terraform.io/hashicorp/azurerm")
    assert _first(text) == "tooling-tf-inconsistent-lock-file"


def test_no_reply_address_registered_is_a_missing_setting_a_mismatch_is_not() -> None:
    missing = run_engine({"error_description": "Sign-in pop-up: AADSTS500113: No reply address is registered for "
                                               "the application."}).final
    assert isinstance(missing, Conclude) and missing.report.category == "config.missing_app_setting"
    mismatch = run_engine({"error_description": (
        "AADSTS50011: The redirect URI 'https://app.contoso.com/signin-oidc' specified in the request does not match "
        "the redirect URIs configured for the application 'e8a7f329-e576-5965-b89e-714c40954c26'.")}).final
    assert isinstance(mismatch, Conclude) and mismatch.report.category == "config.invalid_connection_string"


def test_other_clients_wordings_of_the_unknown_topic_and_the_cached_package_mismatch() -> None:
    python = ("kafka.errors.UnknownTopicOrPartitionError: [Error 3] UnknownTopicOrPartitionError "
              "bootstrap_servers='evhns-shop.servicebus.windows.net:9093'")
    assert _first(python) == "messaging-eh-kafka-unknown-topic"
    cached = ("Error: Required plugins are not installed. the cached package for registry.terraform.io/hashicorp/aws "
              "5.0.0 (in .terraform/providers) does not match any of the checksums recorded in the dependency "
              "lock file")
    assert _first(cached) == "other-clouds-terraform-provider-checksum-mismatch"
