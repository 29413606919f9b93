"""Round 19: messages the Azure SDKs' own TROUBLESHOOTING.md guides document (identity for JS and Java, Key Vault for
Python and .NET, Event Hubs, Azure Monitor query, Search, Java dependency conflicts), pasted the way a user would
(catalog_round19_cases.yaml). Each must rank its new catalog entry first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.catalog.index import catalog_index

CASES: list[dict[str, str]] = yaml.safe_load((Path(__file__).parent / "catalog_round19_cases.yaml").read_text("utf-8"))


def _text(entry_id: str) -> str:
    return next(case["text"] for case in CASES if case["entry"] == entry_id)


def test_the_cases_cover_the_new_entries():
    assert len(CASES) >= 15 and len({case["entry"] for case in CASES}) >= 14


@pytest.mark.parametrize("case", CASES, ids=[f"{c['entry']}-{n}" for n, c in enumerate(CASES)])
def test_the_new_entry_ranks_first(case: dict[str, str]):
    hits = catalog_index().hits([(case["text"], "error")])
    assert hits, f"no catalog entry matches: {case['text'][:120]!r}"
    assert hits[0].entry.id == case["entry"], [h.entry.id for h in hits[:3]]


def test_an_inner_msal_cause_wins_over_endpoints_resolution_error():
    text = ("ClientAuthError: endpoints_resolution_error: Error: could not resolve endpoints. Please check network and "
            "try again. Detail: ClientConfigurationError: untrusted_authority: The provided authority is not a trusted "
            "authority.")
    assert catalog_index().hits([(text, "error")])[0].entry.id == "entra-msal-untrusted-authority"


@pytest.mark.parametrize(("entry_id", "fact", "value"), [
    ("integration-log-analytics-query-semantic-error", "table", "Appquests"),
    ("keyvault-challenge-resource-mismatch", "challenge_resource", "myvault.vault.azure.net"),
    ("entra-aadsts9002331-msa-only-app", "client_id", "6b666991-4567-4982-9981-61877200ef01"),
])
def test_the_facts_of_the_new_entries_are_read(entry_id: str, fact: str, value: str):
    text = _text(entry_id)
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits[0].entry.id == entry_id and hits[0].facts.get(fact) == value, hits[0].facts
