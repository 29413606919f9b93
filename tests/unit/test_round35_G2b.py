"""Round 35 G2b (earlier blind sets' cases that asked although the report held what decides): catalog entries for a
database index on a clustered Redis cache, MySQL error 1068 on flexible server (generated invisible primary keys), the
Python Tables SDK's Edm.Int32 overflow, a Cosmos DB vector policy without the account capability, AADSTS7000229 (an
app registration without a service principal), the collector's azuremonitor exporter with only instrumentation_key,
and a Logic Apps built-in storage connection refused by the extensions API; clues for Python 3.13+ on the Linux
Consumption plan, asymmetric routing behind a public load balancer with a default route to an appliance, and the
gRPC ingress transport decided by a portal-created ingress that names no transport."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str, **environment: Any) -> dict[str, Any]:
    start: dict[str, Any] = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start).envelope()


def _category(text: str) -> str | None:
    env = _envelope(text)
    return (env.get("report") or {}).get("category") if env["status"] == "done" else None


# --- catalog entries ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, entry", [
    ("redis.exceptions.ResponseError: ERR SELECT is not allowed in cluster mode",
     "redis-select-not-allowed-cluster-mode"),
    ("TypeError: 4294967296 is too large to be cast to type Edm.Int32.",
     "storage-table-python-int-too-large-for-edm-int32"),
    ('{"Errors":["A Container Vector Policy has been provided, but the capability has not been enabled on your '
     'account."]}', "cosmos-vector-policy-capability-not-enabled"),
    ("AADSTS7000229: The client application 0b7d1e52-8c3f-4a96-b1e0-5f2c9d7a3e14 is missing service principal in the "
     "tenant 9e4f2a1b-3c5d-4e7f-8a9b-0c1d2e3f4a5b.", "entra-aadsts7000229-client-missing-service-principal"),
])
def test_error_text_picks_its_entry(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


def test_redis_select_in_cluster_mode_concludes_database_0() -> None:
    env = _envelope("Workers fail on start after we enabled clustering on the Premium cache:\n"
                    "redis.exceptions.ResponseError: ERR SELECT is not allowed in cluster mode\n"
                    "BROKER_URL=rediss://:x@c1.redis.cache.windows.net:6380/5")
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "database 0" in env["report"]["root_cause"]


def test_mysql_1068_on_flexible_server_names_gipk() -> None:
    env = _envelope("php artisan migrate fails against db.mysql.database.azure.com:\nSQLSTATE[42000]: Syntax error or "
                    "access violation: 1068 Multiple primary key defined (SQL: alter table `t` add primary key (`id`))")
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "sql_generate_invisible_primary_key" in env["report"]["root_cause"]


def test_near_miss_mysql_1068_without_azure_mysql_is_not_gipk() -> None:
    # the same MySQL error on a local server: a migration defect, not the flexible server's parameter
    assert best_entry_id("On my laptop's MySQL 5.7 the migration fails: 1068 Multiple primary key defined") \
        != "databases-mysql-gipk-multiple-primary-key-1068"


def test_collector_exporter_with_instrumentation_key_only() -> None:
    text = ("After upgrading otelcol-contrib no telemetry reaches Application Insights.\nexporters:\n  azuremonitor:\n"
            "    instrumentation_key: 00000000-1111-2222-3333-444444444444\n")
    env = _envelope(text)
    assert env["status"] == "done" and env["report"]["category"] == "runtime.code_defect"
    assert "instrumentation_key" in env["report"]["root_cause"]


def test_near_miss_collector_with_connection_string_is_silent() -> None:
    text = ("After upgrading otelcol-contrib no telemetry reaches Application Insights.\nexporters:\n  azuremonitor:\n"
            "    connection_string: InstrumentationKey=0000;IngestionEndpoint=https://x/\n"
            "    instrumentation_key: 00000000-1111-2222-3333-444444444444\n")
    assert best_entry_id(text) != "tooling-otel-collector-azuremonitor-exporter-instrumentation-key-only"


def test_logic_app_extensions_api_forbidden_with_managed_identity_names_the_account() -> None:
    env = _envelope("Standard logic app, built-in Azure Blob Storage connection with managed identity: Encountered an "
                    "error (Forbidden) from extensions API. The identity has Storage Blob Data Reader on the "
                    "container.")
    assert env["status"] == "done" and env["report"]["category"] == "auth.rbac_missing"
    assert "storage account" in env["report"]["root_cause"]


def test_near_miss_extensions_api_forbidden_without_managed_identity() -> None:
    assert best_entry_id("Encountered an error (Forbidden) from extensions API.") \
        != "logicapps-builtin-storage-connection-managed-identity-forbidden-extensions-api"


# --- clues -------------------------------------------------------------------------------------------------------

def test_python_313_on_linux_consumption_concludes_plan() -> None:
    env = _envelope("New function app, Python 3.13, Linux, Consumption plan. After deploying, Runtime version: Error "
                    "and the functions list is empty.")
    assert env["status"] == "done" and env["report"]["category"] == "functions.host_misconfigured"
    assert "Consumption" in env["report"]["root_cause"]


def test_near_miss_python_313_on_flex_consumption_is_not_the_plan() -> None:
    env = _envelope("New function app, Python 3.13, Linux, Flex Consumption plan. After deploying, Runtime version: "
                    "Error and the functions list is empty.")
    assert (env.get("report") or {}).get("category") != "functions.host_misconfigured" or \
        "Linux Consumption plan does not offer" not in env["report"]["root_cause"]


_ASYM = ("We added a route table to the AKS subnet: 0.0.0.0/0 -> VirtualAppliance 10.0.0.4 (Azure Firewall). Now the "
         "LoadBalancer service's EXTERNAL-IP 20.1.2.3 times out: curl: (28) Connection timed out after 20001 ms.")


def test_default_route_to_appliance_public_lb_timeout_is_asymmetric() -> None:
    env = _envelope(_ASYM)
    assert env["status"] == "done" and env["report"]["category"] == "network.nsg_blocked"
    assert "symmetric" in env["report"]["root_cause"]


def test_near_miss_dnat_through_firewall_is_silent() -> None:
    env = _envelope(_ASYM + " We reach it through a DNAT rule on the firewall's public IP.")
    assert "Asymmetric routing: the subnet's default route" not in (env.get("report") or {}).get("root_cause", "")


_GRPC = ("gRPC service on Azure Container Apps: I created it in the portal with ingress enabled, target port 50051. "
         "Client: 14 UNAVAILABLE: TCP Read Failed")


def test_grpc_portal_created_ingress_without_transport_decides() -> None:
    env = _envelope(_GRPC)
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"
    assert "transport" in env["report"]["root_cause"]


def test_near_miss_grpc_transport_http2_stated_does_not_conclude_transport() -> None:
    env = _envelope(_GRPC + " The ingress transport is http2.")
    assert "not http2" not in (env.get("report") or {}).get("root_cause", "")
