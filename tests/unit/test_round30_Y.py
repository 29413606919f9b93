"""Round 30 Y (robY, session 23): the same failures told by other people. A local compose stack's redis that an
ioredis client reaches without its requirepass password (WRONGPASS) is the developer's machine, also when the report
never says `docker compose up`; an IIS server named with its version ("our own IIS 10 server") or an app pool that
runs as ApplicationPoolIdentity is the organization's own; a Logic Apps HTTP action whose Queries entry is told in
prose drops the callback URL's signature; Az PowerShell's table of a component's IngestionMode and
WorkspaceResourceId shows ingestion Disabled; and an AuthorizationFailed message pasted without its client takes the
one managed identity the session read as the caller whose roles it lists."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.rbac_missing import _identity_read
from shared.models import Options, StartRequest
from shared.session.material import material_from_start
from shared.session.state import Evidence, SessionState
from tests.helpers.scope_checks import in_scope, out_of_scope

WRONGPASS = "[ioredis] Unhandled error event: ReplyError: WRONGPASS invalid username-password pair or user is disabled."


def test_a_local_compose_redis_refusing_ioredis_is_out_of_scope() -> None:
    text = ("local dev only, docker compose (redis:7 + node api). api crashes at boot:\n\n" + WRONGPASS
            + "\n\ncompose has `command: redis-server --requirepass ${REDIS_PASS}` and the api reads "
              "REDIS_URL=redis://redis:6379 from .env. Nothing deployed yet.")
    assert out_of_scope(text, ["docker-compose", "redis", "node"])
    host = next(h for h in table("outside_hosts") if h["id"] == "own-redis-container-outside-azure")
    said = "api in docker compose reads REDIS_URL=redis://redis:6379; the server runs redis-server --requirepass x"
    assert regex(host["pattern"]).search(said) and regex(host["failure"]).search(WRONGPASS)
    assert not regex(host["pattern"]).search("docker compose builds the image; REDIS_URL=rediss://cache.example:6380")


def test_the_same_wrongpass_from_an_azure_cache_stays_in_scope() -> None:
    text = ("Our container app on Azure reads REDIS_URL=rediss://:key@redis-orders.redis.cache.windows.net:6380 and "
            "fails at boot:\n\n" + WRONGPASS + "\n\nThe docker compose file is only used for the image build.")
    in_scope(text, ["container-apps", "redis", "node"])


IISNODE = ("HTTP Error 500.1000 - Internal Server Error\nModule iisnode\nHandler iisnode\nError Code 0x00000005")


def test_an_iis_server_named_with_its_version_is_the_organizations_own() -> None:
    text = ("on our own IIS 10 server the express site died after I changed nodeProcessCommandLine to a new "
            "node.exe folder:\n\n" + IISNODE + "\n\napp pool runs as ApplicationPoolIdentity.")
    assert "IIS server the organization operates" in out_of_scope(text, ["iis", "iisnode", "node"])


def test_the_same_iisnode_error_on_app_service_stays_in_scope() -> None:
    text = ("Our web app app-shop.azurewebsites.net (Windows plan) shows after the deploy:\n\n" + IISNODE
            + "\n\nKudu shows node.exe under D:\\home\\site\\wwwroot.")
    in_scope(text, ["app-service", "node"])


QUERIES = "apps-logicapps-http-action-queries-replace-uri-query"
SAS_ONLY = ('401 DirectApiAuthorizationRequired, "The request must be authenticated only by Shared Access scheme".')


def _first(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


def test_a_queries_entry_told_in_prose_reads_as_the_queries_replacing_the_signature() -> None:
    text = ("The HTTP action calls the other workflow's Request trigger with its callback URL. I added one entry "
            "under Queries: orderId. Since then the action fails with " + SAS_ONLY)
    assert _first(text) == QUERIES
    assert _first("It fails with " + SAS_ONLY + " Remove the Queries entry and it passes again.") == QUERIES


def test_directapiauthorizationrequired_without_queries_is_not_the_queries_entry() -> None:
    assert _first("We regenerated the access keys. The caller now gets " + SAS_ONLY) != QUERIES
    assert _first("The action runs the queries of the SQL connector, then calls the trigger: " + SAS_ONLY) != QUERIES


WORKSPACE_GONE = "integration-appinsights-workspace-gone-ingestion-disabled"


def test_az_powershells_table_of_a_disabled_ingestion_reads_as_the_workspace_gone() -> None:
    text = ("PS> Get-AzApplicationInsights -Name appi | Select IngestionMode, WorkspaceResourceId\n"
            "IngestionMode       WorkspaceResourceId\n-------------       -------------------\n"
            "Disabled            /subscriptions/x/resourceGroups/rg-old/providers/Microsoft.OperationalInsights/"
            "workspaces/law-old")
    assert _first(text) == WORKSPACE_GONE
    assert _first("Get-AzApplicationInsights | Format-List\nIngestionMode : Disabled") == WORKSPACE_GONE


def test_the_same_table_with_ingestion_to_log_analytics_is_no_verdict() -> None:
    text = ("IngestionMode       WorkspaceResourceId\n-------------       -------------------\n"
            "LogAnalytics        /subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/"
            "workspaces/law")
    assert _first(text) != WORKSPACE_GONE


SCOPE = "/subscriptions/s/resourceGroups/rg-vms/providers/Microsoft.Compute/virtualMachines/vm-01"


def _state(*resources: dict) -> SessionState:
    state = SessionState(trace_id="0" * 32, options=Options(), ttl_seconds=3600, azure_access=True,
                         material=material_from_start(StartRequest.model_validate({"error_description": "x"})))
    for body in resources:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="read", data=body))
    return state


def _with_identity(resource_id: str, principal: str) -> dict:
    return {"id": resource_id, "identity": {"type": "SystemAssigned", "principalId": principal}}


LOGIC_APP = "/subscriptions/s/resourceGroups/rg-auto/providers/Microsoft.Logic/workflows/la-start"


def test_a_message_without_its_client_takes_the_one_identity_read() -> None:
    state = _state({"id": SCOPE, "name": "vm-01"}, _with_identity(LOGIC_APP, "AAAA-1"))
    assert _identity_read(state, SCOPE) == "aaaa-1"


def test_the_denied_resources_own_identity_or_two_identities_name_no_caller() -> None:
    assert _identity_read(_state(_with_identity(SCOPE, "vm-principal")), SCOPE) is None
    two = _state(_with_identity(LOGIC_APP, "p-1"), _with_identity(LOGIC_APP.replace("la-start", "la-stop"), "p-2"))
    assert _identity_read(two, SCOPE) is None
    assert _identity_read(_state({"id": LOGIC_APP, "identity": None}), SCOPE) is None
