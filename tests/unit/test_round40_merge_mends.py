"""Mends after the thirty-third session's full run: two earlier cases that had passed on a loose nearest-entries lead
now pass on knowledge that names them. Azure Machine Learning's OutOfQuota for an online deployment (the VM family's
vCPU quota, with the usage the message prints) and a zip pushed by PowerShell's Publish-AzWebApp -ArchivePath to a
Linux Consumption app that sets WEBSITE_RUN_FROM_PACKAGE=1."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

_AML = ("az ml online-deployment create -f blue.yml --all-traffic -g rg-ml -w mlw-fraud\n"
        "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2 in SubscriptionId 0000. "
        "Current usage/limit: 8/10. Additional needed: 8\nCode: OutOfQuota")


def test_an_online_deployment_out_of_quota_names_the_family_and_the_usage() -> None:
    report = run_engine({"error_description": _AML}).final.report
    assert report.category == "quota.exceeded"
    assert "Standard_DS3_v2" in report.root_cause and "8 of 10 vCPUs" in report.root_cause


def test_out_of_quota_outside_machine_learning_is_not_this_entry() -> None:
    text = "Brevo answered 402 OutOfQuota: Not enough quota available for transactional e-mails this month."
    assert best_entry_id(text) != "openai-aml-online-deployment-out-of-quota"


_PUBLISH = ("Compress-Archive -Path .\\dist\\* -DestinationPath .\\fn.zip -Force\n"
            "Publish-AzWebApp -ResourceGroupName rg-jobs -Name func-jobs -ArchivePath .\\fn.zip -Force\n"
            "No error. The app is Python 3.11 on {os}, Consumption plan. WEBSITE_RUN_FROM_PACKAGE = 1 is set.\n"
            "Afterwards the Functions list is empty and GET /api/run returns 404.")


def test_publish_azwebapp_to_linux_consumption_with_run_from_package_1_is_the_unsupported_local_package() -> None:
    report = run_engine({"error_description": _PUBLISH.format(os="Linux")}).final.report
    assert report.category == "functions.host_misconfigured" and "package URL" in report.root_cause


def test_the_same_script_on_windows_is_not_called_the_linux_limitation() -> None:
    outcome = run_engine({"error_description": _PUBLISH.format(os="Windows")}).envelope()
    assert "runs only from a package URL" not in str(outcome.get("report") or {})
