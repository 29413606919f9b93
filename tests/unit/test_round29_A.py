"""Round 29 (helper A, the twenty-second session's blind real65/66 and docs37 failures): the ARM-built image's exec
format error also in runc's longer form, an aiohttp app under App Service's auto-detected gunicorn command, a Node
app listening on a port of its own while the built-in stack pings PORT, another platform's start-up error (a
Heroku dyno, Docker Desktop's local emulation), a timer's RunOnStartup and the queue sender's encoding."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude
from tests.helpers.clue_checks import asks, concludes, final_of
from tests.helpers.engine_loop import run_engine


def _report(text: str) -> dict:
    envelope = run_engine({"error_description": text}).envelope()
    return {"status": envelope["status"], **(envelope.get("report") or {})}


RUNC = ("Azure App Service (Linux, custom container) never starts. Container log:\n"
        "  standard_init_linux.go:211: exec user process caused: exec format error\n")


def test_runc_exec_format_error_of_an_image_built_on_apple_silicon_names_the_architecture() -> None:
    report = _report(RUNC + "I built the image on my MacBook with an M2 chip and pushed it to ACR.")
    assert report["status"] == "done" and report["category"] == "container.image_pull_failed"
    assert "ARM" in report["root_cause"] and "linux/amd64" in " ".join(report["actions"])


def test_runc_exec_format_error_without_a_build_host_stays_the_generic_reading() -> None:
    report = _report(RUNC + "The image is pulled from our registry.")
    assert "Apple silicon" not in str(report.get("root_cause"))


GUNICORN = ("App Service Linux, Python 3.11. Log stream:\n"
            "  App Command Line not configured, will attempt auto-detect\n"
            "  Generating `gunicorn` command for 'app:app'\n"
            "  Failed to find attribute 'app' in 'app'.\n")


def test_an_aiohttp_app_under_the_auto_detected_gunicorn_command_needs_a_startup_command() -> None:
    report = _report(GUNICORN + "The app is an aiohttp web.Application built in init_func().")
    assert report["category"] == "config.missing_app_setting"
    assert "init_func" in " ".join(report["actions"])


def test_a_flask_app_missing_its_object_stays_a_code_defect() -> None:
    report = _report(GUNICORN + "The Flask object in app.py is called application.")
    assert report["category"] == "runtime.code_defect"


PINGS = ("Linux web app, built-in Node 18 stack, npm start. Log stream:\n"
         "  ERROR - Container web_0_1 for site web did not start within expected time limit. Elapsed time = 230 sec\n"
         "  ERROR - Container web_0_1 didn't respond to HTTP pings on port: 8080, failing site start.\n")


def test_a_node_app_listening_on_its_own_port_while_pinged_on_port_is_a_code_defect() -> None:
    report = _report(PINGS + "  web listening on http://localhost:5000\n")
    assert report["category"] == "runtime.code_defect"
    assert "process.env.PORT" in " ".join(report["actions"])


def test_a_node_app_listening_on_the_pinged_port_is_no_hardcoded_port() -> None:
    report = _report(PINGS + "  web listening on http://0.0.0.0:8080\n")
    assert report.get("category") != "runtime.code_defect"


def test_a_gunicorn_error_in_a_heroku_dyno_log_is_out_of_scope_though_azure_is_named() -> None:
    report = _report(
        "Our dashboard runs on Heroku, its API on Azure App Service.\n"
        "  app[web.1]: Failed to find attribute 'server' in 'dashboard'.\n"
        "  heroku[web.1]: State changed from starting to crashed\n")
    assert report["status"] == "fail" and report["category"] == "out_of_scope"


def test_the_same_gunicorn_error_in_app_service_is_not_heroku() -> None:
    assert _report(GUNICORN + "The Flask object in app.py is called application.")["category"] != "out_of_scope"


EMULATED = ("Before deploying to App Service I test locally in Docker Desktop on Apple silicon, Rosetta enabled:\n"
            "  $ docker run --rm --platform linux/amd64 debian:12 uname -m\n"
            "  exec /usr/bin/uname: exec format error\n")


def test_a_local_docker_run_under_docker_desktop_emulation_is_out_of_scope() -> None:
    report = _report(EMULATED)
    assert report["status"] == "fail" and report["category"] == "out_of_scope"


def test_an_exec_format_error_in_azure_from_a_mac_built_image_is_not_docker_desktops() -> None:
    report = _report(RUNC + "Docker Desktop (Rosetta on) on my M1 Mac built the image; docker run works there.")
    assert report["category"] == "container.image_pull_failed"


TIMER = ("Azure Functions, Consumption plan. The nightly job\n"
         "  [TimerTrigger(\"0 0 2 * * *\"{})] TimerInfo timer\n"
         "runs every 10 minutes all day instead of once at 2am.")


def test_a_timer_with_run_on_startup_running_all_day_concludes_run_on_startup() -> None:
    text = TIMER.format(", RunOnStartup = true")
    assert concludes(text, "runtime.code_defect")
    final = final_of(text)
    assert isinstance(final, Conclude) and "RunOnStartup" in final.report.root_cause


def test_a_timer_without_run_on_startup_asks_for_its_definition() -> None:
    assert asks(TIMER.format(""), "RunOnStartup")
    assert not isinstance(final_of("How do I write a CRON expression for a timer trigger?"), Conclude)


def test_a_poison_queue_behind_a_v12_sender_is_the_senders_code() -> None:
    text = ("Our queue trigger never runs; every message goes to orders-poison. The sender now uses "
            "Azure.Storage.Queues 12 (QueueClient.SendMessageAsync with the JSON text).")
    assert concludes(text, "runtime.code_defect")
    assert isinstance(final_of("Our queue trigger never runs, nothing in the logs."), AskClient)


CLI_FAILURE = ("Authentication failure. This may be caused by either invalid account key, connection string or sas "
               "token value provided for your storage account.")


def test_the_cli_key_wording_under_auth_mode_login_is_a_missing_data_role() -> None:
    report = _report("az storage blob download --account-name stdata -c in -n a.csv -f a.csv --auth-mode login\n"
                     + CLI_FAILURE)
    assert report["category"] == "auth.rbac_missing" and "Storage Blob Data" in report["root_cause"]


def test_the_cli_key_wording_with_a_key_is_no_role_question() -> None:
    report = _report("az storage blob download --account-name stdata -c in -n a.csv -f a.csv --account-key abc==\n"
                     + CLI_FAILURE)
    assert report.get("category") != "auth.rbac_missing"


def _entity_missing(name: str) -> str:
    return ("Function app publishing to Service Bus fails:\n"
            f"ServiceBusException: Put token failed. status-code: 404, status-description: The messaging entity "
            f"'sb://sb-orders.servicebus.windows.net/{name}' could not be found. (MessagingEntityNotFound)\n"
            "$ az servicebus topic subscription list -g rg --namespace-name sb-orders --topic-name order-events "
            "--query \"[].name\" -o tsv\nbilling\nshipping\n")


def test_a_missing_entity_the_report_lists_as_a_subscription_is_a_subscription_name_used_as_topic() -> None:
    report = _report(_entity_missing("shipping"))
    assert report["category"] == "config.wrong_resource_name"
    assert "subscription of the topic 'order-events'" in report["root_cause"]


def test_a_missing_entity_not_among_the_subscriptions_keeps_the_plain_not_found() -> None:
    report = _report(_entity_missing("shiping-queue"))
    assert report["category"] == "config.wrong_resource_name"
    assert "subscription of the topic" not in report["root_cause"]


PK_400 = ("CosmosException: Response status code does not indicate success: BadRequest (400); Substatus: 1001; "
          "Reason: (PartitionKey extracted from document doesn't match the one specified in the header)\n")


def test_the_partition_key_mismatch_names_the_containers_key_path_and_the_value_passed() -> None:
    report = _report(PK_400 + "await c.CreateItemAsync(order, new PartitionKey(order.StoreId));\n"
                     "az cosmosdb sql container create ... --partition-key-path /regionId")
    assert "/regionId" in report["root_cause"] and "order.StoreId" in report["root_cause"]


def test_the_partition_key_mismatch_without_a_path_keeps_the_plain_meaning() -> None:
    report = _report(PK_400 + "It happens on every insert.")
    assert report["category"] == "runtime.code_defect" and "partitioned on" not in report["root_cause"]


def test_the_portals_invalid_operating_system_tag_names_the_buildx_attestation() -> None:
    report = _report("Container Apps portal, Edit container, new tag: "
                     "Selected tag uses an invalid operating system ''.")
    assert report["category"] == "container.image_pull_failed" and "attestation" in report["root_cause"]
    assert "--provenance=false" in " ".join(report["actions"])


def test_a_recorded_path_fragment_names_a_deployment_by_either_address() -> None:
    from evals.playback import matches
    fragment = "/resourceGroups/rg/providers/Microsoft.Resources/deployments/d1/operations"
    provider_form = {"method": "GET", "path_contains": fragment}
    sdk_path = "/subscriptions/s/resourcegroups/rg/deployments/d1/operations"
    assert matches(provider_form, "GET", "management.azure.com", sdk_path, "")
    assert not matches(provider_form, "GET", "management.azure.com", sdk_path.replace("d1", "d2"), "")
