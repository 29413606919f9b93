"""Round 36 F1: the mechanisms added for fifteen real reports the engine asked about or answered without the deciding
detail - catalog entries (an ACR task's webhook refused by Azure DevOps, an APIM named value displayName with a space,
a managed certificate behind access restrictions, a disk resized down, an Event Grid subscription scoped to a system
topic, a diagnostic setting's data sink already used, Redis virtual network injection below Premium, AppAuthentication
under AKS workload identity, the Front Door origin timeout on the profile, reasoning_effort on o1-mini, a Cosmos DB
built-in data role used as an Azure role, the Terraform load balancer module's pip_sku), a fact naming the metric alert
query's own column, two clues that decide from stated facts (identity connections with only a user-assigned identity
and no clientId, a function.json string with unescaped quotes) and an envelope's `shown_by`: the report already holds
what its check would show, so the words around it are read instead of asking. Each check has a near miss."""

from __future__ import annotations

from shared.engines.clues import clues_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _outcome(text: str) -> tuple[dict, int]:
    out = run_engine({"error_description": text})
    return out.envelope(), len(out.requests)


def _report(text: str) -> dict:
    envelope, _ = _outcome(text)
    assert envelope["status"] in ("done", "fail"), envelope
    return envelope["report"]


def _clue_ids(text: str) -> list[str]:
    return [clue["id"] for clue in clues_in([text])]


# --- catalog entries -------------------------------------------------------------------------------------------------

WEBHOOK = ('{"error":{"code":"ProviderCall","message":"Failed to create webhook for repository: '
           '\'https://dev.azure.com/org/proj/_git/app#main\'. InnerErrors: Request:Access Denied: Jo Doe needs the '
           'following permission(s) on the resource PublisherSecurity/1234 to perform this action: Edit Subscription"}}'
           "\nERROR: Operation returned an invalid status 'Conflict'")


def test_acr_task_webhook_refused_is_the_token_users_permission() -> None:
    assert best_entry_id(WEBHOOK) == "containers-acr-task-source-trigger-webhook-access-denied"
    report = _report("az acr task create with --context on Azure Repos and --git-access-token --debug:\n" + WEBHOOK)
    assert report["category"] == "auth.rbac_missing"
    assert "service hook" in report["root_cause"] and "Jo Doe" in report["root_cause"]


def test_a_bare_invalid_status_conflict_is_not_the_webhook_entry() -> None:
    assert best_entry_id("ERROR: Operation returned an invalid status 'Conflict'") \
        != "containers-acr-task-source-trigger-webhook-access-denied"


NAMED_VALUE = ('resource nv \'Microsoft.ApiManagement/service/namedValues@2022-08-01\' = {\n  name: \'apiurl\'\n'
               '  properties: {\n    displayName: \'Api Base Url\'\n    value: \'x\'\n  }\n}\n'
               '{"code": "ValidationError", "message": "One or more fields contain incorrect values:", "details": []}')


def test_named_value_display_name_with_a_space() -> None:
    assert best_entry_id(NAMED_VALUE) == "integration-apim-named-value-display-name-invalid-characters"
    report = _report(NAMED_VALUE)
    assert "displayName 'Api Base Url'" in report["root_cause"] and "space" in report["root_cause"]


def test_named_value_without_a_space_is_not_that_entry() -> None:
    text = NAMED_VALUE.replace("Api Base Url", "api-base-url")
    assert best_entry_id(text) != "integration-apim-named-value-display-name-invalid-characters"


CERT = ('Website app-a is not accessible to public network through hostname a.example. Returned status code: 2. You '
        'can only create a managed certificate if the web app is accessible by public network.')


def test_managed_certificate_behind_access_restrictions() -> None:
    assert best_entry_id(CERT) == "appservice-managed-certificate-site-not-publicly-accessible"
    report = _report("Creating the free managed certificate fails:\n" + CERT)
    assert report["category"] == "network.nsg_blocked" and "access restriction" in report["root_cause"]
    assert "through a.example:" in report["root_cause"]  # the hostname without the sentence's period


def test_disk_resize_down() -> None:
    text = ("resize volume failed: rpc error: code = Internal desc = The disk/snapshot resource with id /x cannot be "
            "resized down. Reducing disk/snapshot size is not supported in Azure to prevent data loss.")
    assert best_entry_id(text) == "compute-managed-disk-resize-down-not-supported"
    assert best_entry_id("The disk was resized from 128 GB to 256 GB.") != \
        "compute-managed-disk-resize-down-not-supported"


def test_event_subscription_scoped_to_a_system_topic() -> None:
    text = ('Code="BadRequest" Message="The specified API is not supported for resource type '
            '\'Microsoft.EventGrid/systemTopics\'."')
    assert best_entry_id(text) == "integration-eventgrid-subscription-scoped-to-system-topic"
    other = 'Message="The specified API is not supported for resource type \'Microsoft.EventGrid/topics\'."'
    assert best_entry_id(other) != "integration-eventgrid-subscription-scoped-to-system-topic"


SINK = ('{"code":"Conflict","message":"Data sink \'/subscriptions/s/resourceGroups/g/providers/'
        'Microsoft.OperationalInsights/workspaces/law\' is already used in diagnostic setting \'diag-old-ab12\' '
        'for category \'AuditEvent\'. Data sinks '
        'can\'t be reused in different settings on the same category for the same resource."}')


def test_diagnostic_setting_data_sink_already_used_names_the_old_setting() -> None:
    assert best_entry_id(SINK) == "integration-diagnostic-setting-data-sink-already-used"
    report = _report(SINK)
    assert report["category"] == "deployment.name_conflict"
    assert "'diag-old-ab12'" in report["root_cause"] and "suffix" in report["root_cause"]


REDIS = ('resource "azurerm_redis_cache" "c" {\n  sku_name = "Standard"\n  subnet_id = azurerm_subnet.s.id\n}\n'
         'Original Error: Code="InvalidRequestBody" Message="The value of the parameter \'properties.subnetId\' '
         'is invalid."')


def test_redis_subnet_below_premium() -> None:
    assert best_entry_id(REDIS) == "redis-vnet-injection-requires-premium"
    assert "Premium" in _report(REDIS)["root_cause"]


def test_redis_premium_subnet_invalid_is_not_the_tier_entry() -> None:
    assert best_entry_id(REDIS.replace('"Standard"', '"Premium"')) != "redis-vnet-injection-requires-premium"


APPAUTH = ('Microsoft.Azure.Services.AppAuthentication.AzureServiceTokenProviderException: Parameters: Connection '
           'String: RunAs=App, Resource: https://vault.azure.net. Exception Message: Tried to get token using Managed '
           'Service Identity. Unable to connect to the Managed Service Identity (MSI) endpoint.')


def test_appauthentication_after_a_move_to_workload_identity() -> None:
    text = "After moving the AKS pods to workload identity (AZURE_FEDERATED_TOKEN_FILE is set):\n" + APPAUTH
    assert best_entry_id(text) == "entra-appauthentication-under-aks-workload-identity"
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "Azure.Identity" in report["root_cause"]


def test_appauthentication_without_workload_identity_is_not_that_entry() -> None:
    assert best_entry_id("On our App Service web app:\n" + APPAUTH) \
        != "entra-appauthentication-under-aks-workload-identity"


def test_front_door_origin_timeout_belongs_to_the_profile() -> None:
    text = ("az afd endpoint create ... --origin-response-timeout-seconds 120\n"
            "unrecognized arguments: --origin-response-timeout-seconds 120")
    assert best_entry_id(text) == "tooling-afd-origin-response-timeout-on-profile"
    envelope, asked = _outcome("Front Door Standard: " + text)
    assert asked == 0 and "profile" in envelope["report"]["root_cause"]


def test_reasoning_effort_names_the_deployment() -> None:
    text = ('client.chat.completions.create(model="o1-mini-prod", messages=m, reasoning_effort="low")\n'
            'openai.BadRequestError: Error code: 400 - {\'error\': '
            '{\'message\': "Unknown parameter: \'reasoning_effort\'.", '
            '\'code\': \'unknown_parameter\'}} (Azure OpenAI)')
    assert best_entry_id(text) == "openai-reasoning-effort-unsupported-model"
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "(o1-mini-prod)" in report["root_cause"]
    assert best_entry_id("Unknown parameter: 'temperature'.") != "openai-reasoning-effort-unsupported-model"


def test_cosmos_builtin_data_role_as_an_azure_role() -> None:
    text = ("roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', "
            "'00000000-0000-0000-0000-000000000002')\n{\"code\": \"RoleDefinitionDoesNotExist\", \"message\": \"The "
            "specified role definition with ID '00000000000000000000000000000002' does not exist.\"}")
    assert best_entry_id(text) == "cosmos-builtin-data-role-used-as-azure-rbac-role"
    assert "sqlRoleAssignments" in _report(text)["root_cause"]
    other = ('{"code": "RoleDefinitionDoesNotExist", "message": "The specified role definition with ID '
             '\'b24988ac618042a0ab8820f7382dd24c\' does not exist."}')
    assert best_entry_id(other) != "cosmos-builtin-data-role-used-as-azure-rbac-role"


LB = ('Original Error: Code="PublicIPAndLBSkuDoNotMatch" Message="Standard sku load balancer /x/loadBalancers/lb '
      'cannot '
      'reference Basic sku publicIP /x/publicIPAddresses/pip."')


def test_terraform_lb_module_pip_sku() -> None:
    text = 'module "lb" {\n  source = "Azure/loadbalancer/azurerm"\n  lb_sku = "Standard"\n}\n' + LB
    assert best_entry_id(text) == "compute-terraform-lb-module-pip-sku-default-basic"
    assert "pip_sku" in _report(text)["root_cause"]
    plain = 'resource "azurerm_lb" "lb" { sku = "Standard" }\n' + LB
    assert best_entry_id(plain) == "compute-public-ip-lb-sku-mismatch"


def test_metric_measurement_alert_names_the_querys_column() -> None:
    text = ("AppRequests | summarize fails = count() by bin(TimeGenerated, 5m)\n{\"code\":\"BadRequest\",\"message\":"
            "\"The query of a metric measurement alert rule must include an AggregatedValue column of a numeric "
            "type\"}")
    assert "'fails'" in _report(text)["root_cause"]
    plain = _report(text.replace("summarize fails = count()", "count"))
    assert "<column>" not in plain["root_cause"] and "names '" not in plain["root_cause"]


# --- clues -----------------------------------------------------------------------------------------------------------

UAMI = ("Our function app uses only a user-assigned identity (system-assigned identity is off).\n"
        "  ServiceBusConnection__fullyQualifiedNamespace = sb-a.servicebus.windows.net\n"
        "  AzureWebJobsStorage__accountName = sta\nMessages pile up and the function never runs.")


def test_identity_connections_without_client_id_on_a_user_assigned_app() -> None:
    assert "functions-identity-connection-user-assigned-without-client-id" in _clue_ids(UAMI)
    envelope, asked = _outcome(UAMI)
    assert asked == 0 and envelope["report"]["category"] == "auth.managed_identity_missing"
    assert "__clientId" in envelope["report"]["root_cause"]


def test_identity_connections_with_a_client_id_stay_silent() -> None:
    text = UAMI.replace("AzureWebJobsStorage__accountName = sta",
                        "ServiceBusConnection__clientId = 1111\n  ServiceBusConnection__credential = managedidentity")
    assert "functions-identity-connection-user-assigned-without-client-id" not in _clue_ids(text)
    system_on = UAMI.replace("uses only a user-assigned identity (system-assigned identity is off)",
                             "has a system-assigned and a user-assigned identity")
    assert "functions-identity-connection-user-assigned-without-client-id" not in _clue_ids(system_on)


FUNCTION_JSON = ('Every call answers 503 Function host is not running. function.json:\n{\n  "bindings": [\n'
                 '    { "type": "cosmosDB", "name": "d", "sqlQuery": "SELECT * FROM c WHERE c.kind = "a"", '
                 '"direction": "in" }\n'
                 '  ]\n}')


def test_function_json_with_unescaped_quotes() -> None:
    assert "functions-function-json-unescaped-quote-in-string" in _clue_ids(FUNCTION_JSON)
    envelope, asked = _outcome(FUNCTION_JSON)
    assert asked == 0 and envelope["report"]["category"] == "runtime.code_defect"
    assert "function.json" in envelope["report"]["root_cause"]


def test_function_json_with_escaped_quotes_stays_silent() -> None:
    text = FUNCTION_JSON.replace('c.kind = "a""', 'c.kind = \\"a\\""')
    assert "functions-function-json-unescaped-quote-in-string" not in _clue_ids(text)


# --- an envelope whose check the report already shows ----------------------------------------------------------------

AUTOREST = ('terraform apply of our cache (azurerm_redis_cache, private_static_ip_address = "10.20.4.10"):\n'
            '  Error: creating Redis Cache "redis-a": redis.Client#Create: Failure sending request: StatusCode=0 -- '
            'Original Error: Code="InvalidRequestBody" Message="The value of the parameter \'properties.subnetId\' '
            'is invalid."')


def test_envelope_whose_inner_error_is_shown_reads_it_instead_of_asking() -> None:
    envelope, asked = _outcome(AUTOREST)
    assert asked == 0 and envelope["status"] == "done"
    report = envelope["report"]
    assert report["confidence"] == "low" and "autorest" not in report["root_cause"]  # not the envelope's meaning


def test_envelope_without_its_inner_error_still_asks() -> None:
    envelope, asked = _outcome('terraform apply of our cache (azurerm_redis_cache):\n  Error: creating Redis Cache '
                               '"redis-a": redis.Client#Create: Failure sending request: StatusCode=0 -- '
                               'Original Error: Code=')
    assert envelope["status"] == "request" and asked == 1
