"""Round 34 brief R (robustness variants of realC, realD and realF): the same deciding facts told another way are
recognised - an Az PowerShell import of a one-segment Docker Hub image, a telemetry query that 'returns nothing', a
container app created without --transport, a Dapr gRPC error in grpc-python's words with the port in an env list, a
scale rule for a Service Bus topic subscription, protobuf's later 'Descriptors cannot be created directly', a Static
Web Apps config file said to sit at the repository root, and the token URL entered as Postman's 'Auth URL'. Each has a
near miss that stays silent."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.common import table
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


def _clue(clue_id: str) -> dict[str, Any]:
    return next(c for c in table("symptom_clues") if c["id"] == clue_id)


def _decides(clue_id: str, text: str) -> re.Match[str] | None:
    return re.search(_clue(clue_id)["decides"], text)


# --- Container Registry: Az PowerShell import of an official Docker Hub image without library/

ACR_PS = ("PS> Import-AzContainerRegistryImage -RegistryName crtools -ResourceGroupName rg-tools "
          "-SourceRegistryUri docker.io -SourceImage 'redis:7.4' -TargetTag 'redis:7.4'\n"
          'Unauthorized: {"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":'
          '[{"Type":"repository","Class":"","Name":"redis","Action":"pull"}]}]}')


def test_powershell_import_of_one_segment_docker_hub_image_names_library() -> None:
    env = _envelope(ACR_PS)
    assert env["status"] == "done" and env["report"]["category"] == "config.wrong_resource_name"
    assert "library/" in env["report"]["root_cause"] and "redis:7.4" in env["report"]["root_cause"]


def test_powershell_import_of_namespaced_image_is_not_the_library_prefix() -> None:
    text = ACR_PS.replace("'redis:7.4'", "'bitnami/redis:7.4'")
    assert best_entry_id(text) != "containers-acr-import-dockerhub-library"


# --- Application Insights: a short-lived job whose query 'returns nothing'

FLUSH = ("Our scheduled job is a .NET console app: static void Main() { var tc = new TelemetryClient(cfg); "
         "tc.TrackEvent(\"SyncDone\"); } In Application Insights the customEvents query returns nothing for the "
         "job and the traces table is empty.")


def test_short_lived_job_whose_query_returns_nothing_is_the_unflushed_buffer() -> None:
    env = _envelope(FLUSH)
    assert env["status"] == "done" and env["report"]["category"] == "runtime.code_defect"
    assert "Flush" in env["report"]["root_cause"]


def test_job_that_flushes_is_not_blamed_on_the_buffer() -> None:
    text = FLUSH.replace('tc.TrackEvent("SyncDone");', 'tc.TrackEvent("SyncDone"); tc.Flush(); Thread.Sleep(5000);')
    assert _decides("application-insights-short-lived-process-not-flushed", text) is None


def test_returns_nothing_alone_without_a_short_lived_process_stays_silent() -> None:
    clue = _clue("application-insights-short-lived-process-not-flushed")
    text = "Application Insights: the requests query returns nothing for our web app."
    assert re.search(clue["pattern"], text) is None


# --- Container Apps: gRPC with an ingress created without --transport (auto)

GRPC_CREATE = ("az containerapp create -n quotes -g rg-q --environment cae-q --image acr.azurecr.io/quotes:1 \\\n"
               "   --ingress external --target-port 50051\n"
               "grpcurl quotes.bravesky-1a2b.eastus.azurecontainerapps.io:443 list: Failed to dial target host: "
               "stream error: stream ID 1; PROTOCOL_ERROR. Plain HTTP health checks pass. The server speaks gRPC.")


def test_grpc_app_created_without_transport_is_the_auto_transport() -> None:
    env = _envelope(GRPC_CREATE)
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "http2" in env["report"]["root_cause"]


def test_grpc_app_created_with_http2_transport_is_not_blamed_on_it() -> None:
    text = GRPC_CREATE.replace("--target-port 50051", "--target-port 50051 --transport http2")
    assert _decides("containerapps-grpc-ingress-transport-not-http2", text) is None


DAPR = ("Python container app with Dapr enabled on Azure Container Apps; the dapr client fails:\n"
        "status = StatusCode.UNAVAILABLE details = \"failed to connect to all addresses; last error: UNKNOWN: "
        "ipv4:127.0.0.1:3500: Trying to connect an http1.x server\"\n"
        "env:\n- name: DAPR_HTTP_PORT\n  value: \"3500\"\n- name: DAPR_GRPC_PORT\n  value: \"3500\"")


def test_dapr_sidecar_on_localhost_is_not_the_ingress_transport() -> None:
    assert re.search(_clue("containerapps-grpc-ingress-transport-not-http2")["pattern"], DAPR) is None


# --- Dapr: grpc-python's wording and the port in an env name/value list

def test_dapr_grpc_client_dialling_3500_is_the_grpc_port_setting() -> None:
    env = _envelope(DAPR)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "50001" in env["report"]["root_cause"]


def test_dapr_grpc_port_50001_is_not_the_port_mistake() -> None:
    text = DAPR.replace("127.0.0.1:3500", "127.0.0.1:50001").replace('DAPR_GRPC_PORT\n  value: "3500"',
                                                                     'DAPR_GRPC_PORT\n  value: "50001"')
    assert _decides("dapr-grpc-port-set-to-sidecar-http-port", text) is None


# --- Container Apps scale rule: azure-queue used for a Service Bus topic subscription

SCALE = ("Container app consuming a Service Bus topic subscription never scales out. Scale rule: "
         "custom: { type: 'azure-queue', metadata: { topicName: 'orders', subscriptionName: 'billing', "
         "messageCount: '50' } }")


def test_azure_queue_rule_for_a_service_bus_topic_subscription_is_the_scaler_type() -> None:
    env = _envelope(SCALE)
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "azure-servicebus" in env["report"]["root_cause"]


def test_azure_servicebus_rule_is_not_the_scaler_type() -> None:
    text = SCALE.replace("type: 'azure-queue'", "type: 'azure-servicebus'")
    assert _decides("containerapps-scale-rule-azure-queue-for-service-bus", text) is None


# --- protobuf: the later wording of the descriptors check

def test_later_protobuf_descriptors_wording_is_the_worker_conflict() -> None:
    text = ("Worker failed to load function: 'ingest'\nTypeError: Descriptors cannot be created directly.\n"
            "If this call came from a _pb2.py file, your generated code is out of date.")
    assert best_entry_id(text) == "python-protobuf-descriptors"


def test_descriptors_in_other_words_is_not_the_protobuf_conflict() -> None:
    text = "Worker failed to load function: 'ingest'\nValueError: field descriptors can be created directly here"
    assert best_entry_id(text) != "python-protobuf-descriptors"


# --- Static Web Apps: the config file said to sit at the repository root, app_location a subfolder

SWA = ("AzureStaticWebApp@0 with app_location: 'dist/site', api_location: 'dist/api', skip_api_build: true fails: "
       "Cannot deploy to the function app because Function language info isn't provided. Our "
       "staticwebapp.config.json at the repository root sets \"platform\": {\"apiRuntime\": \"node:20\"}.")


def test_config_at_repo_root_with_subfolder_app_location_is_outside_the_upload() -> None:
    env = _envelope(SWA)
    assert env["status"] == "done" and env["report"]["category"] == "config.wrong_resource_name"
    assert "staticwebapp.config.json" in env["report"]["root_cause"]


def test_config_at_repo_root_with_root_app_location_is_not_outside() -> None:
    text = SWA.replace("app_location: 'dist/site'", "app_location: '/'")
    assert _decides("staticwebapps-apiruntime-config-outside-app-location", text) is None


# --- Entra: the token URL entered under an 'Auth URL' label

AUTH = ("Postman OAuth 2.0:\nAuth URL: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token\n"
        "Access Token URL: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token\n"
        "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a GET request.")


def test_token_url_as_auth_url_is_the_authorize_endpoint_mistake() -> None:
    assert best_entry_id(AUTH) == "entra-aadsts900561-token-endpoint-used-as-authorize-url"


def test_token_url_only_as_access_token_url_is_not_the_authorize_mistake() -> None:
    text = AUTH.replace("Auth URL: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
                        "Auth URL: https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize")
    assert best_entry_id(text) == "entra-aadsts900561-wrong-http-verb"
