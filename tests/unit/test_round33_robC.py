"""Round 33 robC: known failures in other tools' words - an AzureOpenAI endpoint setting that "resolves to" the v1
path, the Azure Pipelines Static Web Apps task, a Java SE jar when app.jar is only mentioned, Firefox's redirect
loop with a PHP server dump, "admin consented" and a token whose roles "is not present", @azure/identity 1.0.0 with a
user-assigned client id, a move to Azure with nothing deployed yet, and an IIS on the client's own desktop."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

AOAI_404 = ("NotFoundError: 404 Resource not found\n  status: 404, error: { code: '404', "
            "message: 'Resource not found' }\nThe bot uses the AzureOpenAI class.")


def test_an_endpoint_setting_that_resolves_to_the_v1_path_decides() -> None:
    said = AOAI_404 + " AZURE_OPENAI_ENDPOINT now resolves to https://aoai-x.openai.azure.com/openai/v1/ (Foundry)."
    assert concludes(said, "config.invalid_connection_string")
    # the resource root is the right value: nothing to decide
    root = AOAI_404 + " AZURE_OPENAI_ENDPOINT now resolves to https://aoai-x.openai.azure.com/ and the key is right."
    assert not concludes(root, "config.invalid_connection_string")


ORYX = ("Detected following platforms:\n  nodejs: 18.20.4\nUsing Node version:\nv18.20.4\nRunning 'npm run build'...\n"
        "Node.js version v18.20.4 detected.\nThe Angular CLI requires a minimum Node.js version of v20.19 or v22.12.\n"
        "Oryx has failed to build the solution.\n")


def test_the_pipelines_static_web_app_task_counts_as_static_web_apps() -> None:
    assert concludes("Azure Pipelines, task AzureStaticWebApp@0 failed:\n" + ORYX, "config.missing_app_setting")
    # an App Service Oryx build takes its stack's version: the Static Web Apps reading stays silent
    assert not concludes("Azure Pipelines, task AzureWebApp@1 failed:\n" + ORYX, "config.missing_app_setting")


JAVA_SE = ("Web app wa-billing on Linux, Java SE 17. The deploy succeeded but the site shows the Azure placeholder "
           "page "
           "for Java apps. Kudu: /home/site/wwwroot/billing-0.0.1.jar. Startup Command: blank.\n{extra}")


def test_a_jar_not_named_app_jar_decides_when_app_jar_is_only_mentioned() -> None:
    said = JAVA_SE.format(extra="The tutorial used app.jar; our Gradle build keeps the version in the name.")
    final = run_engine({"error_description": said}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "app.jar" in final.report.root_cause
    # an app.jar listed in wwwroot: the jar's name is not the cause
    listed = JAVA_SE.format(extra="ls -l:\n-rw-r--r-- 1 root root 48213377 Apr 12 09:41 app.jar")
    assert clue_in([listed]) is None or clue_in([listed]).clue.id != "appservice-java-se-jar-not-named-app-jar"


LOOP = ("Web app wa-site after HTTPS Only, Firefox: The page isn't redirecting properly. Firefox has detected that the "
        "server is redirecting the request for this address in a way that will never complete.\n{dump}")


def test_firefox_loop_with_a_php_dump_showing_http_decides() -> None:
    assert concludes(LOOP.format(dump="HTTPS => (empty)\nREQUEST_SCHEME => http\nHTTP_X_FORWARDED_PROTO => https"),
                     "runtime.code_defect")
    # the app sees https: not the forwarded-proto cause
    assert not concludes(LOOP.format(dump="HTTPS => on\nREQUEST_SCHEME => https"), "runtime.code_defect")


GRAPH_403 = ('GET https://graph.microsoft.com/v1.0/groups -> 403 {"error":{"code":"Authorization_RequestDenied",'
             '"message":"Insufficient privileges to complete the operation."}} We added Group.Read.All (application) '
             "and the admin consented at 09:40. acquire_token_for_client with .default. {claims}")


def test_a_token_from_before_admin_consented_is_the_cause() -> None:
    said = GRAPH_403.replace("{claims}", "In the token roles is not present, iat=09:31. The app was not restarted.")
    assert concludes(said, "auth.credential_invalid")
    # roles present: not the cached-token reading
    has_roles = GRAPH_403.replace("{claims}", "The token has roles Group.Read.All.")
    assert not concludes(has_roles, "auth.credential_invalid")


MI = ('const credential = new ManagedIdentityCredential("0c3b6f7e-2d41-4a8e-b6e9-6f2a1d3c5b70");\n'
      'package.json: "@azure/identity": "{version}"\nRestError: This request is not authorized to perform '
      "this operation using this permission. code: AuthorizationPermissionMismatch statusCode: 403\n"
      "The user-assigned identity has the data role; the system-assigned identity is also on and has no role.")


def test_identity_1_0_0_with_a_user_assigned_client_id_decides() -> None:
    assert concludes(MI.replace("{version}", "1.0.0"), "auth.managed_identity_missing")
    # a fixed library version: the 403 may be a plain missing role
    assert not concludes(MI.replace("{version}", "1.2.0"), "auth.managed_identity_missing")


GUNICORN = ("[2025-05-11 14:02:41 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:7)\ndocker compose up on my laptop. {said}")


def test_a_move_to_azure_with_nothing_deployed_yet_is_out_of_scope() -> None:
    final = run_engine({"error_description": GUNICORN.format(
        said="Later this goes to Azure Container Apps but nothing is deployed yet.")}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    # a failed Azure deployment with nothing deployed yet is Azure's
    final = run_engine({"error_description": GUNICORN.format(
        said="The Azure deployment failed, so nothing is deployed yet.")}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


IIS = ("HTTP Error 500.19 - Internal Server Error\nThe requested page cannot be accessed because the related "
       "configuration data for the page is invalid.\nError Code  0x8007000d\n{said}")


def test_an_iis_on_the_clients_own_machine_is_out_of_scope_unless_azure_is_named() -> None:
    final = run_engine({"error_description": IIS.format(said="I test the dist on my local IIS (Windows 11).")}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    final = run_engine({"error_description": IIS.format(
        said="It works on my local IIS but fails on Azure App Service wa-portal.")}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")
