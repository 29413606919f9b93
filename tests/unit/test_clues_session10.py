"""Tenth-session symptom clue: a deployment to the app's scm site refused (403, Web Deploy cannot connect) in a report
that says access restrictions were put on the app concludes on those restrictions; a mere mention does not decide;
a 403 at run time or a deployment without restrictions does not route here."""

from __future__ import annotations

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes

CLUE = "scm-deploy-refused-by-access-restrictions"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_deploy_refused_after_access_restrictions_were_added_concludes_on_them():
    assert concludes("Since we added access restrictions (allow our office range, deny everything else) the Azure "
                     "DevOps Web Deploy step fails: ERROR_COULD_NOT_CONNECT_TO_REMOTESVC, (403) Forbidden.",
                     "network.nsg_blocked")


def test_a_deploy_refused_where_restrictions_are_only_mentioned_matches_without_deciding():
    text = "Zip deploy to app-x.scm.azurewebsites.net returns 403 Forbidden. Do access restrictions matter here?"
    assert _clue(text) == CLUE
    assert not concludes(text, "network.nsg_blocked")


def test_a_runtime_403_or_a_deploy_without_restrictions_is_not_this_clue():
    assert _clue("The API returns 403 Forbidden to our mobile clients since the release.") != CLUE
    assert _clue("Web Deploy fails with ERROR_COULD_NOT_CONNECT_TO_REMOTESVC (403) after the publish profile was "
                 "reset.") != CLUE
