"""After reading the thirty-second session's blind failures: errors of tools and services outside Azure that a report
places next to Azure (Packagist's metadata download, Maven's block of http repositories, KEDA's Datadog scaler
refused by another Datadog site, a Neo4j Aura database, an Aiven PostgreSQL in an Azure region) end out of scope
naming the provider and what its error means; each has a near miss whose failing call is Azure's and stays in
scope."""

from __future__ import annotations

import pytest

from tests.helpers.engine_loop import out_of_scope_report, run_engine

COMPOSER = ("Release pipeline, before the App Service deploy step:\n  [Composer\\Downloader\\TransportException]\n"
            '  The "https://packagist.org/p/monolog/monolog$1a2b3c.json" file could not be downloaded (HTTP/1.1 404 '
            "Not Found)\n##[error]Bash exited with code '1'.")
MAVEN = ("mvn package on the hosted agent, then azure-webapp:deploy would run:\n[ERROR] Failed to execute goal on "
         "project billing: Could not resolve dependencies: Could not transfer artifact com.acme:util:pom:2.1 from/to "
         "maven-default-http-blocker (http://0.0.0.0/): Blocked mirror for repositories: [acme-nexus "
         "(http://nexus.acme.local/repository/releases, default, releases)]")
DATADOG = ('keda-operator on our AKS cluster: ERROR scale_handler error resolving auth params {"error": "error '
           'establishing Datadog connection: error connecting to Datadog API endpoint: 403 Forbidden"}. Our org is '
           "on app.datadoghq.eu; the keys validate there from my laptop.")
NEO4J = ("Spring Boot on App Service B1:\norg.neo4j.driver.exceptions.ServiceUnavailableException: Could not perform "
         "discovery for database 'neo4j'. No routing server available.\nUnable to connect to "
         "a1b2c3d4.databases.neo4j.io:7687")
AIVEN = ("Function app (Consumption) against pg-shop-acme.aivencloud.com (Aiven, azure-northeurope cloud):\n"
         "error: remaining connection slots are reserved for non-replication superuser connections  code: '53300'")


@pytest.mark.parametrize(("text", "provider", "meaning"), [
    (COMPOSER, "Packagist", "Composer"),
    (MAVEN, "Maven", "http"),
    (DATADOG, "Datadog", "site"),
    (NEO4J, "Neo4j", "paused"),
    (AIVEN, "Aiven", "PgBouncer"),
])
def test_the_outside_providers_error_ends_out_of_scope_naming_it(text: str, provider: str, meaning: str) -> None:
    cause = out_of_scope_report(text)["root_cause"]
    assert provider in cause and meaning in cause


@pytest.mark.parametrize("text", [
    # the same PostgreSQL message from an Azure flexible server is Azure's connection limit
    ("Function app (Consumption) against pg-shop.postgres.database.azure.com (Burstable B1ms):\nerror: remaining "
     "connection slots are reserved for non-replication superuser connections  code: '53300'"),
    # Maven's own Azure plugin failing on Azure's answer
    ("[ERROR] Failed to execute goal com.microsoft.azure:azure-webapp-maven-plugin:2.13.0:deploy (default-cli) on "
     "project billing: Status code 403, (AuthorizationFailed) The client 'a1' does not have authorization to perform "
     "action 'Microsoft.Web/sites/write' over scope '/subscriptions/0000/resourceGroups/rg-app'"),
])
def test_the_same_tools_named_beside_an_azure_failure_stay_in_scope(text: str) -> None:
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"


STORAGE_RULES = ("azcopy to https://stlogs01.blob.core.windows.net/raw fails from the build VM:\n"
                 "RESPONSE 403: This request is not authorized to perform this operation.\n"
                 "ERROR CODE: AuthorizationFailure\n"
                 '"ipRules": [ { "action": "Allow", "ipAddressOrRange": "52.10.4.0/24" } ], "defaultAction": "Deny"\n'
                 "curl ifconfig.me on the VM -> 52.10.40.9")
SQL_RULES = ("sqlcmd from the build VM: Login failed. Connection refused by the server firewall, cannot open server.\n"
             "Firewall rules: AllowOffice 81.2.69.160 - 81.2.69.175\ncurl ifconfig.me on the VM -> 52.10.40.9")


def test_a_stated_rule_list_of_a_storage_account_answers_in_the_storage_firewalls_category() -> None:
    """A pasted storage ip rule list that misses the caller is the storage firewall (its own category), naming the
    caller's address; the same reading of another service's rules stays a network rule."""
    found = run_engine({"error_description": STORAGE_RULES}).envelope()["report"]
    assert found["category"] == "network.storage_firewall" and "52.10.40.9" in found["root_cause"]
    other = run_engine({"error_description": SQL_RULES}).envelope().get("report") or {}
    assert other.get("category") != "network.storage_firewall"
