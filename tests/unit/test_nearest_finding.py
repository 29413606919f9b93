"""The evidence finding nearest a report whose words the finding's own symptom pattern does not match."""

from __future__ import annotations

from shared.engines.nearest_finding import nearest_finding
from tests.helpers.finding_checks import finding_id, reads_state

ACCOUNT = {"type": "Microsoft.Storage/storageAccounts", "name": "stpublicassets", "allowBlobPublicAccess": False,
           "networkAcls": {"defaultAction": "Allow"}}
# The symptom told without the finding's own words (no "anonymous", no "public access", no 404/409): the pictures on
# the marketing site stopped showing, the browser gets an error for every image URL.
REPORT = ("Since the security baseline ran, the product pictures on our marketing site no longer show. Every image "
          "URL https://stpublicassets.blob.core.windows.net/img/hero.png gives ResourceNotFound in the browser; "
          "the container's access level is still Blob in the portal, nothing was deleted.")


def test_a_read_that_shows_the_cause_answers_a_report_in_other_words_at_low_confidence() -> None:
    state = reads_state(REPORT, [ACCOUNT])
    assert finding_id(state) is None  # the finding's own symptom pattern does not match these words
    decision = nearest_finding(state)
    assert decision is not None
    assert "allowBlobPublicAccess" in decision.report.root_cause
    assert decision.report.confidence == "low" and decision.report.root_cause.startswith("Most likely, not confirmed")


def test_nothing_is_given_when_the_read_does_not_show_the_value() -> None:
    allowed = {**ACCOUNT, "allowBlobPublicAccess": True}
    decision = nearest_finding(reads_state(REPORT, [allowed]))
    assert decision is None or "allowBlobPublicAccess" not in decision.report.root_cause


def test_nothing_is_given_without_azure_access() -> None:
    state = reads_state(REPORT, [ACCOUNT])
    state.azure_access = False
    assert nearest_finding(state) is None


def test_words_far_from_every_finding_give_nothing() -> None:
    assert nearest_finding(reads_state("Hello, quick question about our invoice totals.", [ACCOUNT])) is None
