"""After reading the thirtieth session's blind failures: build tools a pipeline runs before its Azure step (the
public npm registry, JFrog Artifactory, a SonarCloud scan, the setup-node action) whose refusals ended in an Azure
question end out of scope naming the tool and what its error means, each with a near miss that stays Azure's."""

from __future__ import annotations

from tests.helpers.engine_loop import out_of_scope_report, run_engine

NPMJS = ("Azure DevOps release fails at publish:\nnpm ERR! code E403\nnpm ERR! 403 403 Forbidden - PUT "
         "https://registry.npmjs.org/@acme%2fgrid - You cannot publish over the previously published versions: 2.0.3.")
JFROG = ("npm ci\nnpm ERR! code E401\nnpm ERR! 401 Unauthorized - GET https://acme.jfrog.io/artifactory/api/npm/"
         "npm-remote/@acme%2fkit - Bad props auth token: apiKey=, token=<redacted>, the token is expired\n"
         "##[error]Bash exited with code '1'. The Azure service connection is fine.")
SONAR = ("INFO: EXECUTION FAILURE\nERROR: Error during SonarScanner execution\nERROR: Project not found. Please check "
         "the 'sonar.projectKey' and 'sonar.organization' properties\nThe deploy to our function app is skipped.")
SETUP_NODE = ("Run actions/setup-node@v4\n  with:\n    node-version: 18.x, 20.x\nError: Unable to find Node version "
              "'18.x, 20.x' for platform linux and architecture x64.\nNext step is azure/webapps-deploy@v3.")


def _category(text: str) -> str | None:
    return (run_engine({"error_description": text}).envelope().get("report") or {}).get("category")


def test_npmjs_refusing_a_republished_version_says_versions_are_immutable() -> None:
    cause = out_of_scope_report(NPMJS)["root_cause"]
    assert "npm registry" in cause and "version" in cause


def test_an_azure_artifacts_feed_refusing_npm_is_not_the_public_registry() -> None:
    text = NPMJS.replace("https://registry.npmjs.org/", "https://pkgs.dev.azure.com/acme/_packaging/feed/npm/registry/")
    assert _category(text) != "out_of_scope" or "npmjs" not in out_of_scope_report(text)["root_cause"]


def test_an_expired_artifactory_token_is_jfrogs() -> None:
    cause = out_of_scope_report(JFROG)["root_cause"]
    assert "Artifactory" in cause and "token" in cause


def test_a_sonar_project_not_found_names_the_project_key() -> None:
    cause = out_of_scope_report(SONAR)["root_cause"]
    assert "Sonar" in cause and "sonar.projectKey" in cause


def test_a_scan_named_in_passing_beside_an_azure_error_stays_azures() -> None:
    text = ("SonarScanner passed. Then the deploy: ERROR: (AuthorizationFailed) The client 'a1b2' with object id "
            "'a1b2' does not have authorization to perform action 'Microsoft.Web/sites/write' over scope "
            "'/subscriptions/1/resourceGroups/rg/providers/Microsoft.Web/sites/func-a'.")
    assert _category(text) == "auth.rbac_missing"


def test_setup_node_given_a_list_of_versions_names_the_single_version_input() -> None:
    cause = out_of_scope_report(SETUP_NODE)["root_cause"]
    assert "node-version" in cause and "matrix" in cause


def test_a_resource_type_the_pinned_provider_lacks_is_a_template_error_naming_the_type() -> None:
    text = ('Error: Invalid resource type\n\n  on main.tf line 12, in resource "azurerm_function_app_flex" "api":\n'
            '  The provider hashicorp/azurerm does not support resource type "azurerm_function_app_flex".')
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") == "deployment.template_invalid"
    assert "azurerm_function_app_flex" in report.get("root_cause", "")


def test_an_unsupported_data_source_is_not_the_resource_type_entry() -> None:
    text = ('Error: Invalid data source\n  The provider hashicorp/azurerm does not support data source '
            '"azurerm_function_app_flex".')
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert "resource type named in the block" not in report.get("root_cause", "")
