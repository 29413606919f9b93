"""Round 39 S3: reports that already state what decides the cause, which the engine used to answer with a question.
Each mechanism is a catalog entry (a service's own error words, or a generic deploy error read together with the
setting the report shows), a symptom clue whose `decides` reads the stated fact, or a vendor's in-page message.
Every test pastes words of its own (not a scenario's) and a near miss that must stay away from the new reading."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

# (paste, entry the index ranks first, category of the engine's answer, deciding words in root cause or evidence)
ENTRIES: list[tuple[str, str, str, str]] = [
    ('{"code":"VirtualNetworkSubnetHasIncorrectDelegation","message":"Subnet snet-gw has an incorrect delegation."} '
     "while deploying API Management StandardV2 with virtual network integration",
     "integration-apim-v2-subnet-incorrect-delegation", "deployment.template_invalid", "Microsoft.Web/serverFarms"),
    ("Saving the API Management policy: Error in element 'set-body' on line 3, column 4: Usage of type "
     "'System.IO.File' is not supported within expressions",
     "integration-apim-policy-expression-type-not-allowed", "runtime.code_defect", "send-request"),
    ("EmailClient.send -> (DomainNotLinked) The specified sender domain has not been linked. sender "
     "alerts@mail.contoso-lab.example", "integration-acs-email-domain-not-linked", "config.wrong_resource_name",
     "connect"),
    ("az cdn custom-domain create ... (BadRequest) We couldn't find a DNS record for custom domain that points to "
     "endpoint. To map a domain to this endpoint, create a CNAME record with your DNS provider for custom domain "
     "that points to endpoint.", "integration-cdn-custom-domain-no-cname-to-endpoint", "network.dns_resolution",
     "CNAME"),
    ("Resize failed: Unable to resize the VM 'vm-etl-02' since changing from resource disk to non-resource disk VM "
     "size and vice-versa is not allowed.", "compute-resize-resource-disk-to-diskless-size",
     "quota.sku_not_available", "temp"),
    ("az sql dw pause -g rg-x --server sql-x --name salesdb: This feature is not available for the selected "
     "database's edition (salesdb).", "sql-pause-not-available-for-edition", "config.wrong_resource_name",
     "dedicated SQL pool"),
    ('IoT Hub Connections log: {"statusCode":"401","errorCode":"401003","errorMessage":"IoTHubUnauthorized",'
     '"deviceId":"meter-17"} since the device keys were regenerated', "integration-iothub-unauthorized",
     "auth.credential_invalid", "regenerated"),
    ("Host startup: The value '00:20:00' for 'functionTimeout' is invalid. Value must be between 00:00:01 and "
     "00:10:00.", "functions-function-timeout-above-plan-maximum", "functions.host_misconfigured", "Consumption"),
    ("az containerapp update -n api -g rg --workload-profile-name d4\nNot a valid workload profile name: 'd4'. Run "
     "'az containerapp env workload-profile list -n env -g rg' to see options.",
     "containers-aca-workload-profile-name-not-valid", "config.wrong_resource_name", "case-sensitive"),
    ('{"code":"UnsupportedUpdate","message":"Cannot update StorageMB Downscaling for server"} from our Terraform '
     "run on the PostgreSQL server", "databases-pg-storage-downscale-not-supported", "deployment.template_invalid",
     "grow"),
    ("Adding the Entra admin to psql-hr-01: Failed to create Azure AD Principal. Reason - 0LP01: An unexpected "
     "error occurred while trying to validate user.", "databases-pg-flexible-entra-admin-validate-user-0lp01",
     "deployment.provider_not_registered", "5657e26c"),
    ("CustomScript: Enable failed: command terminated with exit status=126 [stderr] ./init.sh: /bin/bash^M: bad "
     "interpreter: No such file or directory", "compute-script-windows-line-endings-bad-interpreter",
     "runtime.code_defect", "line endings"),
    ("Microsoft.Data.SqlClient.SqlException: String or binary data would be truncated in table 'crm.dbo.Contact', "
     "column 'Phone'. Truncated value: '+44 20'.", "sql-string-or-binary-truncated-2628", "runtime.code_defect",
     "length"),
    ("PUT indexes/docs?api-version=2023-11-01: The request is invalid. Details: The property "
     "'vectorSearchConfiguration' does not exist on type 'Microsoft.Azure.Search.V2023_11_01.SchemaField'.",
     "openai-search-property-not-on-api-version-type", "runtime.code_defect", "vectorSearchProfile"),
    ("az backup protection enable-for-vm ... Virtual machine is already registered\\registering with another "
     "recovery services vault Please select a different virtual machine for registration.",
     "compute-backup-vm-protected-by-another-vault", "deployment.name_conflict", "protect"),
    ('Managed instance deployment: {"code":"VnetSubnetConflictWithIntendedPolicy","message":"Route Table."}',
     "sql-mi-network-intent-policy-conflict", "deployment.template_invalid", "Delegate"),
    ("az eventgrid event-subscription create ... (URL validation) Webhook validation handshake failed for "
     "https://func-a.azurewebsites.net/api/OnBlob. Http POST request failed with response code NotFound.",
     "integration-eventgrid-webhook-handshake-endpoint-not-found", "config.invalid_connection_string",
     "runtime/webhooks/EventGrid"),
    ("functions-action: Failed to deploy web package to App Service. Conflict (CODE: 409)\nFunction app settings:\n"
     "WEBSITE_RUN_FROM_PACKAGE = https://stpkg.blob.core.windows.net/rel/app.zip?sv=x&sig=y",
     "appservice-deploy-conflict-409-run-from-package-url", "functions.host_misconfigured",
     "WEBSITE_RUN_FROM_PACKAGE"),
    ("After the swap: Container web_0_1a didn't respond to HTTP pings on port: 80, failing site start. "
     "WEBSITES_PORT=5000 was marked as a deployment slot setting on the staging slot.",
     "appservice-container-ping-failed-websites-port-sticky-to-other-slot", "config.missing_app_setting",
     "WEBSITES_PORT"),
    ("az acr login -n acrx\nERROR: Unable to get AAD authorization tokens with message: Registry 'acrx.azurecr.io' "
     "did not issue a challenge.", "containers-acr-cli-token-no-challenge-network-rules", "network.nsg_blocked",
     "network"),
]


def _said(report: dict[str, object]) -> str:
    return f"{report.get('root_cause', '')} {report.get('evidence', '')} {report.get('actions', '')}"


@pytest.mark.parametrize(("paste", "entry"), [(p, e) for p, e, _, _ in ENTRIES])
def test_the_stated_error_reaches_its_entry(paste: str, entry: str) -> None:
    assert best_entry_id(paste) == entry


@pytest.mark.parametrize(("paste", "category", "detail"), [(p, c, d) for p, _, c, d in ENTRIES])
def test_the_engine_answers_without_asking(paste: str, category: str, detail: str) -> None:
    outcome = run_engine({"error_description": paste})
    envelope = outcome.envelope()
    assert envelope["status"] == "done" and not outcome.requests, envelope
    report = envelope["report"]
    assert report["category"] == category
    assert report["confidence"] != "high"
    assert detail.lower() in _said(report).lower()


# near misses: the same family's words without the deciding fact keep away from the new entry
NEAR_MISSES: list[tuple[str, str]] = [
    # the setting is 1 (zip deploy is allowed): a running deployment is the other reading
    ("functions-action: Failed to deploy web package to App Service. Conflict (CODE: 409)\nFunction app settings:\n"
     "WEBSITE_RUN_FROM_PACKAGE = 1", "appservice-deploy-conflict-409-run-from-package-url"),
    # a ping failure with WEBSITES_PORT but no swap and no slot setting
    ("Container web_0_1a didn't respond to HTTP pings on port: 80, failing site start. WEBSITES_PORT is 80.",
     "appservice-container-ping-failed-websites-port-sticky-to-other-slot"),
    # a handshake refused with 403, not a missing route
    ("Webhook validation handshake failed for https://api.contoso.example/events. Http POST request failed with "
     "response code Forbidden.", "integration-eventgrid-webhook-handshake-endpoint-not-found"),
    # a property error of another service's API
    ("The property 'foo' does not exist on type 'Contoso.Api.Models.Order'.",
     "openai-search-property-not-on-api-version-type"),
]


@pytest.mark.parametrize(("paste", "entry"), NEAR_MISSES)
def test_near_misses_keep_away(paste: str, entry: str) -> None:
    assert best_entry_id(paste) != entry or run_engine({"error_description": paste}).envelope()["status"] != "done"


def test_near_miss_run_from_package_one_is_not_read_as_the_url() -> None:
    envelope = run_engine({"error_description": NEAR_MISSES[0][0]}).envelope()
    assert envelope["status"] != "done" or envelope["report"]["category"] != "functions.host_misconfigured"


# --- clues whose `decides` reads the stated fact
QUERY_KEY_WRITE = ("Our loader gets 403 Forbidden from https://srch-a.search.windows.net on "
                   "MergeOrUploadDocumentsAsync; it uses the query key the website uses.")
QUERY_KEY_READ = ("Our website gets 403 Forbidden from https://srch-a.search.windows.net on every search; it uses "
                  "a query key and the managed identity has Owner on the subscription.")


def test_document_write_with_a_query_key_decides() -> None:
    envelope = run_engine({"error_description": QUERY_KEY_WRITE}).envelope()
    assert envelope["status"] == "done"
    assert envelope["report"]["category"] == "auth.credential_invalid"
    assert "admin key" in envelope["report"]["root_cause"]


def test_a_query_with_a_query_key_is_not_read_as_a_write() -> None:
    envelope = run_engine({"error_description": QUERY_KEY_READ}).envelope()
    assert "admin key" not in str((envelope.get("report") or {}).get("root_cause", ""))


ACA_LONG = ("Container Apps API: the export takes about 6 minutes and the caller gets 504 Gateway Timeout; short "
            "exports work.")
ACA_SHORT = "Container Apps API returns 504 Gateway Timeout now and then; the job polls every 5 minutes."


def test_container_apps_504_for_requests_longer_than_the_ingress_limit_decides() -> None:
    outcome = run_engine({"error_description": ACA_LONG})
    envelope = outcome.envelope()
    assert envelope["status"] == "done" and not outcome.requests
    assert envelope["report"]["category"] == "runtime.timeout"
    assert "240" in envelope["report"]["root_cause"]


def test_container_apps_504_without_a_long_request_still_asks() -> None:
    outcome = run_engine({"error_description": ACA_SHORT})
    assert outcome.requests


NSG_TSV = ("Load balancer health probe shows every backend down since the baseline. NSG rules (tsv):\n"
           "allow-web\t100\tInbound\tAllow\tInternet\t443\n"
           "deny-rest\t2000\tInbound\tDeny\t*\t*\n")
NSG_TSV_WITH_LB_ALLOW = NSG_TSV + "allow-lb\t1900\tInbound\tAllow\tAzureLoadBalancer\t*\n"


def test_a_pasted_deny_everything_row_decides_the_probe_failure() -> None:
    envelope = run_engine({"error_description": NSG_TSV}).envelope()
    assert envelope["status"] == "done"
    assert envelope["report"]["category"] == "network.nsg_blocked"
    assert "AzureLoadBalancer" in envelope["report"]["root_cause"]


def test_rules_that_allow_the_load_balancer_tag_do_not_decide() -> None:
    envelope = run_engine({"error_description": NSG_TSV_WITH_LB_ALLOW}).envelope()
    assert "deny-rest" not in str((envelope.get("report") or {}).get("root_cause", ""))


# --- another vendor's own words
def test_recaptcha_widget_message_on_an_azure_hosted_page_is_out_of_scope() -> None:
    text = ("Our site moved to https://app-web-1.azurewebsites.net and the form's captcha now shows: ERROR for site "
            "owner: Invalid domain for site key")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "domain" in envelope["report"]["root_cause"]


def test_an_azure_hosted_page_that_only_names_recaptcha_stays_in_scope() -> None:
    text = ("https://app-web-1.azurewebsites.net returns 500 on the contact form since we added reCAPTCHA; "
            "the log shows System.NullReferenceException in ContactController.")
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"


def test_docker_hub_push_denied_is_out_of_scope() -> None:
    text = ("docker push acme/web:2\nThe push refers to repository [docker.io/acme/web]\nabc123: Preparing\n"
            "denied: requested access to the resource is denied\nthe next job deploys to Azure App Service")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_a_push_to_an_azure_registry_denied_stays_in_scope() -> None:
    text = ("docker push acrshop.azurecr.io/web:2\nThe push refers to repository [acrshop.azurecr.io/web]\n"
            "denied: requested access to the resource is denied")
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"
