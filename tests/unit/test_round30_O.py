"""Round 30, helper O (tests/scenarios/realO): errors of real reports the catalog did not know or read under
another cause - AADSTS700051 (access tokens of the implicit grant not enabled), an ID token given to the
on-behalf-of flow, a function app whose Application Insights setting has another name, a workspace-based
Application Insights resource whose workspace is gone, a Key Vault PEM import with a PKCS#1 key, an Azure SQL
session left in master, a Table key with a forbidden character, a chat model called on the completions route and
two reports outside Azure (a local SQL Server container, Upstash's REST client). Each entry ranks first on its own
words and stays silent for its near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import final_of

CASES = {
    "entra-aadsts700051-token-response-type-not-enabled": (
        "react-adal login ends with: AADSTS700051: response_type 'token' is not enabled for the application.\n"
        "Trace ID: 5e0a7c31-0000-4000-8000-1f6b2d9a4c00"),
    "entra-aadsts240002-id-token-as-jwt-bearer": (
        "AcquireTokenOnBehalfOf fails: MsalServiceException: Input id_token cannot be used as "
        "'urn:ietf:params:oauth:grant-type:jwt-bearer' grant."),
    "functions-application-insights-integration-not-enabled": (
        "The Monitor blade of every function says Application Insights integration is not enabled; the "
        "setting APP_INSIGHTS_INSTRUMENTATION_KEY holds the key."),
    "integration-appinsights-workspace-gone-ingestion-disabled": (
        'az resource show -g rg -n appi-web --resource-type microsoft.insights/components --query properties\n'
        '{ "IngestionMode": "Disabled", "WorkspaceResourceId": "/subscriptions/x/resourceGroups/gone/providers/'
        'Microsoft.OperationalInsights/workspaces/law-gone" }'),
    "keyvault-certificate-import-pem-format": (
        "az keyvault certificate import --vault-name kv-ci --name web --file web.pem\nThe specified PEM X.509 "
        "certificate content is in an unexpected format. Please check if certificate is in valid PEM format."),
    "sql-invalid-object-name-session-in-master": (
        '$c = "Server=tcp:sql-rep.database.windows.net,1433;User ID=loader;Password=***;Encrypt=True;"\n'
        "Write-DbaDbTableData -SqlInstance $c -Database Reporting -Table dbo.SignIns\n"
        "WARNING: Failed to bulk import | Invalid object name 'dbo.SignIns'."),
    "storage-table-key-disallowed-character": (
        "Element 0 in the batch returned an unexpected response code. StatusMessage:0:Bad Request - Error in query "
        'syntax.\nThe entities have PartitionKey = "CBM", RowKey = "2020/11/21-0007".'),
    "third-party-local-sql-server-container": (
        "docker run -e 'ACCEPT_EULA=Y' -e 'SA_PASSWORD=secret' -p 1433:1433 -d "
        "mcr.microsoft.com/mssql/server:2022-latest\nLogon Login failed for user 'sa'. Reason: An error occurred "
        "while evaluating the password."),
    "third-party-upstash-rest-unauthorized": (
        "import { Redis } from '@upstash/redis'\nconst redis = new Redis({ url: 'https://eu1-x.upstash.io', "
        "token: '***' })\nUpstashError: Unauthorized"),
}


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize("entry_id", list(CASES))
def test_a_round_30_o_entry_ranks_first_on_its_own_words(entry_id: str) -> None:
    ids = _ids(CASES[entry_id])
    assert ids and ids[0] == entry_id, ids[:3]


NEAR_MISSES = {
    # the ID token twin, not the access token one
    "entra-aadsts700051-token-response-type-not-enabled":
        "AADSTS700054: response_type 'id_token' is not enabled for the application.",
    # the component still ingests into its workspace
    "integration-appinsights-workspace-gone-ingestion-disabled":
        'az resource show --query properties\n{ "IngestionMode": "LogAnalytics", "WorkspaceResourceId": "/x" }',
    # the connection string names the database: master is not where the session sits
    "sql-invalid-object-name-session-in-master":
        'Server=tcp:sql-rep.database.windows.net,1433;Initial Catalog=Reporting;User ID=loader;\n'
        "Invalid object name 'dbo.SignIns'.",
    # keys without a forbidden character
    "storage-table-key-disallowed-character":
        "Element 0 in the batch returned an unexpected response code. Bad Request - Error in query syntax.\n"
        'PartitionKey = "CBM", RowKey = "2020-11-21-0007"',
    # a bare "Unsupported data type" names no chat model on a completions route
    "openai-chat-model-called-on-completions-route": "HTTP code 400 from API (Unsupported data type)",
    # the sa login fails against Azure SQL, not a local container
    "third-party-local-sql-server-container":
        "sqlcmd -S sql-x.database.windows.net -U sa -P *** -> Login failed for user 'sa'. docker run -p 1433:1433",
    # Azure Cache for Redis answers in its own words
    "third-party-upstash-rest-unauthorized":
        "UpstashError: Unauthorized while migrating keys to cache-x.redis.cache.windows.net from @upstash/redis",
}


@pytest.mark.parametrize("entry_id", list(NEAR_MISSES))
def test_a_round_30_o_entry_stays_silent_for_its_near_miss(entry_id: str) -> None:
    assert entry_id not in _ids(NEAR_MISSES[entry_id])


CHAT_ON_COMPLETIONS = ("error 400: Unsupported data type\nPOST https://oai-x.openai.azure.com/openai/deployments/"
                       "gpt-4/completions?api-version=2024-02-01 with a gpt-4 deployment")


def test_a_chat_model_on_the_completions_route_explains_the_api_version_reading() -> None:
    # the api-version entry ranks first on the longer phrase; the route entry explains its category and decides
    assert "openai-chat-model-called-on-completions-route" in _ids(CHAT_ON_COMPLETIONS)
    final = final_of(CHAT_ON_COMPLETIONS)
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "chat/completions" in final.report.root_cause


def test_a_misnamed_application_insights_setting_concludes_a_missing_setting() -> None:
    final = final_of("Our Python function app's Monitor blade says \"Application Insights integration is not "
                     "enabled\". Terraform sets APP_INSIGHTS_INSTRUMENTATION_KEY = var.appi_key in app_settings.")
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "APPINSIGHTS_INSTRUMENTATIONKEY" in final.report.root_cause


def test_a_local_sql_server_container_login_is_outside_azure() -> None:
    final = final_of("docker run -e 'ACCEPT_EULA=Y' -e 'SA_PASSWORD=short' -p 1433:1433 -d "
                     "microsoft/mssql-server-linux\nsqlcmd -S localhost -U sa -> Login failed for user 'sa'.\n"
                     "Error: 18456, Severity: 14, State: 7. Reason: An error occurred while evaluating the password.")
    assert isinstance(final, GiveUp | Conclude) and final.report.category == "out_of_scope"
