"""Round 24 k: failure modes of Microsoft troubleshooting pages for databases and messaging that no knowledge cited
(tests/scenarios/cov18k). Findings: a MySQL or PostgreSQL flexible server Inaccessible because it lost its
customer-managed key, an Event Hubs namespace whose network rules deny every other address (401 without naming the
rule). Clues: a browser origin missing from a Cosmos DB account's CORS setting, a trust file that holds only an
exported issuing CA. Catalog entries: Data Factory FTP passive-mode data ports, SFTP host key fingerprint, SFTP
authentication type and SFTP private key format. Each fires on its symptom and stays silent for its near miss; the
new api_versions fields are read from the resource; the Event Hubs playbook reads the namespace's network rules, and
environment keys that name MySQL or PostgreSQL servers are not taken for Azure SQL servers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    finding_report,
    playbook_reads,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000241/resourceGroups/rg-data/providers"
KEY = "https://kv-orders-cmk.vault.azure.net/keys/mysql-orders"
MYSQL = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-orders", "state": "Inaccessible",
         "dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": KEY}}
POSTGRES = {**MYSQL, "type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-claims"}
RULES = {"type": "Microsoft.EventHub/Namespaces/NetworkRuleSets", "name": "default", "defaultAction": "Deny",
         "ipRules": ["198.51.100.0/28"], "virtualNetworkRules": [], "publicNetworkAccess": "Enabled"}
MYSQL_REPORT = "pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on 'mysql-orders'\")"
EH_REPORT = ("Azure.Messaging.EventHubs.EventHubsException(GeneralError): Unauthorized access. "
             "Put token failed. status-code: 401, status-description: Unauthorized.")

CASES = [
    Case("flexible-server-inaccessible-customer-managed-key", "auth.keyvault_access_denied", "Inaccessible",
         [MYSQL], MYSQL_REPORT, near_reads=[{**MYSQL, "state": "Ready"}]),
    Case("flexible-server-inaccessible-customer-managed-key", "auth.keyvault_access_denied", "Inaccessible",
         [POSTGRES], "psycopg2.OperationalError: server closed the connection unexpectedly",
         near_reads=[{**POSTGRES, "state": "Stopped"}]),
    Case("event-hubs-network-rules-deny-other-addresses", "network.nsg_blocked", "defaultAction Deny", [RULES],
         EH_REPORT, near_reads=[{**RULES, "defaultAction": "Allow"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_network_rules_finding_names_only_the_rules_that_exist() -> None:
    report = finding_report(reads_state(EH_REPORT, [RULES]))
    assert "198.51.100.0/28" in report.root_cause and "<" not in report.root_cause


def test_a_refused_claim_or_public_access_off_is_not_the_ip_firewall() -> None:
    claim = "Unauthorized access. 'Send' claim(s) are required to perform this operation. status-code: 401"
    assert finding_id(reads_state(claim, [RULES])) != "event-hubs-network-rules-deny-other-addresses"
    private_only = {**RULES, "publicNetworkAccess": "Disabled"}
    assert finding_id(reads_state(EH_REPORT, [private_only])) != "event-hubs-network-rules-deny-other-addresses"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_browser_blocked_by_the_cosmos_account_cors_is_its_allowed_origins() -> None:
    report = ("Access to fetch at 'https://cosmos-field.documents.azure.com/dbs/f/colls/w/docs' from origin "
              "'https://app.contoso.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header")
    assert _clue(report) == "cosmos-browser-origin-not-in-account-cors"
    other_api = report.replace("cosmos-field.documents.azure.com", "api-field.azurewebsites.net")
    assert _clue(other_api) != "cosmos-browser-origin-not-in-account-cors"


def test_a_trust_file_holding_only_an_issuing_ca_decides_the_pinning_clue() -> None:
    clue = next(c for c in yaml.safe_load(Path("shared/knowledge/symptom_clues.yaml").read_text(encoding="utf-8"))
                if c["id"] == "truststore-pins-rotated-intermediate-cas")
    decides = re.compile(clue["decides"])
    assert decides.search('/certs/pg.crt contains a single certificate, "Microsoft Azure RSA TLS Issuing CA 03"')
    assert decides.search("Microsoft Azure RSA TLS Issuing CA 03, which we exported from the server's chain")
    assert not decides.search("/certs/pg.crt contains DigiCert Global Root G2 and Microsoft RSA Root CA 2017")


@pytest.mark.parametrize(("text", "entry"), [
    ("ErrorCode=FtpFailedToReadFtpData,Message=Failed to read data from ftp: The remote server returned an error: "
     "227 Entering Passive Mode (203,0,113,45,195,80).", "integration-adf-ftp-passive-data-ports-blocked"),
    ("ErrorCode=SftpInvalidHostKeyFingerprint,Message=Host key finger-print validation failed. Expected fingerprint "
     "is 'ssh-rsa 2048 7c:1e', real finger-print is 'ssh-ed25519 255 SHA256:q2Jx'",
     "integration-adf-sftp-host-key-fingerprint-mismatch"),
    ("ErrorCode=SftpAuthenticationFailure,Message=Meet authentication failure when connect to Sftp server 'sftp.x' "
     "using 'Basic' authentication type.", "integration-adf-sftp-authentication-failure"),
    ("ErrorCode=SftpInvalidSftpCredential,Message=Invalid SFTP credential provided for 'SshPublicKey' "
     "authentication type.", "integration-adf-sftp-invalid-private-key"),
])
def test_the_round_24_k_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]



ENCRYPTION = {"type": "AzureKeyVault", "primaryKeyURI": KEY, "primaryUserAssignedIdentityId": f"{SUB}/id"}


@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.DBforMySQL/flexibleServers", {"properties": {"state": "Inaccessible", "dataEncryption": ENCRYPTION}},
     {"state": "Inaccessible", "dataEncryption": ENCRYPTION}),
    ("Microsoft.DBforPostgreSQL/flexibleServers", {"properties": {"dataEncryption": ENCRYPTION}},
     {"dataEncryption": ENCRYPTION}),
    ("Microsoft.EventHub/namespaces/networkRuleSets",
     {"properties": {"defaultAction": "Deny", "publicNetworkAccess": "Enabled", "trustedServiceAccessEnabled": False,
                     "ipRules": [{"ipMask": "198.51.100.0/28", "action": "Allow"}],
                     "virtualNetworkRules": [{"subnet": {"id": f"{SUB}/snet"},
                                              "ignoreMissingVnetServiceEndpoint": False}]}},
     {"defaultAction": "Deny", "publicNetworkAccess": "Enabled", "trustedServiceAccessEnabled": False,
      "ipRules": ["198.51.100.0/28"], "virtualNetworkRules": [f"{SUB}/snet"]}),
])
def test_the_round_24_k_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected


def _reads_of(resource_id: str, report: str) -> list[str]:
    return [target for _, target in playbook_reads(resource_id, report)]


def test_the_event_hubs_playbook_reads_the_network_rules_for_an_unauthorized_client() -> None:
    namespace = f"{SUB}/Microsoft.EventHub/namespaces/evh-telemetry"
    assert f"{namespace}/networkRuleSets/default" in _reads_of(namespace, "Senders get 401 Unauthorized")
    assert f"{namespace}/networkRuleSets/default" not in _reads_of(namespace, "The consumer lags two hours behind")


def test_mysql_and_postgresql_server_keys_are_not_azure_sql_servers() -> None:
    playbooks = yaml.safe_load(Path("shared/knowledge/playbooks.yaml").read_text(encoding="utf-8"))
    sql = re.compile(next(p for p in playbooks if p["type"] == "Microsoft.Sql/servers")["env_keys"])
    assert sql.search("sql_server") and sql.search("azure_sql_server")
    assert not sql.search("mysql_server") and not sql.search("postgresql_server")
