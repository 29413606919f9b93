"""Edges of the runtime analyzers: honest confidence, other clouds, exceptions raised inside SDKs."""

from __future__ import annotations

from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine


def test_exit_code_137_alone_is_only_likely_out_of_memory() -> None:
    error = "Azure Container Apps replica restarted: container exited with code 137"
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "runtime.out_of_memory"
    assert outcome.final.report.confidence == "medium"


def test_a_keyerror_in_an_aws_lambda_is_out_of_scope() -> None:
    error = ('[ERROR] KeyError: \'orderId\'\nTraceback (most recent call last):\n  File "/var/task/app.py", line 12, '
             'in lambda_handler\n    order = event["orderId"]\nEND RequestId: 1 REPORT RequestId: 1 aws lambda')
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, GiveUp)
    assert outcome.final.reason == "out_of_scope"


def test_an_exception_raised_inside_an_azure_sdk_is_not_called_a_bug_in_the_code() -> None:
    error = ('Traceback (most recent call last):\n  File "/home/site/wwwroot/function_app.py", line 20, in main\n'
             '    client.upload_blob(data)\n  File "/home/site/wwwroot/.python_packages/lib/site-packages/azure/'
             'storage/blob/_blob_client.py", line 765, in upload_blob\n    raise TypeError("Unsupported data type")\n'
             'TypeError: Unsupported data type')
    outcome = run_engine({"error_description": error})
    assert not (isinstance(outcome.final, Conclude) and outcome.final.report.category == "runtime.code_defect")


def test_a_function_timeout_quotes_the_configured_function_timeout() -> None:
    error = "Timeout value of 00:10:00 exceeded by function 'Functions.Rebuild' (Id: 'x'). Initiating cancellation."
    host = {"path": "host.json", "content": '{"version": "2.0", "functionTimeout": "00:10:00"}'}
    outcome = run_engine({"error_description": error, "context": {"source_files": [host]}})
    assert isinstance(outcome.final, Conclude)
    assert "functionTimeout to 00:10:00" in outcome.final.report.root_cause
    assert any("read_host_config" in line for line in outcome.final.report.checked)
