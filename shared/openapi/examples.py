"""Examples for the API description: requests the app accepts and answers as the app writes them.

Request examples are sent to a running app by tests/e2e/test_openapi.py and must get a 2xx. Answers are
built through the app's own code (Envelope.to_json_dict, the validation that raises ApiError, the error
helpers), so an example cannot show a shape or a message the app does not produce."""

from __future__ import annotations

from typing import Any

from shared.errors import ApiError, not_found
from shared.http.admission import rate_limited
from shared.http.validation import parse_start
from shared.models import MAX_ERROR_DESCRIPTION_CHARS, Envelope
from shared.security.poll_token import make_token

Example = dict[str, Any]  # an OpenAPI Example Object: summary, value

EXAMPLE_HOST = "https://contoso-debug.azurewebsites.net"
EXAMPLE_TRACE_ID = "5f0c2a4e9b7d4c1e8a3f6b2d9c0e1f47"
_SESSION_URL = f"{EXAMPLE_HOST}/api/debug/{EXAMPLE_TRACE_ID}"
_POLL_TOKEN = make_token(b"example secret", EXAMPLE_TRACE_ID, "example-nonce", 1_798_761_600)  # shaped like a real one
_LINKS = {"self": _SESSION_URL, "poll": f"{_SESSION_URL}/poll?token={_POLL_TOKEN}",
          "continue": f"{_SESSION_URL}/continue"}

_STORAGE_ERROR = ("Azure Function deployment failed with connection timeout to storage account 'mystorageaccount' "
                  "in main.py line 42. Deployment was working yesterday but failing since this morning.")
_MODULE_ERROR = ("Worker failed to index functions. Exception: ModuleNotFoundError: No module named 'requests'. "
                 "Cannot find module. Please check the requirements.txt file for the missing module. "
                 "0 functions loaded. Works with func start locally.")
_MAIN_PY = """import os

import azure.functions as func
from azure.identity import DefaultAzureCredential
from azure.storage.blob import BlobServiceClient

app = func.FunctionApp()
account = os.environ.get("DEPLOY_STORAGE_ACCOUNT", "mystorageaccount")


@app.route(route="deploy", methods=["POST"])
def deploy(req: func.HttpRequest) -> func.HttpResponse:
    service = BlobServiceClient(f"https://{account}.blob.core.windows.net", DefaultAzureCredential())
    blob = service.get_container_client("deployments").get_blob_client("latest.zip")
    blob.upload_blob(req.get_body(), overwrite=True, connection_timeout=20)
    return func.HttpResponse("published", status_code=201)
"""
_NETWORK_RULE_SET = """$ az storage account show -n mystorageaccount -g functions-rg --query networkRuleSet
{
  "bypass": "AzureServices",
  "defaultAction": "Deny",
  "ipRules": [{"action": "Allow", "ipAddressOrRange": "203.0.113.0/24"}],
  "virtualNetworkRules": []
}"""

START_EXAMPLES: dict[str, Example] = {
    "with_context": {
        "summary": "An error with a source file and the environment",
        "value": {
            "error_description": _STORAGE_ERROR,
            "context": {
                "source_files": [{"path": "main.py", "content": _MAIN_PY, "relevance": "primary"}],
                "environment_info": {"azure_subscription": "dev-subscription", "resource_group": "functions-rg",
                                     "technologies": ["python", "azure-functions", "blob-storage"]},
            },
            "options": {"max_depth": 5, "time_limit_seconds": 40, "max_rounds": 5, "wait_seconds": 30},
        },
    },
    "minimal": {
        "summary": "Only the error text",
        "value": {"error_description": _MODULE_ERROR},
    },
    "logic_app": {
        "summary": "For Logic Apps and Power Automate: rounds run on their own, the answer is polled",
        "value": {
            "error_description": _MODULE_ERROR,
            "context": {"environment_info": {"technologies": ["python", "azure-functions"]}},
            "options": {"auto_continue": True, "wait_seconds": 0},
        },
    },
}

# Sent to a session that waits for the client (status `request` or a paused `continue`).
CONTINUE_EXAMPLES: dict[str, Example] = {
    "answer": {
        "summary": "Answer the session's request",
        "value": {"answer": _NETWORK_RULE_SET, "options": {"wait_seconds": 30}},
    },
    "more_context": {
        "summary": "Answer and attach a file",
        "value": {
            "answer": "The firewall was switched to selected networks this morning.",
            "context": {"source_files": [{"path": "requirements.txt", "content": "azure-functions\n"
                                          "azure-identity\nazure-storage-blob\n", "relevance": "config"}]},
        },
    },
    "resume": {
        "summary": "Resume a paused session (status `continue`, next_action `continue`)",
        "value": {},
    },
    "reopen": {
        "summary": "Re-open a finished session: the fix did not work",
        "value": {"reopen": True, "answer": "The rule is in place but the function still gets 403 from the "
                                            "storage account, now from a private endpoint."},
    },
}

FEEDBACK_EXAMPLES: dict[str, Example] = {
    "fixed": {"summary": "The fix worked", "value": {"outcome": "fixed"}},
    "not_fixed": {"summary": "It did not", "value": {"outcome": "not_fixed", "note": "Still 403 after the change."}},
}


def _envelope(**fields: Any) -> dict[str, Any]:
    base = {"trace_id": EXAMPLE_TRACE_ID, "links": _LINKS}
    return Envelope.model_validate({**base, **fields}).to_json_dict()


_REPORT = {
    "category": "network.storage_firewall",
    "root_cause": "The storage account 'mystorageaccount' denies public network access (defaultAction Deny) and "
                  "the function app's outbound addresses are not in its IP rules.",
    "confidence": "high",
    "evidence": [{"source": "client", "summary": "networkRuleSet: defaultAction Deny, one IP rule 203.0.113.0/24"}],
    "actions": ["az storage account network-rule add --account-name mystorageaccount --resource-group "
                "functions-rg --ip-address <outbound IP>", "Or integrate the app with a virtual network and add "
                "a virtual network rule."],
    "checked": ["error text: connection timeout to mystorageaccount", "main.py: BlobServiceClient upload"],
}

ENVELOPE_EXAMPLES: dict[str, Example] = {
    "done": {"summary": "Root cause found", "value": _envelope(
        status="done", next_action="none", progress=100, round=2, steps=3,
        message="Root cause found: the storage firewall denies the app.", report=_REPORT)},
    "request": {"summary": "The session needs the client", "value": _envelope(
        status="request", next_action="answer", progress=40, steps=2,
        message="Only you can show the storage account's network rules.",
        request={"question": "What is the network rule set of storage account 'mystorageaccount'?",
                 "why": "A firewall that denies the app explains a connection timeout.",
                 "suggested_commands": ["az storage account show --name mystorageaccount --resource-group "
                                        "functions-rg --query networkRuleSet"]})},
    "paused": {"summary": "A round's budget is spent; resume with continue", "value": _envelope(
        status="continue", next_action="continue", progress=60, steps=5,
        message="This round's steps are spent; continue to investigate further.")},
    "fail": {"summary": "No root cause within the limits", "value": _envelope(
        status="fail", next_action="none", progress=100, round=5, steps=12, reason="exhausted",
        message="No root cause within 5 rounds.",
        report={"root_cause": "Not found within the session's limits.", "checked": ["error text"]})},
}

WORKING_EXAMPLES: dict[str, Example] = {
    "working": {"summary": "Still working: poll the Location after Retry-After seconds", "value": _envelope(
        status="continue", next_action="poll", progress=20, steps=1, message="The investigation is running.")},
}


def _raised(call: Any) -> dict[str, Any]:
    try:
        call()
    except ApiError as error:
        return error.body()
    raise AssertionError("the example input was accepted")


ERROR_EXAMPLES: dict[int, dict[str, Example]] = {
    400: {"unknown_field": {"summary": "A misspelt option", "value": _raised(lambda: parse_start(
        b'{"error_description": "timeout", "options": {"max_dept": 3}}'))},
          "wrong_type": {"summary": "A string where a number belongs", "value": _raised(lambda: parse_start(
              b'{"error_description": "timeout", "options": {"wait_seconds": "30"}}'))}},
    404: {"not_found": {"summary": "Unknown session, another caller's, or a wrong poll token",
                        "value": not_found().body()}},
    409: {"finished": {"summary": "The session has finished", "value": ApiError(
        409, "session_finished", "The session has finished with status 'done'.").body()}},
    413: {"too_long": {"summary": "Over a size limit", "value": _raised(lambda: parse_start(
        b'{"error_description": "' + b"x" * (MAX_ERROR_DESCRIPTION_CHARS + 1) + b'"}'))}},
    429: {"rate_limited": {"summary": "Over the caller's rate limit", "value": rate_limited(
        12, "More than 10 requests a minute.").body()}},
    500: {"internal": {"summary": "Unexpected: a generic message and the trace_id", "value": {"error": {
        "code": "internal_error", "details": [],
        "message": f"An unexpected error occurred; quote trace_id {EXAMPLE_TRACE_ID} when reporting it."}}}},
}
