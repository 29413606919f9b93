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
