"""Tenth-session evidence findings: a Key Vault reference App Service cannot parse (status InvalidSyntax in
config/configreferences/appsettings) names the setting that holds it; a web app that pulls its ACR image with a
managed identity but names no user-assigned identity for it, while it has no system-assigned one."""

from __future__ import annotations

from shared.engines.playbooks import conclude_finding, finding
from tests.helpers.finding_checks import finding_id, reads_state

SITE = "/subscriptions/2c3a8193-3ca2-5303-b44d-187a5cae9e55/resourceGroups/rg/providers/Microsoft.Web/sites/func-a"


def references(*pairs: tuple[str, str]) -> dict:
    return {"id": f"{SITE}/config/configreferences/appsettings", "type": "Microsoft.Web/sites/config/appsettings",
            "references": [{"name": n, "status": s} for n, s in pairs]}


def test_a_malformed_reference_is_the_finding_and_names_its_setting():
    state = reads_state("The Service Bus trigger of func-a fails at start-up",
                        [references(("RoutingApiKey", "Resolved"), ("ServiceBusConnection", "InvalidSyntax"))])
    assert finding_id(state) == "keyvault-reference-invalid-syntax"
    found = finding(state)
    assert found is not None
    decision = conclude_finding(state, *found)
    assert "'ServiceBusConnection' is malformed" in decision.report.root_cause
    assert decision.report.category == "config.invalid_connection_string"


def test_resolved_references_are_no_syntax_finding():
    state = reads_state("The trigger fails", [references(("ServiceBusConnection", "Resolved"))])
    assert finding_id(state) != "keyvault-reference-invalid-syntax"


APP = {"id": SITE, "name": "func-a", "type": "Microsoft.Web/sites",
       "identity": {"type": "UserAssigned", "principalId": None, "userAssigned": [{"id": "uami", "principalId": "p"}]}}
CONFIG = {"id": f"{SITE}/config/web", "name": "web", "type": "Microsoft.Web/sites/config",
          "linuxFxVersion": "DOCKER|crquotes.azurecr.io/quotes-api:1.8.0", "acrUseManagedIdentityCreds": True,
          "acrUserManagedIdentityID": None}
PULL = "Application Error; pull image crquotes.azurecr.io/quotes-api:1.8.0 failed: unauthorized"


def test_an_identity_pull_without_the_user_assigned_identity_named_is_the_finding():
    state = reads_state(PULL, [APP, CONFIG], names=["WEBSITES_PORT"])
    assert finding_id(state) == "app-container-registry-identity-not-named"


def test_a_named_identity_or_a_system_assigned_one_is_not_this_finding():
    named = {**CONFIG, "acrUserManagedIdentityID": "6f1c2d3e-0000-4000-8000-000000000001"}
    assert finding_id(reads_state(PULL, [APP, named], names=["WEBSITES_PORT"])) != \
        "app-container-registry-identity-not-named"
    system = {**APP, "identity": {"type": "SystemAssigned, UserAssigned", "principalId": "s", "userAssigned": []}}
    assert finding_id(reads_state(PULL, [system, CONFIG], names=["WEBSITES_PORT"])) != \
        "app-container-registry-identity-not-named"


def test_a_cosmos_firewall_without_the_azure_datacenters_entry_says_so():
    site = {"id": SITE, "name": "func-a", "type": "Microsoft.Web/sites", "outboundIpAddresses": ["20.44.17.201"]}
    cosmos = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/cos-a",
              "name": "cos-a", "type": "Microsoft.DocumentDB/databaseAccounts", "ipRules": ["203.0.113.0/26"]}
    state = reads_state("The app gets 403 from Cosmos DB", [site, cosmos])
    found = finding(state)
    assert found is not None and found[0]["id"] == "service-ip-rules-exclude-app"
    assert "no 0.0.0.0 entry" in conclude_finding(state, *found).report.root_cause
    # with the 0.0.0.0 entry every Azure datacenter address (the app's too) is admitted: no firewall finding
    state = reads_state("The app gets 403 from Cosmos DB", [site, {**cosmos, "ipRules": ["203.0.113.0/26", "0.0.0.0"]}])
    assert finding_id(state) != "service-ip-rules-exclude-app"


def test_a_secret_ref_the_container_app_does_not_define_names_the_secrets_it_has():
    app = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/ca-ledger",
           "name": "ca-ledger", "type": "Microsoft.App/containerApps",
           "secretNames": ["ledger-db-password", "acr-pull-token"]}
    report = ("az containerapp update failed: Container app secret(s) with name(s) 'sql-password' are not found, "
              "referenced by container 'ledger-api'.")
    state = reads_state(report, [app])
    found = finding(state)
    assert found is not None and found[0]["id"] == "container-app-secret-ref-undefined"
    assert "ledger-db-password" in conclude_finding(state, *found).report.root_cause
    defined = {**app, "secretNames": ["sql-password"]}
    assert finding_id(reads_state(report, [defined])) != "container-app-secret-ref-undefined"
