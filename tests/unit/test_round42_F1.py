"""Round 42, helper F1 (session 35's real105-107 and probej development cases): catalog entries read by an error's own
words (the Static Web Apps deploy step's empty token, python-dotenv's find_dotenv under the Functions worker, the Logic
Apps VS Code runtime gate, Container Apps' external TCP ingress without a VNet, AKS's restricted node sizes, block
blobs on a premium page-blob account, a fine-tuning file's invalid schema, bounded staleness across regions, a MongoDB
account written through the NoSQL SDK), and entries that name which case of a shared code or message a report shows
through `requires`: SubscriptionNotFound quoting a value that is no subscription id, an ACR task's login with an
identity never added as its credential, a trigger's missing lease container behind 403/5300, an unrecognized OpenAI
argument read by the api-version the report states. Each shows the reading on a text of its own and a near miss."""

from __future__ import annotations

import pytest

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
