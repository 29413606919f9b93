"""Fifteenth session: the computed findings split by family of services, and the fixes of its development halves."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from shared.engines.computed_findings import COMPUTED

ROOT = Path(__file__).resolve().parents[2]
_JUDGED_BY_RULES = {"code-setting-not-in-app"}  # computed by the rules engine itself (missing_code_settings)


def _computed_rules() -> list[dict]:
    rules = yaml.safe_load((ROOT / "shared/knowledge/evidence_findings.yaml").read_text())
    return [r for r in rules if r.get("computed")]


def test_every_computed_finding_has_its_function_registered() -> None:
    missing = [r["id"] for r in _computed_rules() if r["id"] not in COMPUTED and r["id"] not in _JUDGED_BY_RULES]
    assert missing == []


def test_every_registered_function_has_its_finding() -> None:
    assert set(COMPUTED) - {r["id"] for r in _computed_rules()} == set()


def test_computed_field_names_the_module_that_defines_the_function() -> None:
    wrong = []
    for rule in _computed_rules():
        path, name = re.match(r"(\S+\.py) (\w+)", rule["computed"]).groups()
        if not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M):
            wrong.append((rule["id"], path, name))
    assert wrong == []
