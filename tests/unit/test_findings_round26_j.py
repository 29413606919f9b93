"""Round 26 j: App Service and Functions pages no knowledge cited before - App Configuration references (the app's
identity, keyVaultReferenceIdentity, the content share setting), local Git deployment (DEPLOYMENT_BRANCH, npm
failures), Durable Functions storage providers (Netherite on Flex Consumption, identity-based connections), Functions
on Azure Container Apps (triggers that do not scale from zero) and App Service FTP data ports. Each finding fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; each catalog entry and clue
names its error and stays silent for a near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers"
UAMI = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-web"

SITE = {"type": "Microsoft.Web/sites", "name": "app-catalog", "kind": "app", "sku": "Standard",
        "keyVaultReferenceIdentity": "SystemAssigned", "identity": None}
USER_SITE = {**SITE, "identity": {"type": "UserAssigned", "principalId": None, "userAssigned": [{"id": UAMI}]}}
FLEX = {"type": "Microsoft.Web/sites", "name": "func-orders", "kind": "functionapp,linux", "sku": "FlexConsumption",
        "functionAppRuntime": "dotnet-isolated"}
ACA = {"type": "Microsoft.Web/sites", "name": "func-sync", "kind": "functionapp,linux,container,azurecontainerapps",
       "sku": None, "siteConfig": {"minimumElasticInstanceCount": 0, "functionAppScaleLimit": 10}}

APPCONFIG_LITERAL = ("CatalogApiUrl = @Microsoft.AppConfiguration(Endpoint=https://appcs-shop.azconfig.io; "
                     "Key=Catalog:ApiUrl) - the app reads the literal reference text and fails with "
                     "UriFormatException.")
LOCAL_GIT = ("git push azure main\nremote: Error - Changes committed to remote repository but deployment to website "
             "failed.")
NETHERITE = "host.json uses the Netherite storage provider; every orchestration instance stays Pending."
ACA_COSMOS = ("Our Cosmos DB trigger on Azure Container Apps processes changes only after someone calls the HTTP "
              "endpoint; at night nothing is processed.")

CASES = [
    Case("app-configuration-reference-app-without-identity", "auth.managed_identity_missing", "managed identity",
         [SITE], APPCONFIG_LITERAL,
         near_reads=[{**SITE, "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}]),
    Case("app-configuration-reference-user-identity-not-chosen", "auth.managed_identity_missing",
         "keyVaultReferenceIdentity", [USER_SITE], APPCONFIG_LITERAL,
         near_reads=[{**USER_SITE, "keyVaultReferenceIdentity": UAMI}]),
    Case("app-local-git-deployment-branch-not-set", "config.missing_app_setting", "DEPLOYMENT_BRANCH", [SITE],
         LOCAL_GIT, names=["WEBSITE_TIME_ZONE", "DB_HOST"], near_names=["DEPLOYMENT_BRANCH", "DB_HOST"]),
    Case("durable-netherite-on-flex-consumption-plan", "functions.host_misconfigured", "Netherite", [FLEX],
         NETHERITE, near_reads=[{**FLEX, "sku": "ElasticPremium", "functionAppRuntime": None}]),
    Case("functions-container-apps-trigger-not-scaling-from-zero", "functions.host_misconfigured",
         "minimumElasticInstanceCount", [ACA], ACA_COSMOS,
         near_reads=[{**ACA, "siteConfig": {"minimumElasticInstanceCount": 1, "functionAppScaleLimit": 10}}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_push_of_master_gets_no_deployment_branch_verdict() -> None:
    report = ("git push azure master\nremote: Error - Changes committed to remote repository but deployment to "
              "website failed.")
    state = reads_state(report, [SITE], names=["DB_HOST"])
    assert finding_id(state) != "app-local-git-deployment-branch-not-set"


def test_an_event_based_blob_trigger_on_container_apps_gets_no_scale_from_zero_verdict() -> None:
    report = ('Our blob trigger (Source = BlobTriggerSource.EventGrid) on Azure Container Apps: uploads are not '
              'processed for hours.')
    assert finding_id(reads_state(report, [ACA])) != "functions-container-apps-trigger-not-scaling-from-zero"


def test_a_container_apps_timer_trigger_gets_no_scale_from_zero_verdict() -> None:
    report = "Our timer trigger on Azure Container Apps is not firing since the last deployment."
    assert finding_id(reads_state(report, [ACA])) != "functions-container-apps-trigger-not-scaling-from-zero"


def test_a_key_vault_reference_gets_no_app_configuration_verdict() -> None:
    report = "The setting @Microsoft.KeyVault(SecretUri=https://kv-web.vault.azure.net/secrets/db) is unresolved."
    assert finding_id(reads_state(report, [SITE])) not in {"app-configuration-reference-app-without-identity",
                                                           "app-configuration-reference-user-identity-not-chosen"}


@pytest.mark.parametrize(("text", "entry"), [
    ("remote: Error - Changes committed to remote repository but deployment to website failed.",
     "appservice-localgit-deployment-branch-mismatch"),
    ("remote: npm ERR! Couldn't read dependencies\nremote: Failed exitCode=1, command=\"npm\" install",
     "appservice-kudu-npm-couldnt-read-dependencies"),
])
def test_the_round_26_j_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("remote: Deployment successful.", "appservice-localgit-deployment-branch-mismatch"),
    ("npm ERR! code ERESOLVE unable to resolve dependency tree", "appservice-kudu-npm-couldnt-read-dependencies"),
])
def test_the_round_26_j_catalog_entries_stay_silent_for_a_near_miss(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize(("text", "clue"), [
    ("Setting WEBSITE_CONTENTAZUREFILECONNECTIONSTRING to @Microsoft.AppConfiguration(Endpoint=https://appcs.azconfig.io;"
     " Key=Storage) is refused with 400 Bad Request.", "functions-content-share-setting-as-reference-validation"),
    ("Our Durable Functions app with the Netherite backend on Flex Consumption keeps every instance Pending.",
     "durable-netherite-on-flex-consumption"),
    ("Netherite: after we replaced EventHubsConnection with EventHubsConnection__fullyQualifiedNamespace the Durable "
     "Task extension failed to start.", "durable-netherite-identity-based-connection"),
    ("FileZilla: Status: Logged in. Command: PASV. Response: 227 Entering Passive Mode. Command: MLSD. Error: "
     "Connection timed out. The FTP host is waws-prod.ftp.azurewebsites.windows.net.",
     "appservice-ftp-data-connection-ports-blocked"),
])
def test_a_round_26_j_clue_names_its_cause(text: str, clue: str) -> None:
    found = clue_in([text])
    assert found is not None and found["id"] == clue


@pytest.mark.parametrize(("text", "clue"), [
    ("Setting WEBSITE_CONTENTAZUREFILECONNECTIONSTRING to a new connection string is refused with 400 Bad Request.",
     "functions-content-share-setting-as-reference-validation"),
    ("Our Durable Functions app with the Netherite backend on Elastic Premium keeps every instance Pending.",
     "durable-netherite-on-flex-consumption"),
    ("Netherite: the Durable Task extension failed to start after the Event Hubs namespace was deleted.",
     "durable-netherite-identity-based-connection"),
    ("FileZilla: Error: Connection timed out. Could not connect to waws-prod.ftp.azurewebsites.windows.net.",
     "appservice-ftp-data-connection-ports-blocked"),
])
def test_a_round_26_j_clue_stays_silent_for_a_near_miss(text: str, clue: str) -> None:
    found = clue_in([text])
    assert found is None or found["id"] != clue
