"""Round 30, helper R (this session's unsolved development cases, fixed generally): Azure SQL's 47072 login refusal
for a client below the server's minimal TLS version (the legacy ODBC driver), a Redis URL without TLS aimed at the
TLS-only port, a cache whose maxclients is reached, a template error whose resource name is an endpoint URL taken
from a file variable, and a Redis AUTH failure against the developer's own local container."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.session.state import Conclude
from shared.tools.azure_resources import setting_plain_on_tls_port
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, state_with
from tests.helpers.scope_checks import in_scope, out_of_scope

TLS_47072 = ("pyodbc.Error: ('HY000', '[HY000] [Microsoft][ODBC SQL Server Driver][SQL Server]Reason: Login failed "
             "due to client TLS version being less than minimal TLS version allowed by the server. (47072) "
             "(SQLDriverConnect)')")


def test_a_login_below_the_minimal_tls_version_points_at_the_driver() -> None:
    hits = catalog_index().hits([(TLS_47072, "error")])
    assert hits and hits[0].entry.id == "sql-login-client-tls-below-minimal"
    final = run_engine({"error_description": TLS_47072}).final
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "driver" in final.report.root_cause and any("ODBC Driver 18" in a for a in final.report.actions)
    # a plain login failure is not a TLS version refusal
    plain = "Login failed for user 'etl'. (18456)"
    assert all(h.entry.id != "sql-login-client-tls-below-minimal" for h in catalog_index().hits([(plain, "error")]))


def test_a_plain_redis_url_on_the_tls_port_is_found_by_name_only() -> None:
    found = setting_plain_on_tls_port({
        "REDIS_URL": "redis://:secret@redis-x.redis.cache.windows.net:6380/0",
        "AMR_URL": "redis://default:k@amr-x.westeurope.redis.azure.net:10000",
        "TLS_URL": "rediss://:secret@redis-x.redis.cache.windows.net:6380/0",        # the TLS scheme: fine
        "LOCAL_URL": "redis://localhost:6379/0",                                    # the plain port: not this
        "SE_CONN": "redis-x.redis.cache.windows.net:6380,password=k,ssl=False,abortConnect=False",
        "SE_TLS": "redis-x.redis.cache.windows.net:6380,password=k,ssl=True,abortConnect=False",
        "PORT_63801": "redis://h.example:63801"})
    assert found == ["AMR_URL", "REDIS_URL", "SE_CONN"]


RESET = "redis.exceptions.ConnectionError: Error while reading from socket: (104, 'Connection reset by peer')"


def test_a_reset_with_a_plain_url_on_the_tls_port_blames_the_setting() -> None:
    read = ("list_app_setting_names", {"names": ["REDIS_URL"], "count": 1, "plain_on_tls_port": ["REDIS_URL"]})
    state = state_with(RESET, [read])
    assert finding_id(state) == "redis-setting-plain-scheme-on-tls-port"
    report = finding_report(state)
    assert report.category == "config.invalid_connection_string"
    assert "REDIS_URL" in report.root_cause and "6380" in report.root_cause
    clean = ("list_app_setting_names", {"names": ["REDIS_URL"], "count": 1, "plain_on_tls_port": []})
    assert finding_id(state_with(RESET, [clean])) != "redis-setting-plain-scheme-on-tls-port"
    assert finding_id(state_with("The cache's memory is at 95% since Monday.", [read])) != \
        "redis-setting-plain-scheme-on-tls-port"


def _cache(maxclients: str | None) -> dict[str, Any]:
    return {"type": "Microsoft.Cache/Redis", "name": "redis-q", "skuName": "Basic", "maxclients": maxclients}


MAX_CLIENTS = "redis.exceptions.ConnectionError: max number of clients reached"


def test_max_clients_reached_names_the_limit_of_the_cache_size() -> None:
    # redis-py's message has no ERR prefix; the inconclusive ConnectionError entry must not decide it
    final = run_engine({"error_description": MAX_CLIENTS}).final
    assert isinstance(final, Conclude) and final.report.category == "quota.exceeded"
    state = reads_state(MAX_CLIENTS, [_cache("256")])
    assert finding_id(state) == "redis-max-clients-of-size"
    report = finding_report(state)
    assert report.category == "quota.exceeded" and "256" in report.root_cause and "Basic" in report.root_cause
    assert finding_id(reads_state("Timeouts on GET since the deployment.", [_cache("256")])) != \
        "redis-max-clients-of-size"
    assert finding_id(reads_state(MAX_CLIENTS, [_cache(None)])) != "redis-max-clients-of-size"


SEGMENTS = ("InvalidTemplate: Deployment template validation failed: 'The template resource "
            "'https://oai-x.openai.azure.com/' for type 'Microsoft.CognitiveServices/accounts' at line '1' and column "
            "'12' has incorrect segment lengths. A nested resource type must have identical number of segments as its "
            "resource name.'")


def _template_run(content: str) -> Conclude:
    final = run_engine({"error_description": SEGMENTS, "context": {"source_files": [
        {"path": ".azure/dev/.env", "content": content}]}}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    return final


def test_an_endpoint_url_quoted_as_a_resource_name_names_the_variable_holding_it() -> None:
    final = _template_run('AZURE_OPENAI_ENDPOINT="https://other.openai.azure.com/"\n'
                          'AZURE_OPENAI_SERVICE="https://oai-x.openai.azure.com/"\n')
    assert "AZURE_OPENAI_SERVICE" in final.report.root_cause and "AZURE_OPENAI_ENDPOINT" not in final.report.root_cause
    assert "'oai-x'" in final.report.actions[0]
    # a variable holding another URL is not named
    other = _template_run('AZURE_OPENAI_ENDPOINT="https://other.openai.azure.com/"\n')
    assert "AZURE_OPENAI_ENDPOINT" not in other.report.root_cause


REDIS_STACK = ("`docker compose up` starts redis-stack and the web container, which crashes:\n"
               "redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.\n"
               "Everything runs on my laptop. Do I need to configure something on Azure Cache for Redis?")


def test_a_redis_auth_failure_against_the_local_compose_container_is_out_of_scope() -> None:
    assert "local stack" in out_of_scope(REDIS_STACK)
    # the same error against an Azure cache stays in scope
    in_scope("redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled. The app on "
             "my laptop connects to rediss://:key@redis-x.redis.cache.windows.net:6380.")
