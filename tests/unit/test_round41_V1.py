"""Session 34, brief V1: the failing party is outside Azure, read from its own words although the report names Azure
around it. A vendor's error shape (APNs' reason field, Google Play's used version code, OCI's opc-request-id, Postmark's
ErrorCode body, the AWS SDKs' and CloudFormation handlers' shapes, googleapi / gcloud errors, Datadog's logs intake,
a PayPal SDK with PayPal's OAuth refusal, GitHub's invalid workflow file) with what that error means on the vendor's
side, and the client's own tooling (another PowerShell module loaded before Az.Accounts, VisualStudioCodeCredential
not reading a signed-in VS Code, Durable Functions Monitor's backend on an old Core Tools, kubectl without a
kubeconfig on its own machine). Each has a near miss that must stay Azure's or stay silent."""

from __future__ import annotations

from typing import Any

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _report(text: str) -> dict[str, Any]:
    envelope = run_engine({"error_description": text}).envelope()
    return envelope.get("report") or {}


def _said(report: dict[str, Any]) -> str:
    return report.get("root_cause", "") + " " + " ".join(e.get("summary", "") for e in report.get("evidence", []))


# --- a vendor's own error shape, and what it means ---------------------------------------------------------------

APNS = ("Our notifier on App Service logs for some devices:\n"
        "Push failed: POST https://api.push.apple.com/3/device/ab12cd -> 400 {\"reason\":\"BadDeviceToken\"}\n"
        "Is the outbound IP blocked?")


def test_apns_reason_is_apples_and_bad_device_token_names_the_environment() -> None:
    found = _report(APNS)
    assert found["category"] == "out_of_scope"
    assert "APNs" in found["root_cause"] and "sandbox" in found["root_cause"]


def test_a_notification_hubs_report_quoting_an_apns_reason_is_not_read_as_apns() -> None:
    found = _report("Azure Notification Hubs send to iOS fails for some registrations: the per-message telemetry "
                    "shows {\"reason\":\"BadDeviceToken\"} from the hub sb-push.servicebus.windows.net.")
    assert "Apple Push Notification service" not in _said(found)


def test_google_plays_used_version_code_is_google_plays() -> None:
    found = _report("Azure Pipelines release fails at the Google Play task:\n##[error]Error: Failed to upload the "
                    "bundle. Failed with message: Error: APK specifies a version code that has already been used..")
    assert found["category"] == "out_of_scope" and "version code" in found["root_cause"]


def test_ocis_request_id_names_oci_and_its_bucket_not_found() -> None:
    found = _report("Copy job to Azure Blob fails before the upload:\nServiceError: {\"code\": \"BucketNotFound\", "
                    "\"message\": \"Either the bucket named 'b1' does not exist in the namespace 'n1' or you are not "
                    "authorized to access it\", \"opc-request-id\": \"fra-1:abc\", \"status\": 404}")
    assert found["category"] == "out_of_scope"
    assert "OCI" in found["root_cause"] and "compartment" in found["root_cause"]


def test_an_error_code_body_without_postmark_named_is_not_postmarks() -> None:
    found = _report("The app's mail call returns 422: {\"ErrorCode\":400,\"Message\":\"The 'From' address you "
                    "supplied is not a Sender Signature on your account.\"}")
    assert "Postmark" not in _said(found)
    named = _report("PostmarkSender: Postmark returned 422: {\"ErrorCode\":400,\"Message\":\"The 'From' address you "
                    "supplied is not a Sender Signature on your account.\"} (app on Azure App Service)")
    assert named["category"] == "out_of_scope" and "Sender Signature" in named["root_cause"]


def test_the_aws_go_sdk_shape_with_rclone_names_the_bucket_check() -> None:
    found = _report("rclone copy azblob:src s3:dst fails on every file:\nERROR : a.csv: Failed to copy: AccessDenied: "
                    "Access Denied\n\tstatus code: 403, request id: 3F2A9C1B, host id: q1w2e3==")
    assert found["category"] == "out_of_scope" and "--s3-no-check-bucket" in found["root_cause"]


def test_a_cloudformation_bucket_policy_access_denied_names_block_public_access() -> None:
    found = _report("Stack rolls back:\nUIBucketPolicy AWS::S3::BucketPolicy CREATE_FAILED Resource handler returned "
                    "message: \"Access Denied (Service: S3, Status Code: 403, Request ID: 7Q2W)\" (HandlerErrorCode: "
                    "AccessDenied)")
    assert found["category"] == "out_of_scope" and "Block Public Access" in found["root_cause"]


def test_googleapi_error_naming_a_service_account_says_it_is_not_the_user() -> None:
    found = _report("ERROR: (gcloud.run.deploy) INVALID_ARGUMENT: could not resolve source: googleapi: Error 403: "
                    "123-compute@developer.gserviceaccount.com does not have storage.objects.get access to the Google "
                    "Cloud Storage object., forbidden")
    assert found["category"] == "out_of_scope" and "service account" in found["root_cause"]


def test_datadogs_logs_intake_with_a_client_token_asks_for_an_api_key() -> None:
    found = _report("Logs never arrive; the container on App Service logs: failed to send log batch: HTTP 403 "
                    "Forbidden (https://http-intake.logs.datadoghq.com/v1/input). DD_TOKEN holds a client token.")
    assert found["category"] == "out_of_scope" and "API key" in found["root_cause"]


def test_a_paypal_sdk_with_invalid_client_after_going_live_names_the_sandbox() -> None:
    found = _report("Shop backend (paypal-rest-sdk) on App Service: after we set the live client id every payment "
                    "fails: { error: 'invalid_client', error_description: 'Client Authentication failed', "
                    "httpStatusCode: 401 }")
    assert found["category"] == "out_of_scope" and "sandbox" in found["root_cause"]


def test_invalid_client_from_entra_is_not_paypals() -> None:
    found = _report("Our app (we also take payments with PayPal) gets invalid_client from login.microsoftonline.com: "
                    "AADSTS7000215: Invalid client secret provided.")
    assert found.get("category") != "out_of_scope"


def test_githubs_invalid_workflow_file_names_the_duplicate_key() -> None:
    found = _report("Invalid workflow file : .github/workflows/deploy.yml#L22\nThe workflow is not valid. "
                    ".github/workflows/deploy.yml (Line: 22, Col: 1): 'name' is already defined")
    assert found["category"] == "out_of_scope" and "duplicate" in found["root_cause"]


# --- the client's own tooling ------------------------------------------------------------------------------------

ASSEMBLY = "Connect-AzAccount: Assembly with same name is already loaded"


def test_another_module_imported_first_makes_the_assembly_clash_the_sessions() -> None:
    assert best_entry_id(f"PS> Import-Module MicrosoftPowerBIMgmt\n{ASSEMBLY}") == \
        "tooling-ps-assembly-already-loaded-by-other-module"
    assert best_entry_id(ASSEMBLY) == "tooling-ps-assembly-already-loaded"  # Az versions alone: the Az entry
    runbook = f"Runbook in our Automation account: Import-Module MicrosoftPowerBIMgmt\n{ASSEMBLY}"
    assert best_entry_id(runbook) == "tooling-ps-assembly-already-loaded"  # a runbook runs in Azure


def test_vscode_credential_out_of_scope_only_when_the_developer_is_signed_in() -> None:
    text = "VisualStudioCodeCredential: Failed to get Azure user details from Visual Studio Code."
    assert best_entry_id(f"I've logged in through vs code.\n{text}") == \
        "entra-vscode-credential-signed-in-extension-not-read"
    assert best_entry_id(text) != "entra-vscode-credential-signed-in-extension-not-read"


def test_durable_functions_monitor_null_provider_is_the_local_core_tools() -> None:
    text = "Func.exe: Value cannot be null. (Parameter 'provider')"
    found = _report(f"Durable Functions Monitor in VS Code only shows:\n{text}")
    assert found["category"] == "out_of_scope" and "Core Tools" in found["root_cause"]
    assert best_entry_id(text) != "functions-durable-monitor-backend-old-core-tools"  # plain func start: the host's


def test_kubectl_without_kubeconfig_is_its_machines_setup() -> None:
    found = _report("az aks get-credentials ran as buildadmin; the agent runs kubectl as another user:\n"
                    "Unable to connect to the server: dial tcp [::1]:8080: connectex: No connection could be made "
                    "because the target machine actively refused it.")
    assert found["category"] == "out_of_scope" and "kubeconfig" in found["root_cause"]


def test_a_missing_setting_elsewhere_in_a_kubectl_report_stays_azures() -> None:
    found = _report("kubectl logs shows the pod of our AKS app failing: KeyError: 'STORAGE_CONNECTION' at "
                    "os.environ['STORAGE_CONNECTION'] in app.py line 12")
    assert found.get("category") != "out_of_scope"
