"""Round 20: Data Factory / Synapse connector and data flow errors, App Service deploy-task envelopes, AKS (Pod
Security admission, a full etcd, vmssCSE exit 124), ACR check-health, Entra client-credentials scope and deleted
users, Logic Apps For each on null, API Management client disconnects (catalog_round20_cases.yaml). Each paste must
rank its new entry first, and the engine must conclude its category (or, for an entry that names a symptom or an
envelope, ask for the check instead of concluding elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.catalog.index import catalog_index
from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import run_engine

CASES: list[dict[str, str]] = yaml.safe_load((Path(__file__).parent / "catalog_round20_cases.yaml").read_text("utf-8"))
ENTRIES = {entry.id: entry for entry in catalog_index().entries}


def _text(entry_id: str) -> str:
    return next(case["text"] for case in CASES if case["entry"] == entry_id)


def test_the_cases_cover_the_new_entries():
    assert len(CASES) >= 38 and len({case["entry"] for case in CASES}) >= 38


@pytest.mark.parametrize("case", CASES, ids=[f"{c['entry']}-{n}" for n, c in enumerate(CASES)])
def test_the_new_entry_ranks_first(case: dict[str, str]):
    hits = catalog_index().hits([(case["text"], "error")])
    assert hits, f"no catalog entry matches: {case['text'][:120]!r}"
    assert hits[0].entry.id == case["entry"], [h.entry.id for h in hits[:3]]


# Every case, the For each on null paste included: its run-time InvalidTemplate is not read as a deployment's.
ENGINE_CASES = CASES


@pytest.mark.parametrize("case", ENGINE_CASES, ids=[f"{c['entry']}-{n}" for n, c in enumerate(ENGINE_CASES)])
def test_the_engine_answers_with_the_new_entry(case: dict[str, str]):
    final = run_engine({"error_description": case["text"]}).final
    entry = ENTRIES[case["entry"]]
    if entry.conclusive and not entry.wrapper:
        assert isinstance(final, Conclude) and final.report.category == case["category"], final
    elif isinstance(final, Conclude):
        assert final.report.category == case["category"] and final.report.confidence != "high", final
    else:
        assert isinstance(final, AskClient), final
        assert "does not match a known Azure failure" not in final.request.question


@pytest.mark.parametrize("text", [
    # the inner SQL error decides over the Data Factory envelope
    "ErrorCode=SqlFailedToConnect,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,Message=Cannot "
    "connect to SQL Database: 'sql-contoso.database.windows.net', Database: 'salesdb', User: ''. Check the linked "
    "service configuration is correct, and make sure the SQL Database firewall allows the integration runtime to "
    "access.,Source=Microsoft.DataTransfer.ClientLibrary,''Type=System.Data.SqlClient.SqlException,Message=Login "
    "failed for user '<token-identified principal>'.,Source=.Net SqlClient Data Provider,SqlErrorNumber=18456,'",
])
def test_an_inner_sql_login_error_wins_over_the_adf_envelope(text: str):
    assert catalog_index().hits([(text, "error")])[0].entry.id == "sql-token-principal-no-user"


@pytest.mark.parametrize(("text", "not_entry"), [
    # the web app stopped page is its own entry, not the Site Disabled one
    ("Error 403 - This web app is stopped. The web app you have attempted to reach is currently stopped.",
     "appservice-site-disabled"),
    # a kubectl Forbidden from RBAC is not a Pod Security violation
    ("Error from server (Forbidden): pods is forbidden: User \"dev@contoso.com\" cannot list resource \"pods\" in API "
     "group \"\" in the namespace \"prod\"", "containers-aks-pod-security-admission-violation"),
    # a delegated scope error is not the client-credentials one
    ("AADSTS65001: The user or administrator has not consented to use the application with ID 'abc' named 'MyApp'.",
     "entra-aadsts1002012-client-credentials-scope"),
    # an ordinary exit status of the node bootstrap is not 124
    ("VMExtensionProvisioningError: Enable failed: failed to execute command: command terminated with exit status=50",
     "containers-aks-cse-exit-124-vhd-file-not-found"),
])
def test_a_near_miss_does_not_match_the_new_entry(text: str, not_entry: str):
    hits = catalog_index().hits([(text, "error")])
    assert not hits or hits[0].entry.id != not_entry, [h.entry.id for h in hits[:3]]


@pytest.mark.parametrize(("entry_id", "fact", "value"), [
    ("integration-adf-sql-invalid-column-name", "column", "CustomerCode"),
    ("integration-adf-source-blob-missing", "container", "landing"),
    ("integration-synapse-serverless-directory-cannot-be-listed", "account", "dlcontoso"),
    ("containers-aks-pod-security-admission-violation", "level", "restricted"),
])
def test_the_facts_of_the_new_entries_are_read(entry_id: str, fact: str, value: str):
    text = _text(entry_id)
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits[0].entry.id == entry_id and hits[0].facts.get(fact) == value, hits[0].facts
