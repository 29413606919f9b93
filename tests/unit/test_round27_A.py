"""Round 27 A (the twentieth session's development halves, real62): the JVM's missing jar on App Service, a
web.config that names one JDK patch folder, Microsoft.Extensions newer than the in-process host, a Python v2 HTTP
function whose request parameter is not `req`, Logic Apps' Parse JSON schema refusing null and a local managed
connection's expired key; and a signature's message that a catalog entry reads in the report's context."""

from __future__ import annotations

import pytest

from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str) -> Conclude:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude)
    return final


JAR = ("Linux web app, Java 21. Startup command: java -jar billing.jar\nContainer log:\n"
       "Error: Unable to access jarfile billing.jar\nContainer billing-web_0_1a2b has exited, failing site start")


def test_a_relative_jar_path_in_the_startup_command_is_a_wrong_path() -> None:
    final = _final(JAR)
    assert final.report.category == "config.wrong_resource_name"
    assert any("/home/site/wwwroot/billing.jar" in action for action in final.report.actions)


def test_a_container_that_exits_without_the_jvm_words_is_not_read_as_a_jar_path() -> None:
    assert (best_entry_id("Container web_0_1a2b has exited, failing site start")
            != "appservice-java-unable-to-access-jarfile")


CGI = ("Every request: The specified CGI application encountered an error and the server terminated the process.\n"
       '<httpPlatform processPath="{path}" arguments="-jar &quot;%HOME%\\site\\wwwroot\\app.jar&quot;" />')


@pytest.mark.parametrize("path", ["C:\\Program Files\\Java\\microsoft-jdk-11.0.21.9\\bin\\java.exe",
                                  "%ProgramW6432%\\Java\\jdk1.8.0_60\\bin\\java.exe",
                                  "D:\\Program Files\\apache-tomcat-9.0.54\\bin\\startup.bat"])
def test_a_web_config_that_names_a_patch_folder_is_a_path_that_went_away(path: str) -> None:
    assert best_entry_id(CGI.format(path=path)) == "appservice-windows-java-hardcoded-runtime-path"
    assert _final(CGI.format(path=path)).report.category == "config.wrong_resource_name"


def test_the_platform_java_home_in_web_config_stays_a_cgi_failure_of_another_cause() -> None:
    assert best_entry_id(CGI.format(path="%JAVA_HOME%\\bin\\java.exe")) == "appservice-502-3-bad-gateway-timeout"


EXTENSIONS = ("{model} function app on net6.0: Could not load file or assembly 'Microsoft.Extensions.Options, "
              "Version=8.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60'. The system cannot find the file "
              "specified.")


def test_microsoft_extensions_newer_than_the_in_process_host_names_the_version() -> None:
    final = _final(EXTENSIONS.format(model="In-process (Microsoft.NET.Sdk.Functions)"))
    assert final.report.category == "runtime.dependency_missing"
    assert "Microsoft.Extensions.Options" in final.report.root_cause and "8.0.0.0" in final.report.root_cause


def test_an_isolated_worker_keeps_the_generic_could_not_load_reading() -> None:
    assert best_entry_id(EXTENSIONS.format(model="Isolated worker (dotnet-isolated)")) == \
        "functions-dotnet-could-not-load-assembly"


PY_V2 = ("Python v2 function app, all routes 404. Host log: 0 functions loaded\nNo job functions found. "
         "Try making your job classes and methods public.\n\n@app.route(route=\"orders\"{extra})\n"
         "def list_orders({param}: "
         "func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"[]\")")


def test_a_v2_http_function_whose_request_is_not_named_req_is_a_code_defect() -> None:
    final = _final(PY_V2.format(extra="", param="request"))
    assert final.report.category == "runtime.code_defect"
    assert "request" in final.report.root_cause and "list_orders" in final.report.root_cause


@pytest.mark.parametrize(("extra", "param"), [("", "req"), (', trigger_arg_name="request"', "request")])
def test_a_request_named_as_the_binding_says_leaves_the_host_reading(extra: str, param: str) -> None:
    assert best_entry_id(PY_V2.format(extra=extra, param=param)) == "functions-no-job-functions-found"
    assert _final(PY_V2.format(extra=extra, param=param)).report.category != "runtime.code_defect"


@pytest.mark.parametrize("message", [
    "Parse_JSON failed: ValidationFailed. The schema validation failed.",
    'Parse JSON: [{"message": "Invalid type. Expected Integer but got Null.", "path": "order.quantity"}]',
    "Parse JSON action: Required properties are missing from object: customerId."])
def test_parse_json_schema_failures_are_the_schema_against_the_payload(message: str) -> None:
    final = _final(f"Logic app run failed at the Parse JSON step.\n{message}")
    assert final.report.category == "runtime.code_defect" and "schema" in final.report.root_cause
    assert any("null" in action for action in final.report.actions)


def test_an_expected_type_without_null_is_no_parse_json_reading() -> None:
    assert best_entry_id("Invalid type. Expected String but got Integer.") != \
        "apps-logicapps-parse-json-schema-validation-failed"


EXPIRED = '{{"code": "Unauthorized", "message": "Lifetime validation failed. The token is expired."}}{context}'


def test_an_expired_token_of_a_local_managed_connection_is_its_connection_key() -> None:
    text = EXPIRED.format(context="\nlocal.settings.json: office365-connectionKey = <redacted>")
    assert best_entry_id(text) == "apps-logicapps-local-managed-connection-key-expired"
    assert _final(text).report.category == "auth.credential_invalid"


def test_the_bare_lifetime_message_is_a_token_past_its_lifetime() -> None:
    text = EXPIRED.format(context="\nour API validates bearer tokens with JwtBearer")
    assert best_entry_id(text) == "entra-idx10223-token-lifetime-expired"
