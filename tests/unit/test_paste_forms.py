"""evals/paste_forms.py: each form changes only the layout of a report, and the intake reads the forms real tools
print (Terraform's box, Resource Manager's escapes, a sign-in redirect) back to the report's own words."""

from __future__ import annotations

import pytest

from evals.paste_forms import FORMS, in_form
from shared.session.readable import readable_paste

REPORT = ("Deployment failed.\nCode: AuthorizationFailed\nMessage: The client 'ci-deployer' with object id "
          "'4f0c1b2e-7d3a-5b8e-9c61-2a7e5d4b3c10' does not have authorization to perform action "
          "'Microsoft.Storage/storageAccounts/write' over scope '/subscriptions/5d2b7a9e-3c41-5f6d-8e0a-1b9c7d4e2f36' "
          "or the scope is invalid. <see https://aka.ms/rbac>")


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", ["terraform-box", "arm-escaped", "oauth-redirect", "wrapped", "one-line"])
def test_the_intake_reads_a_form_back_to_the_reports_words(name: str) -> None:
    rendered = FORMS[name](REPORT)
    assert rendered != REPORT
    assert _words(REPORT) in _words(readable_paste(rendered))


def test_annotations_mark_every_line_and_keep_its_words() -> None:
    rendered = FORMS["pipeline-annotations"](REPORT)
    assert all(line.startswith("##[error]") for line in rendered.splitlines())
    assert rendered.replace("##[error]", "") == REPORT


def test_in_form_changes_only_the_error_text_of_copies() -> None:
    scenario = {"id": "x", "request": {"error_description": REPORT, "context": {"environment_info": {"a": 1}}},
                "expect": {"status": "done"}}
    (rendered,) = in_form([scenario], "terraform-box")
    assert scenario["request"]["error_description"] == REPORT  # the original is untouched
    assert rendered["request"]["error_description"].startswith("╷\n│ ")
    assert rendered["request"]["context"] == scenario["request"]["context"] and rendered["expect"] == scenario["expect"]
