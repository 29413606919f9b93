"""Round 35 G2 (earlier blind sets' cases that asked although the report held what decides): a provider code ending in
DisallowedByPolicy read as a policy denial; GitLab's compute minutes and GitHub Pages' own errors out of scope; a
setting clue over a report with no error output asks for the output first; a credential whose stated expiry date is
earlier than the report's dated failures; a regional control-plane incident the report states; a database read-only
refusal whose report rules out storage near full (a read replica), also when the catalog entry would ask."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine


def _envelope(text: str, rules: list[dict[str, Any]] | None = None, **environment: Any) -> dict[str, Any]:
    start: dict[str, Any] = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start, rules).envelope()


def _outcome(text: str) -> Any:
    return run_engine({"error_description": text})


# --- a provider code ending in DisallowedByPolicy ---------------------------------------------------------------

def test_code_shape_disallowed_by_policy_names_a_policy_denial_and_tags() -> None:
    env = _envelope("az containerapp env create -n cae-x -g rg-x --infrastructure-subnet-resource-id $S\n"
                    "(ManagedEnvironmentResourceGroupDisallowedByPolicy) Fail to create managed environment because "
                    "resource group creation is disallowed by policy.\nCode: ManagedEnvironmentResourceGroupDisallowed"
                    "ByPolicy")
    assert env["status"] == "done" and env["report"]["category"] == "deployment.policy_denied"
    assert "ManagedEnvironmentResourceGroupDisallowedByPolicy" in env["report"]["root_cause"]
    assert "tag" in env["report"]["root_cause"]


def test_code_shape_near_miss_policy_word_in_prose_is_no_code() -> None:
    # "disallowed by policy" said in prose, no code in a code position: the shape does not decide
    env = _envelope("Our security team says public IPs are DisallowedByPolicy in prod, and the app is slow since "
                    "Monday.")
    assert (env.get("report") or {}).get("category") != "deployment.policy_denied"


# --- another CI host's own words ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, entry", [
    ("This job could not start because the namespace quota of compute minutes has been used up.\nBuy more compute "
     "minutes or wait for the quota to reset.", "other-clouds-gitlab-compute-minutes-quota-used-up"),
    ("Error: Failed to create deployment (status: 404) with build version abc. Ensure GitHub Pages has been enabled: "
     "https://github.com/o/r/settings/pages", "other-clouds-github-pages-not-enabled"),
    ("Error: Get Pages site failed. Please verify that the repository has Pages enabled and configured to build using "
     "GitHub Actions", "other-clouds-github-pages-not-enabled"),
])
def test_ci_host_words_pick_their_entry(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


def test_gitlab_minutes_out_of_scope_even_with_an_azure_deploy_named() -> None:
    out_of_scope_report("Nothing deploys to our Azure web app. The job page says: This job could not start because the "
                        "namespace quota of CI/CD minutes has been used up. Buy more CI/CD minutes or wait for the "
                        "quota to reset. Script: az webapp deploy --name app-x --src-path dist.zip")


def test_near_miss_static_web_apps_404_is_not_github_pages() -> None:
    assert best_entry_id("Azure Static Web Apps: the site answers 404 Not Found for /api/items after deploying") \
        != "other-clouds-github-pages-not-enabled"


# --- a setting clue over a report without error output ---------------------------------------------------------

_VAGUE = ("the release of our infra bicep in azure devops is broken since this morning, stage deploy goes red. "
          "we haven't touched the network module since october")


def test_vague_report_with_nothing_changed_asks_for_the_error_output() -> None:
    outcome = _outcome(_VAGUE)
    assert outcome.envelope()["status"] == "request"
    assert "error output" in outcome.requests[0].request.question
    assert "Service Health" not in outcome.requests[0].request.question.split(".")[0]


def test_vague_report_then_the_error_answers_with_the_policy_denial() -> None:
    answer = ('ERROR: {"error":{"code":"InvalidTemplateDeployment","details":[{"code":"RequestDisallowedByPolicy",'
              '"message":"Resource \'kv-app-01\' was disallowed by policy."}]}}')
    env = _envelope(_VAGUE, [{"when_asked_contains": "error", "answer": answer}])
    assert env["status"] == "done" and env["report"]["category"] == "deployment.policy_denied"


def test_near_miss_report_with_an_error_keeps_the_platform_question() -> None:
    # the same setting, with an error pasted: the platform clue's own question stays
    outcome = _outcome("Our pipeline fails since this morning with InternalServerError from every region at once. "
                       "We haven't changed anything.")
    questions = [r.request.question for r in outcome.requests]
    assert not any(q.startswith("The report says what fails but shows no error") for q in questions)


# --- a credential whose stated expiry is earlier than the failures ------------------------------------------------

_APNS = ("iPhones get no pushes since Tuesday, Android fine. Sender log:\n"
         "2026-12-04T07:30:02Z info sent to tag user:1 -> State=Enqueued\n"
         "Hub > Apple (APNS):\n  Authentication mode: Certificate\n  Certificate: Apple Push Services: com.x.app\n"
         "  Expiration: {expiry}\nNothing changed on our side.")


def test_expiry_before_the_dated_failures_concludes_credential_invalid() -> None:
    env = _envelope(_APNS.format(expiry="01/12/2026 09:14:07"))
    assert env["status"] == "done" and env["report"]["category"] == "auth.credential_invalid"
    assert env["report"]["confidence"] == "medium"
    assert "certificate" in env["report"]["root_cause"] and "expired" in env["report"]["root_cause"]


def test_near_miss_expiry_after_the_failures_decides_nothing() -> None:
    env = _envelope(_APNS.format(expiry="2027-06-30 09:14:07"))
    assert (env.get("report") or {}).get("category") != "auth.credential_invalid"


def test_near_miss_renewed_credential_valid_later_decides_nothing() -> None:
    text = _APNS.format(expiry="2026-11-01") + "\nWe uploaded the new certificate, it expires on 2027-11-01."
    assert (_envelope(text).get("report") or {}).get("category") != "auth.credential_invalid"


# --- a regional control-plane incident the report states ---------------------------------------------------------

_REGION = ("Our SignalR instance in West Europe is stuck 'Updating' since a scale-out.\n"
           "$ az signalr update -n s -g rg --unit-count 4\n(InternalServerError) An internal error occurred.\n"
           "{tail}")


def test_one_region_fails_other_works_nothing_changed_is_a_regional_incident() -> None:
    tail = ("Creating a test instance in West Europe fails the same way, while creating one in North Europe works. "
            "No changes from our side today.")
    env = _envelope(_REGION.format(tail=tail))
    assert env["status"] == "done" and env["report"]["category"] == "platform.service_incident"
    assert "West Europe" in env["report"]["root_cause"]


def test_near_miss_without_the_nothing_changed_statement_is_not_decided() -> None:
    tail = "Creating a test instance in West Europe fails the same way, while creating one in North Europe works."
    env = _envelope(_REGION.format(tail=tail))
    report = env.get("report") or {}
    assert not (report.get("category") == "platform.service_incident" and "West Europe" in report.get("root_cause", "")
                and report.get("confidence") == "medium")


# --- a read-only refusal whose report rules out storage ------------------------------------------------------------

_READ_ONLY = ("Every INSERT fails since the release:\nError: The MySQL server is running with the --read-only option "
              "so it cannot execute this statement\n  code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290\n{storage}")


def test_read_only_with_storage_ruled_out_is_a_replica_connection() -> None:
    env = _envelope(_READ_ONLY.format(storage="Storage on the server is at 31%, so it is not that."))
    assert env["status"] == "done" and env["report"]["category"] == "config.invalid_connection_string"
    assert "replica" in env["report"]["root_cause"]


def test_near_miss_read_only_with_storage_at_ninety_five_percent_is_not_decided_as_replica() -> None:
    env = _envelope(_READ_ONLY.format(storage="Storage on the server is at 95%."))
    assert (env.get("report") or {}).get("category") != "config.invalid_connection_string"
