"""Round 38 B1: knowledge breadth from Microsoft's troubleshooting articles for containers (AKS, ACR, Container
Instances, Container Apps). Each new or extended catalog entry is reached by a realistic paste (a CLI error, a kubectl
event, a portal JSON, a system log line) and, where the entry is conclusive, the engine's answer has its category and
the deciding detail of the article's cause; near misses (the same words in another product's or another cause's
report) keep away from the new entries."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.engines.clues import clue_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

CASES = yaml.safe_load((Path(__file__).parent / "round38_B1_cases.yaml").read_text(encoding="utf-8"))
PASTES: dict[str, str] = CASES["pastes"]
# (paste, entry the index ranks first, category of a conclusive answer or None, deciding detail in the root cause)
ENTRIES: list[tuple[str, str, str | None, str | None]] = [
    (case["paste"], case["entry"], case["category"], case["detail"]) for case in CASES["entries"]]
NEW_IDS = {entry for _, entry, _, _ in ENTRIES} - {"containers-aks-volume-node-affinity-conflict",
                                                   "compute-vmss-flex-no-outbound-connectivity"}
# (paste, the older entry that keeps it, or None when only the new entries must stay away)
NEAR_MISSES: list[tuple[str, str | None]] = [(case["paste"], case["keeps"]) for case in CASES["near_misses"]]


@pytest.mark.parametrize(("paste", "entry"), [(p, e) for p, e, _, _ in ENTRIES])
def test_the_article_error_reaches_its_entry(paste: str, entry: str) -> None:
    assert best_entry_id(PASTES[paste]) == entry


@pytest.mark.parametrize(("paste", "category", "detail"), [(p, c, d) for p, _, c, d in ENTRIES if c])
def test_a_conclusive_entry_answers_with_the_articles_cause(paste: str, category: str, detail: str) -> None:
    envelope = run_engine({"error_description": PASTES[paste]}).envelope()
    assert envelope["status"] == "done", envelope
    report = envelope["report"]
    assert report["category"] == category
    assert report["confidence"] != "high"
    assert detail.lower() in report["root_cause"].lower()


@pytest.mark.parametrize("paste", [p for p, _, c, _ in ENTRIES if c is None])
def test_an_inconclusive_entry_asks_for_its_check_before_concluding(paste: str) -> None:
    envelope = run_engine({"error_description": PASTES[paste]}).envelope()
    assert envelope["status"] == "request" or envelope["report"]["confidence"] == "low"


@pytest.mark.parametrize(("paste", "older"), NEAR_MISSES)
def test_near_misses_keep_away_from_the_new_entries(paste: str, older: str | None) -> None:
    best = best_entry_id(PASTES[paste])
    assert best not in NEW_IDS
    if older is not None:
        assert best == older


def test_docker_hub_limits_of_a_container_group_are_azures_pull_not_out_of_scope() -> None:
    envelope = run_engine({"error_description": PASTES["aci-toomanyrequests-aci"]}).envelope()
    assert envelope["status"] == "done", envelope
    assert envelope["report"]["category"] == "throttling.rate_limited"
    assert "docker hub" in envelope["report"]["root_cause"].lower()


def test_an_acr_refusal_beside_a_docker_hub_limit_keeps_the_registry_reading() -> None:
    text = PASTES["aci-toomanyrequests-aci"].replace(
        "redis:7", "contosoacr.azurecr.io/jobs/etl:2.1").replace(
        "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and "
        "upgrading: https://www.docker.com/increase-rate-limits",
        "failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] != "done" or envelope["report"]["category"] != "throttling.rate_limited"


@pytest.mark.parametrize("paste", ["aci-waiting-stuck", "aci-waiting-timeout"])
def test_a_container_group_stuck_waiting_asks_for_its_events(paste: str) -> None:
    clue = clue_in([PASTES[paste]])
    assert clue is not None and clue["id"] == "aci-container-group-stuck-waiting"
    outcome = run_engine({"error_description": PASTES[paste]})
    assert outcome.envelope()["status"] == "request"
    assert "instanceView.events" in " ".join(outcome.requests[-1].request.suggested_commands)


def test_a_running_container_group_is_not_the_waiting_clue() -> None:
    clue = clue_in([PASTES["nm-aci-running"]])
    assert clue is None or clue["id"] != "aci-container-group-stuck-waiting"
