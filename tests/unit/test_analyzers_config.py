"""Edges of the configuration analyzers: env reads versus dict lookups, ruling out, identity-based connections."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

CONNECTION_NULL = ("Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.Ingest'. "
                   "Microsoft.Azure.WebJobs.Extensions.ServiceBus: Value cannot be null. "
                   "(Parameter 'connectionString').")
TRIGGER = {"path": "Ingest.cs", "relevance": "primary",
           "content": '[ServiceBusTrigger("ingest", Connection = "IngestBus")] string message'}


def test_an_uppercase_keyerror_from_a_dict_is_not_a_missing_setting() -> None:
    error = ('Traceback (most recent call last):\n  File "/home/site/wwwroot/function_app.py", line 9, in main\n'
             '    code = payload["ORDER_ID"]\nKeyError: \'ORDER_ID\'')
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "runtime.code_defect"


def test_a_setting_named_by_the_error_is_concluded_without_a_question() -> None:
    error = ("Microsoft.Azure.WebJobs.Extensions.Storage: Storage account connection string 'AzureWebJobsUploads' does "
             "not exist. Make sure that it is a defined App Setting.")
    answer = ('[{"name": "AzureWebJobsUploads", "slotSetting": false, "value": null}, '
              '{"name": "FUNCTIONS_WORKER_RUNTIME"}]')
    outcome = run_engine({"error_description": error + "\n" + "(answer below)"},
                         [{"when_asked_contains": "app settings", "answer": answer}])
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    assert "AzureWebJobsUploads" in outcome.final.report.root_cause


def test_an_identity_based_connection_satisfies_the_binding() -> None:
    answer = "AzureWebJobsStorage\nFUNCTIONS_WORKER_RUNTIME\nIngestBus__fullyQualifiedNamespace\n"
    outcome = run_engine({"error_description": CONNECTION_NULL, "context": {"source_files": [TRIGGER]}},
                         [{"when_asked_contains": "app settings", "answer": answer}])
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "exhausted"


def test_the_question_names_the_bindings_connection_setting() -> None:
    outcome = run_engine({"error_description": CONNECTION_NULL, "context": {"source_files": [TRIGGER]}})
    assert isinstance(outcome.final, AskClient)
    assert "IngestBus" in outcome.final.request.question
    assert "--name <function-app> --resource-group <resource-group>" in outcome.final.request.suggested_commands[0]


def test_a_pattern_found_only_in_a_file_does_not_decide_the_cause() -> None:
    code = {"path": "app.py", "content": 'import os\nENDPOINT = os.environ["COSMOS_ENDPOINT"]\n'}
    outcome = run_engine({"error_description": "Our Azure function returns 500 sometimes.",
                          "context": {"source_files": [code]}})
    assert isinstance(outcome.final, AskClient)
    assert "complete error" in outcome.final.request.question
