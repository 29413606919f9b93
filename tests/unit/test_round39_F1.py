"""Brief F1 of the thirty-second session: catalog entries for errors the catalog lacked (a property of one API
Management tier, an old integration runtime build, pipeline demands, a CLI release's private-link default, a Terraform
Cloud backend, cross-entity Service Bus transactions, Event Hubs' per-tier event size, AGIC's subnet join, Graph Bicep
members by client ID, a host content share that needs the account key), a Slack webhook meaning, and clues that read
the deciding fact from the report (a release regression told by two versions, the Responses API on an older
api-version, a Table client endpoint with the table path, OData's stable ordering, a Terraform allow-list older than
Azure's value). Each test has a near miss that must stay silent."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _report(text: str) -> dict:
    return dict(run_engine({"error_description": text}).envelope().get("report") or {})


def test_apim_enable_client_certificate_outside_consumption() -> None:
    text = ('Code="NotSupported" Message="Setting EnableClientCertificate flag to false is not supported for '
            'Premium SKU."')
    assert best_entry_id(text) == "integration-apim-enable-client-certificate-consumption-only"
    report = _report("az deployment group create failed: " + text)
    assert report["category"] == "deployment.template_invalid" and "Consumption" in report["root_cause"]
    assert best_entry_id('Code="NotSupported" Message="Setting the gateway flag is not supported for Premium SKU."') \
        != "integration-apim-enable-client-certificate-consumption-only"


def test_shir_authentication_key_missing_is_an_old_build() -> None:
    report = _report("Registering the node: Self-hosted integration runtime Authentication Key is missing. "
                     "About page shows 5.10.7918.2")
    assert report["category"] == "runtime.dependency_missing" and "version" in report["root_cause"]
    assert best_entry_id("Self-hosted integration runtime Authentication Key is invalid") \
        != "integration-shir-authentication-key-missing-old-build"


def test_pipeline_demands_no_agent_advertises() -> None:
    for text in ("##[error]No agent found in pool build-win which satisfies the following demand: msbuild. "
                 "All demands: msbuild, Agent.Version -gtVersion 2.144.0",
                 "##[error]No agent found in pool linux which satisfies the specified demands: docker, java"):
        assert best_entry_id(text) == "tooling-azure-pipelines-no-agent-satisfies-demands"
    assert best_entry_id("##[error]No hosted parallelism has been purchased or granted.") \
        != "tooling-azure-pipelines-no-agent-satisfies-demands"


def test_afd_origin_private_link_block_is_the_cli_default() -> None:
    text = ("az afd origin create ... (BadRequest) Property 'AfdOrigin.SharedPrivateLinkResource.PrivateLink.Id' "
            "is required but it was not set")
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "enable-private-link" in report["root_cause"]
    assert best_entry_id("(BadRequest) Property 'AfdOrigin.HostName' is required but it was not set") \
        != "tooling-az-afd-origin-create-private-link-default"


def test_terraform_cloud_no_workspaces_is_out_of_scope_but_not_for_an_azurerm_backend() -> None:
    tfc = 'terraform { cloud { organization = "acme" workspaces { tags = ["net"] } } }\nError: No existing workspaces.'
    assert best_entry_id(tfc) == "tooling-terraform-cloud-no-existing-workspaces"
    azurerm = 'terraform { backend "azurerm" { container_name = "tfstate" } }\nError: No existing workspaces.'
    assert best_entry_id(azurerm) != "tooling-terraform-cloud-no-existing-workspaces"


def test_cross_entity_transactions_function_host_json_or_client_options() -> None:
    error = ("Azure.Messaging.ServiceBus.ServiceBusException: Local transactions cannot span multiple top-level "
             "entities such as queue or topic. (GeneralError)")
    in_function = _report("[ServiceBusTrigger(\"orders\")] function, TransactionScope around complete and send:\n"
                          + error)
    assert in_function["category"] == "functions.host_misconfigured"
    assert "enableCrossEntityTransactions" in in_function["root_cause"]
    assert best_entry_id("Console worker with ServiceBusClient:\n" + error) == \
        "messaging-servicebus-cross-entity-transaction-client"


def test_event_hubs_size_quota_names_the_tier_and_cosmos_413_keeps_its_reading() -> None:
    eh = ("POST https://ehns.servicebus.windows.net/hub/messages 413 RequestEntityTooLarge: The maximum message size "
          "quota for outgoing messages (262144) has been exceeded. SystemTracker:ehns:EventHub:hub")
    assert best_entry_id(eh) == "messaging-eventhubs-message-size-quota-tier"
    assert "Basic" in _report(eh)["root_cause"]
    cosmos = ("CosmosException: Response status code does not indicate success: RequestEntityTooLarge (413); "
              "Substatus: 0; Reason: (Request size is too large)")
    assert best_entry_id(cosmos) == "cosmos-request-entity-too-large"


def test_agic_subnet_join_names_network_contributor() -> None:
    text = ('Code="ApplicationGatewayInsufficientPermissionOnSubnet" Message="Client with object id '
            '3f6a1c2e-0000-4000-8000-5d4c3b2a1f0e does not have permission on the Virtual Network resource '
            '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/appgw to perform '
            'action Microsoft.Network/virtualNetworks/subnets/join/action."')
    report = _report(text)
    assert report["category"] == "auth.rbac_missing" and "Network Contributor" in report["root_cause"]


def test_graph_bicep_end_of_input_is_a_client_id_only_with_graph_resources() -> None:
    error = ("An unexpected 'EndOfInput' node was found when reading from the JSON reader. A 'StartObject' node was "
             "expected.")
    assert best_entry_id("resource g 'Microsoft.Graph/groups@v1.0' = { members: [ mi.clientId ] }\n" + error) == \
        "entra-graph-bicep-members-not-object-ids"
    assert best_entry_id("POST /api/orders returned 400: " + error) != "entra-graph-bicep-members-not-object-ids"


def test_host_content_share_with_shared_key_off_is_the_hosts_configuration() -> None:
    host = ("Host startup failed. Microsoft.WindowsAzure.Storage: Key based authentication is not permitted on this "
            "storage account. ErrorCode: KeyBasedAuthenticationNotPermitted. WEBSITE_CONTENTAZUREFILECONNECTIONSTRING "
            "points at stfunc01.")
    assert best_entry_id(host) == "functions-host-content-share-shared-key-disabled"
    client = ("BlobServiceClient.from_connection_string: This request is not authorized. ErrorCode: "
              "KeyBasedAuthenticationNotPermitted. Key based authentication is not permitted on this storage account.")
    assert best_entry_id(client) != "functions-host-content-share-shared-key-disabled"


def test_slack_incoming_webhook_no_service_means_the_webhook_is_gone() -> None:
    text = ("Our Azure Function posts to Slack: HTTPError: 404 Client Error: Not Found for url: "
            "https://hooks.slack.com/services/T0/B0/x\nResponse body: no_service")
    report = _report(text)
    assert report["category"] == "out_of_scope" and "webhook" in report["root_cause"]
    other = _report("Our Azure Function posts to Slack: https://slack.com/api/chat.postMessage answered "
                    '{"ok": false, "error": "invalid_auth"}')
    assert "no_service" not in (other.get("root_cause") or "")


def test_release_regression_needs_the_old_release_working_or_the_setup_untouched() -> None:
    upgraded = ("After we upgraded our Grafana container from 10.4.2 to 10.4.3 the Microsoft sign-in fails with "
                "TypeError: Cannot read properties of undefined (reading 'claims'). Rolled back to 10.4.2 and the "
                "same app registration works.")
    report = _report(upgraded)
    assert report["category"] == "runtime.code_defect" and "10.4.3" in report["root_cause"]
    bare = ("We upgraded our Grafana container from 10.4.2 to 10.4.3 and also moved it to a new cluster with a new "
            "app registration. Sign-in fails with TypeError: Cannot read properties of undefined (reading 'claims').")
    assert "10.4.3 of" not in (_report(bare).get("root_cause") or "")


def test_release_regression_from_a_good_and_a_failing_run() -> None:
    text = ("ERROR: [Errno 2] No such file or directory: '/home/vsts/work/_temp/.azclitask/bin/bicep'\n"
            'The successful run yesterday printed "azure-cli 2.70.0", the failing run today prints "azure-cli 2.71.0".')
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "2.71.0" in report["root_cause"]
    same = text.replace('"azure-cli 2.71.0"', '"azure-cli 2.70.0"')
    assert "2.70.0 of" not in (_report(same).get("root_cause") or "")


def test_responses_api_on_an_older_api_version() -> None:
    text = ("Azure OpenAI: POST https://x.openai.azure.com/openai/responses?api-version=2024-10-21 returned 404 "
            "Resource not found")
    report = _report(text)
    assert report["category"] == "config.invalid_connection_string" and "2025-03-01" in report["root_cause"]
    newer = text.replace("2024-10-21", "2025-04-01-preview")
    assert "predates" not in (_report(newer).get("root_cause") or "")


def test_table_client_endpoint_with_the_table_path() -> None:
    text = ('service = TableServiceClient(endpoint="https://stx.table.core.windows.net/events", credential=c)\n'
            "azure.core.exceptions.HttpResponseError: Operation returned an invalid status 'Not Implemented'")
    report = _report(text)
    assert report["category"] == "config.invalid_connection_string" and "endpoint" in report["root_cause"]
    bare = text.replace("windows.net/events", "windows.net")
    assert "table name appended" not in (_report(bare).get("root_cause") or "")


def test_odata_stable_ordering_behind_a_composite_index_error() -> None:
    error = ("Response status code does not indicate success: BadRequest (400); Reason: The order by query does not "
             "have a corresponding composite index that it can be served from.")
    report = _report("OData [EnableQuery] over Cosmos, $orderby=A,B with $top=5 fails:\n" + error)
    assert report["category"] == "runtime.code_defect" and "stable" in report["root_cause"]
    assert "stable" not in (_report("SELECT * FROM c ORDER BY c.a, c.b fails:\n" + error).get("root_cause") or "")


def test_terraform_allow_list_older_than_the_value_azure_offers() -> None:
    error = ('Error: expected delegation.0.service_delegation.0.name to be one of ["Microsoft.Web/serverFarms"], '
             "got Microsoft.DevOpsInfrastructure/pools")
    report = _report(error + "\nThe portal offers Microsoft.DevOpsInfrastructure/pools for the subnet.")
    assert report["category"] == "runtime.code_defect" and "provider" in report["root_cause"]
    assert "predates" not in (_report(error).get("root_cause") or "")


def test_zip_deploy_409_with_no_other_deployment_asks_for_the_plan_storage() -> None:
    error = "##[error]Error: Failed to deploy web package to App Service. Conflict (CODE: 409)"
    assert best_entry_id(error) == "appservice-kudu-deployment-in-progress"
    told = error + "\nNo other deployment was running on the app at the time."
    assert best_entry_id(told) == "appservice-zip-deploy-409-storage-full"
    outcome = run_engine({"error_description": told})
    assert outcome.requests and "storage" in outcome.requests[0].request.question
    in_progress = told + "\nThere is a deployment currently in progress. Please try again when it completes."
    assert best_entry_id(in_progress) == "appservice-kudu-deployment-in-progress"


def test_a_services_own_exception_text_with_nothing_changed_is_service_side() -> None:
    text = ("Since this morning the portal shows our credential set Unhealthy with the message \"Sequence contains no "
            "elements\". Nothing was changed on our side, and the token still works from my laptop.")
    report = _report(text)
    assert report["category"] == "platform.service_incident" and "regression" in report["root_cause"]
    own_code = text + ("\nSystem.InvalidOperationException: Sequence contains no elements\n"
                       "   at System.Linq.ThrowHelper.ThrowNoElementsException()\n"
                       "   at Contoso.Orders.Handler.Run(OrderRequest r)")
    assert "exception of its own code" not in (_report(own_code).get("root_cause") or "")
