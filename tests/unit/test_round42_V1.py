"""Round 42, helper V1 (session 35's out-of-scope misses and wrong categories): out-of-scope knowledge as data (a
Static Web Apps action's failed PR comment, localhost inside a local container, an arm64 machine pulling an
amd64-only image, Slack's not_in_channel read from the vendor's meanings instead of the missing_scope entry), a
named server product in the office data center as a statement that the system is not in Azure, a setting named in
a sentence saying it looks fine (not the configuration shown, so the runtime-unreachable question is asked), and
several untouched apps showing the same symptom as a platform incident. Each shows the mechanism on its own text
and a near miss that stays silent."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.functions_host import _shown
from shared.engines.computed_findings.shared_task_hub import apps_share_task_hub
from shared.engines.rules import _OUTSIDE_AZURE
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str, **context: object) -> dict[str, Any]:
    start: dict = {"error_description": text}
    if context:
        start["context"] = {"environment_info": context}
    return run_engine(start).envelope()


# --- out-of-scope knowledge -----------------------------------------------------------------------------------

def test_swa_action_comment_failure_is_the_workflow_token() -> None:
    text = ("Deployment Complete :) Visit your site at: https://icy-sea-01.azurestaticapps.net/\n"
            "Unexectedly failed to add GitHub comment.\nThanks for using Azure Static Web Apps!")
    assert best_entry_id(text) == "tooling-gh-actions-swa-pr-comment-token-permissions"
    envelope = _envelope(text)
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "pull-requests" in " ".join(envelope["report"]["actions"])
    assert best_entry_id("Failed to add a comment to the work item.") \
        != "tooling-gh-actions-swa-pr-comment-token-permissions"


def test_container_calling_localhost_on_a_local_compose_stack() -> None:
    text = ("docker compose up: worker-1 | dial tcp 127.0.0.1:5672: connect: connection refused; "
            "RABBIT_URL=amqp://localhost:5672 in compose.yaml, RabbitMQ runs on my laptop")
    assert best_entry_id(text) == "outside-platform-container-calls-localhost-refused"
    envelope = _envelope(text)
    assert envelope["status"] == "fail" and envelope["report"]["confidence"] == "medium"
    assert "host.docker.internal" in " ".join(envelope["report"]["actions"])
    # the same refusal in a container app's log stream is Azure's host, not a laptop
    assert best_entry_id("Container app 'api' log stream: dial tcp 127.0.0.1:5672: connect: connection refused "
                         "(docker compose was only used locally)") \
        != "outside-platform-container-calls-localhost-refused"


def test_arm64_laptop_pulling_amd64_only_image() -> None:
    text = ("docker pull redis:3.2\nError response from daemon: no matching manifest for linux/arm64/v8 in the "
            "manifest list entries")
    assert best_entry_id(text) == "outside-platform-local-docker-no-arm64-manifest"
    assert "arm64" in _envelope(text)["report"]["root_cause"]
    # an AKS arm64 node pool pulling from an Azure registry keeps the registry's reading
    aks = ("Failed to pull image \"contoso.azurecr.io/api:1\": no matching manifest for linux/arm64/v8 in the "
           "manifest list entries (kubelet, arm64 node pool)")
    assert best_entry_id(aks) != "outside-platform-local-docker-no-arm64-manifest"


def test_slack_refusal_other_than_missing_scope_reads_the_vendor_meaning() -> None:
    text = ("slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://slack.com/api/"
            "chat.postMessage)\nThe server responded with: {'ok': False, 'error': 'not_in_channel'}")
    report = _envelope(text, service="Azure Functions")["report"]
    assert report["category"] == "out_of_scope" and "invite" in report["root_cause"].lower()
    assert "missing_scope" not in report["root_cause"]
    # missing_scope itself keeps the scope reading
    scope = text.replace("not_in_channel", "missing_scope")
    assert best_entry_id(scope) == "third-party-slack-api-missing-scope"


# --- stated outside Azure ---------------------------------------------------------------------------------------

def test_named_server_product_in_the_office_data_center() -> None:
    assert _OUTSIDE_AZURE.search("The orders database is our SQL Server 2017 in the office data center.")
    assert _OUTSIDE_AZURE.search("It is our file server at the company server room.")
    # a server in the office that is not where the failing system runs: no data center or server room said
    assert not _OUTSIDE_AZURE.search("Our SQL Server 2017 in the office replicates to Azure SQL.")


# --- a setting named while vouching for it ------------------------------------------------------------------------

def test_setting_named_in_a_vouching_sentence_is_not_shown() -> None:
    pattern = re.compile(r"\bAzureWebJobsStorage\b")
    assert not _shown(pattern, "I checked the troubleshooting page (AzureWebJobsStorage and the share look fine).")
    assert not _shown(pattern, "AzureWebJobsStorage is correct. Nothing else changed.")
    assert _shown(pattern, "AzureWebJobsStorage = DefaultEndpointsProtocol=https;AccountName=stx")
    assert _shown(pattern, "The setting looks fine.\nAzureWebJobsStorage: (missing)")


def test_runtime_unreachable_with_settings_vouched_for_asks() -> None:
    outcome = run_engine({"error_description": (
        "The portal shows: Azure Functions runtime is unreachable. I looked at WEBSITE_CONTENTSHARE and "
        "AzureWebJobsStorage, both look fine.")})
    assert outcome.requests, "the question that tells the causes apart is asked"


# --- several untouched apps at once --------------------------------------------------------------------------------

def test_several_untouched_apps_showing_the_same_is_an_incident() -> None:
    marker = next(m for m in table("platform_incident_markers") if m["id"] == "many-resources-down-without-change")
    said = ("Nothing was changed on our side. Two other web apps in the region (a Node.js one and a Java one) show "
            "the same 503 since 10:00.")
    assert regex(marker["match"]).search(said)
    # other apps that work are no incident
    assert not regex(marker["match"]).search("Nothing was changed. Two other web apps in the region work fine.")


# --- a content share off the VNet after the settings were rewritten -------------------------------------------------

def test_content_share_finding_reads_a_rewritten_settings_block_as_the_missing_setting() -> None:
    rules = {r["id"]: r for r in table("evidence_findings")}
    dropped = regex(rules["function-content-share-over-vnet-setting-dropped"]["report_matches"])
    assert dropped.search("Since last night the portal says Azure Functions runtime is unreachable. The release "
                          "pipeline overwrote the app settings from the parameters file.")
    # the storage account was locked down: the firewall reading stays
    assert not dropped.search("Azure Functions runtime is unreachable since I set the storage account to selected "
                              "networks; the pipeline also rewrote the app settings.")
    assert not dropped.search("Azure Functions runtime is unreachable. Nothing was deployed.")


# --- two function apps on one task hub ------------------------------------------------------------------------

def _settings_read(site: str, account: str, hub: bool) -> Evidence:
    names = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", *(["TaskHubName"] if hub else [])]
    return Evidence(tool="list_app_setting_names", status="success", summary="names",
                    arguments={"site_id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/{site}"},
                    data={"names": names, "targets": {"AzureWebJobsStorage": f"{account} (storage account)"}})


def _session(*reads: Evidence) -> SessionState:
    request = StartRequest.model_validate({"error_description": "orchestrations fail since Monday"})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=60, azure_access=True,
                         material=material_from_start(request))
    state.ledger.extend(reads)
    return state


def test_two_apps_on_one_account_with_a_hub_setting_share_the_task_hub() -> None:
    found = apps_share_task_hub(_session(_settings_read("fn-a", "stshared", True),
                                         _settings_read("fn-b", "stshared", True)))
    assert found == {"app": "fn-a", "other_app": "fn-b", "account": "stshared", "setting": "TaskHubName"}
    # separate accounts, or no hub setting (each app's default hub is its own name): silent
    apart = _session(_settings_read("fn-a", "sta", True), _settings_read("fn-b", "stb", True))
    assert apps_share_task_hub(apart) is None
    defaults = _session(_settings_read("fn-a", "st", False), _settings_read("fn-b", "st", False))
    assert apps_share_task_hub(defaults) is None
    assert "runtime.code_defect" in next(r for r in table("evidence_findings")
                                         if r["id"] == "durable-apps-share-task-hub")["overrules"]


# --- the host's own storage SAS without a service it needs --------------------------------------------------------

def test_host_storage_sas_without_table_is_the_host_setting() -> None:
    logged = ("AZFD0003: Encountered a StorageException while trying to fetch the diagnostic events. Status: 403 "
              "(This request is not authorized to perform this operation using this service.) ErrorCode: "
              "AuthorizationServiceMismatch")
    assert best_entry_id(logged) == "functions-host-storage-sas-lacks-service"
    # an app's own queue call refused the same way stays the SAS reading
    assert best_entry_id("QueueClient.send_message: 403 AuthorizationServiceMismatch (SAS with ss=b)") \
        == "storage-authorization-service-mismatch"
