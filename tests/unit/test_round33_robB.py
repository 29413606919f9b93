"""Round 33 rob-B: known failures in other tools' wordings. Cosmos DB's "Sql api is not supported" for an account
of another API, a Python or C# binding's setting name, the other EventHubEvent members on a batch, the Service Bus
transaction limit and an output binding's one oversized message (a blob upload over its limit keeps the general
storage entry), an embeddings call in .NET, an extension bundle range written with a minor version, Google's
Memorystore and a report that says it is not Azure. Each with a near miss that must stay silent or keep its old
reading."""

from __future__ import annotations

import pytest

from shared.catalog.facts import named_groups
from shared.catalog.index import catalog_index
from shared.engines.rules import _OUTSIDE_AZURE
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine


def _first(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


CATALOG_CASES = {
    "cosmos-sql-api-not-supported-for-account":
        "Microsoft.Azure.Documents.DocumentClientException: Sql api is not supported for this database account\n"
        "ActivityId: 5d2f0c3e, Microsoft.Azure.Documents.Common/2.11.0",
    "messaging-sb-transaction-size":
        "Azure.Messaging.ServiceBus.ServiceBusException: Cannot send more than 100 messages in a single transaction.",
    "messaging-sb-output-binding-one-object-too-large":
        '[ServiceBusOutput("out", Connection = "Bus")]\nAzure.Messaging.ServiceBus.ServiceBusException: The message '
        "(id:9a1c, size:301877 bytes) is larger than is currently allowed (262144 bytes). (MessageSizeExceeded)",
    "functions-python-eventhub-list-no-get-body":
        "eventHubTrigger, cardinality many\nAttributeError: 'list' object has no attribute 'sequence_number'",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_other_wording_reaches_the_entry(entry_id: str) -> None:
    assert _first(CATALOG_CASES[entry_id]) == entry_id


def test_a_plain_sender_over_the_size_keeps_the_quota_reading() -> None:
    text = ("sender.SendMessageAsync(msg) -> Azure.Messaging.ServiceBus.ServiceBusException: The message (id:1, "
            "size:301877 bytes) is larger than is currently allowed (262144 bytes). (MessageSizeExceeded)")
    assert _first(text) == "messaging-sb-message-size-exceeded"


def test_a_blob_body_too_large_stays_the_general_entry() -> None:
    text = ("blob_client.upload_blob(data)\nErrorCode:RequestBodyTooLarge The request body is too large and exceeds "
            "the maximum permissible limit.\n<MaxLimit>4194304</MaxLimit>")
    assert _first(text) == "storage-request-body-too-large"


def test_a_list_attribute_error_without_event_hubs_is_not_the_cardinality_entry() -> None:
    assert _first("AttributeError: 'list' object has no attribute 'offset'") != \
        "functions-python-eventhub-list-no-get-body"


@pytest.mark.parametrize(("binding", "setting"), [
    ('@app.cosmos_db_output(arg_name="out", database_name="inv", container_name="s", connection="InventoryCosmos")',
     "InventoryCosmos"),
    ('[CosmosDB("db", "c", Connection = "OrdersCosmos")] IAsyncCollector<Order> o', "OrdersCosmos"),
])
def test_the_binding_setting_is_named_from_a_decorator_or_attribute(binding: str, setting: str) -> None:
    text = (binding + "\nMicrosoft.Azure.WebJobs.Host: Unable to resolve the value for property "
            "'CosmosDBAttribute.Connection'. Make sure the setting exists and has a valid value.")
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert setting in final.report.root_cause


def test_a_connection_string_in_a_decorator_is_not_taken_as_a_setting_name() -> None:
    entry = next(e for e in catalog_index().entries if e.id == "functions-binding-attribute-setting-unresolved")
    assert "setting" not in named_groups(entry.facts, ['connection="AccountEndpoint=https://x/;AccountKey=k"'])
    assert named_groups(entry.facts, ['connection_string_setting="SqlConn"'])["setting"] == "SqlConn"


NOT_FOUND = ("Azure.RequestFailedException: The API deployment for this resource does not exist.\nStatus: 404 (Not "
             "Found)\nErrorCode: DeploymentNotFound\n   at Azure.AI.OpenAI.OpenAIClient.GetEmbeddingsAsync(...)\n")


def test_a_dotnet_embeddings_call_names_the_embedding_deployment() -> None:
    text = NOT_FOUND + '"OpenAI": { "ChatDeployment": "chat", "EmbeddingDeployment": "emb-large-01" }'
    assert _first(text) == "openai-embeddings-deployment-not-found"
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and "emb-large-01" in final.report.root_cause


def test_a_chat_call_stays_the_general_deployment_entry() -> None:
    assert _first(NOT_FOUND.replace("GetEmbeddingsAsync", "GetChatCompletionsAsync")) == "openai-deployment-not-found"


BUNDLE = ('@app.cosmos_db_trigger(arg_name="items", database_name="shop", container_name="orders", '
          'connection="ShopCosmos", lease_container_name="leases")\nhost.json: "extensionBundle": {"id": '
          '"Microsoft.Azure.Functions.ExtensionBundle", "version": "%s"}\nNo invocations, no errors.')


def test_a_bundle_range_with_a_minor_version_below_4_decides_the_cosmos_trigger() -> None:
    assert concludes(BUNDLE % "[3.3.0, 4.0.0)", "functions.host_misconfigured")


def test_a_bundle_4_range_with_a_minor_version_does_not() -> None:
    assert not concludes(BUNDLE % "[4.10.0, 5.0.0)", "functions.host_misconfigured")


TIMEOUT = ("StackExchange.Redis.RedisTimeoutException: Timeout performing HGET (5000ms), next: HGET k, inst: 3, "
           "qu: 0, qs: 11, serverEndpoint: 10.128.0.12:6379, mgr: 10 of 10 available, "
           "IOCP: (Busy=0,Free=1000,Min=1,Max=1000), WORKER: (Busy=48,Free=32719,Min=1,Max=32767), v: 2.2.4.27433\n")


def test_a_redis_timeout_from_memorystore_is_out_of_scope() -> None:
    final = run_engine({"error_description": TIMEOUT + "Redis is GCP Memorystore basic tier."}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_a_redis_timeout_on_azure_cache_is_not_out_of_scope() -> None:
    final = run_engine({"error_description": TIMEOUT + "Redis is Azure Cache for Redis C1, moved from GCP Memorystore "
                        "instance last year."}).final
    assert getattr(getattr(final, "report", None), "category", None) != "out_of_scope"


@pytest.mark.parametrize("said", ["Not Azure at all, I just hope you can explain it.",
                                  "redis 6 in a linux VM in our datacenter (vmware, no cloud)"])
def test_the_report_saying_it_is_not_azure(said: str) -> None:
    assert _OUTSIDE_AZURE.search(said)


@pytest.mark.parametrize("said", ["It is not Azure's fault, I think.", "our datacenter link to Azure is a VPN"])
def test_hybrid_or_blame_words_are_not_outside_azure(said: str) -> None:
    assert not _OUTSIDE_AZURE.search(said)
