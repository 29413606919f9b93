"""Eleventh-session text readings: a pasted JSON answer read with its escapes decoded (and redacted after), log
lines read without their time and level prefixes, and the reports the session's new knowledge decides."""

from __future__ import annotations

import json

import pytest

from shared.catalog.index import catalog_index, normalize
from shared.models import StartRequest
from shared.session.material import material_from_start, readable_paste
from tests.helpers.engine_loop import run_engine


def test_a_pasted_json_answer_is_read_with_its_escapes_decoded():
    pasted = "ERROR: " + json.dumps({"error": {"code": "Failed", "message": 'line one\nsaid "two"'}})
    assert 'line one\nsaid "two"' in readable_paste(pasted)
    nested = '{"status":"Failed","error":{"message":"{\\r\\n  \\"error\\": {\\"code\\": \\"Conflict\\"}}"}}'
    assert '"code": "Conflict"' in readable_paste(nested)


def test_text_that_is_not_a_json_answer_keeps_its_backslashes():
    for text in ["C:\\new\\node.exe failed to start", 'regex "\\d+\\n" did not match']:
        assert readable_paste(text) == text


def test_a_secret_inside_an_escaped_string_is_redacted():
    key = "Zm9vYmFyYmF6cXV4" * 5 + "=="
    pasted = json.dumps({"error": {"message": f"bad connection\nAccountName=stx;AccountKey={key};"}})
    material = material_from_start(StartRequest.model_validate({"error_description": pasted}))
    assert key not in material.error_description
    assert "AccountName=stx" in material.error_description


def test_log_prefixes_do_not_split_a_wrapped_message():
    stamped = ("2024-05-01T10:00:07.123Z [Error] ManagedIdentityCredential authentication failed: Service request "
               "failed.\n2024-05-01T10:00:07.124Z [Error] Status: 400 (Bad Request)")
    assert normalize(stamped).startswith("ManagedIdentityCredential authentication failed")
    assert "failed. Status: 400" in normalize(stamped)


def test_a_message_that_begins_with_the_word_error_keeps_it():
    line = "[2022-10-21T09:36:19.455Z] Error fetching version information for extension bundle"
    assert normalize(line) == "Error fetching version information for extension bundle"
    hits = catalog_index().hits([(line, "error")])
    assert hits and hits[0].entry.id == "functions-extension-bundle-cdn-unreachable"


def report(text: str, answers: list[str] | None = None) -> dict:
    rules = [{"when_asked_contains": "", "answer": a} for a in answers or []]
    outcome = run_engine({"error_description": text}, rules)
    return outcome.envelope()


PUSH = ("$ docker push kidsapp.azurecr.io/centres:latest\nThe push refers to repository [kidsapp.azurecr.io/centres]\n"
        "unauthorized: authentication required")
JAVA = ("java.lang.UnsupportedClassVersionError: com/contoso/Handler has been compiled by a more recent version of "
        "the Java Runtime (class file version 65.0), this version of the Java Runtime only recognizes class file "
        "versions up to 61.0")
LINKED = ('{"code": "InvalidContentLink", "message": "Unable to download deployment content from '
          "'https://sttpl.blob.core.windows.net/templates/network.json'.\"}\nLast week anonymous blob access was "
          "disabled on all storage accounts.")
WEBJOB = ("Connection strings in the portal:\n  AzureWebJobsServiceBus  Endpoint=sb://sb-orders.servicebus.windows.net/;"
          "SharedAccessKeyName=send   SQLAzure\nUnhandled Exception: System.InvalidOperationException: Microsoft Azure "
          "WebJobs SDK ServiceBus connection string 'AzureWebJobsServiceBus' is missing or empty.")
LOGIC_STANDARD = ("Workflow Error: operationName='WorkflowDefinitionProvider.GetFunctionMetadataAsync', "
                  "message='Workflow processing failed, the response exception is 'The provided parameter name "
                  "' crmBaseUrl' has these invalid characters ' '.'")


@pytest.mark.parametrize(("text", "category", "said"), [
    (PUSH, "auth.credential_invalid", "az acr login --name kidsapp"),
    (JAVA, "functions.host_misconfigured", "65 is Java 21, 61 is Java 17"),
    (LINKED, "deployment.template_invalid", "SAS"),
    (WEBJOB, "config.missing_app_setting", "SQLAZURECONNSTR_"),
    (LOGIC_STANDARD, "functions.host_misconfigured", "parameters.json"),
    ("Search failed: Azure.RequestFailedException: Free Query Semantic Usage exceeded for the month. Status: 402",
     "quota.exceeded", "--semantic-search standard"),
    ("Request finished HTTP/1.1 GET http://100.100.0.12:8080/healthz - 404 0 - 0.4ms\nProbe of StartUp failed with "
     "status code: 404\nContainer 'quotes-api' was terminated with exit code '' and reason 'ProbeFailure'",
     "config.wrong_resource_name", "(/healthz answers 404)"),
])
def test_the_session_s_knowledge_decides_these_reports(text: str, category: str, said: str):
    envelope = report(text)
    assert envelope["status"] == "done"
    assert envelope["report"]["category"] == category
    assert said in json.dumps(envelope["report"])


def test_a_pull_refused_as_unauthorized_is_still_a_pull_failure():
    envelope = report("Failed to pull image \"crshop.azurecr.io/web:1.2\": unauthorized: authentication required")
    assert envelope["report"]["category"] == "container.image_pull_failed"


def test_a_local_sdk_too_old_is_out_of_scope_with_its_version():
    envelope = report("error NETSDK1045: The current .NET SDK does not support targeting .NET 9.0. Either target "
                      ".NET 8.0 or lower, or use a version of the .NET SDK that supports .NET 9.0.")
    assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope")
    assert ".NET 9.0" in envelope["report"]["root_cause"] and "{target_version}" not in envelope["report"]["root_cause"]


def test_a_client_whose_own_clock_was_wrong_is_told_it_is_not_azure():
    envelope = report("Storage Explorer: expanding Tables gives 'Authentication error: undefined'.",
                      ["The clock on this laptop is off by an hour; after I corrected the time it works."])
    assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope")
    assert "clock" in envelope["report"]["root_cause"]


def test_a_clock_that_was_checked_and_is_right_rules_nothing_out():
    envelope = report("Storage Explorer: expanding Tables gives 'Authentication error: undefined'.",
                      ["I checked: the clock on this laptop is correct."])
    assert envelope["report"] is None or envelope["report"].get("category") != "out_of_scope"


SPEECH = ("Speech sample: WebSocket connection to 'wss://westus.stt.speech.microsoft.com/speech/recognition/"
          "interactive/cognitiveservices/v1' failed, status code 1006. The Speech resource was created in {where} "
          "(its Overview shows the endpoint https://{host}.api.cognitive.microsoft.com/sts/v1.0/issuetoken).")


def test_a_speech_call_to_another_region_than_the_resource_is_named():
    envelope = report(SPEECH.format(where="West Europe", host="westeurope"))
    assert envelope["report"]["category"] == "config.invalid_connection_string"
    assert "region westus" in envelope["report"]["root_cause"] and "westeurope" in envelope["report"]["root_cause"]


def test_a_speech_call_to_the_resource_s_own_region_is_no_mismatch():
    envelope = report(SPEECH.format(where="West US", host="westus"))
    assert "region westus, but" not in json.dumps(envelope.get("report") or {})


COSMOS_404 = ("PUT and DELETE fail: Error: Entity with the specified id does not exist in the system., StatusCode: 404,"
              " SubStatusCode: 0. GET /api/products works and the ids in the request are exactly the ones GET returns. "
              "Code: container.item(product.id, product.brand.name).replace(product). When I created the container "
              "I left the partition key at the default /id.")


def test_a_stated_partition_key_mismatch_refines_an_ambiguous_not_found():
    envelope = report(COSMOS_404)
    assert envelope["report"]["category"] == "runtime.code_defect"
    assert "partition key" in envelope["report"]["root_cause"]


def test_a_not_found_without_the_partition_key_fact_keeps_the_catalog_reading():
    envelope = report("Error: Entity with the specified id does not exist in the system., StatusCode: 404, "
                      "SubStatusCode: 0 when reading the order by id in Cosmos DB.")
    assert envelope["report"] is None or envelope["report"].get("category") != "runtime.code_defect"


def test_a_local_execution_policy_refusal_is_out_of_scope():
    envelope = report("func : File C:\\Users\\dev\\AppData\\Roaming\\npm\\func.ps1 cannot be loaded because running "
                      "scripts is disabled on this system. For more information, see about_Execution_Policies.")
    assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope")


RESET = "Uploading to blob storage fails after a while: Error: write ECONNABORTED (syscall write)."


def test_a_connection_cut_on_an_unstable_client_network_is_out_of_scope():
    envelope = report(RESET + " I'm on the hotel Wi-Fi, which drops now and then.")
    assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope")


def test_a_cut_connection_alone_or_a_network_remark_alone_is_not_out_of_scope():
    for text in [RESET, "The function times out calling Cosmos DB. I'm on the hotel Wi-Fi, which drops sometimes."]:
        envelope = report(text)
        assert (envelope.get("report") or {}).get("category") != "out_of_scope"
