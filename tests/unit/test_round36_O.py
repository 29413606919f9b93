"""Brief O (twenty-ninth session): a failing call whose answer is another vendor's (knowledge/foreign_providers.yaml
`failing` forms: its API host, its SDK in the frames, its error body's shape) ends out of scope, naming the vendor
and what its own error means, before a symptom question or a generic ask; an Azure error the catalog knows, a
vendor merely mentioned, planned or ruled out, an Azure host on the path or a call that got no answer keep the
report Azure's. Each mechanism fires on its report and stays silent on its near miss."""

from __future__ import annotations

import pytest
import yaml

from shared.engines.analyzers.common import table
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.scope_checks import final_decision, in_scope, out_of_scope

HUBSPOT = (
    "Contacts sync function (Azure Functions, Python) fails:\n"
    "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
    "https://api.hubapi.com/crm/v3/objects/contacts?limit=100&hapikey=<redacted>\n"
    'response: {"status":"error","message":"Authentication credentials not found.",'
    '"category":"INVALID_AUTHENTICATION"}')


def test_vendor_api_host_in_the_failing_request_ends_out_of_scope_naming_the_vendor_and_meaning() -> None:
    cause = out_of_scope(HUBSPOT)
    assert "HubSpot" in cause and "private app access token" in cause  # the hapikey meaning
    assert final_decision(HUBSPOT).report.confidence == "medium"  # the error text alone earns no high


def test_vendor_sdk_frame_decides_without_a_host() -> None:
    cause = out_of_scope(
        "catalog-indexer container app fails:\nApiError: Method not allowed with this API key (status 403)\n"
        "    at AlgoliaClient.saveObjects (/app/node_modules/@algolia/client-search/dist/client-search.cjs:1024:19)")
    assert "Algolia" in cause and "search-only key" in cause


def test_vendor_error_body_shape_with_its_required_product_name() -> None:
    text = ('Our gateway returns 500 after adding a policy:\n$ curl -i https://gw.example/orders\n'
            'HTTP/1.1 500 Internal Server Error\n{"message":"Internal Server Error","http_status_code":500}\n')
    assert "Gravitee" in out_of_scope(text + "Version used: 3.14.0 (Gravitee).")
    # the same body without the product named is nobody's in particular: no Gravitee answer
    report = getattr(final_decision(text), "report", None)
    assert report is None or "Gravitee" not in (report.root_cause or "")


def test_okta_code_meaning_names_the_ssws_scheme() -> None:
    cause = out_of_scope(
        'Logic App HTTP action output: {"statusCode": 401, "body": {"errorCode": "E0000011", "errorSummary": '
        '"Invalid token provided"}} Inputs: POST https://northwind.okta.com/api/v1/users/x/lifecycle/deactivate, '
        "header Authorization: Bearer <redacted> (token from Key Vault).")
    assert "Okta" in cause and "SSWS" in cause


def test_catalog_out_of_scope_answer_names_the_vendor_of_the_failing_call() -> None:
    cause = out_of_scope(
        "google.api_core.exceptions.Forbidden: 403 Exceeded rate limits: too many table update operations for this "
        "table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas")
    assert "BigQuery" in cause and "one job" in cause


@pytest.mark.parametrize("text", [
    # an Azure error the catalog knows, the vendor only what the secret is for
    "We keep the Stripe key in Key Vault (https://api.stripe.com is called later):\n(Forbidden) The user, group or "
    "application 'appid=4b1c' does not have secrets get permission on key vault 'kv-pay;location=westeurope'.",
    # an Azure storage code, the vendor's host only the data source
    "Export from https://contoso.my.salesforce.com works, writing the CSV fails:\nStatus: 403 (This request is not "
    "authorized to perform this operation using this permission.)\nErrorCode: AuthorizationPermissionMismatch",
])
def test_an_azure_error_the_catalog_knows_outranks_a_vendor_in_the_report(text: str) -> None:
    in_scope(text)


def test_a_vendor_only_planned_or_ruled_out_is_not_the_failing_call() -> None:
    planned = ("Our web app returns 500 on every page since this morning. We plan to add Mailgun "
               "(api.eu.mailgun.net) for order mails next sprint.")
    ruled_out = "Our web app returns 500 on every page. It is not api.stripe.com, the payments work."
    for text in (planned, ruled_out):
        report = getattr(final_decision(text), "report", None)
        assert report is None or "Mailgun" not in report.root_cause and "Stripe" not in report.root_cause


def test_an_azure_host_on_the_path_or_a_call_without_answer_keeps_it_azure() -> None:
    through_apim = ("POST https://api-shop.azure-api.net/crm/contacts returns 401; the backend is "
                    "https://api.hubapi.com/crm/v3/objects/contacts")
    timed_out = "requests to https://api.hubapi.com/crm/v3/objects/contacts from our function: ETIMEDOUT after 30s"
    for text in (through_apim, timed_out):
        report = getattr(final_decision(text), "report", None)
        assert report is None or "HubSpot" not in (report.root_cause or "")


def test_a_vendor_host_that_carries_azure_in_its_name_is_still_the_vendor() -> None:
    cause = out_of_scope(
        "snowflake.connector.errors.DatabaseError: 250001 (08001): None: Failed to connect to DB: "
        "xy12345.west-europe.azure.snowflakecomputing.com:443. Incorrect username or password was specified.")
    assert "Snowflake" in cause


def test_every_failing_form_leaves_azure_errors_and_hosts_alone() -> None:
    """No provider's failing forms match an Azure host or an Azure error text."""
    azure = ["https://kv-pay.vault.azure.net/secrets/stripe-key", "https://func-crm.azurewebsites.net/api/sync",
             "https://st1.blob.core.windows.net/exports/a.csv", "https://oai-weu.openai.azure.com/openai/deployments",
             "AADSTS700016: Application with identifier 'x' was not found", "Ocp-Apim-Subscription-Key",
             "Microsoft.Azure.WebJobs.Host: Error indexing method", "https://login.microsoftonline.com/common"]
    import re
    for provider in table("foreign_providers"):
        if provider.get("failing"):
            assert not any(re.search(provider["failing"], a) for a in azure), provider["provider"]


def test_provider_entries_are_well_formed() -> None:
    providers = table("foreign_providers")
    assert sum(1 for p in providers if p.get("failing")) >= 50
    for p in providers:
        assert p.get("pattern") or p.get("failing"), p["provider"]
        for m in p.get("meanings") or []:
            assert set(m) == {"when", "meaning"}, p["provider"]
    assert yaml.safe_load  # the table loads through yaml with a source per entry (table() raises otherwise)


def test_local_development_stated_as_nothing_deployed_yet() -> None:
    text = ("On step 1 of the App Service Flask quickstart, haven't deployed anything yet. flask run:\n"
            "ImportError: cannot import name 'url_quote' from 'werkzeug.urls'")
    assert out_of_scope(text)
    # a deployment that stopped ("since Monday") is not local development
    in_scope("We haven't deployed anything since Monday and the function app returns 503 Service Unavailable; "
             "Microsoft.Azure.WebJobs.Script: Host is shutting down.")


def test_pyyaml_cython3_build_entry_and_its_near_miss() -> None:
    assert best_entry_id("Collecting PyYAML==5.4.1\n  Getting requirements to build wheel\n"
                         "AttributeError: cython_sources") == "third-party-pyyaml-sdist-cython3-cython-sources"
    assert best_entry_id("AttributeError: cython_sources_list in my own module") != \
        "third-party-pyyaml-sdist-cython3-cython-sources"


def test_a_move_to_azure_that_is_planned_does_not_hide_the_vendor_of_today() -> None:
    cause = out_of_scope(
        "We plan to move all of this to Azure next year, but for now the database is an Amazon RDS for MySQL 8.0 "
        'instance. Import fails: {"error": "Error 1419: You do not have the SUPER privilege and binary logging is '
        'enabled (you *might* want to use the less safe log_bin_trust_function_creators variable)"}')
    assert "parameter group" in cause


def test_a_request_that_fails_only_inside_wsl_is_the_local_network() -> None:
    text = ("az login in WSL2 Ubuntu never returns; curl -v https://login.microsoftonline.com hangs after Trying "
            "20.190.151.7:443. Invoke-WebRequest https://login.microsoftonline.com from PowerShell on the same laptop "
            "works.")
    assert "WSL 2" in out_of_scope(text)
    # the same hang without the Windows side working: nothing says it is WSL's own network
    report = getattr(final_decision(text.replace(" from PowerShell on the same laptop works", " fails too")),
                     "report", None)
    assert report is None or "WSL 2" not in (report.root_cause or "")
