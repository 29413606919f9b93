"""The twenty-fifth round of findings, area d (knowledge/evidence_findings.yaml, `# round 25 d`): Azure SQL Managed
Instance read by get_resource (knowledge/api_versions.yaml Microsoft.Sql/managedInstances): a stopped instance, its
public data endpoint off while the client uses the .public. host on 3342, a minimal TLS version above the client's,
and the Redirect connection type while the client's path allows only 1433; and a MySQL or PostgreSQL flexible
server whose memory_percent reached 95% when it reports out of memory. Each fires on recorded-like reads with the
symptom it explains and stays silent for its near miss and for an unrelated report."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, check_case_stays_silent, extracted, kept_fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
MI = {"type": "Microsoft.Sql/managedInstances", "name": "sqlmi-fin", "sku": "GP_Gen5", "state": "Ready",
      "fullyQualifiedDomainName": "sqlmi-fin.4f8c2a1d9e7b.database.windows.net",
      "publicDataEndpointEnabled": True, "proxyOverride": "Proxy", "minimalTlsVersion": "1.2"}

PSQL = {"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-booking", "sku": "Standard_B1ms",
        "tier": "Burstable", "state": "Ready"}
MEMORY = {"metrics": [{"name": "memory_percent", "max": 100.0, "avg": 82.1, "total": None}]}
CALM_MEMORY = {"metrics": [{"name": "memory_percent", "max": 71.0, "avg": 55.0, "total": None}]}

CASES = [
    Case("sql-managed-instance-stopped", "deployment.resource_locked", "Stopped", [{**MI, "state": "Stopped"}],
         "SqlException: A network-related or instance-specific error occurred while establishing a connection to "
         "SQL Server. (provider: TCP Provider, error: 40 - Could not open a connection to SQL Server)",
         near_reads=[MI]),
    Case("sql-managed-instance-public-endpoint-disabled", "network.nsg_blocked", "publicDataEndpointEnabled",
         [{**MI, "publicDataEndpointEnabled": False}],
         "Power BI refresh to sqlmi-fin.public.4f8c2a1d9e7b.database.windows.net,3342 fails: a network-related "
         "or instance-specific error occurred; the NSG allows 3342.",
         near_reads=[MI],
         near_report="From the jump box in the VNet, sqlmi-fin.4f8c2a1d9e7b.database.windows.net,1433 times out."),
    Case("sql-managed-instance-minimal-tls-above-client", "config.invalid_connection_string", "minimalTlsVersion",
         [MI], "A connection was successfully established with the server, but then an error occurred during the "
         "pre-login handshake. (provider: SSL Provider, error: 0 - An existing connection was forcibly closed)",
         near_reads=[{**MI, "minimalTlsVersion": "None"}]),
    Case("flexible-server-memory-exhausted", "runtime.out_of_memory", "memory_percent", [PSQL],
         "connection to server failed: FATAL:  out of memory\nDETAIL:  Failed on request of size 8192.",
         metrics=MEMORY, near_metrics=CALM_MEMORY),
    Case("sql-managed-instance-redirect-ports-blocked", "network.nsg_blocked", "Redirect",
         [{**MI, "proxyOverride": "Redirect"}],
         "Connection Timeout Expired. The timeout period elapsed during the post-login phase. "
         "Test-NetConnection to the instance on port 1433 succeeds; our firewall only allows 1433.",
         near_reads=[MI],
         near_report="Connection Timeout Expired during the pre-login handshake; nothing answers on 1433."),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_redirect_instance_stays_silent_when_the_report_does_not_show_1433_getting_through() -> None:
    case = Case("sql-managed-instance-redirect-ports-blocked", "network.nsg_blocked", "Redirect",
                [{**MI, "proxyOverride": "Redirect"}], "Login timeout expired after 30 seconds.")
    check_case_stays_silent(case, UNRELATED)


@pytest.mark.parametrize("field", ["state", "publicDataEndpointEnabled", "proxyOverride", "minimalTlsVersion",
                                   "fullyQualifiedDomainName", "sku"])
def test_get_resource_keeps_the_managed_instance_field(field: str) -> None:
    assert field in kept_fields("Microsoft.Sql/managedInstances")


def test_the_managed_instance_fields_come_from_the_arm_body() -> None:
    body = {"name": "sqlmi-fin", "sku": {"name": "GP_Gen5", "tier": "GeneralPurpose"},
            "properties": {"state": "Stopped", "publicDataEndpointEnabled": False, "proxyOverride": "Redirect",
                           "minimalTlsVersion": "1.2"}}
    kept = extracted("Microsoft.Sql", "managedInstances", body)
    assert kept["state"] == "Stopped" and kept["proxyOverride"] == "Redirect" and kept["sku"] == "GP_Gen5"
    assert kept["publicDataEndpointEnabled"] in (False, "False")


def test_memory_on_another_kind_of_resource_is_not_a_flexible_server_out_of_memory() -> None:
    case = Case("flexible-server-memory-exhausted", "runtime.out_of_memory", "memory_percent",
                [{"type": "Microsoft.Cache/Redis", "name": "redis-shop", "sku": "Basic"}],
                "OOM command not allowed when used memory > 'maxmemory'.", metrics=MEMORY)
    check_case_stays_silent(case, UNRELATED)
