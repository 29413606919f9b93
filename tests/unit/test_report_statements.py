"""A conclusion quotes the client's own sentences it rests on (shared/engines/report_statements.py): the prose
nearest the cause by BM25, at most two sentences and one environment_info value, never log lines, commands or
questions, and never a sentence that shares fewer than two of the conclusion's words."""

from __future__ import annotations

from shared.engines.report_statements import nearest, stated_context, statements
from tests.helpers.engine_loop import run_engine

_IMDS = (
    "Our self-hosted agent VM (vm-build-07) runs `az login --identity` first. Since Monday:\n"
    "$ az login --identity\n"
    "ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly.\n"
    "Get Token request returned: <Response [400]>\n"
    '{"error":"invalid_request","error_description":"Multiple user assigned identities exist, please specify the '
    'clientId / resourceId of the identity in the token request"}\n'
    "The platform team attached uami-log-shipper to the VM on Monday for their agent; uami-ci-runner was attached "
    "before. Is this a bug in the CLI?\n"
)


def _quoted(report_evidence: list) -> list[str]:
    return [e.summary for e in report_evidence if e.summary.startswith("the report says: ")]


def test_the_sentence_naming_both_identities_is_quoted_with_the_conclusion() -> None:
    report = run_engine({"error_description": _IMDS}).final.report
    assert report.category == "auth.managed_identity_missing"
    quoted = " ".join(_quoted(report.evidence))
    assert "uami-ci-runner" in quoted and "uami-log-shipper" in quoted
    assert "Is this a bug" not in quoted and "$ az login" not in quoted  # a question and a command state nothing


def test_prose_only_log_lines_commands_and_questions_are_not_statements() -> None:
    text = ("2026-11-30T10:00:01Z INFO host started and the storage account was reached\n"
            "##[error]The deployment of the web app failed with status 409\n"
            "$ az webapp deploy --name app-web --src-path app.zip\n"
            "Why does the deployment of the web app fail now?\n"
            '  "properties": {"defaultAction": "Deny", "bypass": "AzureServices"},\n'
            "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {\n"
            "We renamed the storage account setting last week, before the failures began.")
    assert statements(text) == ["We renamed the storage account setting last week, before the failures began."]


def test_a_sentence_sharing_one_word_with_the_conclusion_is_not_quoted() -> None:
    conclusion = {"identity", "token", "client", "attached"}
    candidates = ["The token expired yesterday while we were at lunch together.",
                  "The team attached a second identity to the machine on Monday."]
    assert nearest(conclusion, candidates, 2) == ["The team attached a second identity to the machine on Monday."]


def test_environment_values_written_as_text_are_statements_and_tags_and_files_are_not() -> None:
    found = stated_context({"vault": "kv-crm (enableRbacAuthorization: true)", "technologies": ["key-vault", "rbac"],
                            "source_files": [{"path": "a.py", "content": "x"}]})
    assert found == ["vault: kv-crm (enableRbacAuthorization: true)"]


def test_prose_unrelated_to_the_conclusion_is_not_quoted() -> None:
    text = _IMDS.replace("The platform team attached uami-log-shipper to the VM on Monday for their agent; "
                         "uami-ci-runner was attached before.", "We were at the offsite on Monday, lunch was late.")
    text = text.replace("Our self-hosted agent VM (vm-build-07) runs `az login --identity` first.", "Hello all.")
    report = run_engine({"error_description": text}).final.report
    assert report.category == "auth.managed_identity_missing" and not _quoted(report.evidence)
