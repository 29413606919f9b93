"""Scores a final envelope against a scenario's `expect` block, as ../shared/design/scenarios.md says."""

from __future__ import annotations

import json
from typing import Any


def score(expect: dict[str, Any], envelope: dict[str, Any], requests: int) -> list[str]:
    """Every way the envelope misses the expectation; empty when it passes."""
    why = []
    report = envelope.get("report") or {}
    if envelope.get("status") != expect["status"]:
        why.append(f"status {envelope.get('status')} != {expect['status']}")
    if expect.get("category") and report.get("category") != expect["category"]:
        why.append(f"category {report.get('category')} != {expect['category']}")
    cause = (str(report.get("root_cause", "")) + json.dumps(report.get("evidence", []))).lower()
    why += [f"root cause lacks {w!r}" for w in expect.get("root_cause_mentions", []) if w.lower() not in cause]
    actions = json.dumps(report.get("actions", [])).lower()
    why += [f"actions lack {w!r}" for w in expect.get("actions_mention", []) if w.lower() not in actions]
    if "max_requests" in expect and requests > expect["max_requests"]:
        why.append(f"{requests} requests > {expect['max_requests']}")
    return why
