"""Round 35, brief F1: the mechanisms added for the development cases of real84 and docs56 (rob281 variants).

Each mechanism is shown firing on a variant and staying silent on a near miss that lacks its deciding fact."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, out_of_scope_report, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob281"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


def _report(outcome: Any) -> Any:
    return getattr(outcome.final, "report", None)


def _body(case: dict[str, Any], path_end: str) -> dict[str, Any]:
    return next(e["body"] for e in case["azure"] if str(e["match"].get("path", "")).endswith(path_end))


# --- catalog: other platforms' own refusals ---------------------------------------------------------------------------

def test_github_git_protocol_refusal_is_out_of_scope() -> None:
    report = out_of_scope_report("npm ci\nnpm ERR! fatal: remote error:\nnpm ERR!   The unauthenticated git "
                                 "protocol on port 9418 is no longer supported.\n(deploying to Azure App Service)")
    assert "git://" in report["root_cause"]


def test_pagerduty_invalid_event_is_out_of_scope() -> None:
    assert best_entry_id('POST https://events.pagerduty.com/v2/enqueue -> 400 {"status":"invalid event","message":'
                         '"Event object is invalid"}') == "other-clouds-pagerduty-events-invalid-event"


def test_lets_encrypt_failed_validation_limit_is_the_rate_limit_entry() -> None:
    assert best_entry_id("429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many failed "
                         "authorizations recently") == "other-clouds-lets-encrypt-rate-limit"


def test_a_git_error_without_the_protocol_refusal_is_not_the_git_protocol_entry() -> None:
    assert best_entry_id("fatal: could not read Username for 'https://github.com': terminal prompts disabled") != \
        "other-clouds-github-git-protocol-unauthenticated-9418"


# --- catalog: specific errors over generic envelopes ------------------------------------------------------------------

def test_werkzeug3_url_quote_beats_the_workers_import_guide() -> None:
    text = ("Exception: ImportError: cannot import name 'url_quote' from 'werkzeug.urls'. Please check the "
            "requirements.txt file for the missing module. For more info, please refer the troubleshooting guide: "
            "https://aka.ms/functions-modulenotfound")
    assert best_entry_id(text) == "python-werkzeug3-url-quote-removed-old-flask"


def test_a_missing_module_with_the_guide_stays_module_not_found() -> None:
    text = ("Exception: ModuleNotFoundError: No module named 'requests'. Please check the requirements.txt file for "
            "the missing module. Troubleshooting Guide: https://aka.ms/functions-modulenotfound")
    assert best_entry_id(text) == "python-functions-module-not-found"


def test_the_subnet_prefix_reason_outranks_the_generic_network_configuration_code() -> None:
    text = ('Code="ManagedEnvironmentInvalidNetworkConfiguration" Message="The environment network configuration is '
            'invalid: The subnet and its addressPrefix could not be found."')
    assert best_entry_id(text) == "containers-aca-subnet-prefix-not-found"


def test_another_network_reason_keeps_the_generic_code_entry() -> None:
    text = ('Code="ManagedEnvironmentInvalidNetworkConfiguration" Message="The environment network configuration is '
            'invalid: the subnet is used by another resource."')
    assert best_entry_id(text) == "containers-aca-invalid-network-configuration"


def test_a_key_vault_certificate_referenced_by_thumbprint_asks_for_certificate_id() -> None:
    report = _report(run_engine(_case("rob281-apim-bicep-backend")["request"]))
    assert report is not None and report.category == "deployment.template_invalid"
    assert "certificate-id" in report.root_cause and "ledger-client" in report.root_cause


def test_static_web_apps_bare_internal_server_error_asks_for_the_environments_first() -> None:
    case = _case("rob281-swa-azure-devops")
    outcome = run_engine(case["request"])
    assert outcome.requests and "environment" in outcome.requests[0].request.question.lower() + " ".join(
        outcome.requests[0].request.suggested_commands or []).lower()
    answered = run_engine(case["request"], case["client"])
    report = _report(answered)
    assert report is not None and report.category == "quota.exceeded" and report.confidence == "low"


# --- symptom clues --------------------------------------------------------------------------------------------------

def test_a_key_connection_failing_with_an_unknown_error_asks_about_local_auth() -> None:
    case = _case("rob281-logicapp-portal")
    outcome = run_engine(case["request"])
    assert outcome.requests and "local" in outcome.requests[0].request.question.lower()
    report = _report(run_engine(case["request"], case["client"]))
    assert report is not None and report.category == "auth.credential_invalid"
    assert "local auth" in report.root_cause.lower()


def test_a_report_that_says_local_auth_is_off_is_decided_without_asking() -> None:
    case = _case("rob281-logicapp-portal")
    case["request"]["error_description"] += "\nThe namespace shows Local Authentication: Disabled."
    outcome = run_engine(case["request"])
    report = _report(outcome)
    assert not outcome.requests and report is not None and report.category == "auth.credential_invalid"


def test_a_connection_error_with_a_reason_is_not_the_local_auth_clue() -> None:
    text = ("Creating the Service Bus connection with the connection string Endpoint=sb://x.servicebus.windows.net/;"
            "SharedAccessKeyName=a;SharedAccessKey=<redacted> fails: The messaging entity 'orders' could not be found.")
    report = _report(run_engine({"error_description": text}))
    assert report is None or "local auth" not in report.root_cause


def test_an_image_reference_nesting_another_registry_host_names_the_wrong_registry() -> None:
    report = _report(run_engine(_case("rob281-acr-import-hub")["request"]))
    assert report is not None and report.category == "config.wrong_resource_name"
    assert "registry.hub.docker.com" in report.root_cause and "quay.io" in report.root_cause


def test_a_plain_docker_hub_reference_is_not_called_nested() -> None:
    case = _case("rob281-acr-import-hub")
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        "registry.hub.docker.com/quay.io/prometheus", "docker.io/prom")
    report = _report(run_engine(case["request"]))
    assert report is None or report.category != "config.wrong_resource_name"


# --- evidence findings from Azure reads -------------------------------------------------------------------------------

SCALE = "rob281-containerapp-servicebus-scale-rule"


def test_a_scale_rule_secret_ref_the_app_does_not_define_is_named(azure: PlaybackServer) -> None:
    case = _case(SCALE)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "config.wrong_resource_name"
    assert "sb-conn" in report.root_cause and "servicebus-connection-string" in report.root_cause


def test_a_scale_rule_whose_secret_exists_is_not_called_undefined(azure: PlaybackServer) -> None:
    case = _case(SCALE)
    app = _body(case, "/containerApps/ca-orders-worker")
    app["properties"]["configuration"]["secrets"].append({"name": "sb-conn"})
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is None or "sb-conn" not in report.root_cause


CLIENT_ID = "rob281-func-dedicated-host-storage"


def test_a_host_storage_connection_without_its_client_id_on_a_user_assigned_app(azure: PlaybackServer) -> None:
    case = _case(CLIENT_ID)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "auth.managed_identity_missing"
    assert "AzureWebJobsStorage__clientId" in report.root_cause


def test_a_host_storage_connection_that_names_its_client_id_is_not_flagged(azure: PlaybackServer) -> None:
    case = _case(CLIENT_ID)
    settings = _body(case, "/config/appsettings/list")["properties"]
    settings["AzureWebJobsStorage__credential"] = "managedidentity"
    settings["AzureWebJobsStorage__clientId"] = "9f1c3b57-2e84-5a06-b7d9-4c8a0e6f2d13"
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is None or "names none of them" not in report.root_cause


CERT = "rob281-webapp-linux-python-p12"


def test_a_certificate_missing_from_website_load_certificates_is_named(azure: PlaybackServer) -> None:
    case = _case(CERT)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "config.missing_app_setting"
    assert "WEBSITE_LOAD_CERTIFICATES" in report.root_cause
    assert "4C7D21E9A0B35F68D19C2E7B40A8F5D3E62C1B97" in report.root_cause


def test_a_load_list_of_star_does_not_flag_the_certificate(azure: PlaybackServer) -> None:
    case = _case(CERT)
    _body(case, "/config/appsettings/list")["properties"]["WEBSITE_LOAD_CERTIFICATES"] = "*"
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is None or "lists only" not in report.root_cause


APIM = "rob281-apim-gateway-hostname"


def test_an_apim_host_name_pinned_to_a_secret_version_keeps_the_old_certificate(azure: PlaybackServer) -> None:
    case = _case(APIM)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "auth.credential_invalid"
    assert "version" in report.root_cause and "gw-northwind-mobile" in report.root_cause


def test_a_versionless_key_vault_identifier_is_not_called_pinned(azure: PlaybackServer) -> None:
    case = _case(APIM)
    service = _body(case, "/service/apim-northwind-mobile")
    service["properties"]["hostnameConfigurations"][1]["keyVaultId"] = \
        "https://kv-northwind-edge.vault.azure.net/secrets/gw-northwind-mobile"
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is None or "names one secret version" not in report.root_cause


# --- Container Apps jobs' cron validation ---------------------------------------------------------------------------

def test_a_valid_five_field_cron_refused_is_the_services_validation() -> None:
    text = "(InvalidCronExpression) Given CRON expression - '20 0,1,2 * * *' is not valid, please visit the docs"
    assert best_entry_id(text) == "containers-aca-job-valid-cron-rejected-by-validation"


def test_a_six_field_cron_refused_is_the_templates_expression() -> None:
    text = "(InvalidCronExpression) Given CRON expression - '0 */5 * * * *' is not valid, please visit the docs"
    assert best_entry_id(text) == "containers-aca-job-cron-expression-invalid"


def test_an_hour_out_of_range_is_not_called_valid() -> None:
    text = "(InvalidCronExpression) Given CRON expression - '0 25 * * *' is not valid, please visit the docs"
    assert best_entry_id(text) == "containers-aca-job-cron-expression-invalid"


# --- azd --no-prompt and a location parameter without a value --------------------------------------------------------

def test_the_location_parameter_azd_prompted_for_is_named_from_its_allowed_list() -> None:
    report = _report(run_engine(_case("rob281-azd-provision")["request"]))
    assert report is not None and report.category == "config.missing_app_setting"
    assert "searchServiceLocation" in report.root_cause


def test_without_the_template_the_parameter_is_not_guessed() -> None:
    case = _case("rob281-azd-provision")
    text = case["request"]["error_description"]
    case["request"]["error_description"] = text.split("Pipeline variables")[0]
    report = _report(run_engine(case["request"]))
    assert report is not None and report.category == "config.missing_app_setting"
    assert "searchServiceLocation" not in report.root_cause and "(location)" not in report.root_cause


def test_a_docker_hub_host_written_twice_is_not_another_registry() -> None:
    text = ("Container app update failed: 'template.containers.web.image' is invalid with details: 'Invalid value: "
            "\"docker.io/docker.io/acme/web:latest\": GET https:: UNAUTHORIZED: authentication required'")
    report = _report(run_engine({"error_description": text}))
    assert report is None or report.category != "config.wrong_resource_name"
