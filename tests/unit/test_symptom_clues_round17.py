"""Seventh-session clues and report details: a ReadOnly lock behind permission-like failures, a Logic App or flow
HTTP action timing out on a long-running function, a bare relative file name in a deployed Python function,
local.settings.json that was never deployed; the provider namespace of a bare resource type; the next lines of a
pretty-printed JSON error quoted as evidence."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude
from shared.tools.azure_resources import namespace_of
from tests.helpers.clue_checks import final_of as _final
from tests.helpers.engine_loop import run_engine


def _concludes(text: str, category: str) -> bool:
    final = _final(text)
    return isinstance(final, Conclude) and final.report.category == category


def test_a_readonly_lock_in_place_explains_a_portal_blade_that_fails_for_an_owner():
    text = ("The Kubernetes resources pages of our AKS cluster say I don't have permission, although I am Owner. "
            "Last week the platform team put ReadOnly locks on all production resource groups.")
    assert _concludes(text, "deployment.resource_locked")
    final = _final(text)
    assert isinstance(final, Conclude) and "POST" in final.report.root_cause
    removed = ("The Kubernetes resources pages of our AKS cluster say I don't have permission. We had a ReadOnly lock "
               "but it was removed yesterday.")
    assert not _concludes(removed, "deployment.resource_locked") or \
        _final(removed).report.confidence == "low"  # type: ignore[union-attr]


def test_a_flow_http_action_that_times_out_on_a_function_running_minutes_is_the_two_minute_limit():
    text = ("My Power Automate flow calls our function with an HTTP action. The flow fails with 'The request timed "
            "out' but the function log shows Executed 'Functions.BuildReport' (Succeeded, Duration=368284ms).")
    assert _concludes(text, "runtime.timeout")
    short = ("My Power Automate flow calls our function with an HTTP action. The flow fails with 'The request timed "
             "out'; the function log shows Executed 'Functions.BuildReport' (Succeeded, Duration=1284ms).")
    final = _final(short)
    assert not (isinstance(final, Conclude) and final.report.confidence == "medium")  # the duration does not decide


def test_a_bare_file_name_not_found_in_a_deployed_python_function_is_a_relative_path():
    text = ("Works with func start. Published, every call returns 500:\nException: FileNotFoundError: [Errno 2] No "
            "such file or directory: 'myconfig.json'\nIn Kudu the file is in /home/site/wwwroot/LoadRates/.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "relative" in final.report.root_cause
    absolute = "Exception: FileNotFoundError: [Errno 2] No such file or directory: '/mnt/data/myconfig.json'"
    final = _final(absolute)
    assert not (isinstance(final, Conclude) and "relative path (a bare file name)" in final.report.root_cause)


def test_settings_in_local_settings_json_that_never_appear_in_azure_decide_without_a_question():
    text = ("Settings not getting deployed from VS to Azure. My function keeps its settings in local.settings.json; "
            "in Azure the function fails with ArgumentNullException for the base URL.")
    assert _concludes(text, "config.missing_app_setting")
    assert isinstance(_final("It works on my machine with func start but fails in Azure with a 500."), AskClient)


def test_a_bare_resource_type_gives_its_provider_namespace_only_when_it_is_unambiguous():
    assert namespace_of("managedClusters") == "Microsoft.ContainerService"
    assert namespace_of("Microsoft.Web/sites") == "Microsoft.Web"
    assert namespace_of("noSuchType") is None
    final = _final("The subscription is not registered for the resource type 'managedClusters' in the location "
                   "'westus'. Please re-register for this provider in order to have access to this location.")
    assert isinstance(final, Conclude) and "Microsoft.ContainerService" in final.report.root_cause


def test_the_next_lines_of_a_pretty_printed_json_error_are_quoted():
    text = ('AttachVolume.Attach failed: HTTPStatusCode: 429, RawError: {\n  "error": {\n    "code": '
            '"OperationNotAllowed",\n    "message": "The server rejected the request because too many requests '
            'have been received for this subscription.",\n    "details": [\n      {\n        "code": '
            '"TooManyRequests",\n        "target": "HighCostGetVMScaleSet30Min"\n      }\n    ]\n  }\n}')
    final = _final(text)
    assert isinstance(final, Conclude)
    assert any("HighCostGetVMScaleSet30Min" in e.summary for e in final.report.evidence)


def test_a_code_inside_a_longer_message_of_another_entry_is_that_message_s_code():
    from shared.catalog.index import catalog_index
    text = ("Azure.Messaging.EventHubs.EventHubsException(QuotaExceeded): Exceeded the maximum number of allowed "
            "receivers per partition in a consumer group which is 5.")
    ids = [h.entry.id for h in catalog_index().hits([(text, "error")])]
    assert ids[0] == "messaging-eh-max-receivers-per-partition"
    assert "compute-cores-quota-exceeded" not in ids  # the bare QuotaExceeded is inside the Event Hubs exception
    assert "compute-cores-quota-exceeded" in [h.entry.id for h in catalog_index().hits([(
        "Operation could not be completed as it results in exceeding approved quota. QuotaExceeded", "error")])]


def test_an_exact_code_of_the_family_concludes_where_the_family_s_analyzer_would_ask_for_more():
    final = _final("Error: creating Resource Group: RESPONSE 403: 403 Forbidden\n"
                   "ERROR CODE: RequestDisallowedByPolicy\nThe policy requires mandatory tags on resource groups.")
    assert isinstance(final, Conclude) and final.report.category == "deployment.policy_denied"
    final = _final("Azure.Messaging.EventHubs.EventHubsException(QuotaExceeded): Exceeded the maximum number of "
                   "allowed receivers per partition in a consumer group which is 5.")
    assert isinstance(final, Conclude) and final.report.category == "quota.exceeded"
    assert "receivers" in final.report.root_cause


def test_a_blob_trigger_container_with_upper_case_letters_is_an_invalid_name():
    text = ('The WebJob stops after "Job host started": StorageException: The remote server returned an error: (400) '
            'Bad Request at CloudBlobContainer.CreateIfNotExists.\npublic static void CompressFile([BlobTrigger('
            '"FilesToCompress/{filename}")] Stream input)')
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "lower" in final.report.root_cause
    lower = text.replace("FilesToCompress", "filestocompress")
    final = _final(lower)
    assert not (isinstance(final, Conclude) and "upper-case" in final.report.root_cause)


def test_durable_instances_pending_while_a_copy_of_the_app_shares_its_storage_is_the_task_hub():
    text = ("Our Durable orchestrations sit in Pending for 20 minutes, then run. We deployed a second function app "
            "for the port next to the old one and copied the app settings over.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "task hub" in final.report.root_cause
    assert isinstance(_final("Our Durable orchestrations sit in Pending for 20 minutes, then run."), AskClient)


def test_a_job_stopped_at_its_maximum_allowed_time_and_a_host_that_does_not_resolve_on_a_phone():
    final = _final("##[Error 2]\nThe job exceeded the maximum allowed time of 01:00:00 and was stopped.")
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"
    assert "01:00:00" in final.report.root_cause
    final = _final('Line 85 error: Unable to resolve host "westeurope.tts.speech.microsoft.com": No address '
                   'associated with hostname')
    assert isinstance(final, Conclude) and final.report.category == "network.dns_resolution"


def test_a_shell_reporting_its_process_killed_is_the_out_of_memory_killer():
    text = ("azure-functions-host/start.sh: line 28:    18 Killed                  dotnet "
            "/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost.dll\nOur EP1 Premium plan app loads a model.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.out_of_memory"
    assert final.report.confidence == "medium"
    final = _final("The deployment job was killed by the pipeline after two hours.")
    assert not (isinstance(final, Conclude) and final.report.category == "runtime.out_of_memory")


def test_runtime_unreachable_right_after_network_hardening_is_the_host_storage_firewall():
    hardened = ("Portal: Azure Functions runtime is unreachable. The timer stopped at 10:05 today. Security hardening "
                "ran this morning on our subscription.")
    final = _final(hardened)
    assert isinstance(final, Conclude) and final.report.category == "network.storage_firewall"
    plain = "Portal: Azure Functions runtime is unreachable. The timer stopped at 10:05 today."
    final = _final(plain)
    assert not (isinstance(final, Conclude) and final.report.category == "network.storage_firewall")


def test_a_clue_whose_words_the_report_denies_is_not_the_symptom():
    from shared.engines.clues import clue_in
    denied = ("Service Bus is losing orders: the checkout logs 'queued' but fulfilment never sees some of them. The "
              "dead-letter queue is empty and the function shows no errors.")
    clue = clue_in([denied])
    assert clue is None or clue["id"] != "service-bus-messages-dead-lettered"
    stated = "Our Service Bus messages end up in the dead-letter queue after a few minutes of processing."
    clue = clue_in([stated])
    assert clue is not None and clue["id"].startswith("service-bus")


def test_the_cli_storage_403_hint_with_an_open_firewall_and_auth_mode_login_is_a_missing_data_role():
    hint = ("+ az storage container create --name tfstate --account-name sttre01 --auth-mode login\nThe request may be "
            "blocked by network rules of storage account. Please check network rule set using 'az storage account "
            "show -n accountname --query networkRuleSet'.")
    final = _final(hint + "\nThe account has no firewall configured (networkRuleSet defaultAction is Allow).")
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Storage Blob Data Contributor" in " ".join(final.report.actions)
    assert isinstance(_final(hint), AskClient)  # the firewall is not ruled out: ask for the rules and the roles


def test_messages_the_catalog_now_knows_and_an_app_configuration_403_for_an_owner():
    cases = {
        "Msg 701, Level 17, State 123\nThere is insufficient system memory in resource pool 'SloSharedPool1' to run "
        "this query.": "runtime.out_of_memory",
        '"message":"Dns record for callrecordscdb under zone Document is already taken. Please use a different name '
        'for the account."': "deployment.name_conflict",
        "Computing embeddings in batch.\nRate limited on the OpenAI embeddings API, sleeping before retrying...":
            "throttling.rate_limited",
    }
    for text, category in cases.items():
        final = _final(text)
        assert isinstance(final, Conclude) and final.report.category == category, text
    owner = ("terraform apply: akc_key_value on our App Configuration store fails with Error: Unexpected error "
             "(Forbidden). I am Owner on the subscription.")
    final = _final(owner)
    assert isinstance(final, Conclude) and "App Configuration Data Owner" in final.report.root_cause
    assert isinstance(_final("terraform apply: akc_key_value on our App Configuration store fails with Error: "
                             "Unexpected error (Forbidden)."), AskClient)


def test_another_customer_hit_in_the_same_time_frame_marks_a_platform_incident():
    text = ("Some function apps on the consumption plan in North Europe stopped responding (would eventually timeout). "
            "We haven't done any recent deploys. Another functions customer seems to be experiencing issues in the "
            "same time frame.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    final = _final("Some function apps on the consumption plan in North Europe stopped responding (would eventually "
                   "timeout). We haven't done any recent deploys.")
    assert not (isinstance(final, Conclude) and final.report.category == "platform.service_incident"
                and final.report.confidence == "medium")


def test_a_five_field_cron_schedule_in_a_timer_that_does_not_fire_decides_the_clue() -> None:
    text = ('My timer function does not fire every hour on the Consumption plan.\nfunction.json:\n'
            '{"bindings": [{"name": "myTimer", "type": "timerTrigger", "schedule": "0 */1 * * *"}]}')
    report = run_engine({"error_description": text}).envelope()["report"]
    assert (report["category"], report["confidence"]) == ("runtime.code_defect", "medium")
    assert report["root_cause"].startswith("The timer trigger's schedule is a five-field")


def test_a_six_field_schedule_leaves_the_five_field_clue_silent() -> None:
    text = ('My timer function does not fire every hour on the Consumption plan.\nfunction.json:\n'
            '{"bindings": [{"name": "myTimer", "type": "timerTrigger", "schedule": "0 0 * * * *"}]}')
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert "five-field" not in str(report.get("root_cause"))


def test_an_azd_env_value_missing_in_the_app_is_the_template_not_mapping_it() -> None:
    text = ("azd env set AZURE_OPENAI_SYSTEM_MESSAGE \"Be brief.\"\nazd up\nssh to the function app: "
            "echo $AZURE_OPENAI_SYSTEM_MESSAGE -> outputs nothing.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert (report["category"], report["confidence"]) == ("config.missing_app_setting", "medium")
    assert "AZURE_OPENAI_SYSTEM_MESSAGE" in str(report["evidence"])


def test_an_infra_redeploy_that_leaves_only_the_stub_is_the_run_from_package_setting_it_dropped() -> None:
    text = ("The function app is deployed by an infra pipeline (Bicep, appSettings under siteConfig) and an app "
            "pipeline (zip package). After the infra pipeline ran, the portal only shows the Stub function and our "
            "real functions are gone.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.missing_app_setting"
    assert "WEBSITE_RUN_FROM_PACKAGE" in report["root_cause"]
    named = text + " WEBSITE_RUN_FROM_PACKAGE is in the template's settings."
    assert "WEBSITE_RUN_FROM_PACKAGE that points" not in str(
        run_engine({"error_description": named}).envelope().get("report"))


def test_an_index_document_that_differs_from_the_file_only_in_case_explains_the_root_404() -> None:
    text = ("The root URL returns The requested content does not exist. ErrorCode: WebContentNotFound\n"
            "az storage blob service-properties update --account-name st1 --static-website --index-document Index.html"
            "\n$ az storage blob list -c '$web' --query \"[].name\" -o tsv\n  404.html\n  index.html\n")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert "different letter case" in report["root_cause"]
    same = text.replace("--index-document Index.html", "--index-document index.html")
    assert "different letter case" not in run_engine({"error_description": same}).envelope()["report"]["root_cause"]


def test_a_redirect_loop_behind_cloudflare_ends_as_out_of_scope() -> None:
    text = ("With the Cloudflare proxy on in front of my static web app I get ERR_TOO_MANY_REDIRECTS; with DNS only "
            "the custom domain works.\nHTTP/2 301\nserver: cloudflare")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_a_virtual_environment_in_the_package_refines_the_family_answer_for_a_missing_module() -> None:
    text = ("Exception: ModuleNotFoundError: No module named 'requests'. The pipeline installs requirements.txt into "
            ".venv36/lib/site-packages and zip-deploys the package.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "runtime.dependency_missing" and ".python_packages" in report["root_cause"]
    plain = "Exception: ModuleNotFoundError: No module named 'requests'. We zip-deploy the package from the pipeline."
    assert "virtual environment folder" not in run_engine({"error_description": plain}).envelope()["report"][
        "root_cause"]


def test_two_function_apps_given_the_same_content_share_explain_one_deploy_replacing_the_other() -> None:
    text = ("I have two function apps on one plan. After deploying func-invoices, func-orders lists the same "
            "functions as func-invoices. Both come from one Bicep module with the same storageAccountName and the "
            "same contentShareName.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "functions.host_misconfigured" and "WEBSITE_CONTENTSHARE" in report["root_cause"]


def test_storage_authentication_failures_after_a_key_rotation_name_the_connection_setting() -> None:
    text = ("StorageException: Server failed to authenticate the request. Make sure the value of Authorization header "
            "is formed correctly including the signature.\nWe rotate the storage account keys regularly.")
    assert "AzureWebJobsStorage" in run_engine({"error_description": text}).envelope()["report"]["root_cause"]


def test_a_graph_permission_added_for_a_daemon_without_consent_is_named() -> None:
    text = ("acquire_token_for_client(scopes=['https://graph.microsoft.com/.default']) -> token acquired\n"
            "403 {\"error\": {\"code\": \"Authorization_RequestDenied\", \"message\": \"Insufficient privileges to "
            "complete the operation.\"}}\nWe added the User.Read.All permission to the app registration last week.")
    assert "admin consent" in run_engine({"error_description": text}).envelope()["report"]["root_cause"]


def test_a_service_bus_scale_rule_on_a_listen_only_policy_needs_manage() -> None:
    text = ("Container Apps job with a custom azure-servicebus scale rule; the SAS policy on the namespace has only "
            "Listen. Messages pile up and no execution starts.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "auth.rbac_missing" and "Manage" in report["root_cause"]


def test_node_17_openssl_build_failure_is_out_of_scope() -> None:
    text = ("npm run build fails:\nError: error:0308010C:digital envelope routines::unsupported\n"
            "  code: 'ERR_OSSL_EVP_UNSUPPORTED'\nNode v18.15.0. Is my Static Web App setup missing something?")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
