"""Round 36 brief G1 (earlier blind cases, wrong category): the mechanisms added, each shown firing on a variant of
tests/scenarios/rob29G1 and staying silent on a near miss that lacks its deciding fact.

- a static web app's setting names are read (listAppSettings), a configuration's clientIdSettingName counts as a
  setting the app reads, and AADSTS900144's missing client_id yields to the absent setting that should supply it;
- AADSTS900023 (a tenant identifier that is neither a GUID nor a domain) is a configuration value;
- Event Grid push delivery to a destination reachable only through a private endpoint;
- Event Grid's validation refused with 403 while the handler answers a posted validation event: ask what is in front;
- "the same URL from my laptop" followed by it working is no failure outside Azure;
- ContainerAppInvalidResourceTotal above the largest pair a Consumption-only environment lists;
- Graph's CompactToken parsing failure with a token that decodes fine: a malformed header;
- the other OS family's Custom Script Extension;
- an upload PUT to a container's SAS URL without a blob name."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.session.state import Material
from shared.tools.text_tools import code_setting_names
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob29G1"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


def _envelope(text: str, answers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return run_engine({"error_description": text}, answers).envelope()


def _category(text: str) -> str | None:
    return (_envelope(text).get("report") or {}).get("category")


# --- static web apps: the setting clientIdSettingName names ---------------------------------------------------------

SWA = "rob29g1-swa-custom-oidc-login"


def test_the_setting_a_static_web_app_config_names_is_missing(azure: PlaybackServer) -> None:
    case = _case(SWA)
    azure.load(case["azure"])
    outcome = run_engine(case["request"], azure_access=True)
    report = outcome.final.report
    assert report.category == "config.missing_app_setting"
    assert "ENTRA_APP_CLIENT_ID" in report.root_cause and "swa-volunteer-events" in report.root_cause
    calls = [c["path"] for c in azure.calls]
    assert any(p.endswith("/staticSites/swa-volunteer-events/listAppSettings") for p in calls)


def test_a_static_web_app_that_has_the_named_setting_is_not_called_missing(azure: PlaybackServer) -> None:
    case = _case(SWA)
    listing = next(e for e in case["azure"] if str(e["match"].get("path", "")).endswith("/listAppSettings"))
    listing["body"]["properties"]["ENTRA_APP_CLIENT_ID"] = "<redacted>"
    listing["body"]["properties"]["ENTRA_APP_CLIENT_SECRET"] = "<redacted>"
    azure.load(case["azure"])
    report = getattr(run_engine(case["request"], azure_access=True).final, "report", None)
    assert report is None or report.category != "config.missing_app_setting"


def test_a_same_suffix_setting_the_app_has_is_named(azure: PlaybackServer) -> None:
    case = _case(SWA)
    listing = next(e for e in case["azure"] if str(e["match"].get("path", "")).endswith("/listAppSettings"))
    listing["body"]["properties"] = {"AZURE_APP_CLIENT_ID": "<redacted>", "OTHER": "x"}
    azure.load(case["azure"])
    report = run_engine(case["request"], azure_access=True).final.report
    assert report.category == "config.missing_app_setting" and "AZURE_APP_CLIENT_ID" in report.root_cause


def test_setting_name_keys_count_as_settings_read_but_other_keys_do_not() -> None:
    material = Material(error_description='"clientIdSettingName": "AAD_CLIENT_ID", "clientSecretSettingName": '
                                          '"AAD_CLIENT_SECRET", "displayName": "NOT_A_SETTING"')
    names = code_setting_names(material)
    assert "AAD_CLIENT_ID" in names and "AAD_CLIENT_SECRET" in names and "NOT_A_SETTING" not in names


# --- AADSTS900023: a tenant identifier that is no tenant id ----------------------------------------------------------

def test_a_tenant_display_name_in_the_tenant_setting_is_a_configuration_value() -> None:
    case = _case("rob29g1-dotnet-clientsecretcredential-aadsts900023")
    report = run_engine(case["request"]).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string" and "AZURE_TENANT_ID" in report["root_cause"]


def test_a_tenant_that_does_not_exist_stays_a_wrong_name() -> None:
    assert best_entry_id("AADSTS90002: Tenant 'contoso-finance.onmicrosoft.com' not found. Check to make sure you "
                         "have the correct tenant ID") != "entra-aadsts900023-invalid-tenant-identifier"


# --- Event Grid delivery to a private-endpoint-only destination ------------------------------------------------------

def test_event_grid_delivery_to_a_private_endpoint_function_is_the_network_path() -> None:
    case = _case("rob29g1-eventgrid-system-topic-webhook-on-private-endpoint")
    report = run_engine(case["request"]).envelope()["report"]
    assert report["category"] == "network.nsg_blocked" and "private endpoint" in report["root_cause"]


def test_event_grid_delivering_to_a_service_bus_queue_endpoint_type_is_not_that_clue() -> None:
    text = ("Event Grid custom topic egt-orders delivers to a Service Bus queue as the endpoint type; the namespace "
            "has a private endpoint. Dead-lettered events show deadLetterReason UndeliverableDueToClientError, "
            "lastDeliveryOutcome Unauthorized.")
    report = _envelope(text).get("report") or {}
    assert "cannot deliver\nthrough a private endpoint" not in report.get("root_cause", "")
    assert "cannot deliver through a private endpoint" not in report.get("root_cause", "")


# --- Event Grid validation refused in front of a handler that answers -----------------------------------------------

def test_validation_forbidden_while_the_handler_answers_asks_then_the_waf_log_decides() -> None:
    case = _case("rob29g1-eventgrid-validation-forbidden-front-door-waf")
    outcome = run_engine(case["request"], case["client"])
    assert len(outcome.requests) == 1
    report = outcome.envelope()["report"]
    assert report["category"] == "network.nsg_blocked" and "WAF" in report["root_cause"]


def test_validation_failing_on_an_http_triggered_function_stays_the_code() -> None:
    text = ("az eventgrid event-subscription create fails: Webhook validation handshake failed for "
            "https://func-orders.azurewebsites.net/api/OnEvent. Http POST request failed with response code "
            "Forbidden. The endpoint is our HttpTrigger function.")
    assert _category(text) != "network.nsg_blocked"


def test_same_url_from_my_laptop_that_works_is_not_a_failure_outside_azure() -> None:
    text = ("Webhook validation handshake failed for https://api.example-claims.test/hooks. Http POST request failed "
            "with response code Forbidden. I tried the same URL from my laptop and it came back with 200.")
    assert (_envelope(text).get("report") or {}).get("category") != "out_of_scope"


# --- Container Apps: a size the Consumption-only environment does not offer -----------------------------------------

PAIRS = ("[cpu: 0.25, memory: 0.5Gi]; [cpu: 0.5, memory: 1.0Gi]; [cpu: 1.0, memory: 2.0Gi]; [cpu: 1.5, memory: "
         "3.0Gi]; [cpu: 2.0, memory: 4.0Gi]")


def test_a_total_above_the_largest_listed_pair_is_a_size_not_offered() -> None:
    text = ("(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for this application "
            f"(CPU: 3, memory: 6) is invalid. Total CPU and memory ... combinations: {PAIRS}")
    assert best_entry_id(text) == "containers-aca-resource-total-above-consumption-only-environment"


def test_an_odd_pair_within_the_range_stays_a_template_error() -> None:
    text = ("(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for this application "
            f"(CPU: 1.25, memory: 2) is invalid. Total CPU and memory ... combinations: {PAIRS}")
    assert best_entry_id(text) != "containers-aca-resource-total-above-consumption-only-environment"


# --- Graph: a valid token behind a malformed header ------------------------------------------------------------------

def test_compact_token_parsing_with_a_token_that_decodes_fine_is_the_header() -> None:
    text = ("Graph answers 401 InvalidAuthenticationToken: CompactToken parsing failed with error code: 80049217. "
            "Decoded at jwt.ms the token shows aud https://graph.microsoft.com and is not expired.")
    assert best_entry_id(text) == "entra-graph-compact-token-parsing-valid-token-malformed-header"
    assert _category(text) == "runtime.code_defect"


def test_compact_token_parsing_alone_stays_the_token_entry() -> None:
    text = "Graph answers 401 InvalidAuthenticationToken: CompactToken parsing failed with error code: 80049217"
    assert best_entry_id(text) == "entra-graph-invalid-authentication-token"


# --- the other OS family's Custom Script Extension ------------------------------------------------------------------

def test_the_windows_custom_script_extension_on_linux_is_a_template_error() -> None:
    text = ("Ubuntu scale set: Extension with publisher 'Microsoft.Compute', type 'CustomScriptExtension', and type "
            "handler version '2.0' could not be found in the extension repository.")
    assert best_entry_id(text) == "compute-extension-of-the-other-os-family"


def test_an_unknown_extension_version_on_windows_stays_not_found() -> None:
    text = ("Windows Server VM: Extension with publisher 'Microsoft.Compute', type 'CustomScriptExtension', and type "
            "handler version '3.0' could not be found in the extension repository.")
    assert best_entry_id(text) == "compute-extension-not-found"


# --- an upload to a container's SAS URL ------------------------------------------------------------------------------

def test_an_upload_to_a_container_sas_url_is_the_url() -> None:
    case = _case("rob29g1-powershell-invoke-restmethod-put-to-container-sas-url")
    report = run_engine(case["request"]).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string" and "blob name" in report["root_cause"]


def test_an_expired_container_sas_is_not_called_a_missing_blob_name() -> None:
    text = ("Uploading with curl -T to https://stdata01.blob.core.windows.net/drops?sv=2022-11-02&sr=c&sig=abc fails: "
            "403 AuthenticationFailed Server failed to authenticate the request. AuthenticationErrorDetail: Signature "
            "not valid in the specified time frame")
    report = _envelope(text).get("report") or {}
    assert "blob name" not in report.get("root_cause", "")
