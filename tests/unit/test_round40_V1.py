"""Session 33, brief V1: the failing party is outside Azure although the report names Azure around it. A vendor's own
error shape (Cloudinary's and Pusher's signature messages, Twilio's PHP SDK, Resend's error object, Snowflake's
access-control error, an ECR login, App Store Connect's ITMS codes, npm's integrity check, git refused by github.com),
the part a report names as failing while the Azure part works, another cloud's database allow-list without the app's
outbound address, a self-managed Kubernetes cluster's drain and a project's npm tools never installed. Each has a near
miss that must stay Azure's."""

from __future__ import annotations

from typing import Any

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _report(text: str) -> dict[str, Any]:
    envelope = run_engine({"error_description": text}).envelope()
    return envelope.get("report") or {}


def _said(report: dict[str, Any]) -> str:
    return report.get("root_cause", "") + " " + " ".join(e.get("summary", "") for e in report.get("evidence", []))


CLOUDINARY = ("Node API on App Service uploads thumbnails:\n  Error: Invalid Signature "
              "5e0b7c2a9f1d3e4b6a8c0d2e4f6a8b0c1d3e5f7a. String to sign - 'folder=thumbs&timestamp=1733000000'.\n"
              "    http_code: 401\n"
              "MEDIA_API_SECRET=\"abc\" is in the app settings.")
AZURE_SIGNATURE = ("Our upload to the storage account fails: Server failed to authenticate the request. Make sure "
                   "the value of Authorization header is formed correctly including the signature. "
                   "AuthenticationErrorDetail: The MAC signature found in the HTTP request 'x' is not the same as any "
                   "computed signature.")


def test_cloudinarys_own_signature_message_is_cloudinarys_and_a_quoted_secret_is_named() -> None:
    found = _report(CLOUDINARY)
    assert found["category"] == "out_of_scope"
    assert "Cloudinary" in found["root_cause"] and "quotes" in found["root_cause"]


def test_azure_storages_signature_mismatch_stays_azures() -> None:
    assert _report(AZURE_SIGNATURE).get("category") != "out_of_scope"


def test_pushers_invalid_signature_body_names_pusher() -> None:
    found = _report("Worker on Container Apps: POST https://api-eu.pusher.com/apps/12/events -> 401\nbody: Invalid "
                    "signature: you should have sent HmacSHA256Hex(\"POST\\n/apps/12/events\", your_secret_key), but "
                    "you sent \"0f\"")
    assert found["category"] == "out_of_scope" and "Pusher" in found["root_cause"]


def test_twilios_php_sdk_with_an_api_key_sid_as_account_sid() -> None:
    found = _report("PHP app on App Service: PHP Fatal error:  Uncaught Twilio\\Exceptions\\RestException: "
                    "[HTTP 401] Unable to create record: Authenticate in "
                    "/home/site/wwwroot/vendor/twilio/sdk/src/Twilio/Version.php"
                    "\n$client = new Client(getenv('TW_SID'), getenv('TW_TOKEN')); // TW_SID = SK9a1b...")
    assert found["category"] == "out_of_scope" and "API Key" in found["root_cause"]


def test_snowflakes_access_control_error_names_the_create_integration_privilege() -> None:
    found = _report("CREATE STORAGE INTEGRATION lake TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'AZURE';\nSQL access "
                    "control error: Insufficient privileges to operate on account 'AB123'\nI'm Owner on the storage "
                    "account, which Azure role is missing?")
    assert found["category"] == "out_of_scope" and "CREATE INTEGRATION" in found["root_cause"]


def test_an_ecr_login_in_a_pipeline_is_aws_and_names_iam() -> None:
    found = _report("Azure Pipelines job, the push to ECR fails: ##[error]Error: Failed to obtain authorization token "
                    "to log in to ECR, error: CredentialsError: Missing credentials in config")
    assert found["category"] == "out_of_scope" and "IAM" in found["root_cause"]


def test_app_store_connects_redundant_binary_names_the_build_number() -> None:
    found = _report("Azure DevOps iOS release: [10:01:02]: ERROR ITMS-90189: \"Redundant Binary Upload. You've already "
                    "uploaded a build with build number '7' for version number '1.2.0'.\"")
    assert found["category"] == "out_of_scope" and "build number" in found["root_cause"]


def test_npm_integrity_failure_before_a_deploy_is_the_package_install() -> None:
    found = _report("Run npm ci\nnpm ERR! code EINTEGRITY\nnpm ERR! sha512-abc integrity checksum failed when using "
                    "sha512: wanted sha512-abc but got sha512-def. (100 bytes)\nThe Azure web app deploy never runs.")
    assert found["category"] == "out_of_scope" and "integrity" in found["root_cause"]


def test_github_refusing_the_jobs_ssh_key_names_the_deploy_key() -> None:
    found = _report("Jenkins job deploy-to-azure: > git fetch -- git@github.com:org/app.git\nstderr: git@github.com: "
                    "Permission denied (publickey).\nfatal: Could not read from remote repository.")
    assert found["category"] == "out_of_scope" and "deploy key" in found["root_cause"]


def test_a_private_submodule_checkout_names_the_token() -> None:
    found = _report("Azure web app workflow stops at checkout:\nSubmodule 'ui' (https://github.com/org/ui.git) "
                    "registered for path 'ui'\nfatal: could not read Username for 'https://github.com': terminal "
                    "prompts disabled")
    assert found["category"] == "out_of_scope" and "submodule" in found["root_cause"]


def test_the_part_named_as_failing_while_the_azure_part_works() -> None:
    found = _report("rclone copies backups to Azure Blob and to a Mail.ru remote. Azure side is OK, the Mail.ru side "
                    "fails for every file:\n  ERROR : a.kdbx: Failed to copy: server error 403 (<html>403 Forbidden)")
    assert found["category"] == "out_of_scope" and "Mail.ru" in found["root_cause"]


def test_an_azure_step_named_as_failing_is_not_an_outside_party() -> None:
    found = _report("The Azure part is fine, but the Key Vault step fails: Caller is not authorized to perform action "
                    "on resource. Code: Forbidden, Status: 403")
    assert "The part that fails is" not in found.get("root_cause", "")


def test_a_named_failing_step_without_azure_working_is_not_read() -> None:
    found = _report("The NIC step fails: Resource /subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/"
                    "networkSecurityGroups/nsg-web referenced by resource nic-web was not found.")
    assert "The part that fails is" not in found.get("root_cause", "")


CLOUD_SQL = ("Container app job reads our GCP database:\npsycopg2.OperationalError: connection to server at "
             "\"34.90.1.2\", port 5432 failed: Connection timed out\ncurl -s ifconfig.me -> 20.238.5.66\n"
             "gcloud sql instances describe db:\n  ipConfiguration:\n    authorizedNetworks:\n"
             "    - kind: sql#aclEntry\n"
             "      value: {net}\n    ipv4Enabled: true")


def test_cloud_sql_authorized_networks_without_the_outbound_address() -> None:
    found = _report(CLOUD_SQL.format(net="81.2.69.160/28"))
    assert found["category"] == "out_of_scope" and "authorized networks" in found["root_cause"]
    assert "20.238.5.66" in _said(found)


def test_cloud_sql_authorized_networks_that_hold_the_outbound_address_are_not_the_cause() -> None:
    found = _report(CLOUD_SQL.format(net="20.238.5.0/24"))
    assert "do not include the app's outbound address" not in found.get("root_cause", "")


DRAIN = ("error when evicting pod \"db-0\" (will retry after 5s): Cannot evict pod as it would violate the pod's "
         "disruption budget.")


def test_a_self_managed_clusters_drain_is_not_akss() -> None:
    found = _report(f"Upgrading our kubeadm cluster on three Azure VMs hangs at the drain:\n{DRAIN}")
    assert found["category"] == "out_of_scope"


def test_an_aks_upgrade_drain_stays_azures() -> None:
    found = _report(f"az aks upgrade -g rg -n aks-prod --kubernetes-version 1.30.3 hangs:\n{DRAIN}")
    assert found.get("category") == "deployment.resource_locked"


def test_a_project_tool_not_found_on_the_developers_machine_is_a_missing_npm_install() -> None:
    assert best_entry_id("sh: vite: command not found") == "tooling-npm-script-local-bin-not-installed"
    found = _report("Trying it on my laptop before deploying to Azure:\n$ npm start\n"
                    "> react-scripts start\n/bin/sh: react-scripts: command not found")
    assert found["category"] == "out_of_scope" and "npm install" in found["root_cause"]


def test_app_services_own_start_up_tool_not_found_stays_azures() -> None:
    assert best_entry_id("sh: 1: react-scripts: not found") == "appservice-startup-command-not-found"
    found = _report("Log stream of the web app: /home/site/wwwroot\n> react-scripts start\nsh: 1: react-scripts: not "
                    "found\nnpm ERR! code 127")
    assert found.get("category") != "out_of_scope"


IMAGE = ("Failed to pull image \"{image}\": rpc error: code = Unknown desc = failed to pull and unpack image: "
         "failed to extract layer sha256:0a: mount callback failed on /var/lib/containerd/tmpmounts/m1: "
         "archive/tar: invalid "
         "tar header: unknown\n  Warning  Failed  kubelet  Error: ErrImagePull")


def test_another_platforms_cluster_with_a_kubernetes_symptom_code_is_that_platforms() -> None:
    found = _report("On the customer's IBM Cloud Kubernetes Service cluster the pod never starts:\n"
                    + IMAGE.format(image="us.icr.io/team/api:1.0"))
    assert found["category"] == "out_of_scope" and "containerd" in found["root_cause"]


def test_an_aks_pull_from_acr_with_the_same_symptom_stays_azures() -> None:
    found = _report("On our AKS cluster the pod never starts:\n" + IMAGE.format(image="contoso.azurecr.io/api:1.0"))
    assert found.get("category") != "out_of_scope"
