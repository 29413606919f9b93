"""Round 34, helper N (neg27): an error the writer marks resolved, with a later error after it, is history and not
the cause (`shared.catalog.index.superseded`, applied through `negated` to the catalog scan, the signatures and the
symptom clues); explicit markers only, and never when the report says the error came back."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from shared.catalog.index import negated, normalize, superseded
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "negative"
OLD_LOG = "neg27-old-log-permission-mismatch-now-blob-not-found"

EARLIER = ("2026-12-01T08:02:11Z [Error] azure.core.exceptions.HttpResponseError: This request is not authorized to "
           "perform this operation using this permission.\nErrorCode:AuthorizationPermissionMismatch\n")
LATER = ("2026-12-07T10:15:42Z [Error] azure.core.exceptions.ResourceNotFoundError: The specified blob does not "
         "exist.\nErrorCode:BlobNotFound\n")


def _case() -> dict[str, Any]:
    return copy.deepcopy(next(s for s in load_scenarios(FOLDER) if s["id"] == OLD_LOG))


def _negated_at(text: str, word: str) -> bool:
    start = text.index(word)
    return negated(text, start, start + len(word))


# --- the mechanism ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mark", [
    "(resolved: Storage Blob Data Reader assigned, reads work since)\n",
    "-> fixed: az role assignment create ... (reads work since)\n",
    "(fixed by assigning Storage Blob Data Reader)\n",
    "Resolved: the data role was assigned on 1 Dec.\n",
])
def test_an_error_marked_resolved_before_a_later_error_does_not_count(mark: str):
    text = EARLIER + mark + LATER
    assert _negated_at(text, "AuthorizationPermissionMismatch")
    assert _negated_at(normalize(text), "AuthorizationPermissionMismatch")  # the catalog scans the folded text
    assert not _negated_at(text, "BlobNotFound")
    assert best_entry_id(text) == "storage-blob-not-found"


@pytest.mark.parametrize("mark", [
    "(note: Storage Blob Data Reader assigned on 1 Dec)\n",  # no marker at all
    "(fixed: Storage Blob Data Reader assigned) but it is back today:\n",  # the report says it came back
    "(resolved: role assigned, yet the same error still shows)\n",
    "DNS name resolved: 20.60.1.4\n",  # a tool's own "resolved:", not the writer's marker
    "This can be fixed: see the documentation.\n",  # no line or sentence start before the word
    "(fixed string in the template, not a parameter)\n",  # "fixed" as an adjective
])
def test_without_an_explicit_resolution_the_earlier_error_still_counts(mark: str):
    text = EARLIER + mark + LATER
    assert not _negated_at(text, "AuthorizationPermissionMismatch")


def test_a_resolved_marker_with_no_later_error_leaves_the_error_in_place():
    text = EARLIER + "(resolved: Storage Blob Data Reader assigned)\n"
    assert not superseded(text, text.index("AuthorizationPermissionMismatch") + len("AuthorizationPermissionMismatch"))
    assert best_entry_id(text) == "storage-authorization-permission-mismatch"


def test_a_marker_far_below_the_error_is_not_its_resolution():
    text = EARLIER + ("2026-12-02T08:00:00Z [Information] processed 120 invoices\n" * 8) + "(resolved: other)\n" + LATER
    assert not _negated_at(text, "AuthorizationPermissionMismatch")


# --- the engine, end to end -------------------------------------------------------------------------------------

def test_the_log_with_a_resolved_permission_error_is_answered_by_the_current_blob_not_found():
    case = _case()
    outcome = run_engine(case["request"], case["client"])
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "config.wrong_resource_name"


def test_the_same_log_without_the_resolution_keeps_the_permission_error():
    case = _case()
    case["request"]["error_description"] = case["request"]["error_description"].replace("(resolved: ", "(note: ")
    outcome = run_engine(case["request"], case["client"])
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "auth.rbac_missing"


# --- StackExchange.Redis's "authentication failure" on an Azure cache's plain-text port ----------------------------

SE_REDIS = ("StackExchange.Redis.RedisConnectionException: It was not possible to connect to the redis server(s). "
            "There was an authentication failure; check that passwords (or client certificates) are configured "
            "correctly: (IOException) Unable to read data from the transport connection: Connection reset by peer. "
            "UnableToConnect on contoso-cache.redis.cache.windows.net:{port}/Interactive, Initializing/NotStarted")


def test_the_sentence_on_port_6379_of_an_azure_cache_reads_as_the_closed_non_tls_port():
    assert best_entry_id(SE_REDIS.format(port=6379)) == "redis-stackexchange-auth-failure-on-non-tls-port"


@pytest.mark.parametrize("text", [
    SE_REDIS.format(port=6380),  # the TLS port: the password is what is left
    SE_REDIS.format(port=6379) + " (RedisServerException) Error: WRONGPASS invalid username-password pair",
    SE_REDIS.format(port=6379).replace(": (IOException)", ". AuthenticationFailure (None, last-recv: 170) on x:"),
    SE_REDIS.format(port=6379).replace(".redis.cache.windows.net", ".internal.example"),  # not an Azure cache
])
def test_a_server_reply_or_another_port_or_host_keeps_the_credential_reading(text: str):
    assert best_entry_id(text) != "redis-stackexchange-auth-failure-on-non-tls-port"


def test_the_engine_answers_the_port_not_the_key_for_the_neg27_redis_case():
    case = next(s for s in load_scenarios(FOLDER) if s["id"] == "neg27-firewall-allows-redis-non-tls-port")
    outcome = run_engine(case["request"], case["client"])
    assert isinstance(outcome.final, Conclude)
    report = outcome.final.report
    assert report.category == "config.invalid_connection_string" and report.confidence != "high"
    assert any("6380" in action for action in report.actions)
