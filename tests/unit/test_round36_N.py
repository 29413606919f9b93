"""Round 36, helper N (neg29): three general changes found by the neg29 negative scenarios.

1. A log entry whose head line the writer marks resolved ("[2026-11-30 14:02:51] (RESOLVED 12-01: ...)", "Dec 6 -
   FIXED: ...", "Run 311 - failed, FIXED Dec 2 by ...") keeps its error on the lines indented under the head; with an
   error after the entry, the entry is history (`shared.catalog.index.resolved_entries`, applied through `negated`
   and, in the folded text the catalog scans, `resolved_entries_folded`).
2. "... failed with X and registering fixed it." before a later error: X is history too (`_RESOLVED_MARK`).
3. The client's "not throttled, no 429" no longer rules throttling out when the pasted error is Storage's own
   throttling answer (503 ServerBusy, "Egress is over the account limit"): knowledge/contradictions.yaml no-throttling.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from shared.catalog.index import catalog_index, negated, normalize, resolved_entries
from shared.engines.signatures import classify
from shared.session.state import Material
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "negative"

OLD_429 = ("  Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success: TooManyRequests "
           "(429); Substatus: 3200; Reason: (Request rate is large. More Request Units may be needed, so no changes "
           "were made. Please retry this request later.)\n")
NEW_403 = ("[2026-12-07 08:15:07] (current, every request)\n"
           "  Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success: Forbidden "
           "(403); Substatus: 0; Reason: (Request originated from IP 20.105.232.47 through public internet. "
           "This is blocked by your Cosmos DB account firewall settings. More info: https://aka.ms/cosmosdb-tsg-forbidden)\n")


def _case(case_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for s in load_scenarios(FOLDER) if s["id"] == case_id))


def _negated_at(text: str, word: str) -> bool:
    start = text.index(word)
    return negated(text, start, start + len(word))


def _entries(text: str) -> list[str]:
    return [hit.entry.id for hit in catalog_index().hits([(text, "error")])]


def _top_signature(text: str) -> str:
    return classify(Material(error_description=text))[0].signature.id


def _log(head: str, later: str = NEW_403) -> str:
    return "Orders API log, Cosmos DB calls:\n\n" + head + "\n" + OLD_429 + "\n" + later


# --- 1. a log entry headed by a resolved marker -------------------------------------------------------------------

@pytest.mark.parametrize("head", [
    "[2026-11-30 14:02:51] (RESOLVED 12-01: container orders switched to autoscale, max 4000 RU/s)",
    "Nov 30, 14:02 - FIXED: the orders container was throttled:",
    "Run 311 (Nov 30) - failed, fixed Dec 1 by switching the container to autoscale:",
    "[2026-11-30 14:02:51] [resolved] autoscale on since Dec 1",
])
def test_an_entry_under_a_resolved_head_is_history_when_a_later_error_follows(head: str):
    text = _log(head)
    assert resolved_entries(text)
    assert _negated_at(text, "TooManyRequests")
    assert not _negated_at(text, "blocked by your Cosmos DB account firewall")
    assert not _negated_at(normalize(text), "TooManyRequests")  # the folded text alone has no lines: the catalog
    assert "cosmos-request-rate-too-large" not in _entries(text)  # scan places the entry in it
    assert _top_signature(text) == "network-cosmos-firewall"  # the signatures read the text with its lines


@pytest.mark.parametrize("head", [
    "[2026-11-30 14:02:51] (resolved on Dec 1, but it is back since the weekend)",  # came back
    "[2026-11-30 14:02:51] (RESOLVED 12-01) still seen now and then",
    "[2026-11-30 14:02:51] (fixed on Dec 1 with autoscale) - now:",  # the entry speaks of now
    "[2026-11-30 14:02:51] Fixed window limiter:",  # "fixed" as an adjective, no marker form
    "[2026-11-30 14:02:51] (note: autoscale switched on Dec 1)",  # no marker at all
])
def test_an_entry_without_an_explicit_resolution_still_counts(head: str):
    text = _log(head)
    assert not _negated_at(text, "TooManyRequests")
    assert "cosmos-request-rate-too-large" in _entries(text)
    assert _top_signature(text) == "throttling-rate-limited"


def test_a_resolved_entry_with_no_later_error_stays_the_error():
    text = _log("[2026-11-30 14:02:51] (RESOLVED 12-01: autoscale)", later="[2026-12-07] all calls succeed since.\n")
    assert resolved_entries(text) == ()
    assert best_entry_id(text) == "cosmos-request-rate-too-large"


def test_only_the_indented_lines_belong_to_the_entry():
    # the error is not indented under the head: the head line alone is the entry, and it holds no error
    text = ("[2026-11-30 14:02:51] (RESOLVED 12-01: autoscale)\n" + OLD_429.strip() + "\n\n" + NEW_403)
    assert not _negated_at(text, "TooManyRequests")


# --- 2. "... and registering fixed it." ------------------------------------------------------------------------------

MISSING_REG = ("Last month this pipeline failed with MissingSubscriptionRegistration for Microsoft.App and "
               "registering fixed it{after}. Today's run:\n")
NOT_FOUND = ("ERROR: (SubscriptionNotFound) The subscription '8c1d2e3f-4a5b-4c6d-9e7f-80a1b2c3d4e5' could not be "
             "found.\nCode: SubscriptionNotFound\n")


def test_an_error_a_sentence_says_was_fixed_gives_way_to_the_later_error():
    text = MISSING_REG.format(after="") + NOT_FOUND
    assert _negated_at(text, "MissingSubscriptionRegistration")
    assert best_entry_id(text) == "arm-subscription-not-found"


@pytest.mark.parametrize("after", [" temporarily", " for a while", ", but it came back"])
def test_a_fix_that_did_not_last_leaves_the_earlier_error_in_place(after: str):
    text = MISSING_REG.format(after=after) + NOT_FOUND
    assert not _negated_at(text, "MissingSubscriptionRegistration")


def test_fixed_it_with_no_later_error_is_not_history():
    text = "The pipeline failed with MissingSubscriptionRegistration for Microsoft.App and registering fixed it."
    assert not _negated_at(text, "MissingSubscriptionRegistration")


# --- 3. Storage's own throttling answer beats "not throttled" -------------------------------------------------------

SERVER_BUSY = ("We are NOT throttled, there is not a single 429 in our logs. The download step fails:\n"
               "azure.core.exceptions.HttpResponseError: Egress is over the account limit.\n"
               "RequestId:3a9c1e7f-601e-0021-4b2d-8e9f10000000\nErrorCode:ServerBusy\n")


def test_server_busy_is_throttling_whatever_the_client_says_of_429s():
    outcome = run_engine({"error_description": SERVER_BUSY})
    report = outcome.envelope()["report"]
    assert report["category"] == "throttling.rate_limited"
    assert report["confidence"] == "medium"


def test_not_throttled_still_rules_out_throttling_for_a_plain_503():
    text = ("We are NOT throttled, there is not a single 429 in our logs. Our gateway answers:\n"
            "HTTP/1.1 503 Service Unavailable\nThe server is temporarily unable to service your request.\n")
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") != "throttling.rate_limited"


# --- the neg29 scenarios, end to end ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("case_id", "category"), [
    ("neg29-old-log-cosmos-429-resolved-now-firewall", "network.nsg_blocked"),
    ("neg29-near-miss-subscription-not-found-not-registration", "config.wrong_resource_name"),
    ("neg29-not-429-storage-server-busy", "throttling.rate_limited"),
    ("neg29-old-log-client-secret-fixed-now-authorization-failed", "auth.rbac_missing"),
])
def test_the_neg29_cases_answer_the_current_error(case_id: str, category: str):
    case = _case(case_id)
    report = run_engine(case["request"], case.get("client")).envelope()["report"]
    assert report["category"] == category
    assert report["confidence"] != "high"
