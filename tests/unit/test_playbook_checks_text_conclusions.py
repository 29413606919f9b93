"""With Azure access, a conclusion drawn from the error text alone is checked against the resource's playbook: a
finding of the same category replaces the general reading; one of another category does not overrule the text."""

from __future__ import annotations

import copy
from pathlib import Path

from evals.playback import PlaybackServer
from shared.session.state import Conclude
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "blind-docs10"
RECREATED = next(s for s in load_scenarios(FOLDER)
                 if s["id"] == "docs10-az-function-blob-403-user-assigned-identity-recreated-role-assignment-orphaned")


def test_a_same_category_finding_refines_the_text_reading(azure: PlaybackServer):
    azure.load(RECREATED["azure"])
    outcome = run_engine(RECREATED["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert report.category == "auth.rbac_missing"
    assert "exists again under the same name" in report.root_cause and "principal id" in report.root_cause
    assert any(e.source == "list_activity_log" for e in report.evidence)
    assert "az role assignment create --assignee-object-id" in report.actions[0]


def test_without_azure_the_text_reading_stands():
    outcome = run_engine(RECREATED["request"])
    report = outcome.final.report
    assert (report.category, "exists again" in report.root_cause) == ("auth.rbac_missing", False)


def test_a_finding_of_another_category_does_not_overrule_the_text(azure: PlaybackServer):
    entries = copy.deepcopy(RECREATED["azure"])  # the identity is gone for good: the finding is a missing identity
    entries = [e for e in entries if "userAssignedIdentities/id-invoice-ocr" not in str(e["match"].get("path", ""))]
    azure.load(entries)
    outcome = run_engine(RECREATED["request"], azure_access=True)
    report = outcome.final.report
    assert report.category == "auth.rbac_missing" and "exists again" not in report.root_cause
    assert any("userassignedidentities/delete" in c["path"].lower() or "eventtypes" in c["path"].lower()
               for c in azure.calls), "the playbook ran before the text conclusion stood"


FLEX = next(s for s in load_scenarios(FOLDER.parent / "docs11")
            if s["id"] == "docs11-az-function-flex-migration-no-functions-azfd0015-timer-timespan")


def test_an_exact_code_in_the_logs_outranks_a_medium_finding_of_another_category(azure: PlaybackServer):
    azure.load(FLEX["azure"])  # the app read has no identity (a finding) and its host logged AZFD0015
    report = run_engine(FLEX["request"], azure_access=True).final.report
    assert report.category == "functions.host_misconfigured" and "CRON" in report.root_cause


def test_without_the_logged_code_the_finding_answers(azure: PlaybackServer):
    entries = [e for e in copy.deepcopy(FLEX["azure"]) if "/query" not in str(e["match"].get("path_contains", ""))]
    azure.load(entries)
    report = run_engine(FLEX["request"], azure_access=True).final.report
    assert report.category == "auth.managed_identity_missing"


VAULT_RENAMED = next(s for s in load_scenarios(FOLDER.parent / "blind-docs13")
                     if s["id"].startswith("docs13-az-webapp-500-keyvault-reference-vaultnotfound"))


def test_the_unresolved_reference_behind_the_sql_complaint_is_what_is_checked(azure: PlaybackServer):
    # SqlClient's "Keyword not supported: '@microsoft.keyvault..." is the consequence: the reference did not
    # resolve. Without Azure the reference's status is asked for (not a guess at the connection string's format)
    asked = run_engine(VAULT_RENAMED["request"])
    assert asked.envelope()["status"] == "request" and "Key Vault reference" in asked.requests[0].request.question
    azure.load(VAULT_RENAMED["azure"])  # App Service says the reference's vault is not found
    report = run_engine(VAULT_RENAMED["request"], azure_access=True).final.report
    assert report.category == "config.wrong_resource_name" and "VaultNotFound" in report.root_cause
