"""Round 27 (S): a publish profile refused to a Reader, and a local SQL Server the client says is not in Azure yet,
answered with what its error means there."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import GiveUp
from tests.helpers.clue_checks import concludes, final_of

PROFILE = ("Get-AzWebAppPublishingProfile : Operation returned an invalid status code 'Forbidden'. Get-AzWebApp for "
           "the same app works. My access on the resource group, per the IAM blade: Reader (inherited).")


def test_a_publish_profile_refused_to_a_reader_is_the_missing_write_role() -> None:
    assert concludes(PROFILE, "auth.rbac_missing")
    final = final_of(PROFILE)
    assert "Reader" in final.report.root_cause and "Contributor" in " ".join(final.report.actions)  # type: ignore


def test_a_publish_profile_401_or_a_forbidden_without_reader_stays_silent() -> None:
    clue = clue_in(["Get-AzWebAppPublishingProfile : Operation returned an invalid status code 'Forbidden'"])
    assert clue is None or clue["id"] != "appservice-publishing-profile-403-reader-role"
    clue = clue_in(["Get-AzWebAppPublishingProfile returns Forbidden; my role on the app is Contributor"])
    assert clue is None or clue["id"] != "appservice-publishing-profile-403-reader-role"


SQL_LOCAL = ("Microsoft.Data.SqlClient.SqlException (0x80131904): A network-related or instance-specific error "
             "occurred while establishing a connection to SQL Server. (provider: SQL Network Interfaces, error: 26 - "
             "Error Locating Server/Instance Specified) Server=localhost\\SQLEXPRESS. SQL Server Browser Stopped. "
             "Nothing is deployed to Azure yet.")


def test_a_local_sql_instance_not_in_azure_yet_is_out_of_scope_with_the_errors_meaning() -> None:
    final = final_of(SQL_LOCAL)
    assert isinstance(final, GiveUp) and final.reason == "out_of_scope"
    assert final.report is not None and "Browser" in final.report.root_cause


def test_nothing_deployed_to_azure_without_yet_is_not_said_outside_azure() -> None:
    final = final_of(SQL_LOCAL.replace(" yet", " after the pipeline run"))
    assert not (isinstance(final, GiveUp) and final.reason == "out_of_scope")
