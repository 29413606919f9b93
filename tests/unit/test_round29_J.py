"""Round 29 J (real reports of App Service, Functions, Static Web Apps, Logic Apps Standard, API Management and
Application Gateway): an Application Gateway probe path without its slash, the gateway's Key Vault access denied by
the vault firewall or by a missing permission, the WAF rule that matched before the scoring rule, a trigger whose
connection property holds the connection string itself, a deployed Python v2 app without the worker-indexing flag,
Core Tools on a machine with CONTAINER_NAME, a linked Static Web Apps backend without public access, API Management's
internal-mode host names, an identity the report says was removed, and hosts outside Azure (a Synology NAS, an
on-premises server's certificate)."""

from __future__ import annotations

from typing import Any

from tests.helpers.engine_loop import run_engine


def _report(text: str, **environment: Any) -> tuple[str | None, dict[str, Any]]:
    start: dict[str, Any] = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    envelope = run_engine(start).envelope()
    return envelope.get("status"), envelope.get("report") or {}


def _category(text: str, **environment: Any) -> str | None:
    return _report(text, **environment)[1].get("category")


# --- Application Gateway probe path -------------------------------------------------------------------------------

PROBE = ('network.ApplicationGatewaysClient#CreateOrUpdate: Failure sending request: StatusCode=400 -- Original Error: '
         'Code="ApplicationGatewayProbePathIsInvalid" Message="Path specified for Probe '
         '/subscriptions/x/resourceGroups/'
         'rg/providers/Microsoft.Network/applicationGateways/agw/probes/pb-default-api-8080 is not valid. Path must '
         'start with a forward slash (/) and meet the format requirements." Details=[]')


def test_a_probe_path_without_its_slash_is_a_template_error_naming_the_probe() -> None:
    status, report = _report("AGIC stopped syncing the ingresses:\n" + PROBE)
    assert status == "done" and report["category"] == "deployment.template_invalid"
    assert "pb-default-api-8080" in report["root_cause"] and "/" in report["root_cause"]


def test_another_autorest_code_is_not_read_as_a_probe_path() -> None:
    text = ('Failure sending request: StatusCode=400 -- Original Error:'
            ' Code="ApplicationGatewaySubnetCannotBeUsedByOther'
            'Resources" Message="The subnet cannot be used by other resources."')
    assert "probe" not in (_report(text)[1].get("root_cause") or "").lower()


# --- Application Gateway and its Key Vault certificate ------------------------------------------------------------

KV_DENIED = ("Deployment failed. Correlation ID: 1. Access denied for KeyVault Secret 'https://kv.vault.azure.net/"
             "secrets/ats' for Application Gateway '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/"
             "applicationGateways/agw'. Make sure that Identity assigned to Application Gateway has access to the "
             "KeyVault associated with secret.")


def test_identity_with_access_and_a_vault_open_to_selected_networks_is_the_vault_firewall() -> None:
    text = (KV_DENIED + "\nThe user-assigned identity has an access policy with Get/List on secrets. The vault's "
            "Networking tab allows public access from specific virtual networks and IP addresses only.")
    status, report = _report(text)
    assert status == "done" and report["category"] == "network.nsg_blocked"
    assert "firewall" in report["root_cause"].lower()


def test_the_same_denial_without_a_restricted_vault_is_the_identity_permission() -> None:
    assert _category(KV_DENIED) == "auth.keyvault_access_denied"


def test_a_vault_firewall_mentioned_without_the_gateway_error_is_not_this_entry() -> None:
    report = _report("Our vault allows only selected networks and the identity has Get on secrets; the web app "
                     "reads it fine. How do I add another subnet?")[1]
    assert "Application Gateway reads listener certificates" not in (report.get("root_cause") or "")


# --- WAF: the rule that matched before the anomaly-scoring rule ---------------------------------------------------

def test_the_waf_answer_names_the_rule_that_matched() -> None:
    text = ("403 Forbidden from Microsoft-Azure-Application-Gateway/v2. Firewall log: ruleGroup: "
            "REQUEST-913-SCANNER-DETECTION ruleId: 913101 message: Found User-Agent associated with scripting/generic "
            "HTTP client action: Matched, then ruleId 949110 Inbound Anomaly Score Exceeded action: Blocked")
    report = _report(text)[1]
    assert report["category"] == "network.nsg_blocked" and "913101" in report["root_cause"]


def test_without_a_matched_rule_the_waf_answer_has_no_placeholder() -> None:
    report = _report("403 from the App Gateway WAF: Inbound Anomaly Score Exceeded (Total Score: 5)")[1]
    assert report["category"] == "network.nsg_blocked" and "<" not in report["root_cause"]


# --- a trigger's connection property holding the connection string itself -----------------------------------------

RABBIT = ("The listener for function 'Functions.OrderQueueTrigger' was unable to start. "
          "Microsoft.Azure.WebJobs.Extensions.RabbitMQ: Value cannot be null. (Parameter 'uriString').\n")


def test_a_connection_property_holding_a_uri_is_a_missing_setting_name() -> None:
    code = '[RabbitMQTrigger("orders", ConnectionStringSetting = "amqp://guest:guest@rabbit:5672")] string message'
    status, report = _report(RABBIT + code)
    assert status == "done" and report["category"] == "config.missing_app_setting"
    assert "ConnectionStringSetting" in report["root_cause"]


def test_a_connection_property_naming_a_setting_is_not_this_cause() -> None:
    code = '[RabbitMQTrigger("orders", ConnectionStringSetting = "RabbitMQConnection")] string message'
    report = _report(RABBIT + code)[1]
    assert "holds the connection string or URI itself" not in (report.get("root_cause") or "")


# --- a deployed Python v2 app whose app settings carry no worker-indexing flag -------------------------------------

V2 = ("Deploying my Python function app (V2 programming model, function_app.py with decorators): Syncing triggers... "
      "No HTTP triggers found. The same function in the V1 model (function.json) works when deployed. "
      "App settings: FUNCTIONS_WORKER_RUNTIME=python, FUNCTIONS_EXTENSION_VERSION=~4, AzureWebJobsStorage=<conn>.")


def test_listed_settings_without_the_flag_decide_the_worker_indexing_cause() -> None:
    status, report = _report(V2)
    assert status == "done" and report["category"] == "functions.host_misconfigured"
    assert "EnableWorkerIndexing" in report["root_cause"]


def test_a_listed_flag_or_an_import_error_keeps_this_cause_out() -> None:
    for text in (V2 + " AzureWebJobsFeatureFlags=EnableWorkerIndexing is set too.",
                 V2 + " The log shows ModuleNotFoundError: No module named 'pandas'."):
        report = _report(text)[1]
        assert "The app settings shown have no AzureWebJobsFeatureFlags" not in (report.get("root_cause") or "")


# --- Core Tools on a machine with CONTAINER_NAME ------------------------------------------------------------------

CORE_TOOLS = ("Running func host start on my dev box loops:\nFailed to publish status to /memoryactivity\n"
              "System.Private.Uri: Invalid URI: The hostname could not be parsed.\nStarting worker process failed\n"
              "Exceeded language worker restart retry count for runtime:python.")


def test_container_name_on_a_developer_machine_is_out_of_scope() -> None:
    status, report = _report(CORE_TOOLS + "\nThe machine has a CONTAINER_NAME environment variable set globally.")
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "CONTAINER_NAME" in report["root_cause"]


def test_the_status_message_in_azure_is_not_sent_out_of_scope() -> None:
    text = ("Our function app in Azure logs every few minutes: Failed to publish status to /memoryactivity. "
            "Executions still succeed. Log stream of func-orders.azurewebsites.net")
    assert _category(text) != "out_of_scope"


# --- Static Web Apps linked backend without public access ---------------------------------------------------------

def test_a_linked_backend_with_public_access_disabled_is_blocked_network() -> None:
    text = ("Our static web app has a linked backend (function app func-api, status Linked). Every /api call returns "
            "500 Backend call failure. The function app has Public network access: Disabled and only a private"
                    " endpoint.")
    status, report = _report(text)
    assert status == "done" and report["category"] == "network.nsg_blocked"


def test_a_backend_call_failure_after_45_seconds_stays_the_time_limit() -> None:
    text = ("Our static web app at https://x.azurestaticapps.net returns Backend call failure for the report API "
            "after exactly 45 seconds; the function keeps running.")
    assert _category(text) == "runtime.timeout"


# --- API Management in internal VNet mode -------------------------------------------------------------------------

def test_internal_mode_host_names_that_do_not_resolve_are_dns() -> None:
    text = ("APIM is deployed in internal VNet mode. From a VM in the same VNet,"
            " https://apim-corp.developer.azure-api.net "
            "gives ERR_NAME_NOT_RESOLVED; nslookup apim-corp.azure-api.net says Non-existent domain.")
    status, report = _report(text)
    assert status == "done" and report["category"] == "network.dns_resolution"
    assert "DNS" in report["root_cause"]


def test_an_external_instance_is_not_read_as_internal_mode() -> None:
    report = _report("nslookup apim-corp.azure-api.net from my laptop says Non-existent domain; the instance was "
                     "deleted yesterday.")[1]
    assert "internal virtual network mode" not in (report.get("root_cause") or "")


# --- an identity the report says was removed ----------------------------------------------------------------------

CREDENTIAL = ("Azure.Identity.CredentialUnavailableException : DefaultAzureCredential failed to retrieve a token from "
              "the included credentials.\n- ManagedIdentityCredential authentication unavailable. Multiple attempts "
              "failed to obtain a token from the managed identity endpoint.\n- Visual Studio Token provider can't be "
              "accessed at D:\\DWASFiles\\Sites\\func-billing\\LocalAppData\\tokenprovider.json\n")


def test_a_removed_identity_stated_by_the_report_needs_no_question() -> None:
    status, report = _report("Our function app fails at start-up after I removed the identity while changing "
                             "settings.\n" + CREDENTIAL)
    assert status == "done" and report["category"] == "auth.managed_identity_missing"


def test_an_identity_not_removed_is_still_asked_about() -> None:
    status, _ = _report("Our function app fails at start-up; I did not remove the identity, nothing changed.\n"
                        + CREDENTIAL)
    assert status == "request"


# --- hosts outside Azure ------------------------------------------------------------------------------------------

def test_a_container_on_a_synology_nas_is_out_of_scope() -> None:
    text = ("Updated the container on our Synology DS923+ and it won't start:\nFailed to find attribute 'app'"
            " in 'run'.\n"
            "[ERROR] Worker (pid:6) exited with code 4\nReason: App failed to load.\nContainer Manager on DSM 7.2.")
    status, report = _report(text)
    assert status == "fail" and report["category"] == "out_of_scope"


def test_the_same_gunicorn_error_on_app_service_stays_azure() -> None:
    text = ("Our App Service log stream for app-bot.azurewebsites.net shows: Failed to find attribute 'app' in 'app'.\n"
            "Worker exiting. Reason: App failed to load. (We also keep backups on our Synology NAS.)")
    assert _category(text) != "out_of_scope"


def test_an_onprem_server_certificate_is_out_of_scope() -> None:
    text = ("Calling the IIS Administration API on our on-prem server https://web07.corp.local:55539 fails: "
            "The remote certificate is invalid according to the validation procedure.")
    status, report = _report(text)
    assert status == "fail" and report["category"] == "out_of_scope"


def test_the_certificate_error_from_an_azure_app_stays_in_scope() -> None:
    text = ("Our App Service web app calls our on-prem API through a hybrid connection and gets: The remote"
            " certificate "
            "is invalid according to the validation procedure.")
    assert _category(text) != "out_of_scope"
