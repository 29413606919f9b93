"""Round 42, helper F1 (session 35's real105-107 and probej development cases): catalog entries read by an error's own
words (the Static Web Apps deploy step's empty token, python-dotenv's find_dotenv under the Functions worker, the Logic
Apps VS Code runtime gate, Container Apps' external TCP ingress without a VNet, AKS's restricted node sizes, block
blobs on a premium page-blob account, a fine-tuning file's invalid schema, bounded staleness across regions, a MongoDB
account written through the NoSQL SDK), and entries that name which case of a shared code or message a report shows
through `requires`: SubscriptionNotFound quoting a value that is no subscription id, an ACR task's login with an
identity never added as its credential, a trigger's missing lease container behind 403/5300, an unrecognized OpenAI
argument read by the api-version the report states. Evidence findings: a node scale-up the activity log shows refused
for a full subnet (before the pool's maxPods), and a function app and its slot that derive one host ID. Each shows the
reading on a text or read of its own and a near miss. Symptom clues: the workflow runtime on a BlobStorage-kind
account answered 501 NotImplemented; App Service Authentication with allowed audiences and no default authorization
policy refusing valid tokens."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.analyzers.common import table_entry
from shared.engines.clues import clue_in
from shared.engines.computed_findings import COMPUTED
from shared.engines.computed_findings.host_id import slots_share_host_id
from shared.engines.playbooks import FINDINGS, finding, rule_facts
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id

CASES = [
    ("appservice-swa-deploy-no-api-token",
     "Run Azure/static-web-apps-deploy@v1\nDeploymentId: 1f2e\nNo api token was provided.\nExiting",
     "No matching static site was found or the api key was invalid."),
    ("python-dotenv-find-dotenv-no-main-module",
     "Exception: ModuleNotFoundError: No module named '__main__'\n  File \"/home/site/wwwroot/cfg.py\", line 3\n"
     "    dotenv.load_dotenv()",
     "Exception: ModuleNotFoundError: No module named 'requests'\n  File \"/home/site/wwwroot/cfg.py\", line 3"),
    ("apps-logicapps-vscode-codeless-functions-version-not-supported",
     'Error Message: Functions version "~3" not supported. Only version "~2" is currently supported for Codeless.',
     "Error Message: The workflow definition is invalid."),
    ("containers-aca-tcp-requires-vnet",
     "(ContainerAppTcpRequiresVnet) Applications with external TCP ingress can only be deployed to Container App "
     "Environments that have a custom VNET.",
     "Container app ingress: target port 8080 does not match the port the container listens on"),
    ("containers-aks-node-vm-size-restricted",
     "Code=\"BadRequest\" Message=\"The VM SKU chosen for this cluster `Standard_B1ls` does not have enough "
     "CPU/memory to run as an AKS node.\"",
     "Code=\"BadRequest\" Message=\"The VM size Standard_B1ls is not available in location eastus2.\""),
    ("storage-block-blobs-not-supported-premium-page-blob-account",
     "Status: 400 (Block blobs are not supported.)\nErrorCode: BlobTypeNotSupported",
     "Status: 404 (The specified container does not exist.)\nErrorCode: ContainerNotFound"),
    ("openai-finetune-training-file-invalid-schema",
     "Fine-tune job failed: Training file validation failed: contains invalid schema (7)",
     "Fine-tune job failed: quota exceeded for the training tokens"),
    ("cosmos-bounded-staleness-max-lag-multi-region",
     "Message=\"The maximum lag must be between 5 seconds and 1 day for accounts with a single region, and between "
     "5 minutes and 1 day for accounts with multiple regions.\"",
     "Message=\"The consistency level Strong is not supported for accounts with multiple write regions.\""),
    ("cosmos-mongo-account-written-with-sql-api",
     '{"code":500,"body":"Detected corrupted documents without _id identifier, verify that you are only storing '
     'documents through Mongo protocol and not SQL API or DocumentDB SDK."}',
     '{"code":400,"body":"Document is missing the partition key value."}'),
]


@pytest.mark.parametrize(("entry", "text", "near"), CASES, ids=[c[0] for c in CASES])
def test_an_error_read_by_its_own_words(entry: str, text: str, near: str) -> None:
    assert best_entry_id(text) == entry
    assert best_entry_id(near) != entry


def test_subscription_not_found_quoting_a_resource_group_name_is_the_template_wiring() -> None:
    wired = "{\"code\": \"SubscriptionNotFound\", \"message\": \"The subscription 'rg-core-net' could not be found.\"}"
    assert best_entry_id(wired) == "arm-subscription-not-found-non-guid-value"
    guid = ("{\"code\": \"SubscriptionNotFound\", \"message\": \"The subscription "
            "'3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9' could not be found.\"}")
    assert best_entry_id(guid) != "arm-subscription-not-found-non-guid-value"


def test_acr_task_login_with_an_identity_but_no_credential() -> None:
    identity = ("az acr task create -r crx -n nightly --assign-identity [system] ...\n"
                "Logging in to registry: crx.azurecr.io\nfailed to login, ran out of retries: exit status 1")
    assert best_entry_id(identity) == "containers-acr-task-identity-credential-not-added"
    firewall = ("az acr build -r crx . --assign-identity [system]\nfailed to login, ran out of retries: failed to set "
                "docker credentials: Error response from daemon: client with IP '20.1.2.3' is not allowed access")
    assert best_entry_id(firewall) != "containers-acr-task-identity-credential-not-added"


def test_trigger_lease_setup_behind_5300_is_a_missing_lease_container() -> None:
    lease = ("Microsoft.Azure.WebJobs.Extensions.CosmosDB: Cannot create container information for items in database "
             "app with lease items-leases in database app : Response status code does not indicate success: Forbidden "
             "(403); Substatus: 5300; Reason: (The given request [POST /dbs/app/colls] cannot be authorized by AAD "
             "token in data plane.")
    assert best_entry_id(lease) == "cosmos-trigger-lease-container-missing-entra"
    sdk = ("CosmosException : Response status code does not indicate success: Forbidden (403); Substatus: 5300; "
           "Reason: (The given request [PUT /dbs/app/colls/items] cannot be authorized by AAD token in data plane.")
    assert best_entry_id(sdk) == "cosmos-entra-non-data-operation"


def test_unrecognized_argument_is_read_by_the_api_version_the_report_states() -> None:
    message = "'message': 'Unrecognized request argument supplied: tools'"
    assert best_entry_id(message + "\napi_version=\"2024-05-01-preview\"") == \
        "openai-unrecognized-argument-model-version-too-old"
    assert best_entry_id(message + "\nAZURE_OPENAI_API_VERSION=2023-03-15-preview") == \
        "openai-unrecognized-argument-configured-api-version-too-old"
    assert best_entry_id(message) == "openai-unrecognized-request-argument"


# --- evidence findings -----------------------------------------------------------------------------------------

def _state(text: str, *reads: Evidence) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    for read in reads:
        state.add_evidence(read)
    return state


def _read(tool: str, data: dict[str, Any]) -> Evidence:
    return Evidence(tool=tool, status="success", summary="s", arguments={}, data=data)


_POOL = {"type": "Microsoft.ContainerService/ManagedClusters", "name": "aks-batch", "location": "eastus",
         "agentPoolProfiles": [{"name": "work", "maxPods": 30}]}


def _scale_write(message: str) -> Evidence:
    return _read("list_activity_log", {"events": [{
        "operation": "Microsoft.Compute/virtualMachineScaleSets/write", "status": "Failed", "status_code": "BadRequest",
        "message": message, "time": "2026-01-02T03:04:05Z", "caller": "aks-batch-agentpool (cluster-autoscaler)",
        "resource_id": "/subscriptions/x/resourceGroups/MC_x/providers/Microsoft.Compute/virtualMachineScaleSets/v"}]})


def test_a_scale_up_refused_for_a_full_subnet_answers_before_the_pools_max_pods() -> None:
    text = "pods Pending, autoscaler: pod didn't trigger scale-up: 2 in backoff after failed scale-up"
    full = "Subnet snet-batch with address prefix 10.9.0.0/27 does not have enough capacity for 31 IP addresses."
    rule, facts = finding(_state(text, _read("get_resource", _POOL), _scale_write(full))) or ({}, {})
    assert rule.get("id") == "aks-node-scale-up-failed-subnet-full"
    assert facts["subnet"] == "snet-batch" and facts["needed"] == "31"
    cores = "Operation could not be completed as it results in exceeding approved standardDv3Family Cores quota"
    quota = _state(text, _read("get_resource", _POOL), _scale_write(cores))
    assert rule_facts(quota, table_entry(FINDINGS, "aks-node-scale-up-failed-subnet-full")) is None


def _site(name: str) -> Evidence:
    return _read("get_resource", {"type": "Microsoft.Web/sites", "kind": "functionapp", "name": name,
                                  "id": f"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/{name}"})


def test_a_function_app_name_of_32_characters_with_a_slot_shares_its_host_id() -> None:
    name = "func-shipment-notices-westus3-01"  # 32 characters
    found = slots_share_host_id(_state("timer runs are skipped; we deploy to the staging slot and swap", _site(name)))
    assert found == {"app": name, "host_id": name} and "functions-slots-share-host-id" in COMPUTED
    short = "func-shipment-notices-wus3"
    assert slots_share_host_id(_state("timer runs are skipped; we swap the staging slot", _site(short))) is None
    assert slots_share_host_id(_state("timer runs are skipped", _site(name))) is None  # no slot read or named


# --- symptom clues ---------------------------------------------------------------------------------------------

def test_the_workflow_runtime_on_a_blob_only_account_is_the_account_kind() -> None:
    text = ("Logic Apps Standard host: Microsoft.Azure.Workflows StorageException (501) Not Implemented when a run "
            "starts.\n$ az storage account show -n stflows --query '{k:kind,s:sku.name}' -o tsv\n"
            "BlobStorage  Standard_GRS")
    clue = clue_in([text])
    assert clue is not None and clue["id"] == "logicapps-runtime-storage-blobstorage-account-kind"
    general = text.replace("BlobStorage  Standard_GRS", "StorageV2  Standard_GRS")
    near = clue_in([general])
    assert near is None or near["id"] != "logicapps-runtime-storage-blobstorage-account-kind"


def test_easyauth_audiences_without_a_default_authorization_policy_refuse_valid_tokens() -> None:
    text = ("Every call with a valid token gets HTTP 403 from App Service Authentication; the request never reaches "
            "the app.\nauthsettingsV2: validation: { allowedAudiences: [ 'api://orders' ] }")
    clue = clue_in([text])
    assert clue is not None and clue["id"] == "appservice-easyauth-empty-allowed-applications"
    policy = "defaultAuthorizationPolicy: { allowedApplications: [ 'spa-id' ] }"
    stated = text.replace("allowedAudiences: [ 'api://orders' ]", f"allowedAudiences: [ 'api://orders' ], {policy}")
    near = clue_in([stated])
    assert near is None or near["id"] != "appservice-easyauth-empty-allowed-applications"
