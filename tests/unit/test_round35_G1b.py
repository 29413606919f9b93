"""Round 35 brief G1b (earlier blind cases, wrong category): a kubeconfig naming the removed exec-plugin API version
is the client's own setup, out of scope; a GitHub Actions job
not started for the account's billing is GitHub's; GitHub's own Actions cache storage (productionresultssa*,
actions-cache) answering ServerBusy is GitHub's service, and a foreign error's address marks its lines so a build
tool's words on the same line do not make it an Azure error; a hand-typed docker pull of a Docker Hub repository that
does not exist is the developer's machine; PopReceiptMismatch with a processing time beyond the stated visibility
timeout is the timeout. Each has a near miss that stays silent."""

from __future__ import annotations

from typing import Any

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}, None).envelope()


def _category(text: str) -> str | None:
    """The concluded category, or None when the engine asks instead."""
    return (_envelope(text).get("report") or {}).get("category")


# --- the removed client.authentication.k8s.io/v1alpha1 exec API in an old kubeconfig

def test_exec_plugin_invalid_apiversion_is_local_tooling() -> None:
    text = ('kubectl get pods against our AKS cluster after upgrading kubectl:\n'
            'error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"')
    assert best_entry_id(text) == "containers-kubeconfig-exec-api-version-removed"
    env = _envelope(text)
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"


def test_an_old_plugin_returning_another_version_stays_a_dependency() -> None:
    text = ("Unable to connect to the server: getting credentials: exec plugin is configured to use API version "
            "client.authentication.k8s.io/v1beta1, plugin returned version client.authentication.k8s.io/v1alpha1")
    assert best_entry_id(text) == "containers-exec-plugin-api-version-mismatch"


def test_kubelogin_missing_stays_a_missing_dependency() -> None:
    text = ('kubectl get ns on the pipeline agent: getting credentials: exec: executable kubelogin not found\n'
            'The AKS cluster uses Entra ID integration.')
    assert _category(text) == "runtime.dependency_missing"


# --- GitHub Actions billing stops jobs before any step

def test_github_actions_job_not_started_for_billing_is_github() -> None:
    text = ("Our workflow deploying to Azure Container Apps shows on every job:\n"
            "The job was not started because recent account payments have failed or your spending limit needs to be "
            "increased. Please check the 'Billing & plans' section of your settings")
    assert best_entry_id(text) == "third-party-github-actions-billing-job-not-started"
    env = _envelope(text)
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"
    assert "GitHub" in env["report"]["root_cause"]


def test_azure_subscription_spending_limit_is_not_github_billing() -> None:
    text = ("az webapp create fails: (ReadOnlyDisabledSubscription) The subscription "
            "'1f0c2a4e-0000-4000-8000-000000000000' is disabled and therefore marked as read only. "
            "We have a spending limit on the subscription.")
    assert best_entry_id(text) != "third-party-github-actions-billing-job-not-started"
    assert _category(text) != "out_of_scope"


# --- GitHub's own Actions cache storage

GHA_CACHE = ("docker/build-push-action with cache-from: type=gha fails now and then:\n"
             "ERROR: failed to solve: failed to compute cache key: GET https://{host}.blob.core.windows.net/{container}/"
             "4a2-1182\n"
             "RESPONSE 503: 503 The server is busy.\n"
             "ERROR CODE: ServerBusy\n")


def test_github_actions_cache_serverbusy_is_githubs_service() -> None:
    env = _envelope(GHA_CACHE.format(host="productionresultssa3", container="actions-cache"))
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"


def test_serverbusy_on_the_users_own_storage_account_stays_throttling() -> None:
    env = _envelope(GHA_CACHE.format(host="stbuildcache01", container="buildcache"))
    assert env["report"]["category"] == "throttling.rate_limited"


# --- a docker pull typed on the developer's own machine, of a Docker Hub repository that does not exist

LOCAL_PULL = ("Setting up a local emulator for tests on my laptop:\n"
              "  $ docker pull {image}\n"
              "  Error response from daemon: pull access denied for {repo}, repository does not exist or may require "
              "'docker login': denied: requested access to the resource is denied\n"
              "{where}Is this an Azure permission problem?")


def test_local_docker_hub_pull_of_a_missing_repository_is_out_of_scope() -> None:
    env = _envelope(LOCAL_PULL.format(image="acme-labs/blob-emulator:2.0", repo="acme-labs/blob-emulator", where=""))
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"


def test_the_same_denial_on_an_aks_pull_stays_in_scope() -> None:
    text = LOCAL_PULL.format(image="acme-labs/blob-emulator:2.0", repo="acme-labs/blob-emulator",
                             where="The same image in our AKS deployment goes to ImagePullBackOff.\n")
    assert _category(text) != "out_of_scope"


# --- PopReceiptMismatch with the visibility timeout and a longer processing time both stated

POP = ("Worker log:\n  azure.core.exceptions.HttpResponseError: The specified pop receipt did not match the pop "
       "receipt "
       "for a dequeued message.\n  ErrorCode:PopReceiptMismatch\n{loop}")


def test_pop_receipt_mismatch_with_processing_longer_than_visibility_is_the_timeout() -> None:
    env = _envelope(POP.format(loop="We receive with visibility_timeout=45, then each import runs 90-200 seconds "
                                    "before delete_message."))
    assert env["status"] == "done" and env["report"]["category"] == "runtime.timeout"
    assert "visibility timeout" in env["report"]["root_cause"]


def test_pop_receipt_mismatch_without_the_times_is_not_decided_from_the_text() -> None:
    env = _envelope(POP.format(loop="It happens a few times a day."))
    assert env["status"] != "done" or env["report"]["confidence"] == "low"
