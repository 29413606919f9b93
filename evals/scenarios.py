"""Scenario files (see the workplace's design/scenarios.md): loading, answering requests, scoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


def load_scenarios(*folders: Path) -> list[dict[str, Any]]:
    """Every scenario file of the folders, in name order; each dict gains `_file`."""
    found = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
            scenario["_file"] = str(path)
            found.append(scenario)
    return found


def answer_for_request(request: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first client rule whose phrase is in the request's question or commands (case-insensitive)."""
    asked = (request.get("question", "") + " " + " ".join(request.get("suggested_commands") or [])).lower()
    return next((r for r in rules if str(r["when_asked_contains"]).lower() in asked), None)


def confidently_wrong(expect: dict[str, Any], envelope: dict[str, Any]) -> bool:
    """A high-confidence answer whose category is not the expected one (worse than any question)."""
    report = envelope.get("report") or {}
    return report.get("confidence") == "high" and report.get("category") != expect.get("category")


def score(expect: dict[str, Any], envelope: dict[str, Any], requests: int) -> list[str]:
    """Every way the final envelope misses the expectation; empty when it passes.

    A negative scenario (`negative: true`) passes unless the answer is confidently wrong: it tests that the
    engine does not claim a cause the material rules out, not which wording it finds."""
    report = envelope.get("report") or {}
    if expect.get("negative"):
        if confidently_wrong(expect, envelope):
            return [f"confidently wrong: high confidence in {report.get('category')} "
                    f"(expected {expect.get('category') or 'no confident category'})"]
        return []
    why = []
    if envelope.get("status") != expect["status"]:
        why.append(f"status {envelope.get('status')} != {expect['status']}")
    if expect.get("category") and report.get("category") != expect["category"]:
        why.append(f"category {report.get('category')} != {expect['category']}")
    cause = (str(report.get("root_cause", "")) + json.dumps(report.get("evidence", []))).lower()
    why += [f"root cause lacks {w!r}" for w in expect.get("root_cause_mentions", []) if str(w).lower() not in cause]
    actions = json.dumps(report.get("actions", [])).lower()
    why += [f"actions lack {w!r}" for w in expect.get("actions_mention", []) if str(w).lower() not in actions]
    if "max_requests" in expect and requests > expect["max_requests"]:
        why.append(f"{requests} requests > {expect['max_requests']}")
    return why


def within_limits(options: dict[str, Any], envelope: dict[str, Any]) -> list[str]:
    """The session's own bounds, which every scenario run must respect."""
    max_depth, max_rounds = options.get("max_depth", 5), options.get("max_rounds", 5)
    why = []
    if envelope.get("round", 1) > max_rounds:
        why.append(f"round {envelope['round']} > max_rounds {max_rounds}")
    if envelope.get("steps", 0) > max_depth * max_rounds:
        why.append(f"steps {envelope['steps']} > {max_depth * max_rounds}")
    return why
