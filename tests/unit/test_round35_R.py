"""Round 35 brief R (robustness variants of realH, real84, real86, docs56 and docs58): the one variant the engine
missed is a search service failing alone in a region chosen with AZURE_LOCATION= while the azd environment spells the
semantic ranker AZURE_SEARCH_SEMANTIC_RANKER="free". The clue now reads that spelling and that way of choosing the
region; a ranker that is disabled stays silent, and without a region choice the engine still asks."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.common import table
from tests.helpers.engine_loop import run_engine

CLUE = "search-semantic-ranker-not-offered-in-region"

AZD = (
    "Running azd provision with AZURE_LOCATION=swedencentral. Everything else goes green, the search service doesn't:\n"
    "  (✓) Done: Azure OpenAI: cog-kb-4f2\n"
    "  (x) Failed: Search service: gptkb-kb-4f2\n"
    "ERROR: error executing step command 'provision': deployment failed: error deploying infrastructure\n"
    '.azure/dev/.env has AZURE_SEARCH_SERVICE_SKU="standard" and AZURE_SEARCH_SEMANTIC_RANKER="free".'
)


def _clue() -> dict[str, Any]:
    return next(c for c in table("symptom_clues") if c["id"] == CLUE)


def _envelope(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


def test_env_var_spelling_of_semantic_ranker_matches_the_clue() -> None:
    assert re.search(_clue()["pattern"], AZD)


def test_azure_location_assignment_decides_the_region_choice() -> None:
    assert re.search(_clue()["decides"], AZD)
    assert re.search(_clue()["decides"], "az deployment sub create --location westeurope -f main.bicep")


def test_search_service_failing_in_chosen_region_with_ranker_on_is_sku_not_available() -> None:
    env = _envelope(AZD)
    assert env["status"] == "done"
    assert env["report"]["category"] == "quota.sku_not_available"
    assert "semantic ranker" in env["report"]["root_cause"].lower()
    assert env["report"]["confidence"] != "high"


def test_disabled_semantic_ranker_stays_silent() -> None:
    text = AZD.replace('AZURE_SEARCH_SEMANTIC_RANKER="free"', 'AZURE_SEARCH_SEMANTIC_RANKER="disabled"')
    assert not re.search(_clue()["pattern"], text)
    env = _envelope(text)
    assert (env.get("report") or {}).get("category") != "quota.sku_not_available" or env["status"] != "done"


def test_location_variable_without_a_region_value_does_not_decide() -> None:
    assert not re.search(_clue()["decides"], "location: location\nAZURE_LOCATION=$LOC")
