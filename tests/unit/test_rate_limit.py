"""The bucket and open-session arithmetic the entity and the HTTP layer share."""

from __future__ import annotations

import pytest

from shared.errors import ApiError
from shared.http.admission import PendingSpends
from shared.security.limits_entity import apply_operation
from shared.security.rate_limit import (
    RECENT_SECONDS,
    Limits,
    PendingSpend,
    as_state,
    refilled,
    retry_after_open,
    retry_after_tokens,
    with_pending,
)

LIMITS = Limits(rate_per_minute=6, burst=2, max_open=1)


def test_bucket_empties_and_refills_at_the_rate():
    state = None
    for _ in range(2):
        state = apply_operation(state, "spend", {"now": 100.0, "rate": 6, "burst": 2, "max_open": 1})
    assert state is not None
    assert retry_after_tokens(refilled(state, LIMITS, 100.0), LIMITS) == 10
    assert retry_after_tokens(refilled(state, LIMITS, 110.0), LIMITS) is None
    assert refilled(state, LIMITS, 1000.0)["tokens"] == 2.0  # never above the burst


def test_open_sessions_count_until_closed_or_expired():
    data = {"now": 0.0, "rate": 6, "burst": 2, "max_open": 1, "trace_id": "t1", "open_until": 50.0}
    state = apply_operation(None, "spend", data)
    assert retry_after_open(refilled(state, LIMITS, 10.0), LIMITS, 10.0) == 40
    assert retry_after_open(refilled(state, LIMITS, 60.0), LIMITS, 60.0) is None
    closed = apply_operation(state, "close", {"now": 10.0, "trace_id": "t1"})
    assert retry_after_open(refilled(closed, LIMITS, 10.0), LIMITS, 10.0) is None


def _spend(state, now: float, spend_id: str, trace_id: str | None = None, open_until: float | None = None):
    return apply_operation(state, "spend", {"now": now, "rate": 6, "burst": 2, "max_open": 1, "spend_id": spend_id,
                                            "trace_id": trace_id, "open_until": open_until})


def test_the_entity_lists_applied_spend_ids_for_a_while():
    state = _spend(None, 100.0, "a")
    assert set(refilled(state, LIMITS, 100.0 + RECENT_SECONDS - 1)["recent"]) == {"a"}
    assert refilled(state, LIMITS, 100.0 + RECENT_SECONDS)["recent"] == {}


def test_pending_spends_count_until_the_entity_lists_them():
    entity = refilled(as_state(None, LIMITS, 100.0), LIMITS, 100.0)
    pending = [PendingSpend("a", 100.0), PendingSpend("b", 100.0, "t1", 500.0)]
    assert with_pending(entity, pending, LIMITS, 100.0)["tokens"] == 0.0
    assert with_pending(entity, pending, LIMITS, 100.0)["open"] == {"t1": 500.0}
    applied = refilled(_spend(None, 100.0, "a"), LIMITS, 100.0)
    assert with_pending(applied, pending, LIMITS, 100.0)["tokens"] == 0.0  # "a" counted once, by the entity
    assert with_pending(entity, pending, LIMITS, 100.0 + RECENT_SECONDS)["tokens"] == 2.0  # old: assumed landed


def test_one_process_never_admits_past_the_limits_while_its_signals_are_on_their_way():
    ledger = PendingSpends()
    stale = refilled(as_state(None, LIMITS, 100.0), LIMITS, 100.0)  # what every read shows: nothing applied
    ledger.take("caller", stale, LIMITS, 100.0, False, "t1", 500.0)
    ledger.take("caller", stale, LIMITS, 100.0, False, "t1", 500.0)
    with pytest.raises(ApiError) as refused:
        ledger.take("caller", stale, LIMITS, 100.0, False, "t1", 500.0)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "10"
    ledger.take("other", stale, LIMITS, 100.0, False, "t2", 500.0)  # another caller has its own count


def test_the_open_cap_counts_starts_still_on_their_way():
    ledger = PendingSpends()
    stale = refilled(as_state(None, LIMITS, 100.0), LIMITS, 100.0)
    ledger.take("caller", stale, LIMITS, 100.0, True, "t1", 500.0)
    with pytest.raises(ApiError) as refused:
        ledger.take("caller", stale, LIMITS, 100.0, True, "t2", 500.0)
    assert "sessions are open" in refused.value.message
