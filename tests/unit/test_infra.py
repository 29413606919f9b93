"""The azd templates (azure.yaml, infra/*.bicep, infra/main.parameters.json), checked offline.

No Bicep CLI here: every .bicep file is parsed with pycep-parser (a syntax error fails), and the properties a
working, least-privilege deployment depends on are asserted on the syntax tree. Each `check_*` function takes
parsed templates, so `test_each_check_fails_on_a_broken_template` can show it fails when the property is wrong.
Not checked here: Azure's own validation (types, API versions, what the platform accepts), see
docs/deploying.md, "Checked here, and what is not verified"."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.unit.bicep_templates import (
    INFRA,
    ROOT,
    Doc,
    accessor,
    azd_parameters,
    bicep_files,
    body,
    condition,
    evaluate,
    key,
    loop,
    module_path,
    modules,
    parse,
    resources,
    role_grants,
    template,
    unquoted,
    variable,
)

# Built-in role definition GUIDs (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"
COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
# MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md (Integration).
DURABLE_TASK_DATA_CONTRIBUTOR = "0ad04412-c4d5-4796-b79c-f76d14c8d402"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"  # only in the broken templates below
STORAGE_ROLES = {STORAGE_BLOB_DATA_OWNER, STORAGE_QUEUE_DATA_CONTRIBUTOR, STORAGE_TABLE_DATA_CONTRIBUTOR}
READER_ROLES = {READER, MONITORING_READER, LOG_ANALYTICS_READER}

MODULES = ["durable-task-scheduler", "function-app", "identity", "keyvault", "monitoring", "openai",
           "reader-roles-resource-group", "reader-roles-subscription", "storage"]

# Settings the app needs in Azure, and why (names as shared/ and the Functions host read them).
REQUIRED_SETTINGS = {
    "AzureWebJobsStorage__accountName": "host storage and the Durable task hub, by identity",
    "AzureWebJobsStorage__credential": "managedidentity",
    "AzureWebJobsStorage__clientId": "which identity: the user-assigned one",
    "AZURE_CLIENT_ID": "DefaultAzureCredential picks the user-assigned identity by it",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "telemetry export (shared/telemetry/setup.py)",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Entra ID ingestion (local auth is off)",
    "DEBUG_POLL_TOKEN_SECRET": "poll tokens valid on every instance (shared/settings.py)",
    "DEBUG_CALLER_SECRET": "caller ids stable across instances and restarts",
    "DEBUG_AZURE_ACCESS": "without app the reader roles are never used",
    "AZURE_INVESTIGATION_SCOPES": "every session reads only within the scopes the deployment grants",
    "DEBUG_INSTANCE_MEMORY_MB": "the memory guard's marks are shares of the instance size",
}
# Settings that must not be there: rejected by Flex Consumption, a shared-key connection string, or test-only.
FORBIDDEN_SETTINGS = {"FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
                      "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "AzureWebJobsStorage",
                      "DEBUG_AZURE_STATIC_TOKEN", "DEBUG_AZURE_CA_BUNDLE", "DEBUG_TELEMETRY", "AZURE_OPENAI_API_KEY",
                      "DEBUG_OPENAI_COMPATIBLE", "WEBSITE_AUTH_ENABLED", "APPINSIGHTS_INSTRUMENTATIONKEY"}
# The Durable Task Scheduler backend's settings (durableBackend = scheduler), read by the Functions host and the
# Durable extension: the connection, the task hub, and host.json overrides selecting the provider.
HOST_JSON_OVERRIDE = "AzureFunctionsJobHost__extensions__durableTask__"
SCHEDULER_SETTINGS = {"DURABLE_TASK_SCHEDULER_CONNECTION_STRING", "TASKHUB_NAME",
                      f"{HOST_JSON_OVERRIDE}storageProvider__type",
                      f"{HOST_JSON_OVERRIDE}storageProvider__connectionStringName", f"{HOST_JSON_OVERRIDE}hubName"}
# Settings read by the platform or an SDK rather than by our code.
PLATFORM_SETTINGS = {"AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential",
                     "AzureWebJobsStorage__clientId", "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
                     *SCHEDULER_SETTINGS}
# Stand-ins for deployment-time values (module outputs) when main.bicep's expressions are evaluated here.
SCHEDULER_OUTPUTS = {"endpoint": "https://dts-abc.swedencentral.durabletask.io", "taskHubName": "<task hub>"}
IDENTITY_OUTPUTS = {"clientId": "<client id>", "principalId": "<principal id>"}


def templates() -> dict[str, Doc]:
    """main and every module, parsed."""
    docs = {"main": template("main.bicep")}
    docs.update({name: template(f"modules/{name}.bicep") for name in MODULES})
    return docs


_DOTTED_INTERPOLATION = re.compile(r"\$\{(\w+(?:\.\w+)+)\}")


def interpolated(value: Any, env: dict[str, Any]) -> Any:
    """A string's `${a.b.c}` parts resolved in env (the shared evaluator resolves plain `${name}` only)."""
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        target: Any = env
        for part in match.group(1).split("."):
            target = target[part]
        return str(target)

    return _DOTTED_INTERPOLATION.sub(lookup, value)


def app_settings(docs: dict[str, Doc], *, open_ai: bool, durable_backend: str = "azureStorage") -> dict[str, Any]:
    """The function app's settings: the module's fixed ones plus what main passes, main's logic evaluated."""
    app, main = docs["function-app"], docs["main"]
    fixed = variable(app, "appSettings")["function"]["parameters"]
    assert fixed["arg_2"] == "extraAppSettings", "the module's settings are its own plus extraAppSettings"
    env = {"engine": "", "openAiEnabled": open_ai, "durableBackend": durable_backend,
           "openAi": {"outputs": {"endpoint": "<openai endpoint>", "deploymentName": "<deployment>"}},
           "durableTaskScheduler": {"outputs": SCHEDULER_OUTPUTS}, "identity": {"outputs": IDENTITY_OUTPUTS}}
    env["engineSettings"] = evaluate(variable(main, "engineSettings"), env)
    env["openAiSettings"] = evaluate(variable(main, "openAiSettings"), env)
    env["durableSettings"] = {name: interpolated(value, env)
                              for name, value in evaluate(variable(main, "durableSettings"), env).items()}
    extra = evaluate(body(main["modules"]["functionApp"])["params"]["extraAppSettings"], env)
    return {**unquoted(fixed["arg_1"]), **extra}


def site(docs: dict[str, Doc]) -> Doc:
    sites = resources(docs["function-app"], "Microsoft.Web/sites")
    assert list(sites) == ["app"], "one function app"
    return body(sites["app"])


# --- checks (each used by a test on the real templates and by the broken-template test) ------------------------

def check_flex_consumption_python(docs: dict[str, Doc]) -> None:
    app = docs["function-app"]
    plans = resources(app, "Microsoft.Web/serverfarms")
    assert len(plans) == 1
    plan = body(next(iter(plans.values())))
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True, "Flex Consumption is Linux"
    config = site(docs)
    assert config["kind"] == "functionapp,linux"
    assert accessor(config["properties"]["serverFarmId"]) == [next(iter(plans)), "id"]
    function_config = config["properties"]["functionAppConfig"]
    assert function_config["runtime"] == {"name": "python", "version": "3.11"}
    storage = function_config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["authentication"] == {"type": "UserAssignedIdentity", "userAssignedIdentityResourceId": "identityId"}
    assert config["identity"]["type"] == "UserAssigned"
    assert list(unquoted(config["identity"]["userAssignedIdentities"])) == ["${identityId}"]
    assert config["properties"]["httpsOnly"] is True


def check_storage_by_identity(docs: dict[str, Doc]) -> None:
    accounts = resources(docs["storage"], "Microsoft.Storage/storageAccounts")
    properties = body(accounts["account"])["properties"]
    assert properties["allowSharedKeyAccess"] is False
    assert properties["allowBlobPublicAccess"] is False
    assert properties["minimumTlsVersion"] == "TLS1_2"
    assert properties["supportsHttpsTrafficOnly"] is True
    settings = app_settings(docs, open_ai=False)
    assert settings["AzureWebJobsStorage__accountName"] == "storageAccountName"
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    params = body(docs["main"]["modules"]["functionApp"])["params"]
    assert accessor(params["storageAccountName"]) == ["storage", "outputs", "name"]
    assert accessor(params["identityClientId"]) == ["identity", "outputs", "clientId"]
    assert accessor(params["identityId"]) == ["identity", "outputs", "id"]


def check_storage_roles(docs: dict[str, Doc]) -> None:
    storage = docs["storage"]
    grants = role_grants(storage)
    assert {g.role for g in grants} == STORAGE_ROLES and len(grants) == 3
    for grant in grants:
        assert grant.scope == "account", "scoped to the host's storage account only"
        assert grant.principal == "principalId" and not grant.conditional
    assert "account" in resources(storage, "Microsoft.Storage/storageAccounts")
    params = body(docs["main"]["modules"]["storage"])["params"]
    assert accessor(params["principalId"]) == ["identity", "outputs", "principalId"]
    elsewhere = [g for name, doc in docs.items() if name != "storage"
                 for g in role_grants(doc) if g.role in STORAGE_ROLES]
    assert not elsewhere, "storage data roles granted nowhere else"


def check_application_insights(docs: dict[str, Doc]) -> None:
    monitoring = docs["monitoring"]
    components = resources(monitoring, "Microsoft.Insights/components")
    assert list(components) == ["appInsights"]
    properties = body(components["appInsights"])["properties"]
    workspaces = resources(monitoring, "Microsoft.OperationalInsights/workspaces")
    assert accessor(properties["WorkspaceResourceId"]) == [next(iter(workspaces)), "id"]
    assert properties["DisableLocalAuth"] is True
    grants = role_grants(monitoring)
    assert [(g.role, g.scope, g.principal) for g in grants] == [
        (MONITORING_METRICS_PUBLISHER, "appInsights", "principalId")]
    settings = app_settings(docs, open_ai=False)
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "ClientId=${identityClientId};Authorization=AAD"
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "appInsightsConnectionString"
    params = body(docs["main"]["modules"]["functionApp"])["params"]
    assert accessor(params["appInsightsConnectionString"]) == ["monitoring", "outputs", "connectionString"]
    assert accessor(body(docs["main"]["modules"]["monitoring"])["params"]["principalId"]) == [
        "identity", "outputs", "principalId"]


def check_reader_roles(docs: dict[str, Doc]) -> None:
    for name, target in (("reader-roles-subscription", "subscription"),
                         ("reader-roles-resource-group", "resourceGroup")):
        doc = docs[name]
        assert doc["globals"]["scope"]["value"] == target
        grants = role_grants(doc)
        assert {g.role for g in grants} == READER_ROLES and len(grants) == 3
        assert all(g.scope is None and g.principal == "principalId" for g in grants), "at the module's own scope"
    scope_functions: dict[str, set[str]] = {}
    for declaration in modules(docs["main"]).values():
        if module_path(declaration).startswith("modules/reader-roles-"):
            assert accessor(body(declaration)["params"]["principalId"]) == ["identity", "outputs", "principalId"]
            scope = body(declaration)["scope"]
            assert isinstance(scope, dict) and "function" in scope, "a scope of its own, not the app's group"
            scope_functions.setdefault(module_path(declaration), set()).add(scope["function"]["type"])
    assert scope_functions == {"modules/reader-roles-subscription.bicep": {"subscription"},
                               "modules/reader-roles-resource-group.bicep": {"resource_group"}}


def check_cors(docs: dict[str, Doc]) -> None:
    cors = site(docs)["properties"]["siteConfig"]["cors"]
    origins = [evaluate(o, {"portalOrigin": variable(docs["function-app"], "portalOrigin")})
               for o in cors["allowedOrigins"]]
    assert origins == ["https://portal.azure.com"]
    assert cors.get("supportCredentials") is not True


def check_secrets(docs: dict[str, Doc]) -> None:
    settings = app_settings(docs, open_ai=False)
    vault = docs["keyvault"]
    for setting, param, output in (("DEBUG_POLL_TOKEN_SECRET", "pollTokenSecret", "pollTokenSecretReference"),
                                   ("DEBUG_CALLER_SECRET", "callerSecret", "callerSecretReference")):
        # The setting is a Key Vault reference, never the value.
        assert settings[setting] == output and output in docs["function-app"]["parameters"]
        assert accessor(body(docs["main"]["modules"]["functionApp"])["params"][output]) == [
            "keyVault", "outputs", output]
        reference = vault["outputs"][output]["value"]
        assert reference.startswith("@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${")
        # The value arrives as a secure parameter and is stored only as a secret.
        for doc in (docs["main"], vault):
            assert {"type": "secure"} in doc["parameters"][param]["decorators"]
            assert doc["parameters"][param]["default"] is None
        assert accessor(body(docs["main"]["modules"]["keyVault"])["params"][param]) == [param]
        stored = [body(s) for s in resources(vault, "Microsoft.KeyVault/vaults/secrets").values()
                  if body(s)["properties"]["value"] == param]
        assert len(stored) == 1
    assert site(docs)["properties"]["keyVaultReferenceIdentity"] == "identityId"
    grants = [g for g in role_grants(vault) if g.principal == "appPrincipalId"]
    secrets = resources(vault, "Microsoft.KeyVault/vaults/secrets")
    assert {(g.role, g.scope) for g in grants} == {(KEY_VAULT_SECRETS_USER, name) for name in secrets}, \
        "the app reads each secret, nothing else in the vault"


def check_open_ai(docs: dict[str, Doc]) -> None:
    main = docs["main"]
    assert main["parameters"]["openAiEnabled"]["default"] is False
    assert condition(main["modules"]["openAi"]) == "openAiEnabled"
    openai = docs["openai"]
    accounts = resources(openai, "Microsoft.CognitiveServices/accounts")
    assert list(accounts) == ["account"]
    assert body(accounts["account"])["properties"]["disableLocalAuth"] is True
    assert [(g.role, g.scope) for g in role_grants(openai)] == [(COGNITIVE_SERVICES_OPENAI_USER, "account")]
    assert accessor(body(main["modules"]["openAi"])["params"]["principalId"]) == ["identity", "outputs", "principalId"]
    on, off = app_settings(docs, open_ai=True), app_settings(docs, open_ai=False)
    assert on["AZURE_OPENAI_ENDPOINT"] == "<openai endpoint>" and on["AZURE_OPENAI_DEPLOYMENT"] == "<deployment>"
    assert not any(name.startswith("AZURE_OPENAI_") for name in off)


def check_least_privilege(docs: dict[str, Doc]) -> None:
    granted = {g.role for doc in docs.values() for g in role_grants(doc)}
    assert granted == STORAGE_ROLES | READER_ROLES | {MONITORING_METRICS_PUBLISHER, COGNITIVE_SERVICES_OPENAI_USER,
                                                      KEY_VAULT_SECRETS_USER, DURABLE_TASK_DATA_CONTRIBUTOR}


def check_durable_task_scheduler(docs: dict[str, Doc]) -> None:
    main, dts = docs["main"], docs["durable-task-scheduler"]
    backend = main["parameters"]["durableBackend"]
    assert backend["default"] == "azureStorage", "nothing changes unless the scheduler is chosen"
    declaration = main["modules"]["durableTaskScheduler"]
    assert module_path(declaration) == "modules/durable-task-scheduler.bicep"
    assert [evaluate(condition(declaration), {"durableBackend": b}) for b in ("azureStorage", "scheduler")] == [
        False, True], "deployed with the scheduler backend only"
    params = body(declaration)["params"]
    assert params["location"] == "location", "in the deployment's region"
    assert accessor(params["principalId"]) == ["identity", "outputs", "principalId"]
    assert params["taskHubName"] == "durableTaskHubName"
    schedulers = resources(dts, "Microsoft.DurableTask/schedulers")
    hubs = resources(dts, "Microsoft.DurableTask/schedulers/taskHubs")
    assert list(schedulers) == ["scheduler"] and list(hubs) == ["taskHub"]
    assert body(schedulers["scheduler"])["location"] == "location"
    assert body(hubs["taskHub"]) == {"parent": "scheduler", "name": "taskHubName"}
    assert dts["outputs"]["taskHubName"]["value"] == accessor_expr("taskHub", "name")
    # Only the app identity, only the data role, only on this scheduler (which holds the one task hub).
    assert [(g.role, g.scope, g.principal, g.conditional) for g in role_grants(dts)] == [
        (DURABLE_TASK_DATA_CONTRIBUTOR, "scheduler", "principalId", False)]
    elsewhere = [g for name, doc in docs.items() if name != "durable-task-scheduler"
                 for g in role_grants(doc) if g.role == DURABLE_TASK_DATA_CONTRIBUTOR]
    assert not elsewhere
    # host.json keeps the task hub's name for both backends.
    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    assert variable(main, "durableTaskHubName") == host["extensions"]["durableTask"]["hubName"]
    # Settings: none of the scheduler's with Azure Storage; all of them, pointing at the deployed hub, otherwise.
    assert not SCHEDULER_SETTINGS & set(app_settings(docs, open_ai=False))
    settings = app_settings(docs, open_ai=False, durable_backend="scheduler")
    assert SCHEDULER_SETTINGS.issubset(settings)
    assert settings[f"{HOST_JSON_OVERRIDE}storageProvider__type"] == "azureManaged"
    assert settings[f"{HOST_JSON_OVERRIDE}storageProvider__connectionStringName"] == \
        "DURABLE_TASK_SCHEDULER_CONNECTION_STRING"
    assert settings["DURABLE_TASK_SCHEDULER_CONNECTION_STRING"] == (
        f"Endpoint={SCHEDULER_OUTPUTS['endpoint']};Authentication=ManagedIdentity;"
        f"ClientID={IDENTITY_OUTPUTS['clientId']}"), "identity-based, as the user-assigned identity"
    assert settings["TASKHUB_NAME"] == settings[f"{HOST_JSON_OVERRIDE}hubName"] == SCHEDULER_OUTPUTS["taskHubName"]


def accessor_expr(*names: str) -> Any:
    """The pycep tree of `a.b.c` (right-nested), to compare an output's value with."""
    if len(names) == 1:
        return names[0]
    return {"operator": {"type": "property_accessor",
                         "operands": {"operand_1": names[0], "operand_2": accessor_expr(*names[1:])}}}


def check_service_tag(docs: dict[str, Doc]) -> None:
    config = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    services = config["services"]
    assert len(services) == 1
    (service_name, service), = services.items()
    assert service == {"project": ".", "language": "python", "host": "function", "remoteBuild": True}
    assert config.get("infra", {}).get("path", "infra") == "infra"
    assert variable(docs["main"], "serviceName") == service_name
    assert body(docs["main"]["modules"]["functionApp"])["params"]["serviceName"] == "serviceName"
    tags = site(docs)["tags"]["function"]
    assert tags["type"] == "union" and unquoted(tags["parameters"]["arg_2"]) == {"azd-service-name": "serviceName"}


# --- tests ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_bicep_file_parses_and_its_modules_exist(path):
    doc = parse(path.read_text(encoding="utf-8"))
    for declaration in modules(doc).values():
        assert (path.parent / module_path(declaration)).is_file()


def test_the_templates_are_the_ones_checked_here():
    expected = {"main.bicep"} | {f"modules/{m}.bicep" for m in MODULES}
    assert {str(p.relative_to(INFRA)) for p in bicep_files()} == expected


def test_a_syntax_error_fails_the_parse():
    source = (INFRA / "modules/storage.bicep").read_text(encoding="utf-8")
    with pytest.raises(Exception, match="Unexpected"):
        parse(source.replace("sku: { name: 'Standard_LRS' }", "sku: { name: 'Standard_LRS' "))


CHECKS: dict[str, Callable[[dict[str, Doc]], None]] = {
    "flex_consumption_python": check_flex_consumption_python,
    "storage_by_identity": check_storage_by_identity,
    "storage_roles": check_storage_roles,
    "application_insights": check_application_insights,
    "reader_roles": check_reader_roles,
    "cors": check_cors,
    "secrets": check_secrets,
    "open_ai": check_open_ai,
    "least_privilege": check_least_privilege,
    "durable_task_scheduler": check_durable_task_scheduler,
    "service_tag": check_service_tag,
}


@pytest.mark.parametrize("name", CHECKS)
def test_the_templates_pass_each_check(name):
    CHECKS[name](templates())


# (check, template, text in it, replacement): each makes one property wrong.
BREAKAGES = [
    ("flex_consumption_python", "modules/function-app", "name: 'FC1'", "name: 'Y1'"),
    ("flex_consumption_python", "modules/function-app", "version: '3.11'", "version: '3.12'"),
    ("flex_consumption_python", "modules/function-app", "type: 'UserAssignedIdentity'",
     "type: 'StorageAccountConnectionString'"),
    ("storage_by_identity", "modules/storage", "allowSharedKeyAccess: false", "allowSharedKeyAccess: true"),
    ("storage_by_identity", "modules/storage", "allowBlobPublicAccess: false", "allowBlobPublicAccess: true"),
    ("storage_by_identity", "modules/function-app", "AzureWebJobsStorage__credential: 'managedidentity'",
     "AzureWebJobsStorage__credential: 'connectionstring'"),
    ("storage_roles", "modules/storage", "= 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'",
     "= 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'"),  # Storage Blob Data Contributor
    ("storage_roles", "modules/storage", "scope: account", "scope: blobService"),
    ("application_insights", "modules/monitoring", "DisableLocalAuth: true", "DisableLocalAuth: false"),
    ("application_insights", "modules/monitoring", "WorkspaceResourceId: workspace.id", "WorkspaceResourceId: ''"),
    ("application_insights", "modules/function-app", "Authorization=AAD", "Authorization=Key"),
    ("reader_roles", "modules/reader-roles-subscription", "'43d0d8ad-25c7-4714-9337-8ba259a9fe05'",
     f"'{CONTRIBUTOR}'"),
    ("reader_roles", "modules/reader-roles-resource-group", "targetScope = 'resourceGroup'",
     "targetScope = 'subscription'"),
    ("reader_roles", "main", "scope: subscription(split(scope, '/')[2])", "scope: rg"),
    ("cors", "modules/function-app", "'https://portal.azure.com'", "'*'"),
    ("secrets", "modules/function-app", "DEBUG_POLL_TOKEN_SECRET: pollTokenSecretReference",
     "DEBUG_POLL_TOKEN_SECRET: 'not-so-secret'"),
    ("secrets", "modules/keyvault", "@secure()\nparam callerSecret", "param callerSecret"),
    ("secrets", "modules/function-app", "keyVaultReferenceIdentity: identityId",
     "keyVaultReferenceIdentity: 'SystemAssigned'"),
    ("open_ai", "main", "param openAiEnabled bool = false", "param openAiEnabled bool = true"),
    ("open_ai", "modules/openai", "'5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'", f"'{CONTRIBUTOR}'"),
    ("least_privilege", "modules/keyvault", "'4633458b-17de-408a-b874-0445c86b69e6'", f"'{CONTRIBUTOR}'"),
    ("service_tag", "modules/function-app", "{ 'azd-service-name': serviceName }", "{ 'azd-service': serviceName }"),
    ("durable_task_scheduler", "main", "param durableBackend string = 'azureStorage'",
     "param durableBackend string = 'scheduler'"),
    ("durable_task_scheduler", "main", "bicep' = if (durableBackend == 'scheduler') {", "bicep' = {"),
    ("durable_task_scheduler", "main", "location: location // the app's region",
     "location: 'westus2' // the app's region"),
    ("durable_task_scheduler", "modules/durable-task-scheduler", "= '0ad04412-c4d5-4796-b79c-f76d14c8d402'",
     f"= '{CONTRIBUTOR}'"),
    ("durable_task_scheduler", "modules/durable-task-scheduler", "scope: scheduler", "scope: taskHub"),
    ("durable_task_scheduler", "main", "storageProvider__type: 'azureManaged'", "storageProvider__type: 'mssql'"),
    ("durable_task_scheduler", "main", "Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}",
     "Authentication=ManagedIdentity"),
    ("durable_task_scheduler", "main", "AzureFunctionsJobHost__extensions__durableTask__hubName: durable",
     "AzureFunctionsJobHost__extensions__durableTask__hubName: 'other-hub' // durable"),
]


@pytest.mark.parametrize(("check", "name", "old", "new"), BREAKAGES, ids=lambda v: v if isinstance(v, str) else "")
def test_each_check_fails_on_a_broken_template(check, name, old, new):
    docs = templates()
    source = (INFRA / f"{name}.bicep").read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{old!r} is in {name}.bicep once"
    docs[name.removeprefix("modules/")] = parse(source.replace(old, new))
    with pytest.raises(AssertionError):
        CHECKS[check](docs)


def scope_plan(investigation_scopes: str, azure_access: str = "app") -> dict[str, list[dict[str, str]]]:
    """Where main.bicep deploys its reader-role modules, by its own expressions, for given parameters."""
    main = template("main.bicep")
    env: dict[str, Any] = {"investigationScopes": investigation_scopes, "azureAccess": azure_access,
                           "rg": {"id": "/subscriptions/s0/resourceGroups/rg-env"}}
    for name in ("requestedScopes", "readerScopes", "scopeParts", "subscriptionScopes", "resourceGroupScopes",
                 "unknownScopes"):
        env[name] = evaluate(variable(main, name), env)
    plan = {}
    for symbol in ("subscriptionReaders", "resourceGroupReaders", "rejectedScopes"):
        declaration = main["modules"][symbol]
        item, array = loop(declaration)  # type: ignore[misc]
        plan[symbol] = [evaluate(body(declaration)["scope"], {**env, item: value}) for value in env[array]]
    return plan


def test_reader_roles_default_to_the_deployments_resource_group():
    assert scope_plan("") == {"subscriptionReaders": [], "rejectedScopes": [],
                              "resourceGroupReaders": [{"subscription": "s0", "resourceGroup": "rg-env"}]}


def test_reader_roles_follow_the_scopes_parameter_and_refuse_other_ids():
    plan = scope_plan(" /subscriptions/s1 ,/subscriptions/s2/resourceGroups/Team-RG,,/SUBSCRIPTIONS/s1,"
                      "/subscriptions/s1,/subscriptions/s3/resourceGroups/g/providers/Microsoft.Web/sites/x,"
                      "/tenants/t,subscriptions/s4,/subscriptions/s5/locations/x")
    # Listed twice (in any case): granted once; blanks and spaces ignored.
    assert plan["subscriptionReaders"] == [{"subscription": "s1"}]
    assert plan["resourceGroupReaders"] == [{"subscription": "s2", "resourceGroup": "team-rg"}]
    # Anything else is neither granted nor widened to its group: the deployment fails, quoting the entry.
    prefix = "investigationScopes entry is neither a subscription nor a resource group id: "
    assert plan["rejectedScopes"] == [{"subscription": prefix + entry} for entry in (
        "/subscriptions/s3/resourcegroups/g/providers/microsoft.web/sites/x", "/tenants/t", "subscriptions/s4",
        "/subscriptions/s5/locations/x")]


def test_without_azure_access_no_reader_role_is_granted():
    assert scope_plan("/subscriptions/s1", azure_access="none") == {
        "subscriptionReaders": [], "resourceGroupReaders": [], "rejectedScopes": []}


@pytest.mark.parametrize(("open_ai", "durable_backend"),
                         [(False, "azureStorage"), (True, "azureStorage"), (False, "scheduler")])
def test_app_settings_cover_what_the_app_needs_and_nothing_it_must_not_have(open_ai, durable_backend, monkeypatch):
    settings = app_settings(templates(), open_ai=open_ai, durable_backend=durable_backend)
    assert set(REQUIRED_SETTINGS) <= set(settings)
    assert not FORBIDDEN_SETTINGS & set(settings)
    sources = [*(ROOT / "shared").rglob("*.py"), ROOT / "function_app.py"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    unread = [name for name in settings if name not in PLATFORM_SETTINGS and f'"{name}"' not in code]
    assert not unread, f"settings no code reads (a typo?): {unread}"
    # The app's own settings loader and telemetry switch accept them as deployed.
    from shared.settings import load_settings
    from shared.telemetry.setup import telemetry_mode

    deployed = {name: value if isinstance(value, str) else json.dumps(value) for name, value in settings.items()}
    deployed["DEBUG_AZURE_ACCESS"] = "app"  # the parameter's default (an identifier in the template)
    deployed["DEBUG_INSTANCE_MEMORY_MB"] = "2048"  # string(instanceMemoryMB), the plan's instance size
    for name in list(deployed):
        if name in set(PLATFORM_SETTINGS) | {"APPLICATIONINSIGHTS_CONNECTION_STRING"}:
            continue
        monkeypatch.setenv(name, deployed[name])
    load_settings.cache_clear()
    try:
        loaded = load_settings()
    finally:
        load_settings.cache_clear()
    assert loaded.azure_access == "app"
    assert loaded.engine == ("hybrid" if open_ai else "rules")
    assert telemetry_mode(deployed) == "azure", "the app exports itself, once"


def durable_plan(durable_backend: str) -> dict[str, Any]:
    """What main.bicep deploys for the Durable backend, by its own expressions, for a given durableBackend: the
    scheduler module (or None), its resources, role grants and parameters, and the app settings it leads to."""
    docs = templates()
    main, dts = docs["main"], docs["durable-task-scheduler"]
    declaration = main["modules"]["durableTaskScheduler"]
    env: dict[str, Any] = {"durableBackend": durable_backend, "location": "swedencentral",
                           "identity": {"outputs": IDENTITY_OUTPUTS},
                           "durableTaskHubName": variable(main, "durableTaskHubName")}
    deployed = evaluate(condition(declaration), env)
    module = None
    if deployed:
        params = {name: evaluate(value, env) for name, value in body(declaration)["params"].items()
                  if name in ("location", "principalId", "taskHubName")}
        module = {"params": params,
                  "resources": sorted(r["type"] for r in dts["resources"].values()),
                  "grants": [(g.role, g.scope, params["principalId"] if g.principal == "principalId" else g.principal)
                             for g in role_grants(dts)]}
    settings = app_settings(docs, open_ai=False, durable_backend=durable_backend)
    return {"module": module, "settings": {k: v for k, v in settings.items() if k in SCHEDULER_SETTINGS}}


def test_the_default_backend_deploys_no_scheduler_and_sets_no_scheduler_setting():
    assert durable_plan("azureStorage") == {"module": None, "settings": {}}


def test_the_scheduler_backend_deploys_scheduler_task_hub_role_and_settings():
    plan = durable_plan("scheduler")
    assert plan["module"] == {
        "params": {"location": "swedencentral", "principalId": "<principal id>", "taskHubName": "DebugSessionsHub"},
        "resources": ["Microsoft.Authorization/roleAssignments", "Microsoft.DurableTask/schedulers",
                      "Microsoft.DurableTask/schedulers/taskHubs"],
        "grants": [(DURABLE_TASK_DATA_CONTRIBUTOR, "scheduler", "<principal id>")]}
    assert plan["settings"] == {
        "DURABLE_TASK_SCHEDULER_CONNECTION_STRING":
            "Endpoint=https://dts-abc.swedencentral.durabletask.io;Authentication=ManagedIdentity;ClientID=<client id>",
        "TASKHUB_NAME": "<task hub>",
        f"{HOST_JSON_OVERRIDE}storageProvider__type": "azureManaged",
        f"{HOST_JSON_OVERRIDE}storageProvider__connectionStringName": "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
        f"{HOST_JSON_OVERRIDE}hubName": "<task hub>"}


def test_the_scheduler_settings_override_what_host_json_sets_and_nothing_else():
    # Each AzureFunctionsJobHost__a__b__c setting replaces host.json's a.b.c (functions-host-json.md, "Override
    # host.json values"); with the scheduler, the merged configuration is the one the Durable docs show.
    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    durable = host["extensions"]["durableTask"]
    assert "type" not in durable["storageProvider"], "host.json leaves the default (Azure Storage) provider"
    settings = durable_plan("scheduler")["settings"]
    merged = json.loads(json.dumps(host))
    for name, value in settings.items():
        if name.startswith("AzureFunctionsJobHost__"):
            *path, leaf = name.removeprefix("AzureFunctionsJobHost__").split("__")
            target = merged
            for part in path:
                target = target[part]  # each overridden section exists in host.json
            target[leaf] = value
    provider = merged["extensions"]["durableTask"]["storageProvider"]
    assert (provider["type"], provider["connectionStringName"]) == ("azureManaged",
                                                                    "DURABLE_TASK_SCHEDULER_CONNECTION_STRING")
    assert provider["connectionStringName"] in settings
    assert merged["extensions"]["durableTask"]["hubName"] == settings["TASKHUB_NAME"]
    # Extended sessions are not available with the scheduler (durable-task-scheduler.md, "Feature parity").
    assert durable["extendedSessionsEnabled"] is False


def bundle_range_admits(version_range: str, version: str) -> bool:
    """Whether an extension bundle range such as "[4.*, 5.0.0)" admits a version (NuGet-style interval)."""
    low, high = (part.strip() for part in version_range.strip()[1:-1].split(","))

    def key(v: str) -> tuple[int, ...]:
        return tuple(0 if p == "*" else int(p) for p in v.split("."))

    above = key(version) >= key(low) if version_range.startswith("[") else key(version) > key(low)
    below = key(version) < key(high) if version_range.endswith(")") else key(version) <= key(high)
    return above and below


def test_the_extension_bundle_range_admits_the_first_bundle_with_the_scheduler_provider():
    # Microsoft.Azure.WebJobs.Extensions.DurableTask.AzureManaged is in the GA bundle from 4.30.0 on
    # (Azure/azure-functions-extension-bundles, extensions.json at tag 4.30.0; absent at 4.29.0). Microsoft's
    # quickstart (articles/durable-task/scheduler/quickstart-durable-task-scheduler.md) still names the Preview
    # bundle [4.29.0, 5.0.0); the GA range here resolves to the newest 4.x and keeps the MCP extension.
    bundle = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))["extensionBundle"]
    assert bundle["id"] == "Microsoft.Azure.Functions.ExtensionBundle"
    assert bundle_range_admits(bundle["version"], "4.30.0") and bundle_range_admits(bundle["version"], "4.38.0")
    assert not bundle_range_admits(bundle["version"], "5.0.0")
    assert bundle_range_admits("[4.29.0, 5.0.0)", "4.29.0") and not bundle_range_admits("[4.31.0, 5.0.0)", "4.30.0")


def test_the_engine_and_access_parameters_only_allow_what_the_app_accepts():
    from shared.settings import ENGINES

    main = template("main.bicep")
    allowed = {p: next(d["argument"] for d in main["parameters"][p]["decorators"] if d["type"] == "allowed")
               for p in ("engine", "azureAccess")}
    assert set(allowed["engine"]) == {"", *ENGINES}
    assert set(allowed["azureAccess"]) == {"app", "none"}


def test_parameters_file_resolves_to_declared_parameters():
    main = template("main.bicep")
    declared = main["parameters"]
    text = (INFRA / "main.parameters.json").read_text(encoding="utf-8")
    env = {"AZURE_ENV_NAME": "dev", "AZURE_LOCATION": "swedencentral", "AZURE_PRINCIPAL_ID": "p"}
    params, commands = azd_parameters(text, env)
    assert set(params) <= set(declared), f"undeclared: {set(params) - set(declared)}"
    missing = [name for name, p in declared.items() if p["default"] is None and name not in params]
    assert not missing, f"parameters without default that azd would have to prompt for: {missing}"
    for name, value in params.items():
        allowed = [d["argument"] for d in declared[name]["decorators"] if d["type"] == "allowed"]
        if allowed:
            assert value["value"] in allowed[0], f"{name}: {value['value']!r} not allowed"
        if declared[name]["type"] == "bool":
            assert value["value"] in ("true", "false"), f"{name} is a bool (azd converts the string)"
    assert params["openAiEnabled"]["value"] == "false" and params["azureAccess"]["value"] == "app"
    durable = (params["durableBackend"]["value"], params["durableSchedulerSku"]["value"])
    assert durable == ("azureStorage", "Consumption"), "the Durable backend as before unless DURABLE_BACKEND is set"
    chosen, _ = azd_parameters(text, {**env, "DURABLE_BACKEND": "scheduler", "DURABLE_SCHEDULER_SKU": "Dedicated"})
    assert (chosen["durableBackend"]["value"], chosen["durableSchedulerSku"]["value"]) == ("scheduler", "Dedicated")
    # Secrets: generated by azd the first time, read back from the vault afterwards: the names must match.
    vault_secrets = {body(s)["name"] for s in resources(template("modules/keyvault.bicep"),
                                                       "Microsoft.KeyVault/vaults/secrets").values()}
    vault_secret_names = {variable(template("modules/keyvault.bicep"), n) for n in vault_secrets}
    assert sorted(commands) == sorted([("secretOrRandomPassword", ["debug-poll-token-secret"]),
                                       ("secretOrRandomPassword", ["debug-caller-secret"])]), \
        "first run: no vault name yet, so azd generates"
    assert {args[-1] for _, args in commands} == vault_secret_names
    _, later = azd_parameters(text, {**env, "AZURE_KEY_VAULT_NAME": "kv-abc"})
    assert all(args[0] == "kv-abc" for _, args in later), "later runs read the secrets back from the vault"
    assert "AZURE_KEY_VAULT_NAME" in main["outputs"], "azd learns the vault's name from this output"


SECRET_NAMED_LITERAL = re.compile(r"^\s*'?(\w*(?:secret|password|token|key)\w*)'?\s*:\s*'[^']*'", re.I | re.M)


def secret_literals(source: str) -> list[str]:
    """`name: 'literal'` lines whose name says secret, password, token or key (a secret written in)."""
    return [m.group(0).strip() for m in SECRET_NAMED_LITERAL.finditer(source)]


def secure_outputs(doc: Doc) -> list[str]:
    """Outputs that hand out a @secure() parameter (outputs are stored in the deployment history in clear)."""
    secure = [name for name, p in doc.get("parameters", {}).items() if {"type": "secure"} in p["decorators"]]
    return [out for out, o in doc.get("outputs", {}).items()
            if any(o["value"] == s or f"${{{s}}}" in json.dumps(o["value"]) for s in secure)]


def test_no_secret_literal_in_the_templates_or_their_outputs():
    for path in bicep_files():
        source = path.read_text(encoding="utf-8")
        assert not secret_literals(source), path.name
        assert not secure_outputs(parse(source)), path.name
    text = (INFRA / "main.parameters.json").read_text(encoding="utf-8")
    for name, value in json.loads(re.sub(r"\$\{[^}]*\}|\$\([^)]*\)", "X", text))["parameters"].items():
        assert value["value"] == "X", f"{name} is a literal in main.parameters.json, not from azd"
    # The scans find what they look for.
    app = (INFRA / "modules/function-app.bicep").read_text(encoding="utf-8")
    assert secret_literals(app.replace("DEBUG_POLL_TOKEN_SECRET: pollTokenSecretReference",
                                       "DEBUG_POLL_TOKEN_SECRET: 'hunter2-hunter2'"))
    assert secret_literals("  AZURE_OPENAI_API_KEY: '0123'\n")
    vault = (INFRA / "modules/keyvault.bicep").read_text(encoding="utf-8")
    assert secure_outputs(parse(vault + "\noutput leaked string = pollTokenSecret\n")) == ["leaked"]


def test_outputs_azd_and_the_readme_use():
    outputs = template("main.bicep")["outputs"]
    for name in ("AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME",
                 "SERVICE_API_NAME", "SERVICE_API_URI", "AZURE_FUNCTION_URL", "AZURE_KEY_VAULT_NAME"):
        assert name in outputs
    assert accessor(outputs["AZURE_FUNCTION_APP_NAME"]["value"]) == ["functionApp", "outputs", "name"]
    assert outputs["AZURE_FUNCTION_URL"]["value"] == "${functionApp.outputs.uri}/api/debug"
    assert template("modules/function-app.bicep")["outputs"]["uri"]["value"] == "https://${app.properties.defaultHostName}"


def test_the_workbook_is_deployed_from_the_file_as_it_is():
    monitoring = template("modules/monitoring.bicep")
    workbook = resources(monitoring, "Microsoft.Insights/workbooks")["workbook"]
    assert condition(workbook) == "deployWorkbook"
    properties = body(workbook)["properties"]
    load = properties["serializedData"]["function"]
    assert load["type"] == "load_text_content"
    path = (INFRA / "modules" / next(iter(load["parameters"].values()))).resolve()
    assert path == INFRA / "workbook-debug-sessions.json"
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == "Notebook/1.0"
    assert accessor(properties["sourceId"]) == ["appInsights", "id"]


def test_keys_of_quoted_objects_are_read_without_quotes():
    # The helper the checks rely on: pycep keeps quotes on quoted keys, the checks compare unquoted names.
    assert key("'azd-service-name'") == "azd-service-name" and key("plain") == "plain"


def test_the_postdeploy_hook_runs_the_smoke_check_with_values_the_deployment_outputs():
    config = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    hook = config["hooks"]["postdeploy"]["posix"]
    script = ROOT / hook["run"]
    assert script.is_file() and script.stat().st_mode & 0o111, "the hook's script exists and is executable"
    assert hook["continueOnError"] is True  # a check must never undo a deployment
    text = script.read_text(encoding="utf-8")
    assert "smoke_deployment.py" in text
    outputs = set(template("main.bicep")["outputs"])
    read = set(re.findall(r"\$\{(AZURE_\w+|SERVICE_\w+)", text))
    assert read and read <= outputs, f"the hook reads values no Bicep output gives: {sorted(read - outputs)}"


def test_an_alert_fires_on_the_memory_pressure_metric_the_app_emits():
    monitoring = template("modules/monitoring.bicep")
    alert = resources(monitoring, "Microsoft.Insights/scheduledQueryRules")["memoryPressureAlert"]
    properties = body(alert)["properties"]
    assert [accessor(scope) for scope in properties["scopes"]] == [["appInsights", "id"]]
    criterion = properties["criteria"]["allOf"][0]
    query = unquoted(criterion["query"])
    # The metric and state the app counts when an instance starts shedding (shared/resilience/memory_guard.py).
    metrics_code = (ROOT / "shared" / "telemetry" / "metrics.py").read_text(encoding="utf-8")
    guard_code = (ROOT / "shared" / "resilience" / "memory_guard.py").read_text(encoding="utf-8")
    assert '"debug.memory.pressure"' in metrics_code and '"shedding"' in guard_code
    assert 'name == "debug.memory.pressure"' in query and '== "shedding"' in query
    assert (criterion["operator"], criterion["threshold"]) == ("GreaterThan", 0)
    assert properties["enabled"] is True
