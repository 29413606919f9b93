"""Round 31 U (robustness of known failures told in other words): a retired diagnostic-settings retention refused
through Terraform, Application Gateway's Key Vault permission code, the .NET host's framework message on a
developer's machine, the Azure OpenAI endpoint joined with a double slash by string interpolation, and an expired ACR
token password read from `az acr token show -o table`."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.computed_findings.containers import _pasted_token_expired

UNRELATED = "Our nightly export copies blobs between two storage accounts and takes longer every week."


def _top(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize(("entry_id", "text"), [
    ("compute-monitor-diagnostic-settings-retention-retired",
     'Error: creating Monitor Diagnostics Setting "to-law" for Resource "/subscriptions/x/resourceGroups/rg/providers/'
     'Microsoft.ServiceBus/namespaces/sb1": unexpected status 400 (400 Bad Request) with error: BadRequest: Diagnostic '
     "settings does not support retention for new diagnostic settings."),
    ("compute-appgw-identity-no-get-permission-on-keyvault",
     "Resource health: Degraded. The Key Vault certificate referenced by listener lst-443 could not be retrieved. "
     "Error code: UserAssignedIdentityDoesNotHaveGetPermissionOnKeyVault."),
])
def test_a_round_31_u_catalog_entry_reads_its_error(entry_id: str, text: str) -> None:
    assert _top(text) == entry_id
    assert entry_id not in _ids(UNRELATED)


def test_a_retention_setting_that_deploys_is_no_retention_verdict() -> None:
    text = "We set the workspace retention to 90 days and the diagnostic settings deployed fine."
    assert "compute-monitor-diagnostic-settings-retention-retired" not in _ids(text)


LOCAL_RUN = ("local, before publishing. `dotnet run`:\nYou must install or update .NET to run this application.\n"
             "App: C:\\labs\\Api\\bin\\Debug\\netcoreapp2.2\\Api.exe\nFramework: 'Microsoft.AspNetCore.App', "
             "version '2.2.0' (x64)")


def test_the_dotnet_host_message_from_dotnet_run_on_a_developer_machine_is_out_of_scope() -> None:
    assert _top(LOCAL_RUN) == "appservice-ancm-runtime-missing-on-developer-machine"


def test_the_same_dotnet_host_message_from_the_app_service_log_stream_stays_azure() -> None:
    text = ("Log stream of our web app after we deployed it: You must install or update .NET to run this "
            "application. App: /home/site/wwwroot/Api.dll Framework: 'Microsoft.AspNetCore.App', version '8.0.0'")
    assert "appservice-ancm-runtime-missing-on-developer-machine" not in _ids(text)


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


SLASH = "openai-endpoint-trailing-slash-joined"


@pytest.mark.parametrize("text", [
    '$endpoint = $env:AOAI_ENDPOINT   # https://oai-x.openai.azure.com/\n$uri = "$endpoint/openai/deployments"\n'
    'Invoke-RestMethod: {"error":{"code":"404","message": "Resource not found"}}',
    "const url = `${endpoint}/openai/deployments?api-version=2022-12-01` // endpoint https://oai-x.openai.azure.com/\n"
    '{"error":{"code":"404","message": "Resource not found"}}',
    "404 Resource not found; the logged URL is https://oai-x.openai.azure.com//openai/deployments?api-version=2022-12-01",
])
def test_the_double_slash_clue_reads_interpolation_and_the_printed_url(text: str) -> None:
    assert _clue(text) == SLASH


def test_an_endpoint_without_a_trailing_slash_joined_by_interpolation_is_no_double_slash() -> None:
    text = ('$endpoint = "https://oai-x.openai.azure.com"\n$uri = "$endpoint/openai/deployments"\n'
            'Invoke-RestMethod: {"error":{"code":"404","message": "Resource not found"}}')
    assert _clue(text) != SLASH


TOKEN_TABLE = ("docker login crx.azurecr.io\nunauthorized: authentication required\n"
               "az acr token show -r crx -n tok-ro --query credentials.passwords -o table\n"
               "Name       Expiry\n---------  -------------------------\npassword1  {first}\n{second}")


def test_an_expired_password_in_table_output_is_read() -> None:
    facts = _pasted_token_expired(TOKEN_TABLE.format(first="2020-11-30T00:00:00+00:00", second=""))
    assert facts == {"token": "tok-ro", "registry": "crx", "expired": "2020-11-30"}


@pytest.mark.parametrize("second", ["password2", "password2  2999-01-01T00:00:00+00:00"])
def test_a_token_with_a_password_still_valid_in_table_output_is_not_expired(second: str) -> None:
    assert _pasted_token_expired(TOKEN_TABLE.format(first="2020-11-30T00:00:00+00:00", second=second)) is None


def test_a_null_expiry_in_json_output_never_expires() -> None:
    text = ('az acr token show -r crx -n tok-ro\n{"passwords": [{"name": "password1", "expiry": '
            '"2020-01-01T00:00:00+00:00"}, {"name": "password2", "expiry": null}]}')
    assert _pasted_token_expired(text) is None
