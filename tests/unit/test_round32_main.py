"""Round 32 (main): pastes that went through a JSON string or a word processor read as the service printed them."""

from __future__ import annotations

import json

from evals.paste_forms import FORMS
from shared.session.readable import readable_paste
from tests.helpers.engine_loop import run_engine

_AUTHZ = ("The client 'deployer@contoso.com' with object id '0a8c3f2e-7d41-4b6a-9e55-2f1d3c4b5a69' does not have "
          "authorization to perform action 'Microsoft.Web/sites/write' over scope "
          "'/subscriptions/5f0c9d1e-2a3b-4c5d-8e7f-9a0b1c2d3e4f/resourceGroups/rg-web/providers/Microsoft.Web/sites/"
          "app-orders' or the scope is invalid. If access was recently granted, please refresh your credentials.")


def test_a_json_string_body_pasted_alone_is_decoded():
    body = json.dumps('Deployment failed.\n{"code": "Conflict", "message": "busy"}')[1:-1]
    assert readable_paste(body) == 'Deployment failed.\n{"code": "Conflict", "message": "busy"}'


def test_backslashes_of_paths_and_patterns_are_not_json_escapes():
    for text in ["C:\\new\\node.exe failed\\n to start\\n", 'one \\"quoted\\" word in C:\\temp\\new',
                 'regex "\\d+\\n" did not match', "a single \\n is no body"]:
        assert readable_paste(text) == text


def test_word_processor_typography_reads_as_plain_text():
    assert readable_paste("\u2018x\u2019\u00a0said \u201cno\u201d\u200b") == "'x' said \"no\""
    assert readable_paste("az webapp show \u2013name app1 \u2014resource-group rg") == \
        "az webapp show --name app1 --resource-group rg"
    assert readable_paste("pages 10\u201320 and a \u2013 b") == "pages 10\u201320 and a \u2013 b"


def test_the_same_error_through_either_form_gets_the_same_answer():
    plain = run_engine({"error_description": _AUTHZ}).envelope()["report"]
    assert plain["category"] == "auth.rbac_missing"
    for form in ("json-string", "word-processor"):
        pasted = FORMS[form](_AUTHZ + "\nStatus: 403 (Forbidden)")
        report = run_engine({"error_description": pasted}).envelope()["report"]
        assert (report["category"], report["confidence"]) == (plain["category"], plain["confidence"]), form
        assert "Microsoft.Web/sites/write" in report["root_cause"], form


def test_a_structured_log_record_reads_as_its_message_and_exception():
    record = json.dumps({"time": "2026-12-06T10:01:02Z", "level": "error", "msg": "upload failed\nstatus 403",
                         "err": {"type": "RestError", "message": "denied", "stack": "RestError: denied\n    at put"}})
    read = readable_paste("starting\n" + record)
    assert read.startswith("starting\nupload failed\nstatus 403\nRestError: denied\n    at put\n")
    assert '"level": "error"' in read and '"time": "2026-12-06T10:01:02Z"' in read  # kept, after the words
    assert readable_paste('{"name": "app", "replicas": 2}') == '{"name": "app", "replicas": 2}'  # no message: as sent


def test_a_log_multiplexer_prefix_is_kept_once_and_powershell_gutter_goes():
    assert readable_paste("api-1  | Traceback\napi-1  | KeyError: 'x'\napi-1  | exited") == \
        "api-1  | Traceback\nKeyError: 'x'\nexited"
    table = "| a | b |\n| 1 | 2 |\n| 3 | 4 |"
    assert readable_paste(table) == table  # a Markdown table has no source prefix
    two = "db-1  | ready\nweb-1  | KeyError: 'x'"
    assert readable_paste(two) == two  # two lines are no multiplexed log yet
    shown = readable_paste(FORMS["powershell-error"]("Code: InvalidTemplate\nMessage: bad"))
    assert "\nCode: InvalidTemplate\nMessage: bad" in shown
    assert readable_paste("     | not a gutter without the header") == "     | not a gutter without the header"


def test_a_known_error_inside_these_layouts_gets_the_plain_answer():
    plain = run_engine({"error_description": _AUTHZ}).envelope()["report"]
    for form in ("compose-log", "powershell-error", "json-log"):
        report = run_engine({"error_description": FORMS[form](_AUTHZ)}).envelope()["report"]
        assert (report["category"], report["confidence"]) == (plain["category"], plain["confidence"]), form


def test_an_error_body_without_level_or_time_is_no_log_record():
    body = '{"code": "InvalidTemplate", "message": "Deployment template validation failed"}'
    assert readable_paste(body) == body


_REGIONAL_QUOTA = ("Error: creating Linux Virtual Machine: compute.VirtualMachinesClient#CreateOrUpdate: Code="
                   "\"OperationNotAllowed\" Message=\"Operation could not be completed as it results in exceeding "
                   "approved Total Regional Cores quota. Additional details - Deployment Model: Resource Manager, "
                   "Location: westeurope, Current Limit: 4, Current Usage: 4, Additional Required: 2, (Minimum) New "
                   "Limit Required: 6.\"")


def test_a_subscription_quota_stays_azures_when_the_report_names_the_runner():
    report = run_engine({"error_description": FORMS["github-issue"](_REGIONAL_QUOTA)}).envelope()["report"]
    assert report["category"] == "quota.exceeded"


def test_a_full_disk_on_the_runner_is_still_the_runners():
    text = ("docker build on ubuntu-latest (GitHub-hosted runner) fails:\nERROR: failed to solve: write "
            "/var/lib/docker/tmp/layer: no space left on device")
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope")


def test_the_go_sdks_unnamed_messaging_entity_error_is_a_missing_entity():
    text = "err = sub.Receive(ctx, handler)\nError Receive => The messaging entity could not be found"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name" and "subscription" in report["root_cause"]


def test_azure_client_id_alone_picks_a_managed_identity_not_a_service_principal():
    chain = ("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
             "EnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not "
             "fully configured.\nManagedIdentityCredential: (invalid_request) Unable to load the proper Managed "
             "Identity.\nApp settings: AZURE_CLIENT_ID=PLACEHOLDER")
    report = run_engine({"error_description": chain}).envelope()["report"]
    assert report["category"] == "auth.managed_identity_missing"
    with_secret = chain.replace("AZURE_CLIENT_ID=PLACEHOLDER", "AZURE_CLIENT_ID=abc AZURE_CLIENT_SECRET=<redacted>")
    assert run_engine({"error_description": with_secret}).envelope()["report"]["category"] == \
        "config.missing_app_setting"


def test_errors_of_lambda_keycloak_and_app_engine_are_out_of_scope():
    for text in ["chalice deploy went fine, then every request returns {\"errorMessage\": \"Unable to import module "
                 "'app'\"} (AWS Chalice)",
                 "curl $KC/realms/partners/protocol/openid-connect/token gives {\"error\": \"invalid_client\", "
                 "\"error_description\": \"Parameter client_assertion_type is missing\"} from our Keycloak on AKS"]:
        envelope = run_engine({"error_description": text}).envelope()
        assert (envelope["status"], envelope["report"]["category"]) == ("fail", "out_of_scope"), text


def test_an_azure_functions_python_import_error_stays_in_scope():
    text = ("Result: Failure Exception: ModuleNotFoundError: No module named 'requests'. Troubleshooting Guide: "
            "https://aka.ms/functions-modulenotfound\nStack: File \"/azure-functions-host/workers/python/3.11/"
            "LINUX/X64/azure_functions_worker/dispatcher.py\"")
    assert run_engine({"error_description": text}).envelope()["report"]["category"] != "out_of_scope"


def test_a_log_record_keeps_a_second_message_field_it_does_not_show_first():
    read = readable_paste(json.dumps({"time": "t", "msg": "request failed", "message": "upstream said 403"}))
    assert read.startswith("request failed\n") and "upstream said 403" in read
