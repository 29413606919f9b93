"""Every offline scenario (tests/scenarios and the workplace's shared/scenarios) played in-process through the rules
engine, answered from its `client:` rules and scored with the evaluation runner's own scoring."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evals.scenarios import load_scenarios
from shared.engines.signatures import taxonomy
from tests.helpers.engine_loop import SHARED_SCENARIOS, run_engine
from tests.helpers.scenario_score import score

OWN_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
# Scenarios with an `azure:` section need recorded Azure answers (the evaluation runner plays them); these have none.
OWN = [s for s in load_scenarios(OWN_SCENARIOS) if not s.get("azure")]
OFFLINE = [s for s in load_scenarios(OWN_SCENARIOS, SHARED_SCENARIOS) if not s.get("azure")]


@pytest.mark.parametrize("scenario", OFFLINE, ids=lambda s: s["id"])
def test_scenario_passes_in_process(scenario: dict[str, Any]) -> None:
    outcome = run_engine(scenario["request"], scenario.get("client", []))
    assert score(scenario["expect"], outcome.envelope(), len(outcome.requests)) == []


@pytest.mark.parametrize("scenario", OWN, ids=lambda s: s["id"])
def test_scenario_file_is_well_formed(scenario: dict[str, Any]) -> None:
    assert scenario["id"] == Path(scenario["_file"]).stem
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", scenario["id"])
    assert scenario.get("title") and scenario.get("source")
    expect = scenario["expect"]
    assert expect["status"] in {"done", "fail"}
    assert expect.get("category") is None or expect["category"] in taxonomy()
    assert "max_requests" in expect
    mentions = expect.get("root_cause_mentions", []) + expect.get("actions_mention", [])
    assert all(isinstance(m, str) for m in mentions), "YAML turned a mention into a non-string"


def test_own_scenarios_cover_most_of_the_taxonomy() -> None:
    categories = Counter(s["expect"].get("category") for s in OWN if s["expect"].get("category"))
    assert len(OWN) >= 25
    assert len(categories) >= 20, sorted(categories)
    assert sum(1 for s in OWN if s["expect"]["status"] == "fail") >= 2


def test_some_scenarios_are_decided_by_the_clients_answer() -> None:
    asked = [s for s in OWN if s["expect"]["status"] == "done" and s.get("client")]
    assert len(asked) >= 3
    for scenario in asked:
        outcome = run_engine(scenario["request"], scenario["client"])
        assert outcome.requests, f"{scenario['id']} should ask the client before concluding"
