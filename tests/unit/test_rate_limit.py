"""The bucket and open-session arithmetic the entity and the HTTP layer share."""

from __future__ import annotations

from shared.limits_entity import apply_operation
from shared.rate_limit import Limits, refilled, retry_after_open, retry_after_tokens

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
