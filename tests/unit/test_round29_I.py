"""Round 29, helper I (realI: real reports on Functions, App Service, Container Apps and AKS): a Container Apps secret
name over the length limit (the registry password secret the CLI derives from a long registry host and user name),
an Amazon EKS cluster told by its -eks- server version (out of scope, even with an exec format error that would
otherwise read as an image architecture question), and AzureWebJobsStorage supplied only by startup configuration,
not as an app setting, so a timer's listener cannot start. Each fires on its own words and stays silent for its near
miss."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import AskClient, GiveUp
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

UNRELATED = "The nightly export job writes an empty CSV since Monday."


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


SECRET_TOO_LONG = (
    "az containerapp update --name orders-api --resource-group rg-orders --image webapi:1.0.0 "
    "--registry-login-server contosoordersregistrydev.azurecr.io --registry-username contosoordersregistrydev "
    "--registry-password ***\n"
    'cli.azure.cli.core.azclierror: The following field(s) are invalid: configuration.secrets : '
    '"contosoordersregistrydevazurecrio-contosoordersregistrydev": Length must be no more than 63 characters.')


def test_a_container_app_secret_name_over_the_limit_reads_as_an_invalid_template() -> None:
    hits = catalog_index().hits([(SECRET_TOO_LONG, "error")])
    assert hits and hits[0].entry.id == "containers-aca-secret-name-too-long"
    assert hits[0].entry.category == "deployment.template_invalid"
    assert "containers-aca-secret-name-too-long" not in _ids(UNRELATED)


def test_the_same_length_message_on_another_field_is_no_secret_name_verdict() -> None:
    other = ("The following field(s) are invalid: template.containers.name : \"orders-api-container-with-a-very-long-"
             "name\": Length must be no more than 63 characters.")
    assert "containers-aca-secret-name-too-long" not in _ids(other)


def test_the_secret_name_entry_concludes_with_its_limit() -> None:
    final = run_engine({"error_description": SECRET_TOO_LONG}).final
    assert not isinstance(final, AskClient)
    assert final.report is not None and final.report.category == "deployment.template_invalid"
    assert "63" in final.report.root_cause


EKS_REPORT = (
    "after upgrading the chart the new pod goes into CrashLoopBackOff with only this in the log:\n"
    "standard_init_linux.go:228: exec user process caused: exec format error\n"
    "Client Version: v1.24.3, Server Version: v1.22.11-eks-18ef993. We mirror the image into our registry from my "
    "M1 MacBook.")


def test_an_eks_server_version_places_the_cluster_outside_azure() -> None:
    assert "other-clouds-aws-eks-cluster-version" in _ids(EKS_REPORT)
    outcome = run_engine({"error_description": EKS_REPORT})
    assert isinstance(outcome.final, GiveUp)
    assert outcome.final.report is not None and outcome.final.report.category == "out_of_scope"
    assert not outcome.requests


def test_an_aks_cluster_with_the_same_error_is_no_eks_verdict() -> None:
    aks = EKS_REPORT.replace("v1.22.11-eks-18ef993", "v1.29.2").replace(
        "We mirror", "The AKS cluster aks-prod runs one amd64 pool. We mirror")
    assert "other-clouds-aws-eks-cluster-version" not in _ids(aks)
    # an AKS report that names an EKS cluster elsewhere (a migration) is about Azure after all
    both = EKS_REPORT + " We are moving this workload to AKS next month."
    assert "other-clouds-aws-eks-cluster-version" not in _ids(both)
    assert "other-clouds-aws-eks-cluster-version" not in _ids(UNRELATED)


STORAGE_IN_STARTUP = (
    "Our .NET function app has a custom FunctionsStartup that adds configuration, including the AzureWebJobsStorage "
    "connection string (we load it from our own config provider, so it is not in the portal app settings). The "
    "timer trigger never runs in Azure:\n[Error] The listener for function 'Functions.NightlyCleanup' was unable to "
    "start.")


def test_host_storage_supplied_only_by_startup_configuration_decides_a_missing_app_setting() -> None:
    assert _clue(STORAGE_IN_STARTUP) == "functions-host-storage-setting-only-in-startup-configuration"
    assert concludes(STORAGE_IN_STARTUP, "config.missing_app_setting")


def test_host_storage_set_as_an_app_setting_is_no_startup_configuration_verdict() -> None:
    clue = "functions-host-storage-setting-only-in-startup-configuration"
    as_setting = ("Our function app has a custom FunctionsStartup that adds our own options; AzureWebJobsStorage is an "
                  "app setting in the portal. The timer trigger never runs:\n[Error] The listener for function "
                  "'Functions.NightlyCleanup' was unable to start.")
    assert _clue(as_setting) != clue
    no_symptom = ("We load AzureWebJobsStorage from appsettings.json through a custom startup; it is not in the app "
                  "settings. How do we rotate the key?")
    assert _clue(no_symptom) != clue
    assert _clue(UNRELATED) != clue
