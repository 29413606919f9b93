"""Round 32 D (this session's development halves, docs47-49): databases and caches another cloud hosts, the Docker
client's credential helper, API Management's named values and IP-keyed rate limits behind a proxy, Entra tokens for
the wrong resource used as a database password, a deployment slot's own Key Vault references, and a private
endpoint's missing DNS record as what broke a private-only storage account's path."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.analyzers.common import table_entry
from shared.engines.analyzers.storage_firewall import private_path_broken
from shared.engines.clues import clue_in
from shared.engines.computed_findings.app_service import _key_vault_reference
from shared.engines.playbooks import conclude_finding
from shared.engines.session_reads import FINDINGS
from shared.session.state import Conclude, Evidence, GiveUp, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import final_of
from tests.helpers.finding_checks import extracted, playbook_reads, reads_state, state_with

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"

RDS = ('psql: error: connection to server at "sales.c9x2k7abcd12.eu-west-1.{host}" (52.30.118.9), port 5432 '
       'failed: FATAL:  no pg_hba.conf entry for host "20.61.43.107", user "export", database "sales", no encryption')
HOSTED_REDIS = ("Our Sidekiq workers crash with Redis::CommandError: ERR max number of clients reached. REDIS_URL "
                "comes from {where}.")
CREDENTIALS = ('ERROR: failed to solve: mcr.microsoft.com/dotnet/aspnet:8.0: error getting credentials - err: exec: '
               '"docker-credential-desktop.exe": executable file not found in $PATH, out: ``')
NAMED_VALUE = ('{"code":"ValidationError","target":"set-header","message":"Error in element \'set-header\' on line 7, '
               'column 10: Cannot find a property \'erp-backend-key\'"} from the API Management policy deployment')


@pytest.mark.parametrize(("entry_id", "text", "near_miss"), [
    ("third-party-managed-postgres-mysql-other-cloud", RDS.format(host="rds.amazonaws.com"),
     RDS.format(host="postgres.database.azure.com")),               # the same refusal from a flexible server
    ("third-party-hosted-redis-max-clients", HOSTED_REDIS.format(where="the Heroku Data for Redis add-on"),
     HOSTED_REDIS.format(where="rediss://orders.redis.cache.windows.net:6380")),   # an Azure cache's limit
    ("tooling-docker-credential-helper-not-found", CREDENTIALS,
     'exec: "/app/start.sh": executable file not found in $PATH'),   # the container's own command, not a helper
    ("integration-apim-policy-named-value-not-found", NAMED_VALUE,
     "java.lang.IllegalArgumentException: Cannot find a property 'db.url' in application.yml"),  # no APIM at all
])
def test_a_round_32_d_catalog_entry_reads_its_error_and_not_its_near_miss(entry_id: str, text: str,
                                                                         near_miss: str) -> None:
    assert best_entry_id(text) == entry_id
    assert best_entry_id(near_miss) != entry_id


def test_the_named_value_the_policy_lacks_is_named_in_the_reading() -> None:
    final = final_of(NAMED_VALUE)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "'erp-backend-key'" in final.report.root_cause


@pytest.mark.parametrize("text", [
    RDS.format(host="rds.amazonaws.com") + "\nThe step runs on a Microsoft-hosted Azure Pipelines agent.",
    HOSTED_REDIS.format(where="the Heroku Data for Redis add-on (Azure Cache for Redis is provisioned, not used)"),
    CREDENTIALS + "\nWe build the image on Ubuntu in WSL2 before pushing it to our Azure Container Registry.",
])
def test_another_platforms_server_or_the_local_docker_client_ends_out_of_scope(text: str) -> None:
    final = final_of(text)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


PG_TOKEN = ('FATAL:  password authentication failed for user "id-orders-api"\n'
            "token = cred.get_token('{scope}')\nconn = psycopg.connect(host=HOST, password=token.token)")


def test_a_database_password_token_for_another_resource_is_named_with_its_scope() -> None:
    assert _clue(PG_TOKEN.format(scope="https://management.azure.com/.default")) == \
        "postgres-mysql-entra-token-for-another-resource"
    final = final_of(PG_TOKEN.format(scope="https://management.azure.com/.default"))
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "https://management.azure.com/.default" in final.report.root_cause
    # the token asked for the database's own scope: the refusal has another cause
    assert _clue(PG_TOKEN.format(scope="https://ossrdbms-aad.database.windows.net/.default")) != \
        "postgres-mysql-entra-token-for-another-resource"


APIM_429 = ('{{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 37 seconds." }}\n'
            '<rate-limit-by-key calls="120" renewal-period="60" counter-key="@({key})" />\n'
            "The API is now published through an Application Gateway.")


def test_an_ip_keyed_rate_limit_behind_a_proxy_counts_every_caller_as_one() -> None:
    text = APIM_429.format(key="context.Request.IpAddress")
    assert _clue(text) == "apim-rate-limit-by-key-ip-behind-proxy"
    final = final_of(text)
    assert isinstance(final, Conclude) and final.report.category == "throttling.rate_limited"
    assert "context.Request.IpAddress" in final.report.root_cause
    # keyed on the subscription, the proxy in front changes nothing
    assert _clue(APIM_429.format(key="context.Subscription.Id")) != "apim-rate-limit-by-key-ip-behind-proxy"


def _references(resource_id: str) -> SessionState:
    state = state_with("The staging slot returns 500.30: @Microsoft.KeyVault(...) is not resolved.", [])
    data = extracted("Microsoft.Web", "sites/config/appsettings", {"value": [{"name": "ConnectionStrings__Db",
                     "properties": {"status": "AccessToKeyVaultDenied", "vaultName": "kv-claims",
                                    "secretName": "db-conn", "identityType": "SystemAssigned"}}]})
    state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": resource_id}, status="success",
                                summary="references", data={"type": "Microsoft.Web/sites/config/appsettings", **data}))
    return state


SITE = f"{SUB}/providers/Microsoft.Web/sites/app-claims"


def test_a_slots_denied_reference_names_the_slot_and_its_own_identity() -> None:
    rule = table_entry(FINDINGS, "keyvault-reference-access-denied")
    slot = conclude_finding(_references(f"{SITE}/slots/staging/config/configreferences/appsettings"), rule,
                            {"setting": "ConnectionStrings__Db", "status": "AccessToKeyVaultDenied", "vault": "kv",
                             "secret": "db-conn", "identity": "SystemAssigned", "slot": "staging",
                             "slot_app": "app-claims"}).report
    assert "slot 'staging' of app-claims" in slot.root_cause and "own managed identity" in slot.root_cause
    # the production app's own references: no slot is named
    assert _key_vault_reference(_references(f"{SITE}/config/configreferences/appsettings"),
                                ("AccessToKeyVaultDenied",)) == {
        "setting": "ConnectionStrings__Db", "status": "AccessToKeyVaultDenied", "vault": "kv-claims",
        "secret": "db-conn", "identity": "SystemAssigned"}
    found = _key_vault_reference(_references(f"{SITE}/slots/staging/config/configreferences/appsettings"),
                                 ("AccessToKeyVaultDenied",))
    assert found is not None and found["slot"] == "staging" and found["slot_app"] == "app-claims"
    # an unresolved reference explains a connection string that does not parse
    assert "config.invalid_connection_string" in rule["overrules"]


def test_the_slots_references_are_read_only_when_the_report_names_a_slot() -> None:
    body = {"value": [{"id": f"{SITE}/slots/staging", "name": "app-claims/staging"}]}
    assert extracted("Microsoft.Web", "sites/slots", body)["ids"] == [f"{SITE}/slots/staging"]
    assert extracted("Microsoft.Web", "sites/slots/config/appsettings", {"value": []}) is not None
    said = playbook_reads(SITE, "The staging slot of the web app returns 500.30 at start-up", limit=40)
    assert f"{SITE}/slots" in [target for _, target in said]
    plain = playbook_reads(SITE, "The web app returns 500.30 at start-up", limit=40)
    assert all("/slots" not in t for _, t in plain)


def _private_account() -> dict[str, Any]:
    body = {"properties": {"publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny"},
                           "privateEndpointConnections": [{"id": "pec-blob"}]}}
    return {"type": "Microsoft.Storage/storageAccounts", "name": "stdata",
            **extracted("Microsoft.Storage", "storageAccounts", body)}


def _pe_reads(records: list[str]) -> list[dict[str, Any]]:
    endpoint = {"type": "Microsoft.Network/privateEndpoints", "name": "pe-stdata-blob",
                "customDnsConfigs": [{"fqdn": "stdata.blob.core.windows.net", "ipAddresses": ["10.42.2.7"]}]}
    zone = {"type": "Microsoft.Network/privateDnsZones/A",
            "id": f"{SUB}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/A",
            "records": [{"name": r, "aRecords": [{"ipv4Address": "10.42.2.7"}]} for r in records]}
    return [_private_account(), endpoint, zone]


FORBIDDEN = ("HttpResponseError: This request is not authorized to perform this operation. "
             "ErrorCode:AuthorizationFailure")


def test_a_private_endpoint_name_without_its_record_is_what_broke_the_private_path() -> None:
    reads = _pe_reads(["stfunc"])
    found = private_path_broken(reads_state(FORBIDDEN, reads), reads[0])
    assert found is not None and found[0]["id"] == "private-endpoint-name-without-dns-record"
    report = conclude_finding(reads_state(FORBIDDEN, reads), *found).report
    assert report.category == "network.private_endpoint_dns" and "'stdata'" in report.root_cause
    # the record is there: the private path is whole, the firewall analyzer judges as before
    whole = _pe_reads(["stfunc", "stdata"])
    assert private_path_broken(reads_state(FORBIDDEN, whole), whole[0]) is None
