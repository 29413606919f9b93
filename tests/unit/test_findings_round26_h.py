"""The twenty-sixth round's database findings, part h (knowledge/evidence_findings.yaml): an Azure SQL server whose
firewall does not let Azure services in when the Import/Export service exports or imports a bacpac, and a MySQL or
PostgreSQL flexible server with private access (a delegated subnet, no public endpoint) reached from outside its
network. Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the
server's firewall rules are kept by get_resource and read by the playbook only for an import or export."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    playbook_reads,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
SQL_ID = f"{SUB}/Microsoft.Sql/servers/sql-shop"
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-mysql"

FIREWALL = {"type": "Microsoft.Sql/servers/firewallRules", "name": None, "ruleNames": ["office", "app-outbound"]}
AZURE_ALLOWED = {**FIREWALL, "ruleNames": ["office", "AllowAllWindowsAzureIps"]}
MYSQL = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-shop", "state": "Ready",
         "publicNetworkAccess": "Disabled", "delegatedSubnet": SUBNET_ID}
PUBLIC_MYSQL = {**MYSQL, "publicNetworkAccess": "Enabled", "delegatedSubnet": None}

EXPORT_REFUSED = ("Exporting the crm database to a bacpac from the portal fails: Cannot open server 'sql-shop' "
                  "requested by the login. Client with IP address '40.114.26.9' is not allowed to access the server.")
LAPTOP_REFUSED = ("From my laptop: ERROR 2003 (HY000): Can't connect to MySQL server on "
                  "'mysql-shop.mysql.database.azure.com:3306' (110)")

CASES = [
    Case("sql-import-export-without-azure-services", "network.nsg_blocked", "AllowAllWindowsAzureIps", [FIREWALL],
         EXPORT_REFUSED, near_reads=[AZURE_ALLOWED]),
    Case("flexible-server-private-access-outside-vnet", "network.nsg_blocked", "delegated subnet", [MYSQL],
         LAPTOP_REFUSED, near_reads=[PUBLIC_MYSQL]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_login_refused_outside_an_import_or_export_is_not_the_export_finding() -> None:
    report = "Cannot open server 'sql-shop' requested by the login. Client with IP address '84.1.2.3' is not allowed."
    assert finding_id(reads_state(report, [FIREWALL])) != "sql-import-export-without-azure-services"


def test_sqlpackage_from_the_clients_own_machine_is_not_the_export_finding() -> None:
    report = f"sqlpackage /a:Export from my PC: {EXPORT_REFUSED}"
    assert finding_id(reads_state(report, [FIREWALL])) != "sql-import-export-without-azure-services"


def test_a_private_access_name_that_does_not_resolve_is_left_to_dns() -> None:
    report = "ERROR 2005 (HY000): Unknown MySQL server host 'mysql-shop.mysql.database.azure.com' (-2)"
    assert finding_id(reads_state(report, [MYSQL])) != "flexible-server-private-access-outside-vnet"


def test_public_access_disabled_without_a_delegated_subnet_keeps_the_private_endpoint_reading() -> None:
    server = {**MYSQL, "delegatedSubnet": None}
    assert finding_id(reads_state(LAPTOP_REFUSED, [server])) == "dependency-public-network-access-disabled"
    assert finding_id(reads_state(LAPTOP_REFUSED, [MYSQL])) == "flexible-server-private-access-outside-vnet"


def test_get_resource_keeps_the_sql_servers_firewall_rule_names() -> None:
    body = {"value": [
        {"name": "AllowAllWindowsAzureIps", "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}},
        {"name": "office", "properties": {"startIpAddress": "185.43.210.0", "endIpAddress": "185.43.210.255"}}]}
    kept = extracted("Microsoft.Sql", "servers/firewallRules", body)
    assert kept["ruleNames"] == ["AllowAllWindowsAzureIps", "office"]
    assert kept["ranges"][1] == {"name": "office", "startIpAddress": "185.43.210.0",
                                 "endIpAddress": "185.43.210.255"}


def test_the_playbook_reads_the_firewall_rules_only_for_an_import_or_export() -> None:
    rules = ("get_resource", f"{SQL_ID}/firewallRules")
    assert rules in playbook_reads(SQL_ID, "The bacpac export of our database fails after a minute")
    assert rules not in playbook_reads(SQL_ID, "Login failed for user 'app' (error 18456)")
