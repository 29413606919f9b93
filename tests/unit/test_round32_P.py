"""Round 32 (helper P, realP): a Blob binding path the SDK rejects (container name case, a trigger path without a
container), the Logic Apps Request trigger's Content-Type hint, the Static Web Apps 20 KB config limit, npm's lock
file and a self-hosted PHP server's session path (out of scope), a deployment from a hosted runner to a private-only
App Service, a managed certificate blocked by CAA records, an Ingress naming another class than the controller's, and
a B2C metadata host that carries the whole tenant domain."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes, final_of

CATALOG_CASES = {
    "functions-blob-binding-path-invalid":
        "[2026-12-05T10:21:44.513Z] Microsoft.Azure.WebJobs.Host: Error indexing method 'ExportReport'. "
        "Microsoft.Azure.WebJobs.Host: Validation failed for property 'BlobPath', value 'Test'. "
        "The field BlobPath is invalid.",
    "functions-blob-trigger-path-container-token":
        "Microsoft.Azure.WebJobs.Host.Indexers.FunctionIndexingException : Error indexing method 'IngestFile'\n"
        " ---> System.FormatException : Invalid blob trigger path '{filename}'. Container paths cannot contain "
        "{resolve} tokens.",
    "logicapps-request-trigger-content-type-not-json":
        "The designer of the HTTP request trigger says: Remember to include a Content-Type header set to "
        "application/json in your request.",
    "appservice-swa-config-file-too-large":
        "The content server has rejected the request with: BadRequest\nReason: Encountered an issue while validating "
        "staticwebapp.config.json: The file size exceeds the limit of 20 KB.",
    "third-party-npm-ci-lock-file-out-of-sync":
        "npm error `npm ci` can only install packages when your package.json and package-lock.json or "
        "npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.\n"
        "npm error Missing: @emnapi/core@1.4.3 from lock file",
    "third-party-php-session-save-path-not-writable":
        "An uncaught Exception was encountered\nMessage: Session: Configured save path '/tmp' is not writable by the "
        "PHP process.\nApache 2.4 on our own Debian server.",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_invalid_container_name_outside_a_blob_binding_is_not_the_binding_path() -> None:
    docker = "Error response from daemon: Invalid container name (my app), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    assert "functions-blob-binding-path-invalid" not in _ids(docker)


def test_npm_lock_file_inside_an_app_service_build_is_not_called_out_of_scope() -> None:
    oryx = "Running oryx build...\n" + CATALOG_CASES["third-party-npm-ci-lock-file-out-of-sync"]
    assert "third-party-npm-ci-lock-file-out-of-sync" not in _ids(oryx)


def test_php_session_path_on_app_service_is_not_called_out_of_scope() -> None:
    on_azure = CATALOG_CASES["third-party-php-session-save-path-not-writable"].replace(
        "Apache 2.4 on our own Debian server.", "The site runs on App Service (Linux, PHP 8.2).")
    assert "third-party-php-session-save-path-not-writable" not in _ids(on_azure)


RUNTIME_OS = ("Run azure/webapps-deploy@v2\nError: Failed to get app runtime OS\nError: Deployment Failed with Error: "
              "Error: Failed to get app runtime OS\nThe network team put the web app behind a private endpoint last "
              "week.")


def test_a_hosted_runner_deploying_to_a_private_endpoint_app_is_the_network() -> None:
    said = RUNTIME_OS + " Runner: ubuntu-latest (GitHub hosted)."
    found = clue_in([said])
    assert found is not None and found["id"] == "scm-deploy-from-hosted-runner-private-endpoint-only"
    assert concludes(said, "network.nsg_blocked")


def test_without_the_runner_named_the_private_endpoint_deploy_is_asked_not_decided() -> None:
    assert not concludes(RUNTIME_OS, "network.nsg_blocked")
    no_private = RUNTIME_OS.replace("behind a private endpoint", "on a new plan") + " Runner: ubuntu-latest."
    found = clue_in([no_private])
    assert found is None or found["id"] != "scm-deploy-from-hosted-runner-private-endpoint-only"


CAA = ("Adding www.fabrikam.example to our static web app fails: An unknown error has occurred while adding your "
       "custom domain.\nDNS zone:\nfabrikam.example. CAA 0 issue \"letsencrypt.org\"\n")


def test_caa_records_without_digicert_block_the_managed_certificate() -> None:
    found = clue_in([CAA])
    assert found is not None and found["id"] == "managed-certificate-caa-excludes-digicert"
    assert concludes(CAA, "network.dns_resolution")


def test_caa_records_that_allow_digicert_are_not_blamed() -> None:
    allowed = CAA + "fabrikam.example. CAA 0 issue \"digicert.com\"\n"
    found = clue_in([allowed])
    assert found is None or found["id"] != "managed-certificate-caa-excludes-digicert"


INGRESS = ("helm install ingress-public ingress-nginx/ingress-nginx --set controller.ingressClassResource.name=nginx-"
           "public\ncurl gives HTTP/1.1 404 Not Found from nginx for every path.\nIngress:\n  annotations:\n"
           "    kubernetes.io/ingress.class: nginx\n")


def test_an_ingress_naming_another_class_than_the_controller_serves() -> None:
    final = final_of(INGRESS)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert final.report.confidence == "medium" and "'nginx-public'" in final.report.root_cause


def test_an_ingress_naming_the_controllers_own_class_is_not_a_mismatch() -> None:
    same = INGRESS.replace("kubernetes.io/ingress.class: nginx\n", "kubernetes.io/ingress.class: nginx-public\n")
    found = clue_in([same])
    assert found is None or found["id"] != "ingress-class-differs-from-controller"


B2C = ('"wellKnownOpenIdConfiguration": "https://contosotravel.onmicrosoft.com.b2clogin.com/contosotravel.onmicrosoft'
       '.com/B2C_1_signin/v2.0/.well-known/openid-configuration"\nLogin to the static web app fails.')


def test_a_b2c_host_with_the_whole_tenant_domain_is_malformed() -> None:
    assert concludes(B2C, "config.invalid_connection_string")


def test_a_well_formed_b2c_host_is_not_called_malformed() -> None:
    good = B2C.replace("contosotravel.onmicrosoft.com.b2clogin.com", "contosotravel.b2clogin.com")
    found = clue_in([good])
    assert found is None or found["id"] != "b2c-authority-host-carries-onmicrosoft-domain"


PS_SELF_CALL = (
    "PowerShell function Orchestrate calls GetPrices in the same app:\n"
    "$prices = Invoke-RestMethod -Uri \"https://func-pricing.azurewebsites.net/api/GetPrices?code=x\" -Method Get\n"
    "[Information] Executing 'Functions.Orchestrate' (Reason='called via the host APIs.', Id=6a1f)\n"
    "[Information] Executing 'Functions.GetPrices' (Reason='called via the host APIs.', Id=91c2)\n"
    "[Error] Timeout value of 00:05:00 exceeded by function 'Functions.Orchestrate' (Id: '6a1f'). Initiating "
    "cancellation.\n[Information] Executed 'Functions.GetPrices' (Succeeded, Id=91c2, Duration=300178ms)\n")


def test_a_powershell_self_call_deadlock_outranks_the_timeout_it_causes() -> None:
    final = final_of(PS_SELF_CALL)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "PSWorkerInProcConcurrencyUpperBound" in " ".join(final.report.actions)


def test_a_plain_function_timeout_stays_a_timeout() -> None:
    slow = ("[Error] Timeout value of 00:05:00 exceeded by function 'Functions.Export' (Id: '6a1f'). Initiating "
            "cancellation.\nThe export reads 2 million rows from SQL.")
    final = final_of(slow)
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"
