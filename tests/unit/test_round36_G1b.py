"""Round 36 G1b: a registry management action (az acr build's listBuildSourceUploadUrl, az acr login's listCredentials
fallback, az acr import's importImage) that the activity log shows refused with Forbidden is a missing role of the
caller (auth.rbac_missing), not a pull or admin-account problem; the activity log keeps a failed operation's status
code for that; and an operation name's sub-action (registries/importImage/action) is not read as a resource's name.
Each check has a near miss that must stay silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.playback import PlaybackServer
from shared.catalog.entities import entity_facts
from shared.engines.playbooks import FINDINGS, rule_facts, table
from shared.session.state import Evidence, SessionState
from shared.tools.azure_activity import _event
from tests.helpers.engine_loop import run_engine

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob29G1b"
VARIANT = "rob29g1b-acr-import-devops-workload-identity-forbidden-importimage-no-role"
REGISTRY = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrshared01"
RULE = "registry-action-refused-forbidden-in-activity-log"


def _scenario(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8"))


def _rule() -> dict[str, Any]:
    return next(r for r in table(FINDINGS) if r["id"] == RULE)


def _state(events: list[dict[str, Any]], text: str = "ERROR: (AuthorizationFailed) does not have authorization") \
        -> SessionState:
    state = run_engine({"error_description": text}).state
    state.ledger.append(Evidence(tool="list_activity_log", arguments={}, status="success", summary="",
                                 data={"events": events}))
    return state


def _refused(**changes: Any) -> dict[str, Any]:
    event = {"time": "2026-12-05T02:00:14Z", "operation": "Microsoft.ContainerRegistry/registries/scheduleRun/action",
             "status": "Failed", "status_code": "Forbidden", "caller": "sp-ci", "resource_id": REGISTRY}
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def test_a_failed_event_keeps_its_status_code_and_a_succeeded_one_does_not() -> None:
    raw = {"eventTimestamp": "t", "operationName": {"value": "op"}, "status": {"value": "Failed"},
           "properties": {"statusCode": "Forbidden"}}
    assert _event(raw)["status_code"] == "Forbidden"
    assert "status_code" not in _event({**raw, "status": {"value": "Succeeded"}})


def test_a_registry_action_refused_with_forbidden_is_found() -> None:
    facts = rule_facts(_state([_refused()]), _rule())
    assert facts is not None
    assert facts["operation"] == "scheduleRun" and facts["registry"] == "acrshared01"


@pytest.mark.parametrize("event", [
    _refused(status_code="Conflict"),                                      # refused for another reason
    _refused(status_code=None),                                            # no status code read
    _refused(status="Succeeded"),                                          # not refused
    _refused(policy={"definition": "deny-acr"}),                           # a policy refused it
    _refused(message="The scope is locked by a ReadOnly lock"),           # a lock refused it
    _refused(resource_id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app",
             operation="Microsoft.Web/sites/write"),                       # not a registry
])
def test_near_misses_of_a_refused_registry_action_stay_silent(event: dict[str, Any]) -> None:
    assert rule_facts(_state([event]), _rule()) is None


def test_without_a_refusal_in_the_report_the_logged_event_does_not_decide() -> None:
    assert rule_facts(_state([_refused()], "the nightly image build takes twice as long as last week"), _rule()) is None


def test_an_operation_names_sub_action_is_not_a_registry_name() -> None:
    assert entity_facts(["perform action 'Microsoft.ContainerRegistry/registries/importImage/action'"]) == {}
    assert entity_facts([f"over scope '{REGISTRY}'"])["registry"] == "acrshared01"


def test_the_variant_concludes_a_missing_role_from_the_refused_import(azure: PlaybackServer) -> None:
    scenario = _scenario(VARIANT)
    azure.load(scenario["azure"])
    report = run_engine(scenario["request"], azure_access=True).envelope()["report"]
    assert report["category"] == "auth.rbac_missing"
    assert "importImage" in report["root_cause"]


def test_the_variant_with_the_import_refused_for_another_reason_is_not_blamed_on_a_role(
        azure: PlaybackServer) -> None:
    scenario = copy.deepcopy(_scenario(VARIANT))
    for item in scenario["azure"]:
        for event in (item.get("body") or {}).get("value") or []:
            if isinstance(event, dict) and "properties" in event and "statusCode" in event["properties"]:
                event["properties"]["statusCode"] = "Conflict"
    azure.load(scenario["azure"])
    envelope = run_engine(scenario["request"], azure_access=True).envelope()
    evidence = " ".join(e["summary"] for e in (envelope.get("report") or {}).get("evidence") or [])
    assert RULE not in evidence
