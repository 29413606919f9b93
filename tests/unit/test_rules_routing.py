"""How the rules engine chooses between its kinds of knowledge: exact codes, contradictions, clues, nearest entries."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine


def test_an_exact_catalog_code_decides_at_medium_confidence_without_a_question():
    outcome = run_engine({"error_description": "Deployment failed. Code: LocationNotAvailableForResourceType. "
                                               "The provided location 'westus3' is not available for resource type "
                                               "'Microsoft.Web/staticSites'."})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    assert outcome.final.report.category == "quota.sku_not_available"
    assert outcome.final.report.confidence != "high"


def test_the_innermost_code_of_a_nested_arm_error_wins():
    error = ('{"code":"DeploymentFailed","message":"At least one resource deployment operation failed.",'
             '"details":[{"code":"Conflict","message":"{\\"error\\":{\\"code\\":\\"StorageAccountAlreadyTaken\\",'
             '\\"message\\":\\"The storage account named stdata is already taken.\\"}}"}]}')
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "deployment.name_conflict"


def test_a_contradicted_family_is_not_the_answer():
    error = ("Our API gets 'Request rate is large' from Cosmos DB since the release, we think. Metrics for the last "
             "day: Total Requests with StatusCode 429 = 0.\nazure.cosmos.exceptions.CosmosResourceNotFoundError: "
             "(NotFound) Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-found")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "config.wrong_resource_name"


def test_a_clue_asks_the_one_command_that_decides_then_gives_the_likely_cause_at_low_confidence():
    error = "Since the network team added an NSG to the integration subnet, renewing a function key fails."
    asked = run_engine({"error_description": error})
    assert isinstance(asked.final, AskClient)
    assert "nsg rule list" in " ".join(asked.final.request.suggested_commands)
    answered = run_engine({"error_description": error},
                          [{"when_asked_contains": "network security group", "answer": "DenyAllOutBound 100 Deny"}])
    assert isinstance(answered.final, Conclude)
    assert (answered.final.report.category, answered.final.report.confidence) == ("network.nsg_blocked", "low")


def test_a_report_that_names_no_error_gets_the_question_not_a_guess():
    outcome = run_engine({"error_description": "The infrastructure stage of our release is red since Monday."})
    assert isinstance(outcome.final, AskClient)
    assert "complete error output" in outcome.final.request.question


def test_another_hosting_platform_is_out_of_scope():
    outcome = run_engine({"error_description": "Vercel build fails: Error: The Serverless Function exceeded the "
                                               "maximum duration of 10 seconds on the Hobby plan."})
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "out_of_scope"


def test_two_analyzers_that_defer_to_each_other_do_not_hand_the_session_back_and_forth():
    # A KeyError that is no environment read (app_settings defers) with no stack trace (code_defect defers): the
    # two once handed the decision to each other until the recursion limit, and the decide activity failed.
    error = ("I followed the official python example for managed identity on App Service Linux. Why I am getting "
             "`KeyError: 'IDENTITY_ENDPOINT'` error? Any configuration I need to do extra?")
    outcome = run_engine({"error_description": error})
    assert not isinstance(outcome.final, Conclude) or outcome.final.report.category == "auth.managed_identity_missing"


def test_a_conclusion_carries_the_fix_in_the_tool_the_client_deploys_with():
    terraform = ('│ Error: authorization.RoleAssignmentsClient#Create: Failure responding to request: '
                 'StatusCode=409 -- Original Error: autorest/azure: Service returned an error. '
                 'Status=409 Code="RoleAssignmentExists" '
                 'Message="The role assignment already exists."\n│   with azurerm_role_assignment.reader,')
    concluded = run_engine({"error_description": terraform}).final
    assert isinstance(concluded, Conclude) and concluded.report.category == "deployment.name_conflict"
    assert any("terraform import" in action for action in concluded.report.actions)
    plain = run_engine({"error_description": terraform.replace("│ ", "").replace("azurerm_role_assignment.reader",
                                                                                  "the pipeline")}).final
    assert isinstance(plain, Conclude) and not any("terraform" in a.lower() for a in plain.report.actions)


def test_a_tool_that_only_rereads_the_error_text_does_not_earn_high_confidence():
    # list_error_codes parses the error's own words: "it exists in the portal" makes this a wrong-subscription case
    # as often as a missing group, so the text alone must not read as confirmed.
    outcome = run_engine({"error_description": "ERROR: (ResourceGroupNotFound) Resource group 'pnpws' could not be "
                                               "found.\nCode: ResourceGroupNotFound"})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.confidence != "high"
    assert any(e.tool == "list_error_codes" for e in outcome.state.ledger)


def test_an_empty_host_storage_setting_is_the_host_s_problem_not_a_malformed_string():
    start = {"error_description": "BlobTrigger: Microsoft.Azure.WebJobs.Host: Error indexing method "
                                  "'Functions.BlobTrigger'. Microsoft.WindowsAzure.Storage: Settings must be of the "
                                  "form \"name=value\".",
             "context": {"source_files": [{"path": "local.settings.json", "relevance": "config", "content":
                                           '{"Values": {"FUNCTIONS_WORKER_RUNTIME": "python", '
                                           '"AzureWebJobsStorage": ""}}'}]}}
    empty = run_engine(start).final
    assert isinstance(empty, Conclude) and empty.report.category == "functions.host_misconfigured"
    assert "UseDevelopmentStorage=true" in " ".join(empty.report.actions)
    start["context"]["source_files"][0]["content"] = start["context"]["source_files"][0]["content"].replace(
        '""}', '"DefaultEndpointsProtocol=https;AccountName=x"}')
    malformed = run_engine(start).final
    assert isinstance(malformed, Conclude) and malformed.report.category == "config.invalid_connection_string"


def test_a_report_that_says_azure_is_not_involved_is_another_platform_s():
    error = ("All our Supabase Edge Functions return 500: POST https://abcd.supabase.co/functions/v1/send 500 "
             "(Internal Server Error). Our frontend is a React app; nothing is hosted on Azure.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, GiveUp) and outcome.final.report.category == "out_of_scope"
    hosted = run_engine({"error_description": error.replace("nothing is hosted on Azure", "the API is hosted on "
                                                                                        "Azure Functions")})
    assert not (isinstance(hosted.final, GiveUp) and hosted.final.report.category == "out_of_scope")


def test_another_platform_s_own_error_words_are_out_of_scope_even_beside_azure():
    quota = ('curl https://api.openai.com/v1/chat/completions -d \'{"model":"gpt-4o"}\'\n{"error": {"message": "You '
             'exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", '
             '"code": "insufficient_quota"}}\nOur backend already runs on Azure App Service.')
    sts = ("Run azure/login@v2\nLogin successful.\nRun aws-actions/configure-aws-credentials@v4\nError: Could not "
           "assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity")
    for error in (quota, sts):
        final = run_engine({"error_description": error}).final
        assert isinstance(final, GiveUp) and final.report.category == "out_of_scope", error[:60]
    azure_too = sts + "\nThen the deploy step: AADSTS700016: Application with identifier 'x' was not found."
    final = run_engine({"error_description": azure_too}).final  # an Azure error matched as well: it is the one
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


def test_a_family_that_cannot_settle_gives_way_to_the_catalog_even_when_the_report_names_the_resource_kind():
    error = ("On Consumption our Durable activity fails: \"output\": \"Orchestrator function 'Feed' failed: The "
             "activity function 'FeedActivity' failed: \\\"Timeout value of 00:10:00 was exceeded by function: "
             "FeedActivity\\\". See the function execution logs.\"")
    technologies = {"technologies": ["azure-functions", "durable-functions"]}  # the resource kind is named
    final = run_engine({"error_description": error, "context": {"environment_info": technologies}}).final
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"


def test_a_platform_the_team_moves_to_is_not_azure_even_when_azure_is_named_as_the_old_home():
    error = ("We are moving our Node API off Azure App Service to Google App Engine. Deploying fails:\n"
             "$ gcloud app deploy app.yaml --project acme\nERROR: (gcloud.app.deploy) Error Response: [13] An "
             "internal error occurred.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, GiveUp) and outcome.final.report.category == "out_of_scope"


def test_an_unknown_error_of_a_named_kind_of_resource_asks_for_the_command_that_shows_its_state():
    asked = run_engine({"error_description": "Our function app stopped processing the queue last night, nothing "
                                             "in the output.",
                        "context": {"environment_info": {"resource_group": "rg-orders"}}})
    assert isinstance(asked.final, AskClient)
    commands = " ".join(asked.final.request.suggested_commands)
    assert "az functionapp config appsettings list" in commands and "--resource-group rg-orders" in commands
    plain = run_engine({"error_description": "Something broke last night, nothing in the output."})
    assert isinstance(plain.final, AskClient)
    assert "functionapp" not in " ".join(plain.final.request.suggested_commands)


def test_words_near_another_service_s_errors_are_no_lead():
    report = ("We moved an ASP.NET 6 Web API to Azure Container Apps. One endpoint (POST /api/reports/rebuild) now "
              "fails for the big tenants; the caller gets:\n\n{StatusCode: 504, ReasonPhrase: 'Gateway Timeout', "
              "Version: 1.1, Content: System.Net.Http.HttpConnectionResponseContent, Headers:{  Date: Tue, 24 Jan "
              "2023 09:13:10 GMT  Content-Length: 14  Content-Type: text/plain}}\n\nSmall tenants work. There are no "
              "exceptions in our logs and the replica doesn't restart. Are there limits on ACA we should know about, "
              "or do we need to look elsewhere?")
    outcome = run_engine({"error_description": report})
    final = outcome.final
    assert not (isinstance(final, Conclude) and "Redis" in final.report.root_cause)
    assert not (isinstance(final, Conclude) and final.report.category == "runtime.code_defect")


def test_template_validation_s_authorization_wording_names_the_action_and_scope():
    error = ("AuthorizationFailed: Authorization failed for template resource 'x' of type "
             "'Microsoft.Authorization/roleAssignments'. The client 'dev@contoso.com' with object id "
             "'2e9a4c7b-1111-2222-3333-444455556666' does not have permission to perform action "
             "'Microsoft.Authorization/roleAssignments/write' at scope '/subscriptions/9c4e1b7a-0000-0000-0000-"
             "000000000000/resourceGroups/rg-demo'.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    assert "roleAssignments/write" in outcome.final.report.root_cause


def test_a_local_docker_compose_failure_is_out_of_scope_unless_azure_is_named():
    local = ("docker compose up: Container api Error: dependency failed to start: container db is unhealthy\n"
             "curl: (7) Failed to connect to localhost port 8181 after 0 ms: Connection refused")
    outcome = run_engine({"error_description": local})
    assert isinstance(outcome.final, GiveUp) and outcome.final.report.category == "out_of_scope"
    on_azure = run_engine({"error_description": local + "\nThe same compose file deployed to Azure App Service "
                                                        "fails the same way."})
    assert not (isinstance(on_azure.final, GiveUp) and on_azure.final.report.category == "out_of_scope")


def test_a_sample_s_placeholder_quoted_by_the_error_is_the_setting_never_filled_in():
    error = ("AADSTS700016: Application with identifier 'ENTER_YOUR_CLIENT_ID' was not found in the directory "
             "'8d2c4f1a-6b3e-4a97-b0c5-e71f9a2d3c68'.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "config.missing_app_setting"
    assert "ENTER_YOUR_CLIENT_ID" in outcome.final.report.root_cause
    real_id = error.replace("ENTER_YOUR_CLIENT_ID", "3f2a9c41-7d6e-4b18-a0c5-9e1d2b7f4a63")
    assert run_engine({"error_description": real_id}).final.report.category == "auth.credential_invalid"


def test_code_that_reads_a_setting_is_no_missing_setting_when_the_error_is_another():
    error = ('credential = AzureSasCredential(os.environ["EVENTGRID_SAS"])\nclient.send(event)\n'
             "azure.core.exceptions.HttpResponseError: (BadRequest) Invalid key in aeg-sas-token. Valid format "
             ":r=UrlEncodedResource&e=UrlEncodedUtcExpiration&s=UrlEncodedSignature.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "auth.credential_invalid"


def test_a_settings_class_that_fails_validation_names_the_missing_setting():
    error = ("ERROR:    1 validation error for AgentSettings\n2025-06-20T14:25:16.4702847  model_deployment_name\n"
             "2025-06-20T14:25:16.4702941    Field required [type=missing, input_value={}, input_type=dict]\n"
             "ERROR:    Application startup failed. Exiting.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "config.missing_app_setting"
    assert "model_deployment_name" in outcome.final.report.root_cause


def test_another_cloud_s_error_is_out_of_scope_even_in_a_pipeline_that_also_deploys_to_azure():
    error = ("Our Azure DevOps pipeline also deploys our azurerm stacks.\n* google_project_services.service: Error "
             "creating services: googleapi: Error 403: Service Usage API has not been used in project 764086051850 "
             "before or it is disabled. Enable it by visiting https://console.developers.google.com/apis, "
             "accessNotConfigured")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "out_of_scope"


def test_a_client_who_says_nothing_runs_in_azure_is_out_of_scope_but_hybrid_words_are_not():
    said = run_engine({"error_description": "The transaction log for database 'ERP' is full due to 'LOG_BACKUP'. "
                                            "It is SQL Server 2019 in our own server room; nothing of this runs in "
                                            "Azure yet."})
    assert isinstance(said.final, GiveUp) and said.final.reason == "out_of_scope"
    hybrid = run_engine({"error_description": "From on-premises over the VPN, kv-a.vault.azure.net resolves to "
                                              "20.61.1.4 and the call gets 403 ForbiddenByConnection."})
    assert not (isinstance(hybrid.final, GiveUp) and hybrid.final.reason == "out_of_scope")


def test_a_key_vault_denial_whose_report_names_the_access_policy_is_answered_without_asking_the_model():
    error = ("The access policy for our app grants Secrets: Get, List.\nAzure.RequestFailedException: Status: 403 "
             "(Forbidden) from https://kv-orders.vault.azure.net/secrets/db?api-version=7.4")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    assert "access polic" in outcome.final.report.root_cause
    unstated = run_engine({"error_description": "Azure.RequestFailedException: Status: 403 (Forbidden) from "
                                                "https://kv-orders.vault.azure.net/secrets/db?api-version=7.4"})
    assert isinstance(unstated.final, AskClient)


def test_a_family_answer_keeps_the_specific_catalog_error_s_meaning():
    error = ("{\"code\":\"InvalidTemplate\",\"message\":\"Deployment template validation failed: 'The template "
             "resource '/add' for type 'Microsoft.KeyVault/vaults/accessPolicies' at line '1' and column '3489' has "
             "incorrect segment lengths. A nested resource type must have identical number of segments as its "
             "resource name.'\"}")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "deployment.template_invalid"
    assert "segments" in outcome.final.report.root_cause


def test_a_command_missing_from_a_node_app_is_no_image_pull():
    error = ("2025-06-17T08:41:13.410Z > next start -p $PORT\n2025-06-17T08:41:13.418Z sh: 1: next: not found\n"
             "2025-06-17T08:41:13.502Z npm error code 127")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "runtime.dependency_missing"


def test_a_lookup_that_answers_a_privatelink_name_with_a_public_address_decides_without_asking():
    error = ("We put the account behind a private endpoint; from the office it fails.\nC:\\> nslookup "
             "web.purview.azure.com\nServer:  dc01.corp.local\nAddress:  10.10.0.10\n\nNon-authoritative answer:\n"
             "Name:    portal-weu.cloudapp.net\nAddress:  20.61.4.9\nAliases:  web.purview.azure.com\n"
             "          web.privatelink.purviewstudio.azure.com\n")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    assert outcome.final.report.category == "network.private_endpoint_dns"
    assert "privatelink.purviewstudio.azure.com" in " ".join(e.summary for e in outcome.final.report.evidence)
    private = error.replace("Address:  20.61.4.9", "Address:  10.40.2.7")
    assert isinstance(run_engine({"error_description": private}).final, AskClient)


def test_a_key_error_for_a_setting_shown_as_a_key_vault_reference_is_the_reference_unresolved():
    error = ("App setting WeatherApiKey = @Microsoft.KeyVault(SecretUri=https://kv-a.vault.azure.net/secrets/Weather/)\n"
             "    logging.info(os.environ['WeatherApiKey'])\n  File \"/usr/local/lib/python3.6/os.py\", line 669, in "
             "__getitem__\n    raise KeyError(key) from None\nException: KeyError: 'WeatherApiKey'\n"
             "On this plan the portal offers no Identity blade, so there is no managed identity.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "auth.managed_identity_missing"
    assert outcome.final.report.confidence == "medium"
    plain = run_engine({"error_description": error.split("\n", 1)[1].rsplit("\n", 1)[0]})
    assert isinstance(plain.final, Conclude) and plain.final.report.category == "config.missing_app_setting"


def test_many_apps_failing_at_once_with_nothing_changed_is_the_platform_s():
    error = ("Since 14:00 all our customer sites are down with 503 from the API. Nothing was deployed today and "
             "colleagues on other projects see the same. All in West Europe.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    changed = error.replace("Nothing was deployed today and colleagues on other projects see the same.",
                            "We rotated the storage keys at 13:55.")
    final = run_engine({"error_description": changed}).final
    assert not (isinstance(final, Conclude) and final.report.category == "platform.service_incident")


def test_a_tls_inspecting_proxy_on_the_client_s_network_is_not_azure():
    error = ("az login fails on our build agents: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max "
             "retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
             "certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"



def test_it_works_on_my_laptop_does_not_outrank_an_error_the_catalog_recognises():
    error = ("Deploying from a private Docker Hub repo to Container Apps fails: The following field(s) are either "
             "invalid or missing. Field 'template.containers.web.image' is invalid with details: 'Invalid value: "
             "\"docker.io/docker.io/team/web:latest\": GET https:: UNAUTHORIZED: authentication required';. The "
             "image runs fine on my laptop.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"
    assert final.report.confidence == "low"  # two errors of one family settle the family, not which cause
    bare = run_engine({"error_description": "The app works fine locally but returns 500 in Azure."}).final
    assert isinstance(bare, AskClient) and "names (not values)" in bare.request.question


def test_one_symptom_entry_alone_still_asks_its_discriminating_command():
    error = ("az containerapp create failed: The following field(s) are either invalid or missing. Field "
             "'template.containers.web.image' is invalid with details: 'Invalid value: \"web:latest\"'")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, AskClient) and "az containerapp registry list" in final.request.suggested_commands[0]


def test_a_timer_that_does_not_fire_on_a_plan_without_always_on_is_the_host_s_setup():
    error = ("My timer trigger \"0 30 11 * * *\" does not fire, but Run works. Always On is greyed out: "
             "\"Upgrade to a higher SKU to enable Always On\". The app is on our F1 Free plan.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "Always On" in final.report.root_cause and final.report.confidence == "medium"
    asked = run_engine({"error_description": "My timer trigger does not fire at night, Run now works."}).final
    assert isinstance(asked, AskClient) and "alwaysOn" in asked.request.suggested_commands[0]


def test_a_workstation_that_cannot_resolve_microsoft_s_sign_in_endpoint_is_its_own_network():
    error = ("C:\\> az login\nHTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded "
             "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 11001] getaddrinfo failed'))")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    in_vnet = run_engine({"error_description": error.replace("C:\\> az login", "Our function app in a VNet logs:")})
    assert not isinstance(in_vnet.final, GiveUp) or in_vnet.final.report.category != "out_of_scope"


def test_a_third_party_endpoint_that_fails_from_the_laptop_too_is_not_azure_s():
    error = ("Our Azure Function calls https://api.example-maps.org/query and gets 504 Gateway Time-out after 90 s. "
             "Same from the function and from my laptop. I first suspected the 230 s limit.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    azure_host = error.replace("https://api.example-maps.org/query", "https://func-x.azurewebsites.net/api/q")
    final = run_engine({"error_description": azure_host}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


def test_a_zone_listing_with_a_near_miss_zone_name_is_the_private_endpoint_dns():
    error = ("Azure.RequestFailedException: Public network access is disabled and request is not from a trusted "
             "service nor via an approved private link.\nStatus: 403 (Forbidden)\nErrorCode: ForbiddenByConnection\n"
             "$ az network private-dns zone list -o table\nprivatelink.vault.azure.net  rg  2  1\n"
             "privatelink.database.windows.net  rg  2  1")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"
    assert "privatelink.vaultcore.azure.net" in final.report.root_cause


def test_a_project_deployed_to_an_app_of_another_language_is_the_worker_runtime():
    error = ("Deployed this C# project to an existing function app: 'Function host is not running'.\n"
             '[{"name": "FUNCTIONS_WORKER_RUNTIME", "slotSetting": false, "value": "node"}]')
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "'node'" in final.report.root_cause and "C#" in final.report.root_cause
    same = run_engine({"error_description": error.replace('"node"', '"dotnet-isolated"')}).final
    assert isinstance(same, AskClient)  # the runtime fits the project: the host's own errors decide


def test_a_signalr_key_the_sdk_does_not_find_is_a_missing_setting():
    error = ("System.ArgumentException: No connection string was specified. Please specify a configured connection "
             "string for Azure SignalR Service via 'Azure:SignalR:ConnectionString'.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"


def test_microsoft_identity_web_without_its_client_id_is_a_missing_setting():
    error = ("System.ArgumentNullException: IDW10106: The 'ClientId' option must be provided. (Parameter 'ClientId')"
             "\n   at Microsoft.Identity.Web.MergedOptionsValidation.Validate(MergedOptions options)")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "AzureAd__ClientId" in final.report.root_cause


def test_sql_redirect_ports_missing_from_an_azure_client_s_outbound_rules():
    error = ("Our app on an Azure VM times out connecting to sql-a.database.windows.net (connection policy left on "
             "Default).\nAllow-Sql-1433      100   1433    Sql.WestEurope  Allow\nDeny-All-Outbound   4000  *  *  Deny")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "network.nsg_blocked"
    assert "11000" in final.report.root_cause
    opened = error.replace("Deny-All", "Allow-Redirect 105 11000-11999 Sql Allow\nDeny-All")
    final = run_engine({"error_description": opened}).final
    assert not (isinstance(final, Conclude) and "11000 and 11999" in final.report.root_cause)


def test_a_managed_instance_public_endpoint_on_1433_is_the_wrong_port():
    error = ("Server=tcp:sqlmi-a.public.4a7c1e2b9d3f.database.windows.net,1433;Database=erp\n"
             "SqlException: A network-related or instance-specific error occurred (The wait operation timed out.)")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "3342" in final.report.root_cause


def test_others_elsewhere_hit_by_the_same_failure_make_it_the_platform_s_even_with_a_quota_code():
    error = ("Since last night none of our build VMs in East US 2 provision: Deployment failed: \"code\": "
             "\"AllocationFailed\". We changed nothing, and other projects see failing deployments in East US 2 since "
             "the same evening.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    alone = error.replace(", and other projects see failing deployments in East US 2 since the same evening", "")
    final = run_engine({"error_description": alone}).final
    assert isinstance(final, Conclude) and final.report.category == "quota.sku_not_available"


def test_default_credential_beside_a_user_assigned_identity_needs_its_client_id():
    error = ("DefaultAzureCredential fails in our Function App, which has a user assigned identity. This works: "
             "new ManagedIdentityCredential(process.env.USER_ASSIGNED_ID) lists the blobs fine.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "AZURE_CLIENT_ID" in final.report.root_cause
    asked = run_engine({"error_description": "DefaultAzureCredential fails; the app has a user-assigned identity."})
    assert isinstance(asked.final, AskClient) and "AZURE_CLIENT_ID" in asked.final.request.question


def test_a_linux_nslookup_that_answers_a_public_address_through_privatelink_decides_the_private_dns():
    error = ("The storage account has a private endpoint, public access is Deny, the app gets 403.\n"
             "nslookup st1.blob.core.windows.net\nst1.blob.core.windows.net canonical name = "
             "st1.privatelink.blob.core.windows.net.\nName: blob.ams23prdstr05a.store.core.windows.net\n"
             "Address: 20.60.223.4")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"
    private = run_engine({"error_description": error.replace("20.60.223.4", "10.20.4.5")}).final
    assert not isinstance(private, Conclude) or private.report.confidence == "low"


def test_redis_worker_threads_busy_above_a_small_minimum_decide_thread_pool_starvation():
    error = ("Timeout performing HINCRBY (5000ms), inst: 9, qs: 48, mgr: 10 of 10 available, "
             "IOCP: (Busy=0,Free=1000,Min=4,Max=1000), WORKER: (Busy=32,Free=32735,Min=4,Max=32767)")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"
    calm = run_engine({"error_description": error.replace("Busy=32,", "Busy=3,")}).final
    assert isinstance(calm, AskClient)


def test_a_variable_set_in_the_portal_that_the_code_finds_undefined_asks_where_it_went():
    error = ("Our Express API crashes on start: MONGODB_URI is undefined. The value is definitely configured in the "
             "portal under Configuration.")
    asked = run_engine({"error_description": error}).final
    assert isinstance(asked, AskClient) and "connection strings" in asked.request.question
    answered = run_engine({"error_description": error}, [{"when_asked_contains": "connection strings", "answer":
                                                          "Kudu env shows CUSTOMCONNSTR_MONGODB_URI=mongodb+srv://x"}])
    assert isinstance(answered.final, Conclude) and answered.final.report.category == "config.missing_app_setting"
    assert "CUSTOMCONNSTR_" in answered.final.report.root_cause


def test_a_log_analytics_query_without_read_access_is_a_missing_role():
    error = ("azure.core.exceptions.HttpResponseError: (InsufficientAccessError) The provided credentials have "
             "insufficient access to perform the requested operation")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Log Analytics Reader" in final.report.root_cause


def test_a_worker_runtime_of_another_language_decides_whatever_the_symptom():
    error = ("After deploying from VS Code my HTTP function answers 404.\nApp settings: FUNCTIONS_WORKER_RUNTIME    = "
             "dotnet\nWEBSITE_NODE_DEFAULT_VERSION = 10.14.1")
    start = {"error_description": error, "context": {"environment_info": {"technologies": ["azure-functions",
                                                                                            "javascript"]}}}
    final = run_engine(start).final
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "'dotnet'" in final.report.root_cause and "JavaScript" in final.report.root_cause
    start["context"]["environment_info"]["technologies"] = ["azure-functions", "csharp"]
    fits = run_engine(start).final  # a C# project on dotnet: no mismatch to report
    assert not (isinstance(fits, Conclude) and "but the project deployed to it" in fits.report.root_cause)


def test_a_timer_that_comes_back_when_the_portal_is_opened_is_always_on():
    error = ("My timer trigger function stops firing from time to time. When I log into the Azure portal and open "
             "the function it springs back to life. We have it in an S1 plan.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude) and "Always On" in final.report.root_cause
