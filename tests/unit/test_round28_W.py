"""Round 28 (W): error families the catalog lacked (Event Hubs' Kafka topic authorization, SSPI against Azure SQL,
an AKS load balancer subnet that does not exist, ghcr.io's write_package, a blob-only WebJobs storage account, the
Azure Monitor exporter without its connection string), cases of a known error that the material tells apart (a
Quartz schedule, a direct 0.x openai call, a Key Vault name only read, IMDS called although the identity endpoint is
set, a private cluster's privatelink name), clues whose deciding fact is shown in another form (a header quoted
inline, IP flow verify's Deny, an empty AZURE_CLIENT_ID, a missing management group, nslookup against Azure DNS),
and mechanisms: a Python build path's versions fill its text, the DNS analyzer yields the private-zone reading when
Azure DNS answers, an endpoint the resource shows makes an unresolved host a wrong setting, and a container's
server on loopback read from its console log. Each has a near miss that must stay as it was."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import table_entry
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, state_with


def _report(text: str, files: list[dict[str, str]] | None = None) -> dict:
    request: dict = {"error_description": text}
    if files:
        request["context"] = {"source_files": files}
    envelope = run_engine(request).envelope()
    return envelope.get("report") or {}


KAFKA = ("Kafka output to our Event Hubs namespace (Username = \"$ConnectionString\") fails:\n"
         "Failed to deliver message to orders / -1. Reason: Broker: Topic authorization failed")


def test_event_hubs_kafka_topic_authorization_names_the_policy_rights() -> None:
    report = _report(KAFKA)
    assert report["category"] == "auth.rbac_missing" and "Listen" in report["root_cause"]


def test_kafka_topic_authorization_elsewhere_is_not_event_hubs() -> None:
    # near miss: the same Kafka words from a self-hosted broker carry no Event Hubs context
    report = _report("Producer to kafka-01.internal:9092 fails: Broker: Topic authorization failed")
    assert "Event Hubs Data Sender" not in str(report.get("actions"))


SSPI = ("Connect-DbaInstance -SqlInstance sql-x.database.windows.net fails: The target principal name is incorrect."
        "  Cannot generate SSPI context.\nVERBOSE: Data Source=tcp:sql-x.database.windows.net,1433;"
        "Integrated Security=True;User ID=a@b.example")


def test_sspi_against_azure_sql_is_the_connection_strings_integrated_security() -> None:
    report = _report(SSPI)
    assert report["category"] == "config.invalid_connection_string"
    assert "Integrated Security" in report["root_cause"]


def test_sspi_against_an_on_premises_server_is_not_this_entry() -> None:
    report = _report("sqlcmd -S sql01.corp.local -E: Cannot generate SSPI context.")
    assert "Azure SQL Database does not offer" not in str(report.get("root_cause"))


ILB = ("Service stays <pending>: Warning SyncLoadBalancerFailed service-controller Error syncing load balancer: "
       "failed to ensure load balancer: lb(kubernetes-internal) - failed to get subnet: vnet-prd/snet-ilb")


def test_aks_load_balancer_subnet_not_found_names_the_subnet() -> None:
    report = _report(ILB + "\nCluster identity has Network Contributor on the network resource group.")
    assert report["category"] == "config.wrong_resource_name" and "snet-ilb" in report["root_cause"]


def test_aks_load_balancer_subnet_without_the_permission_ruled_out_is_not_a_wrong_name() -> None:
    # near miss: the same event alone may be an identity that cannot read the subnet: no wrong-name verdict
    assert _report(ILB).get("category") != "config.wrong_resource_name"


def test_ghcr_write_package_denied_is_out_of_scope() -> None:
    text = ("#14 ERROR: failed to push ghcr.io/contoso/api:sha-1: denied: permission_denied: write_package\n"
            "The image is later deployed to Azure Container Apps.")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and "packages" in envelope["report"]["root_cause"]


def test_blob_only_webjobs_storage_is_a_wrong_connection_string() -> None:
    text = ("Unhandled Exception: System.InvalidOperationException: Storage account 'stlogs' is of unsupported type "
            "'BlobOnly'. Supported types are 'GeneralPurpose'")
    report = _report(text)
    assert report["category"] == "config.invalid_connection_string" and "general-purpose" in report["root_cause"]


def test_azure_monitor_exporter_without_connection_string_names_the_setting() -> None:
    text = ('File "azure/monitor/opentelemetry/_configure.py", line 98, in configure_azure_monitor\n'
            "ValueError: Instrumentation key cannot be none or empty.")
    report = _report(text)
    assert report["category"] == "config.missing_app_setting"
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" in report["root_cause"]


QUARTZ = ('function.json: { "name": "t", "type": "timerTrigger", "schedule": "0 0 0 1/1 * ? *" }\n'
          "Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.Nightly'. mscorlib: String was not "
          "recognized as a valid TimeSpan.")


def test_quartz_schedule_is_a_code_defect() -> None:
    report = _report(QUARTZ)
    assert report["category"] == "runtime.code_defect" and "cron" in report["root_cause"].lower()


def test_timespan_error_without_a_wrong_field_count_stays_the_hosts() -> None:
    # near miss: a six-field NCRONTAB schedule shown, or none: the plan/host reading stands
    text = QUARTZ.replace("0 0 0 1/1 * ? *", "0 */5 * * * *")
    assert _report(text)["category"] == "functions.host_misconfigured"


OPENAI_CODE = ('import openai\nopenai.api_type = "azure"\nresponse = openai.ChatCompletion.create(\n'
               '    model="gpt-35-turbo", messages=[])\n')
OPENAI_ERROR = ("openai.error.InvalidRequestError: Must provide an 'engine' or 'deployment_id' parameter to create a "
                "<class 'openai.api_resources.chat_completion.ChatCompletion'>")


def test_direct_legacy_openai_call_with_model_only_is_a_code_defect() -> None:
    report = _report(OPENAI_ERROR, [{"path": "chat.py", "content": OPENAI_CODE}])
    assert report["category"] == "runtime.code_defect" and "engine=" in report["root_cause"]


def test_framework_behind_the_legacy_openai_error_stays_a_setting() -> None:
    # near miss: no direct call shown (a framework passes model= from its settings)
    assert _report("Chainlit: " + OPENAI_ERROR)["category"] == "config.missing_app_setting"


KV_READ = ("Azure.RequestFailedException: The request URI contains an invalid name: APP_CONN\nStatus: 400\n"
           "ErrorCode: BadParameter\n   at Azure.Security.KeyVault.Secrets.SecretClient.GetSecretAsync(String name)")


def test_key_vault_name_only_read_is_a_wrong_name() -> None:
    report = _report(KV_READ)
    assert report["category"] == "config.wrong_resource_name" and "underscore" in report["root_cause"]


def test_key_vault_name_written_stays_a_code_defect() -> None:
    # near miss: the script writes (SetSecret) the names: the writer's code must map them
    assert _report(KV_READ.replace("GetSecretAsync", "SetSecretAsync"))["category"] == "runtime.code_defect"


IMDS = ("Error: connect ETIMEDOUT 169.254.169.254:80\n`printenv` in SSH shows "
        "IDENTITY_ENDPOINT=http://169.254.129.4:8081/msi/token and IDENTITY_HEADER=<redacted>.")


def test_imds_called_while_the_identity_endpoint_is_set_is_a_code_defect() -> None:
    report = _report(IMDS, [{"path": "msi.js", "content": "const url = `http://169.254.169.254/metadata/identity/"
                                                          "oauth2/token?api-version=2018-02-01`;"}])
    assert report["category"] == "runtime.code_defect" and "IDENTITY_ENDPOINT" in report["root_cause"]


def test_identity_endpoint_variable_absent_stays_a_missing_identity() -> None:
    # near miss: the same timeout, the code reads IDENTITY_ENDPOINT and the report shows no value for it
    text = "Error: connect ETIMEDOUT 169.254.169.254:80 when getting a token; the app reads IDENTITY_ENDPOINT"
    report = _report(text)
    assert report["category"] == "auth.managed_identity_missing" and "absent" in report["root_cause"]


PRIVATE_AKS = ("Unable to connect to the server: dial tcp: lookup aks-x-1a2b.3c4d.privatelink.westeurope.azmk8s.io "
               "on 127.0.0.53:53: no such host")


def test_private_cluster_name_unresolvable_is_the_private_zone() -> None:
    assert _report(PRIVATE_AKS)["category"] == "network.private_endpoint_dns"


def test_public_cluster_name_unresolvable_stays_dns() -> None:
    text = PRIVATE_AKS.replace(".privatelink.westeurope.azmk8s.io", ".hcp.westeurope.azmk8s.io")
    assert _report(text)["category"] == "network.dns_resolution"


def test_header_quoted_inline_as_undefined_is_a_code_defect() -> None:
    text = ("Agent summary: tile requests return 401 Unauthorized. Request headers include `Authorization: Bearer "
            "eyJ0` and `x-ms-client-id: undefined`.")
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "x-ms-client-id" in report["root_cause"]


def test_header_with_a_value_is_no_undefined_header() -> None:
    text = "Tile requests return 401 Unauthorized with `x-ms-client-id: 2a11e8f8-118d-5ac7-842d-b7aae5ece03f`."
    assert "undefined" not in str(_report(text).get("root_cause"))


IP_FLOW = ("SSH times out. $ az network watcher test-ip-flow --vm vm1 -g rg --direction Inbound --protocol TCP "
           '--local 10.0.0.4:22 --remote 203.0.113.5:5000\n{\n  "access": "Deny",\n  "ruleName": '
           '"securityRules/deny-mgmt"\n}')


def test_ip_flow_verify_deny_names_the_rule() -> None:
    report = _report(IP_FLOW)
    assert report["category"] == "network.nsg_blocked" and "deny-mgmt" in report["root_cause"]


def test_ip_flow_verify_allow_decides_no_nsg() -> None:
    report = _report(IP_FLOW.replace('"Deny"', '"Allow"'))
    assert "denies this flow" not in str(report.get("root_cause"))


EMPTY_CLIENT_ID = ("azure.identity._exceptions.CredentialUnavailableError: DefaultAzureCredential failed to retrieve "
                   'a token.\n{ "identity": "SystemAssigned", "env": [ { "name": "AZURE_CLIENT_ID", "value": "" } ] }')


def test_empty_azure_client_id_with_system_identity_is_named() -> None:
    report = _report(EMPTY_CLIENT_ID)
    assert report["category"] == "auth.managed_identity_missing" and "AZURE_CLIENT_ID" in report["root_cause"]


def test_azure_client_id_with_a_value_is_not_empty() -> None:
    text = EMPTY_CLIENT_ID.replace('"value": ""', '"value": "2a11e8f8-118d-5ac7-842d-b7aae5ece03f"')
    assert "defined but empty" not in str(_report(text).get("root_cause"))


MG = ("New-AzManagementGroupDeployment: Error: Code=AuthorizationFailed; Message=The client 'x' with object id 'x' "
      "does not have authorization to perform action 'Microsoft.Resources/deployments/validate/action' over scope "
      "'/providers/Microsoft.Management/managementGroups/Corp-Retail/providers/Microsoft.Resources/deployments/d' "
      "or the scope is invalid.\nPS> Get-AzManagementGroup -GroupName Corp-Retail\n"
      "Get-AzManagementGroup: Entity 'Corp-Retail' not found.")


def test_authorization_failed_on_a_management_group_not_created_is_a_missing_parent() -> None:
    report = _report(MG)
    assert report["category"] == "deployment.parent_not_found" and "Corp-Retail" in report["root_cause"]


def test_authorization_failed_on_an_existing_scope_stays_rbac() -> None:
    text = MG.split("\nPS>")[0]
    assert _report(text)["category"] == "auth.rbac_missing"


AZD = ("Step 'Log in with Azure (Client Credentials)': info=$(echo \"$AZURE_CREDENTIALS\" | jq -r .)\n"
       "azd up: ERROR: not logged in, run `azd auth login` to login\n"
       "The workflow env maps AZURE_CREDENTIALS: ${{ secrets.AZURE_CREDENTIALS }}.\n"
       "Repository variables AZURE_CLIENT_ID, AZURE_TENANT_ID; secrets: none.")


def test_azd_secret_listing_with_none_shows_the_credentials_secret_absent() -> None:
    report = _report(AZD)
    assert report["category"] == "config.missing_app_setting"
    assert "has no AZURE_CREDENTIALS secret" in report["root_cause"]


def test_azd_secret_listing_with_the_secret_is_not_absent() -> None:
    report = _report(AZD.replace("secrets: none", "secrets: AZURE_CREDENTIALS"))
    assert "has no AZURE_CREDENTIALS secret" not in str(report.get("root_cause"))


PY_BUILD = ("ModuleNotFoundError: No module named '_cffi_backend'. Cannot find module.\n"
            "az functionapp config set --linux-fx-version \"PYTHON|3.11\"\n"
            "build: python3.9 -m pip install -r requirements.txt --target .python_packages/lib/site-packages\n"
            "zip -r app.zip . && az functionapp deployment source config-zip --src app.zip")


def test_packages_built_with_another_python_version_name_both_versions() -> None:
    report = _report(PY_BUILD)
    assert report["category"] == "runtime.dependency_missing"
    assert "Python 3.9" in report["root_cause"] and "Python 3.11" in report["root_cause"]


def test_packages_built_with_the_apps_python_version_are_no_mismatch() -> None:
    report = _report(PY_BUILD.replace("python3.9 -m", "python3.11 -m"))
    assert "pip of Python" not in report["root_cause"]


EMBEDDED = ("getaddrinfo ENOTFOUND pg-x.postgres.database.azure.com\nThe server is VNet-injected with private DNS "
            "zone pg-x.private.postgres.database.azure.com, linked to the vnet.\n/ # cat /etc/resolv.conf\n"
            "nameserver 127.0.0.11\n/ # nslookup pg-x.private.postgres.database.azure.com\n"
            "** server can't find pg-x.private.postgres.database.azure.com: NXDOMAIN\n"
            "/ # nslookup pg-x.private.postgres.database.azure.com 168.63.129.16\nServer:   168.63.129.16\n"
            "Address:  168.63.129.16:53\nName:   pg-x.private.postgres.database.azure.com\nAddress: 10.30.6.4\n")


def test_azure_dns_answering_the_private_record_rules_the_zone_out() -> None:
    assert _report(EMBEDDED)["category"] == "network.dns_resolution"


def test_private_zone_not_seen_stays_private_endpoint_dns() -> None:
    # near miss: no answer from Azure DNS shown: the zone's reach is still the reading
    text = EMBEDDED.split("/ # nslookup pg-x.private.postgres.database.azure.com 168")[0]
    assert _report(text)["category"] == "network.private_endpoint_dns"


ENDPOINT = ("getaddrinfo ENOTFOUND oai-x-sc.openai.azure.com\n`az cognitiveservices account show -n oai-x-sc -g rg "
            "--query properties.endpoint` prints \"https://swedencentral.api.cognitive.microsoft.com/\".")


def test_unresolved_host_other_than_the_resources_endpoint_is_a_wrong_endpoint() -> None:
    report = _report(ENDPOINT)
    assert report["category"] == "config.invalid_connection_string"
    assert "https://swedencentral.api.cognitive.microsoft.com" in report["root_cause"]


def test_unresolved_host_equal_to_the_resources_endpoint_stays_dns() -> None:
    text = ENDPOINT.replace("https://swedencentral.api.cognitive.microsoft.com/", "https://oai-x-sc.openai.azure.com/")
    assert _report(text)["category"] == "network.dns_resolution"


PING = "Container app-x_0 didn't respond to HTTP pings on port: 8080, failing site start."


def _logs(line: str) -> dict:
    return {"columns": ["TimeGenerated", "Message"], "rows": [["2026-12-04T13:02:23Z", line]], "row_count": 1}


def test_server_listening_on_loopback_in_the_console_log_is_a_code_defect() -> None:
    state = state_with(PING, [("query_logs", _logs("INFO:     Uvicorn running on http://127.0.0.1:8080"))])
    assert finding_id(state) == "container-server-listens-on-loopback"


def test_server_listening_on_all_interfaces_is_no_loopback_finding() -> None:
    state = state_with(PING, [("query_logs", _logs("INFO:     Uvicorn running on http://0.0.0.0:8080"))])
    assert finding_id(state) != "container-server-listens-on-loopback"


def test_resource_endpoint_pattern_needs_the_resource_name_before_it() -> None:
    rule = table_entry("network_dns_errors", "host-malformed")
    pattern = re.compile(str(rule["resource_endpoint"]).replace("{name}", re.escape("oai-x")))
    assert pattern.search("az cognitiveservices account show -n oai-x --query properties.endpoint prints "
                          "\"https://eastus.api.cognitive.microsoft.com/\"")
    assert not pattern.search("our other endpoint is https://eastus.api.cognitive.microsoft.com/")


ACCOUNT = {"type": "Microsoft.Storage/storageAccounts", "name": "stla", "publicNetworkAccess": "Disabled",
           "networkAcls": {"defaultAction": "Deny"}, "privateEndpointConnections": 2}


def _endpoint(group: str) -> dict:
    return {"type": "Microsoft.Network/privateEndpoints", "name": f"pe-stla-{group}", "connections": [
        {"privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stla",
         "groupIds": [group]}]}


LOCKED = ("Azure.RequestFailedException: This request is not authorized to perform this operation.\nStatus: 403\n"
          "ErrorCode: AuthorizationFailure\n   at Azure.Storage.Queues.QueueRestClient.CreateAsync(...)\n"
          "Workflow runtime: failed to initialize table 'flowjobtriggers' on account 'stla'.")


def test_queue_and_table_clients_refused_without_their_private_endpoints() -> None:
    state = state_with(LOCKED, [("get_resource", r) for r in (ACCOUNT, _endpoint("blob"), _endpoint("file"))])
    assert finding_id(state) == "storage-private-endpoint-missing-for-service"
    report = finding_report(state)
    assert "queue and table" in report.root_cause


def test_queue_and_table_clients_with_their_private_endpoints_are_no_missing_endpoint() -> None:
    reads = (ACCOUNT, _endpoint("blob"), _endpoint("queue"), _endpoint("table"))
    state = state_with(LOCKED, [("get_resource", r) for r in reads])
    assert finding_id(state) != "storage-private-endpoint-missing-for-service"
