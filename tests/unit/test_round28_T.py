"""Round 28, robustness set T: known failures told by other people. An image given without its registry's login
server (containerd's docker.io/library/<name>, the Docker CLI's "pull access denied for <name>,") while the report is
about an Azure Container Registry; SqlClient's "not supported on this platform" in a web app deployed from a package
that is not the publish output (the Functions entry keeps the Functions case); and a pull refused after the registry's
admin user was switched off while the app still pulls with the admin user name and password."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from shared.catalog.index import catalog_index
from tests.helpers.engine_loop import run_engine

logging.disable(logging.WARNING)

ACR = "We pushed it to crbilling.azurecr.io and the cluster has the ACR attached."
CONTAINERD = ('Warning  Failed  kubelet  Failed to pull image "{ref}": failed to pull and unpack image '
              '"docker.io/library/{ref}": failed to resolve reference "docker.io/library/{ref}": {tail}')
DENIED = ("pull access denied, repository does not exist or may require authorization: server message: "
          "insufficient_scope: authorization failed")


def _report(text: str) -> dict[str, Any]:
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert isinstance(report, dict)
    return report


def test_an_image_without_the_login_server_is_looked_up_on_docker_hub() -> None:
    report = _report(CONTAINERD.format(ref="billing-worker:1.4", tail=DENIED) + "\n" + ACR)
    assert report["category"] == "container.image_pull_failed"
    assert "short name ('billing-worker:1.4')" in report["root_cause"]
    assert any("crbilling.azurecr.io/billing-worker:1.4" in action for action in report["actions"])


def test_the_docker_cli_form_of_a_short_name_reads_the_same() -> None:
    text = ("docker pull orders-api:2.1\nError response from daemon: pull access denied for orders-api, repository "
            "does not exist or may require 'docker login': denied: requested access to the resource is denied\n"
            "The image is in our ACR crorders.azurecr.io, az acr login worked.")
    assert "short name ('orders-api')" in _report(text)["root_cause"]


@pytest.mark.parametrize("text", [
    # an official Docker Hub image whose tag is missing: "not found", not "repository does not exist"
    CONTAINERD.format(ref="nginx:1.99", tail="docker.io/library/nginx:1.99: not found") + "\n" + ACR,
    # no Azure Container Registry in the report: nothing says the name lacks a login server
    CONTAINERD.format(ref="billing-worker:1.4", tail=DENIED),
    # a fully qualified ACR reference refused
    'Failed to pull image "crbilling.azurecr.io/billing-worker:1.4": pull access denied, repository does not exist',
])
def test_a_missing_tag_or_a_report_without_a_registry_is_no_short_name_verdict(text: str) -> None:
    assert "short name" not in _report(text)["root_cause"]


WEB_APP = ("az webapp log tail:\nSystem.PlatformNotSupportedException: Microsoft.Data.SqlClient is not supported on "
           "this platform.\n   at Microsoft.Data.SqlClient.SqlConnection..ctor(String connectionString)\n"
           "We zip bin/Release/net8.0 and run az webapp deploy --type zip.")
FUNCTION_APP = ("Our function app (FUNCTIONS_WORKER_RUNTIME=dotnet, host.json v2) throws "
                "System.PlatformNotSupportedException: System.Data.SqlClient is not supported on this platform.")


def _top_entry(text: str) -> str:
    hits = catalog_index().hits([(text, "error")], [text])
    return hits[0].entry.id if hits else ""


def test_sqlclient_not_supported_in_a_web_app_names_the_publish_output() -> None:
    assert _top_entry(WEB_APP) == "appservice-dotnet-sqlclient-platform-not-supported-unpublished-package"
    report = _report(WEB_APP)
    assert report["category"] == "runtime.dependency_missing"
    assert "dotnet publish" in report["root_cause"]


def test_sqlclient_not_supported_in_a_function_app_keeps_the_functions_cause() -> None:
    assert _top_entry(FUNCTION_APP) == "functions-dotnet-sqlclient-platform-not-supported"
    assert "dotnet publish" not in _report(FUNCTION_APP)["root_cause"]


PULL = ("Container log: Pulling image: crshop.azurecr.io/web:3 ... unauthorized: authentication required\n"
        "The web app uses DOCKER_REGISTRY_SERVER_USERNAME / DOCKER_REGISTRY_SERVER_PASSWORD. ")
ADMIN = "containers-pull-with-admin-credentials-after-admin-user-disabled"


@pytest.mark.parametrize("said", [
    "Yesterday the admin user of the registry was disabled by the security team.",
    "Security ran az acr update --admin-enabled false on all registries.",
    "Someone switched off the registry's admin user last night.",
])
def test_a_pull_with_admin_credentials_after_the_admin_user_was_disabled(said: str) -> None:
    hits = [h.entry.id for h in catalog_index().hits([(PULL + said, "error")], [PULL + said])]
    assert ADMIN in hits
    report = _report(PULL + said)
    assert report["category"] == "container.image_pull_failed"
    assert "admin user was disabled" in report["root_cause"]


@pytest.mark.parametrize("said", [
    "The admin user of the registry is enabled.",
    "Nobody changed the registry; should we disable the admin user later?",
])
def test_an_enabled_admin_user_is_no_disabled_admin_verdict(said: str) -> None:
    hits = [h.entry.id for h in catalog_index().hits([(PULL + said, "error")], [PULL + said])]
    assert ADMIN not in hits
    assert "admin user was disabled" not in _report(PULL + said)["root_cause"]


OBO_EXPIRED = ("com.microsoft.aad.msal4j.MsalServiceException: AADSTS500133: Assertion is not within its valid time "
               "range. Ensure that the access token is not expired before using it for user assertion, or request a "
               "new token. Current time: 2025-03-12T02:00:04.1129561Z, expiry time of assertion "
               "2025-03-11T16:47:31.0000000Z. Trace ID: 4c1d7e2a-90b3-4f65-8e21-7a3b5c9d0f00")


def test_an_on_behalf_of_assertion_outside_its_time_range_is_a_user_token_used_too_late() -> None:
    assert _top_entry(OBO_EXPIRED) == "entra-aadsts500133-assertion-outside-valid-time-range"
    report = _report(OBO_EXPIRED)
    assert report["category"] == "auth.credential_invalid"
    assert "expired at 2025-03-11T16:47:31.0000000Z)" in report["root_cause"]


@pytest.mark.parametrize(("text", "entry"), [
    ("AADSTS700024: Client assertion is not within its valid time range. Current time: 2025-01-01T10:00:00Z, "
     "assertion valid from 2025-01-01T08:00:00Z, expiry time of assertion 2025-01-01T08:10:00Z.",
     "entra-aadsts700024-client-assertion-expired"),
    ("AADSTS50013: Assertion failed signature validation.", "entra-aadsts50013-invalid-assertion"),
])
def test_a_client_assertion_or_another_invalid_assertion_keeps_its_own_entry(text: str, entry: str) -> None:
    assert _top_entry(text) == entry
