"""Round 33 C (the twenty-sixth session's development half C): IIS request filtering limits on Windows App Service,
durable code of the Node.js v4 model run with the durable-functions 2.x package, an @appsetting() token a Standard
logic app deployment left unreplaced, a redirect loop of an app that ignores X-Forwarded-Proto, a Java SE jar not
named app.jar, the local Functions host without CORS origins, Oryx's default Node.js on Static Web Apps, and a
system the client says is still on its own premises or machine before a move to Azure (out of scope)."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import AskClient, GiveUp
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

IIS_413 = ("POST https://app-x.azurewebsites.net/api/upload 404 (Not Found)\nModuleName RequestFilteringModule\n"
           "HttpSubStatus 13\nErrorCode The request filtering module is configured to deny a request that exceeds "
           "the request content length.")
IIS_415 = ("HTTP Error 404.15 - Not Found\nThe request filtering module is configured to deny a request where the "
           "query string is too long.")
DURABLE = ("Worker was unable to load entry point \"src/functions/hello.js\": Cannot read properties of undefined "
           "(reading 'orchestration')\nNo job functions found.\n\"durable-functions\": \"^2.1.3\"")
LOGIC_TOKEN = ("Error in creating access policy for connection in reference - 'sql'. Error: Error in getting connection"
               " - /subscriptions/@appsetting('WORKFLOWS_SUBSCRIPTION_ID')/resourceGroups/x/providers/"
               "Microsoft.Web/connections/sql.\nError: The provided subscription identifier "
               "'@appsetting('WORKFLOWS_SUBSCRIPTION_ID')' is malformed or invalid.")
LOGIC_MISSING = ("Error in creating access policy for connection in reference - 'sql'. Error: The Resource "
                 "'Microsoft.Web/connections/sql' under resource group 'rg-la' was not found.")

CATALOG_CASES = {
    "appservice-iis-404-13-content-length-too-large": IIS_413,
    "appservice-iis-404-15-query-string-too-long": IIS_415,
    "functions-durable-node-v4-model-needs-durable-functions-3": DURABLE,
    "apps-logicapps-standard-appsetting-token-unresolved": LOGIC_TOKEN,
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    assert best_entry_id(CATALOG_CASES[entry_id]) == entry_id


def test_the_setting_name_is_taken_from_the_unreplaced_token() -> None:
    hits = catalog_index().hits([(LOGIC_TOKEN, "error")], [LOGIC_TOKEN])
    assert hits[0].facts.get("setting") == "WORKFLOWS_SUBSCRIPTION_ID"


def test_a_connection_that_really_is_missing_stays_the_wrong_name() -> None:
    # an ID without an @appsetting() token names a connection that does not exist: the older entry still decides
    assert best_entry_id(LOGIC_MISSING) == "apps-logicapps-standard-connection-reference-not-found"


def test_an_undefined_orchestration_outside_durable_code_is_not_the_package_line() -> None:
    # the same TypeError in code that names nothing of Durable Functions is another undefined object
    other = "TypeError: Cannot read properties of undefined (reading 'orchestration') at render (chart.js:10:4)"
    assert best_entry_id(other) != "functions-durable-node-v4-model-needs-durable-functions-3"


REDIRECT_LOOP = ("Container on a Linux App Service, custom domain with a managed certificate and HTTPS Only on. "
                 "/wp-admin says ERR_TOO_MANY_REDIRECTS. Inside the container the request log shows the scheme as "
                 "http for every call.")


def test_a_redirect_loop_where_the_app_sees_http_is_the_forwarded_proto_it_ignores() -> None:
    assert concludes(REDIRECT_LOOP, "runtime.code_defect")


def test_a_loop_behind_cloudflare_or_without_the_scheme_stated_is_not_decided_here() -> None:
    behind_proxy = REDIRECT_LOOP.replace("Container on", "Cloudflare proxies our container on")
    assert not concludes(behind_proxy, "runtime.code_defect")
    unstated = REDIRECT_LOOP.split(" Inside")[0]
    final = run_engine({"error_description": unstated}).final
    assert isinstance(final, AskClient) and "X-Forwarded-Proto" in final.request.question


JAVA_DEFAULT = ("Maven deploy to our Java SE web app app-orders worked, but https://app-orders.azurewebsites.net shows "
                "the 'Hey, Java developers! Your app service is up and running' page. Kudu:\n"
                "root@x:/home/site/wwwroot# ls -l\n-rw-r--r-- 1 root root 48213377 orders-api-1.4.2.jar\n"
                "Startup Command is empty.")


def test_a_java_se_jar_under_its_build_name_is_never_started() -> None:
    final = run_engine({"error_description": JAVA_DEFAULT}).final
    assert final.report.category == "config.wrong_resource_name"  # type: ignore[union-attr]
    assert "orders-api-1.4.2.jar" in final.report.root_cause  # type: ignore[union-attr]


def test_a_startup_command_that_names_the_jar_is_not_this_cause() -> None:
    named = JAVA_DEFAULT.replace("Startup Command is empty.", "Startup command: java -jar /home/site/wwwroot/o.jar")
    assert not concludes(named, "config.wrong_resource_name")


LOCAL_CORS = ("Access to fetch at 'http://localhost:7071/api/albums' from origin 'http://localhost:8000' has been "
              "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.")


def test_the_local_functions_host_without_cors_origins() -> None:
    final = run_engine({"error_description": LOCAL_CORS}).final
    assert final.report.category == "config.missing_app_setting"  # type: ignore[union-attr]
    assert "http://localhost:8000" in " ".join(final.report.actions)  # type: ignore[union-attr]


def test_a_host_started_with_cors_or_a_deployed_app_is_not_this_clue() -> None:
    assert not concludes(LOCAL_CORS + "\nWe start it with func start --cors http://localhost:8000",
                         "config.missing_app_setting")
    deployed = LOCAL_CORS.replace("http://localhost:7071", "https://fa-albums.azurewebsites.net")
    assert (clue_in([deployed]) or {}).get("id") != "functions-core-tools-local-cors-origin-not-allowed"


SWA_NODE = ("Static Web Apps workflow:\n---Oryx build logs---\nUsing Node version:\nv18.20.4\nRunning 'npm run build'"
            "\nNode.js version v18.20.4 detected.\nThe Angular CLI requires a minimum Node.js version of v18.19 or "
            "v20.11.\nOryx has failed to build the solution.")


def test_oryx_default_node_without_engines_is_the_missing_engines_field() -> None:
    final = run_engine({"error_description": SWA_NODE}).final
    assert final.report.category == "config.missing_app_setting"  # type: ignore[union-attr]
    assert "18.20.4" in final.report.root_cause  # type: ignore[union-attr]


def test_a_package_json_that_names_engines_is_not_decided_as_missing_it() -> None:
    stated = SWA_NODE + '\npackage.json: "engines": {"node": ">=20.11"}'
    assert not concludes(stated, "config.missing_app_setting")


@pytest.mark.parametrize("said", [
    "Management wants it on Azure App Service next year, but for now it's on-prem. Browsing gives HTTP Error 500.19.",
    "The image is meant to go to Azure later, but right now this is only Docker Desktop on my laptop. "
    "[CRITICAL] WORKER TIMEOUT (pid:8)",
])
def test_a_system_still_on_premises_before_a_move_to_azure_is_out_of_scope(said: str) -> None:
    final = run_engine({"error_description": said}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_local_code_that_calls_an_azure_resource_stays_in_scope() -> None:
    said = ("For now it's on-prem: our job uploads to https://stsales.blob.core.windows.net/in and gets 403 "
            "AuthorizationFailure: This request is not authorized to perform this operation.")
    final = run_engine({"error_description": said}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


def test_an_app_service_oryx_build_is_not_the_static_web_apps_engines_clue() -> None:
    # App Service's build takes the runtime stack's Node.js version, not package.json's engines
    app_service = SWA_NODE.replace("Static Web Apps workflow", "az webapp up to our Linux App Service")
    assert (clue_in([app_service]) or {}).get("id") != "swa-oryx-default-node-version-too-old"
