"""The rules engine on the edges of each analyzer, in-process (whole scenarios: test_scenarios_inprocess.py)."""

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

NETWORK_RULES_ALLOW = '{"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []}'
STORAGE_TIMEOUT = ("Azure Function deployment failed with connection timeout to storage account 'mystorageaccount' "
                   "in main.py line 42.")


def test_storage_firewall_asks_for_the_network_rules_with_the_command():
    outcome = run_engine({"error_description": STORAGE_TIMEOUT,
                          "context": {"environment_info": {"resource_group": "functions-rg"}}})
    assert isinstance(outcome.final, AskClient)
    request = outcome.final.request
    assert "networkRuleSet" in request.question
    assert request.suggested_commands == [
        "az storage account show --name mystorageaccount --resource-group functions-rg --query networkRuleSet"]


def test_storage_firewall_never_invents_a_resource_group():
    outcome = run_engine({"error_description": STORAGE_TIMEOUT})
    assert "--resource-group <resource-group>" in outcome.final.request.suggested_commands[0]


def test_a_firewall_that_allows_all_networks_is_ruled_out_not_blamed():
    rules = [{"when_asked_contains": "networkRuleSet", "answer": NETWORK_RULES_ALLOW}]
    outcome = run_engine({"error_description": STORAGE_TIMEOUT}, rules)
    assert isinstance(outcome.final, GiveUp)
    assert outcome.final.reason == "exhausted"
    assert outcome.final.report.category != "network.storage_firewall"


def test_an_unreadable_answer_ends_in_fail_with_what_was_checked():
    rules = [{"when_asked_contains": "networkRuleSet", "answer": "I do not have the CLI here"}]
    outcome = run_engine({"error_description": STORAGE_TIMEOUT}, rules)
    assert isinstance(outcome.final, GiveUp)
    assert any("list_storage_account_references" in line for line in outcome.final.report.checked)


def test_a_module_listed_under_its_distribution_name_is_not_called_missing():
    start = {"error_description": "ModuleNotFoundError: No module named 'PIL'",
             "context": {"source_files": [{"path": "requirements.txt", "content": "Pillow==10.3.0\n"},
                                          {"path": "app.py", "content": "from PIL import Image\n"}]}}
    outcome = run_engine(start)
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.confidence == "medium"
    assert "remote build" in " ".join(outcome.final.report.actions).lower()


def test_without_requirements_txt_the_error_alone_concludes_with_both_causes_at_medium():
    outcome = run_engine({"error_description": "ModuleNotFoundError: No module named 'requests'"})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    report = outcome.final.report
    assert (report.category, report.confidence) == ("runtime.dependency_missing", "medium")
    assert "requirements.txt" in report.root_cause and "remote build" in report.root_cause
    assert any("SCM_DO_BUILD_DURING_DEPLOYMENT" in a for a in report.actions)


def test_a_requirements_file_that_lacks_the_package_settles_it_with_high_confidence():
    start = {"error_description": "ModuleNotFoundError: No module named 'requests'",
             "context": {"source_files": [{"path": "requirements.txt", "content": "azure-functions\n",
                                           "relevance": "config"}]}}
    outcome = run_engine(start)
    assert isinstance(outcome.final, Conclude) and outcome.final.report.confidence == "high"


def test_a_report_that_says_the_package_is_listed_points_at_the_build():
    error = ("Result: Failure Exception: ModuleNotFoundError: No module named 'requests'.\n"
             "requests is listed in requirements.txt.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert "did not install requirements.txt" in outcome.final.report.root_cause


def test_authorization_failed_names_the_scope_and_the_principal():
    error = ("(AuthorizationFailed) The client 'ci@contoso.com' with object id "
             "'5d2c9a71-0e4b-4c3f-8a6d-1f7e2b9c4a30' does not have authorization to perform action "
             "'Microsoft.Web/sites/write' over scope '/subscriptions/3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13/"
             "resourceGroups/web-rg' or the scope is invalid.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "auth.rbac_missing"
    actions = " ".join(outcome.final.report.actions)
    assert "--assignee 5d2c9a71-0e4b-4c3f-8a6d-1f7e2b9c4a30" in actions
    assert "--scope /subscriptions/3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13/resourceGroups/web-rg" in actions


def test_another_cloud_mentioned_beside_azure_is_not_out_of_scope():
    error = "We are moving from AWS Lambda to Azure Functions and the new function times out."
    outcome = run_engine({"error_description": error})
    assert not (isinstance(outcome.final, GiveUp) and outcome.final.reason == "out_of_scope")


def test_an_unknown_error_asks_once_then_fails_with_what_was_checked():
    rules = [{"when_asked_contains": "complete error", "answer": "it just does not work"}]
    outcome = run_engine({"error_description": "Something is broken in Azure."}, rules)
    assert len(outcome.requests) == 1
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "exhausted"
    assert outcome.final.report.checked



def test_every_signature_names_an_existing_analyzer_and_its_source():
    from shared.engines.analyzers.registry import analyzers_by_name
    from shared.engines.signatures import signatures, taxonomy

    assert len(taxonomy()) == 28
    for signature in signatures():
        assert signature.analyzer in analyzers_by_name(), signature.id
        assert signature.category in taxonomy(), signature.id
        assert signature.source, signature.id


def test_a_missing_azure_module_suggests_its_distribution_and_the_stated_app():
    start = {"error_description": "ModuleNotFoundError: No module named 'azure.cosmos'",
             "context": {"source_files": [{"path": "requirements.txt", "content": "azure-functions\n"},
                                          {"path": "function_app.py",
                                           "content": "from azure.cosmos import CosmosClient\n"}],
                         "environment_info": {"resource_group": "orders-rg", "function_app": "orders-func"}}}
    outcome = run_engine(start)
    assert isinstance(outcome.final, Conclude)
    actions = " ".join(outcome.final.report.actions)
    assert "`azure-cosmos`" in actions
    assert "--name orders-func --resource-group orders-rg" in actions and "<function-app>" not in actions


def test_a_kept_classification_is_the_same_as_a_fresh_one_and_callers_cannot_change_it():
    from shared.engines.signatures import classify, clear_signature_scans
    from shared.session.state import FileExcerpt, Material

    material = Material(error_description="ModuleNotFoundError: No module named 'requests'",
                        files=[FileExcerpt(path="requirements.txt", relevance="config", content="azure-functions\n",
                                           size_bytes=16)])
    clear_signature_scans()
    fresh = classify(material)
    assert fresh, "the error matches a signature"
    fresh[0].quotes.append("changed by a caller")
    fresh[0].facts["module"] = "changed"
    fresh[0].score += 100
    kept = classify(material.model_copy(deep=True))
    clear_signature_scans()
    again = classify(material)
    assert [(h.signature.id, h.score, h.facts, h.quotes) for h in kept] == \
           [(h.signature.id, h.score, h.facts, h.quotes) for h in again]
    assert "changed by a caller" not in kept[0].quotes and kept[0].facts.get("module") != "changed"
    material.answers.append("ErrorCode:AuthorizationFailure This request is not authorized to perform this operation.")
    assert {h.signature.id for h in classify(material)} > {h.signature.id for h in again}  # new material: scanned anew
