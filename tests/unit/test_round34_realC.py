"""Round 34 realC (twenty real public reports: Functions, App Service, Container Apps, Static Web Apps, Logic Apps):
the report states the deciding fact, so a symptom clue concludes without asking (Container Apps ingress transport,
internal ingress, plain-HTTP callers, the Dapr gRPC port, scale rules; Functions host secrets, Durable identity
storage, the isolated SDK against old Core Tools, host.json v2 sections, the Python extension decorators; Logic Apps
managed connectors and App Configuration references; IP SSL with SNI host names; a Static Web Apps config file
outside app_location), and three catalog entries (protobuf pinned older than the Python worker, an AWS ECS task that
cannot pull its secrets, a Railway start command whose $PORT is not expanded). Each has a near miss that stays
silent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.engines.analyzers.common import table
from shared.engines.clues import clue_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str, **environment: Any) -> dict[str, Any]:
    start: dict[str, Any] = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start).envelope()


def _decides(clue_id: str, text: str) -> re.Match[str] | None:
    clue = next(c for c in table("symptom_clues") if c["id"] == clue_id)
    return re.search(clue["decides"], text)


# --- Container Apps: gRPC through an ingress whose transport is not http2

GRPC = ("Our gRPC service runs as a container app (ingress external, target port 50051, transport auto). grpcurl to "
        "greeter.calmsea-1a2b.westeurope.azurecontainerapps.io:443 fails with: ERROR: Code: Unavailable "
        "Message: upstream connect error ... reset reason: remote reset. StatusCode=\"UNAVAILABLE\"; the /healthz "
        "HTTP endpoint of the same app answers 200.")


def test_grpc_through_auto_transport_is_the_ingress_transport() -> None:
    env = _envelope(GRPC)
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "http2" in env["report"]["root_cause"] and env["report"]["confidence"] == "medium"


def test_grpc_with_http2_transport_already_set_is_not_blamed_on_the_transport() -> None:
    assert _decides("containerapps-grpc-ingress-transport-not-http2",
                    GRPC.replace("transport auto", "transport http2")) is None


# --- Container Apps: an internal environment, an app with internal ingress, clients elsewhere in the VNet

INTERNAL = ("Container apps in an internal environment (internal load balancer). From a VM in the same VNet, curl "
            "https://orders.internal.calmsea-1a2b.westeurope.azurecontainerapps.io returns 404 with the page "
            "'Error 404 - This Container App is stopped or does not exist'. Calls from another app in the same "
            "environment work fine. The app was created with --ingress internal.")


def test_internal_ingress_on_internal_environment_limits_the_app_to_the_environment() -> None:
    env = _envelope(INTERNAL)
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "external" in env["report"]["root_cause"]


def test_a_404_from_an_internal_environment_without_app_to_app_success_does_not_decide() -> None:
    said = INTERNAL.replace("Calls from another app in the same environment work fine. ", "")
    assert _decides("containerapps-internal-environment-app-ingress-limited-to-environment", said) is None


# --- Container Apps: a caller on http:// gets the ingress's redirect to https

REDIRECT = ("APIM forwards to http://orders.calmsea-1a2b.westeurope.azurecontainerapps.io and the trace shows "
            "301 Moved Permanently, Location: https://orders.calmsea-1a2b.westeurope.azurecontainerapps.io/orders; the "
            "redirected call arrives without the Authorization header and the API answers 401.")


def test_plain_http_caller_redirected_names_allow_insecure() -> None:
    env = _envelope(REDIRECT)
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "allowInsecure" in env["report"]["root_cause"]


def test_redirect_with_allow_insecure_already_true_does_not_decide() -> None:
    said = REDIRECT + " The ingress has allowInsecure: true."
    assert _decides("containerapps-http-caller-redirected-allowinsecure-off", said) is None


# --- Dapr: DAPR_GRPC_PORT set to the sidecar's HTTP port

DAPR = ("Container app with Dapr enabled (app id cart). Saving state fails: Grpc.Core.RpcException: Status("
        "StatusCode=\"Unavailable\", Detail=\"Error starting gRPC call. HttpRequestException: Connection refused "
        "(127.0.0.1:3500)\"). Our environment variables: DAPR_HTTP_PORT=3500, DAPR_GRPC_PORT=3500.")


def test_dapr_grpc_port_on_the_http_port_is_the_connection_setting() -> None:
    env = _envelope(DAPR)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "50001" in env["report"]["root_cause"]


def test_dapr_refused_on_its_own_grpc_port_does_not_decide() -> None:
    said = DAPR.replace("127.0.0.1:3500", "127.0.0.1:50001").replace("DAPR_GRPC_PORT=3500", "DAPR_GRPC_PORT=50001")
    assert _decides("dapr-grpc-port-set-to-sidecar-http-port", said) is None


# --- Container Apps scale rules: a Storage queue scaler for a Service Bus queue; a rule for a queue that is missing

SCALER = ("Our container app worker reads a Service Bus queue (namespace sb-orders.servicebus.windows.net) and never "
          "scales to zero. Scale rule: name queue-rule, type: azure-queue, metadata queueName=orders, queueLength=5, "
          "auth connection -> the service bus connection string secret.")


def test_storage_queue_scaler_for_a_service_bus_queue() -> None:
    env = _envelope(SCALER)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "azure-servicebus" in env["report"]["root_cause"]


def test_service_bus_scaler_already_in_place_does_not_decide() -> None:
    said = SCALER.replace("type: azure-queue", "type: azure-servicebus") + " An older azure-queue rule was removed."
    assert _decides("containerapps-scale-rule-azure-queue-for-service-bus", said) is None


POISON = ("Functions on Container Apps: the queue-triggered app never scales down, it stays at 10 replicas. The scale "
          "blade shows two rules, queueName orders and queueName orders-poison; orders-poison does not exist in the "
          "storage account.")


def test_scale_rule_for_a_missing_poison_queue() -> None:
    env = _envelope(POISON)
    assert env["status"] == "done" and env["report"]["category"] == "config.wrong_resource_name"
    assert "poison" in env["report"]["root_cause"]


def test_scale_rule_for_an_existing_poison_queue_does_not_decide() -> None:
    said = POISON.replace("; orders-poison does not exist in the storage account", "; both queues exist")
    assert _decides("containerapps-scale-rule-names-missing-queue", said) is None


# --- Functions: recreated app, old host secrets in the kept storage account

SECRETS = ("We deleted the function app func-billing and created it again with the same name, pointing at the same "
           "storage account as before. Listing keys now fails: Encountered an error (InternalServerError) from host "
           "runtime.")


def test_recreated_app_with_same_storage_reads_old_secrets() -> None:
    env = _envelope(SECRETS)
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "azure-webjobs-secrets" in env["report"]["root_cause"]


def test_host_runtime_error_without_a_recreated_app_does_not_decide() -> None:
    said = "Listing keys of func-billing fails: Encountered an error (InternalServerError) from host runtime."
    assert _decides("functions-recreated-app-old-secrets-in-storage", said) is None


def test_host_runtime_error_after_a_network_change_does_not_ask_about_recreation() -> None:
    said = ("Renewing the default key of our function app fails: Encountered an error (InternalServerError) from host "
            "runtime. It worked yesterday; since then we added an NSG to the integration subnet.")
    found = clue_in([said])
    assert found is None or found["id"] != "functions-recreated-app-old-secrets-in-storage"


# --- Durable Functions: identity-based AzureWebJobsStorage with an extension older than 2.7

DURABLE = ("AzureWebJobsStorage__accountName=stdurable01 (managed identity). The host fails: "
           "Microsoft.Azure.WebJobs.Extensions.DurableTask: Unable to find an Azure Storage connection string to use "
           "for this binding. The project references Microsoft.Azure.WebJobs.Extensions.DurableTask Version=\"2.4.1\".")


def test_old_durable_extension_cannot_use_identity_storage() -> None:
    env = _envelope(DURABLE)
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "2.7" in env["report"]["root_cause"]


def test_durable_extension_recent_enough_does_not_decide() -> None:
    assert _decides("durable-extension-too-old-for-identity-based-storage",
                    DURABLE.replace('"2.4.1"', '"2.13.0"')) is None


# --- Functions isolated worker SDK newer than the local Core Tools

CORE_TOOLS = ("func start prints Azure Functions Core Tools, Core Tools Version: 4.0.4915, then 'No job functions "
              "found. Try making your job classes and methods public.' The project uses "
              "Microsoft.Azure.Functions.Worker.Sdk 1.16.2.")


def test_isolated_sdk_newer_than_core_tools() -> None:
    env = _envelope(CORE_TOOLS)
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "Core Tools" in env["report"]["root_cause"]


def test_recent_core_tools_does_not_decide() -> None:
    assert _decides("functions-isolated-worker-sdk-newer-than-core-tools",
                    CORE_TOOLS.replace("4.0.4915", "4.0.5530")) is None


# --- host.json version 2.0 with binding settings at the root, outside "extensions"

HOST_JSON = ('host.json:\n{\n  "version": "2.0",\n  "queues": {\n    "batchSize": 1\n  }\n}\n'
             "The queue trigger still processes 16 messages at a time on each instance; batchSize is ignored.")


def test_binding_settings_at_root_of_v2_host_json() -> None:
    env = _envelope(HOST_JSON)
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "extensions" in env["report"]["root_cause"]


def test_binding_settings_under_extensions_do_not_decide() -> None:
    said = HOST_JSON.replace('"queues": {\n    "batchSize": 1\n  }',
                             '"extensions": {\n    "queues": {\n      "batchSize": 1\n    }\n  }')
    assert _decides("functions-host-json-v2-binding-settings-outside-extensions", said) is None


# --- Python: an extension decorator missing from an old azure-functions library

DECORATOR = ("Worker failed to index functions. Result: Failure Exception: AttributeError: 'FunctionApp' object has "
             "no attribute 'text_completion_input'. requirements.txt has azure-functions only.")


def test_missing_extension_decorator_is_the_library_version() -> None:
    env = _envelope(DECORATOR)
    assert env["status"] == "done" and env["report"]["category"] == "runtime.dependency_missing"


def test_a_misspelt_ordinary_decorator_is_not_the_library_version() -> None:
    said = DECORATOR.replace("text_completion_input", "rout")
    assert _decides("functions-python-extension-decorator-needs-newer-library", said) is None


# --- Logic Apps Standard: a managed connector to a storage account behind a private endpoint

LA_STORAGE = ("Standard logic app with VNet integration. The Create blob (V2) action, added from the Azure tab as a "
              "managed connector, fails with 403 AuthorizationFailure. The storage account has a private endpoint "
              "and allows selected networks only; with public access on all networks it works.")


def test_managed_connector_cannot_reach_private_storage() -> None:
    env = _envelope(LA_STORAGE)
    assert env["status"] == "done" and env["report"]["category"] == "network.storage_firewall"
    assert "built-in" in env["report"]["root_cause"]


def test_storage_403_without_public_access_succeeding_does_not_decide() -> None:
    said = LA_STORAGE.replace("; with public access on all networks it works", "")
    assert _decides("logicapps-standard-managed-connector-private-storage", said) is None


# --- Logic Apps Standard: an App Configuration reference in a connection's app setting

LA_APPCONFIG = ("Standard logic app, connections.json uses @appsetting('servicebus_connectionString'), and that app "
                "setting is @Microsoft.AppConfiguration(Endpoint=https://appcs-int.azconfig.io; Key=sb-conn). The "
                "workflow fails: Unable to initialize operation.")


def test_app_configuration_reference_in_a_connection_setting() -> None:
    env = _envelope(LA_APPCONFIG)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "App Configuration" in env["report"]["root_cause"]


def test_app_configuration_reference_outside_logic_apps_is_not_this_clue() -> None:
    said = ("Web app setting ConnStr=@Microsoft.AppConfiguration(Endpoint=https://appcs-int.azconfig.io; Key=db) "
            "resolves to the literal text.")
    found = clue_in([said])
    assert found is None or found["id"] != "logicapps-standard-appconfiguration-reference-in-connection-setting"


# --- App Service: IP SSL added, SNI host names whose CNAME does not target the sni. prefix

SNI = ("We added an IP SSL binding for api.contoso.example; since then www.contoso.example (SNI SSL) gets the wrong "
       "certificate, the browser says NET::ERR_CERT_COMMON_NAME_INVALID. DNS: www.contoso.example CNAME -> "
       "app-contoso.azurewebsites.net.")


def test_sni_host_name_cname_without_sni_prefix() -> None:
    env = _envelope(SNI)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "sni." in env["report"]["root_cause"]


def test_sni_cname_already_on_the_sni_prefix_does_not_decide() -> None:
    said = SNI.replace("CNAME -> app-contoso", "CNAME -> sni.app-contoso")
    assert _decides("appservice-ip-ssl-sni-hostname-cname-not-sni-prefix", said) is None


# --- Static Web Apps: the staticwebapp.config.json with apiRuntime is outside app_location

SWA = ("      app_location: 'dist/web'\n      api_location: 'dist/api'\n      skip_api_build: true\n"
       "Cannot deploy to the function app because Function language info isn't provided.\n"
       'We set "platform": { "apiRuntime": "node:20" } in web/staticwebapp.config.json.')


def test_config_file_outside_app_location_is_not_read() -> None:
    env = _envelope(SWA)
    assert env["status"] == "done" and env["report"]["category"] == "config.wrong_resource_name"
    assert "web/staticwebapp.config.json" in env["report"]["root_cause"]


@pytest.mark.parametrize("path", ["dist/web/staticwebapp.config.json", "./dist/web/staticwebapp.config.json"])
def test_config_file_inside_app_location_does_not_decide(path: str) -> None:
    said = SWA.replace("web/staticwebapp.config.json", path)
    assert _decides("staticwebapps-apiruntime-config-outside-app-location", said) is None


def test_a_retired_runtime_in_a_config_file_that_is_read_stays_the_retired_runtime() -> None:
    said = SWA.replace("web/staticwebapp.config.json", "dist/web/staticwebapp.config.json").replace(
        "node:20", "node:16")
    env = _envelope(said)
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "node:16" in env["report"]["root_cause"]


def test_a_retired_runtime_in_a_config_file_outside_app_location_is_the_location() -> None:
    env = _envelope(SWA.replace("node:20", "node:16"))
    assert env["report"]["category"] == "config.wrong_resource_name"


# --- catalog: protobuf pinned older than the Python worker; out-of-scope AWS ECS and Railway errors

@pytest.mark.parametrize("said", [
    "AttributeError: module 'google.protobuf.descriptor' has no attribute '_internal_create_key'",
    "ImportError: cannot import name 'builder' from 'google.protobuf.internal'",
])
def test_old_protobuf_pin_against_the_worker(said: str) -> None:
    assert best_entry_id(said) == "python-protobuf-pinned-older-than-worker"


def test_descriptors_error_stays_the_newer_protobuf_entry() -> None:
    assert best_entry_id("TypeError: Descriptors cannot not be created directly.") == "python-protobuf-descriptors"


def test_ecs_task_that_cannot_pull_its_secrets_is_aws() -> None:
    said = "Stopped reason: ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
    assert best_entry_id(said) == "other-clouds-aws-ecs-resource-initialization-error"


def test_railway_literal_port_is_out_of_scope() -> None:
    said = ("Railway deploy crashes: serve: error: argument --port: invalid int value: '$PORT'")
    env = _envelope(said)
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"


def test_literal_port_without_railway_is_not_the_railway_entry() -> None:
    said = "Container app crashes at start: serve: error: argument --port: invalid int value: '$PORT'"
    assert best_entry_id(said) != "other-clouds-railway-start-command-variable-not-expanded"
