"""Round 30 (twenty-third session, main): a Durable app's default task hub that is not a valid table name, and a
family that could only ask yielding to a clue whose deciding fact the report states (a subscription id sent as the
function key)."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

TABLE = "The function runtime is unable to start. Microsoft.WindowsAzure.Storage: Invalid table name. Check MSDN " \
        "for more information about valid table naming."
KEY_401 = ("PS> Invoke-WebRequest -Uri \"https://api-x.azurewebsites.net/api/Hello?code=3a5bbc0c-d1d4-591b-bd77-"
           "5df752dd2e55\"\nInvoke-WebRequest : The remote server returned an error: (401) Unauthorized.\n"
           "The function uses [HttpTrigger(AuthorizationLevel.Function, \"get\")].")


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_an_invalid_table_name_in_a_durable_app_is_its_task_hub() -> None:
    assert "functions-durable-default-task-hub-invalid-table-name" in _ids(
        TABLE + "\nOur Durable Functions orchestration works locally.")
    outcome = run_engine({"error_description": TABLE + "\nOur Durable Functions orchestration works locally.",
                          "context": {"environment_info": {"technologies": ["azure-functions", "durable-functions"]}}})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "functions.host_misconfigured"
    assert "hub" in outcome.final.report.root_cause


def test_an_invalid_table_name_of_the_apps_own_table_is_not_the_task_hub() -> None:
    assert "functions-durable-default-task-hub-invalid-table-name" not in _ids(
        "TableClient.CreateIfNotExists failed: Invalid table name. Our API writes audit rows to 'audit-2024'.")


def test_a_subscription_id_sent_as_the_function_key_decides_the_401() -> None:
    outcome = run_engine({"error_description": KEY_401 + "\nThe code value is our subscription ID, as I understood."})
    assert isinstance(outcome.final, Conclude), outcome.final
    assert outcome.final.report.category == "auth.credential_invalid"
    assert "key" in outcome.final.report.root_cause and "subscription" in outcome.final.report.root_cause


def test_a_401_with_a_key_of_unknown_origin_still_asks() -> None:
    outcome = run_engine({"error_description": KEY_401 + "\nThe subscription ID is 3a5bbc0c, region West Europe."})
    assert isinstance(outcome.final, AskClient) or (
        isinstance(outcome.final, Conclude) and "subscription" not in outcome.final.report.root_cause)


PLATFORM = ("INFO  - docker run -d -p 5400:80 --name quotes_0_9750 -e WEBSITE_SITE_NAME=quotes -e PORT=80 "
            "crquotes.azurecr.io/quotes-api:4.2.0\n{own}"
            "ERROR - Container quotes_0_9750 didn't respond to HTTP pings on port: 80, failing site start.")


def test_a_custom_container_whose_tomcat_listens_elsewhere_lacks_websites_port() -> None:
    own = "INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http)\n"
    final = run_engine({"error_description": PLATFORM.format(own=own)}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "WEBSITES_PORT=8080" in final.report.root_cause + " ".join(final.report.actions)


def test_a_custom_images_exposed_port_speaks_when_no_log_line_does() -> None:
    final = run_engine({"error_description": PLATFORM.format(own="") + "\nThe Dockerfile has EXPOSE 8080."}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    # App Service's own docker run line maps the pinged port: it names no other port of the image
    alone = run_engine({"error_description": PLATFORM.format(own="")}).final
    assert not isinstance(alone, Conclude) or alone.report.category != "config.missing_app_setting"


S3_EXPIRED = ("Our portal runs on Azure App Service; customers clicking an invoice link get:\n<Error><Code>AccessDenied"
              "</Code><Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires></Error>\n"
              "Is the App Service clock wrong?")


def test_an_error_in_another_providers_words_with_no_azure_error_is_out_of_scope() -> None:
    final = run_engine({"error_description": S3_EXPIRED}).final
    assert isinstance(final, GiveUp) and final.reason == "out_of_scope", final
    assert "Amazon Web Services" in final.report.root_cause and "X-Amz-Expires" in final.report.root_cause


def test_another_provider_beside_an_azure_endpoint_is_not_called_foreign() -> None:
    copy = S3_EXPIRED + "\nThe copy then writes to https://stinvoices.blob.core.windows.net/archive and stops."
    final = run_engine({"error_description": copy}).final
    assert not (isinstance(final, GiveUp) and final.reason == "out_of_scope"), final


def test_a_provider_the_report_rules_out_is_not_the_source() -> None:
    report = ("Our checkout on Azure App Service returns 502 since noon. We do not use DynamoDB any more; the "
              "orders live in our own database now.")
    final = run_engine({"error_description": report}).final
    assert not (isinstance(final, GiveUp) and final.reason == "out_of_scope"), final


LOCAL = '{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "node", "COSMOS_CONNECTION_STRING": "x"}}'
CODE = "const client = new CosmosClient(process.env.COSMOS_CONNECTION_STRING);"


def _with_files(report: str) -> dict:
    return {"error_description": report, "context": {"source_files": [
        {"path": "api/local.settings.json", "content": LOCAL}, {"path": "api/shared/db.js", "content": CODE}]}}


def test_a_setting_only_local_settings_defines_is_missing_in_azure() -> None:
    final = run_engine(_with_files("Locally with swa start everything works. In Azure every API route returns 500:"
                                   "\nTypeError: Cannot read properties of undefined (reading 'endpoint')")).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "COSMOS_CONNECTION_STRING" in final.report.root_cause


def test_a_local_setting_the_report_says_is_set_in_azure_is_not_that_case() -> None:
    said = _with_files("Locally everything works. COSMOS_CONNECTION_STRING is set in the portal too. In Azure: "
                       "TypeError: Cannot read properties of undefined (reading 'endpoint')")
    final = run_engine(said).final
    assert not (isinstance(final, Conclude) and "only local.settings.json" in final.report.root_cause)


def test_an_entity_name_that_is_not_the_connection_strings_entitypath() -> None:
    text = ("Error: The queue or topic name provided does not match the EntityPath in the connection string passed "
            "to the ServiceBusClient constructor.\nEndpoint=sb://sb-x.servicebus.windows.net/;EntityPath=email-outbox")
    assert "messaging-sb-entity-name-not-entitypath" in _ids(text)
    # a namespace-level client refusing an EntityPath at all is its sibling entry, not this one
    assert "messaging-sb-entity-name-not-entitypath" not in _ids(
        "The connection string used for a namespace-level client shouldn't include EntityPath.")


def test_a_connection_string_without_endpoint_is_unparseable_not_an_entity_mismatch() -> None:
    text = ("System.ArgumentException: Value for the connection string parameter name "
            "'sb://x.servicebus.windows.net/' was not found.\n   at ServiceBusConnectionStringBuilder.Parse")
    assert "messaging-connection-string-unparseable" in _ids(text)
    assert "messaging-sb-entity-name-not-entitypath" not in _ids(text)
