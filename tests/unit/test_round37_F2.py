"""Brief F2 (thirtieth session): the mechanisms added for the development cases' classes, each firing on its report
and staying silent on its near miss.

- Foreign providers whose own CLI or API refuses the call (Snyk's SNYK-0005, sentry-cli's "sentry reported an
  error", OpenWeather's API host) end out of scope naming the vendor and what its error means.
- Storage's SAS mismatch entries name the SAS's own `ss` / `srt` letters when the report shows them.
- Azure Firewall's threat intelligence deny (AZFWThreatIntel, the legacy "ThreatIntel:" log) is its own entry.
- The Azure Monitor Agent's unreachable control endpoint names the AzureMonitor service tag.
- A custom host name App Service says already exists, held by another app read in Azure, names that app.
- An APIM subscription scoped to a product whose APIs do not include the called API names the product.
- A playbook `each` step reads items by name when the collection's answer carries no ids."""

from __future__ import annotations

from typing import Any

from shared.engines.computed_findings.app_service import hostname_bound_to_other_app
from shared.engines.computed_findings.integration import apim_subscription_scope_lacks_api
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, reads_state
from tests.helpers.scope_checks import in_scope, out_of_scope

# ---- foreign providers

SNYK = ("Release pipeline stopped at the scan task, the AzureWebApp@1 deploy never ran:\n"
        "/usr/local/bin/snyk monitor --all-projects\n"
        "ERROR   Authentication error (SNYK-0005)\n"
        "        Authentication credentials not recognized, or user access is not provisioned.\n"
        "Is the service connection to our subscription broken?")


def test_snyk_cli_authentication_error_is_snyks() -> None:
    cause = out_of_scope(SNYK)
    assert "Snyk" in cause and "SNYK_TOKEN" in cause


def test_sentry_cli_refusal_is_sentrys_even_inside_an_oryx_build() -> None:
    cause = out_of_scope(
        "Static Web Apps build failed:\n> sentry-cli releases files app@1.0 upload-sourcemaps ./build\n"
        "error: API request failed\n  caused by: sentry reported an error: Invalid token (http status: 401)\n"
        "Oryx has failed to build the solution.")
    assert "Sentry" in cause and "SENTRY_AUTH_TOKEN" in cause


def test_openweather_api_host_in_the_failing_call_is_openweathers() -> None:
    cause = out_of_scope(
        "func-weather fails: requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
        "https://api.openweathermap.org/data/2.5/weather?q=Oslo&appid=REDACTED\n"
        '{"cod":401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}')
    assert "OpenWeather" in cause and "activated" in cause


def test_a_vendor_named_in_passing_keeps_the_azure_error() -> None:
    # Snyk only mentioned as a tool the team also runs: the Azure error decides
    in_scope("We also run snyk in the pipeline. The deploy fails with:\n"
             "ERROR: (AuthorizationFailed) The client 'abc' with object id 'abc' does not have authorization to "
             "perform action 'Microsoft.Web/sites/write' over scope '/subscriptions/x/resourceGroups/rg'")


# ---- Storage SAS letters

SERVICE_MISMATCH = ("PUT https://acct.queue.core.windows.net/jobs/messages?sv=2022-11-02&ss=b&srt=sco&sp=rwdlacup"
                    "&sig=x\nHTTP/1.1 403\n<Error><Code>AuthorizationServiceMismatch</Code><Message>This request is "
                    "not authorized to perform this operation using this service.</Message></Error>")


def _root_cause(text: str) -> str:
    report = getattr(run_engine({"error_description": text}).final, "report", None)
    assert report is not None
    return str(report.root_cause)


def test_service_mismatch_names_the_sas_signed_services() -> None:
    assert best_entry_id(SERVICE_MISMATCH) == "storage-authorization-service-mismatch"
    assert "ss=b" in _root_cause(SERVICE_MISMATCH)


def test_service_mismatch_without_a_sas_shown_adds_no_placeholder() -> None:
    cause = _root_cause("ErrorCode:AuthorizationServiceMismatch This request is not authorized to perform this "
                        "operation using this service.")
    assert "ss=" not in cause and "<signed_services>" not in cause


def test_resource_type_mismatch_names_the_sas_resource_types() -> None:
    text = ("GET https://acct.blob.core.windows.net/?comp=list&sv=2022-11-02&ss=b&srt=o&sp=rl&sig=x\n"
            "<Code>AuthorizationResourceTypeMismatch</Code><Message>This request is not authorized to perform this "
            "operation using this resource type.</Message>")
    assert "srt=o" in _root_cause(text)


# ---- Azure Firewall threat intelligence

def test_threat_intel_log_row_outranks_the_default_deny() -> None:
    text = "msg_s: TCP request from 10.0.0.4:41822 to 198.51.100.23:443. Action: Deny. ThreatIntel: Bot Networks"
    assert best_entry_id(text) == "compute-azure-firewall-threat-intel-deny"
    assert best_entry_id("AZFWThreatIntel | where SourceIp == '10.0.0.4' Action: Deny") \
        == "compute-azure-firewall-threat-intel-deny"


def test_a_plain_firewall_deny_stays_the_default_deny() -> None:
    text = ("HTTPS request from 10.0.0.4:5000 to api.example.org:443. Action: Deny. No rule matched. "
            "Proceeding with default action")
    assert best_entry_id(text) == "compute-azure-firewall-default-deny"


# ---- Azure Monitor Agent

def test_ama_control_endpoint_timeout_names_the_azuremonitor_service_tag() -> None:
    cause = _root_cause("mdsd: Failed to get MCS config. Error: Couldn't connect to server (code 7) endpoint "
                        "https://westeurope.handler.control.monitor.azure.com")
    assert "AzureMonitor service tag" in cause


# ---- App Service: a custom host name held by another app

SITE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/"


def _site(name: str, hosts: list[str], state: str = "Running") -> dict[str, Any]:
    return {"type": "Microsoft.Web/sites", "name": name, "id": SITE + name, "state": state, "hostNames": hosts}


HOST_TAKEN = ("az webapp config hostname add --webapp-name app-new -g rg --hostname www.example.org\n"
              "(Conflict) Hostname 'www.example.org' already exists. Please select a different name.")


def test_hostname_already_exists_names_the_app_that_holds_it() -> None:
    state = reads_state(HOST_TAKEN, [_site("app-new", ["app-new.azurewebsites.net"]),
                                     _site("app-old", ["www.example.org", "app-old.azurewebsites.net"], "Stopped")])
    assert finding_id(state) == "app-custom-hostname-held-by-other-app"
    report = finding_report(state)
    assert report.category == "deployment.name_conflict" and "app-old" in report.root_cause
    assert "Stopped" in report.root_cause


def test_hostname_finding_stays_silent_when_no_other_app_holds_it() -> None:
    state = reads_state(HOST_TAKEN, [_site("app-new", ["app-new.azurewebsites.net"]),
                                     _site("app-old", ["shop.example.org", "app-old.azurewebsites.net"])])
    assert hostname_bound_to_other_app(state) is None
    # the same reads with no "already exists" in the report: nothing to explain
    quiet = reads_state("app-old is slow today", [_site("app-old", ["www.example.org"])])
    assert hostname_bound_to_other_app(quiet) is None


# ---- API Management: subscription scoped to a product without the called API

APIM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"


def _apim_state(report: str, product_apis: list[dict[str, Any]]) -> SessionState:
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    reads = [
        (APIM + "/subscriptions", {"type": "Microsoft.ApiManagement/service/subscriptions", "subscriptions": [
            {"name": "partner-a", "state": "active", "scope": APIM + "/products/basic"},
            {"name": "tests", "state": "active", "scope": APIM + "/apis"}]}),
        (APIM + "/apis", {"type": "Microsoft.ApiManagement/service/apis", "apis": [
            {"name": "orders", "path": "orders"}, {"name": "stock", "path": "stock"}]}),
        (APIM + "/products/basic/apis", {"type": "Microsoft.ApiManagement/service/products/apis",
                                         "apis": product_apis}),
    ]
    for resource_id, data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data)[:200], data=data,
                                    arguments={"resource_id": resource_id}))
    return state


APIM_REPORT = ("partner-a's key gets 401 on https://apim.azure-api.net/stock/v1/items/7: Access denied due to "
               "invalid subscription key. Orders work with the same key.")


def test_subscription_product_without_the_called_api_names_the_product() -> None:
    facts = apim_subscription_scope_lacks_api(_apim_state(APIM_REPORT, [{"name": "orders", "path": "orders"}]))
    assert facts is not None and facts["product"] == "basic" and facts["api"] == "stock"


def test_subscription_product_that_holds_the_api_says_nothing() -> None:
    both = [{"name": "orders", "path": "orders"}, {"name": "stock", "path": "stock"}]
    assert apim_subscription_scope_lacks_api(_apim_state(APIM_REPORT, both)) is None


# ---- playbook `each` steps over a listing whose items carry names but no ids

def _each_state(listing: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    from shared.engines.playbooks import Target
    apim = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/" \
           "Microsoft.ApiManagement/service/apim"
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="Access denied due to invalid subscription key."))
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="products", data=listing,
                                arguments={"resource_id": apim + "/products"}))
    step = {"tool": "get_resource", "each": "{resource_id}/products", "arguments": {"resource_id": "{item}/apis"},
            "purpose": "reading the APIs each product contains"}
    return state, Target(resource_id=apim, type="Microsoft.ApiManagement/service", name="apim"), step


def test_each_step_reads_items_by_name_when_the_listing_has_no_ids() -> None:
    from shared.engines.playbooks import _each_call
    from shared.session.state import RunTool
    state, target, step = _each_state({"type": "Microsoft.ApiManagement/service/products", "names": ["basic"]})
    call = _each_call(state, target, step)
    assert isinstance(call, RunTool) and call.arguments["resource_id"].endswith("/products/basic/apis")


def test_each_step_with_neither_ids_nor_names_reads_nothing_more() -> None:
    from shared.engines.playbooks import _each_call
    state, target, step = _each_state({"type": "Microsoft.ApiManagement/service/products"})
    assert _each_call(state, target, step) is None


# ---- Functions custom handler built for another OS or CPU

def test_custom_handler_exec_format_error_names_linux() -> None:
    text = ("Failed to start a new language worker for runtime: custom.\nSystem.ComponentModel.Win32Exception (8): An "
            "error occurred trying to start process '/home/site/wwwroot/handler.exe' with working directory "
            "'/home/site/wwwroot'. Exec format error")
    assert best_entry_id(text) == "functions-custom-handler-exec-format-error"
    assert "Linux" in _root_cause(text)


def test_custom_handler_that_fails_otherwise_keeps_the_generic_entry() -> None:
    text = ("Failed to start a new language worker for runtime: custom.\nSystem.ComponentModel.Win32Exception (2): An "
            "error occurred trying to start process '/home/site/wwwroot/handler' with working directory "
            "'/home/site/wwwroot'. No such file or directory")
    assert best_entry_id(text) != "functions-custom-handler-exec-format-error"
