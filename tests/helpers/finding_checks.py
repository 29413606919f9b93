"""The id of the evidence finding a session's Azure results satisfy (None when none does), for finding tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.engines.playbooks import conclude_finding, finding, investigate
from shared.models import Options, Report
from shared.session.state import Evidence, Material, RunTool, SessionState
from shared.tools.azure_fields import extract_fields
from shared.tools.azure_resources import type_spec


def finding_id(state: SessionState) -> str | None:
    found = finding(state)
    return str(found[0]["id"]) if found else None


def finding_report(state: SessionState) -> Report:
    """The report the session's finding concludes; the session must reach one."""
    found = finding(state)
    assert found is not None, "no evidence finding"
    return conclude_finding(state, *found).report


def state_with(report: str, reads: list[tuple[str, dict[str, Any]]]) -> SessionState:
    """A session with Azure access whose report is `report` and whose ledger holds these successful reads, in order
    (tool, data): what the findings see after the playbook ran."""
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    for tool, data in reads:
        state.add_evidence(Evidence(tool=tool, status="success", summary=str(data)[:200], data=data))
    return state


@dataclass
class FindingCase:
    """One finding of a helper round: the reads and report that make it fire, and the near miss that must not."""
    rule_id: str
    category: str
    word: str          # the deciding property, metric, setting or fact, named literally in the root cause
    reads: list[dict[str, Any]]                         # get_resource reads
    report: str
    near_reads: list[dict[str, Any]] | None = None      # the near miss: other reads (None: the same)
    near_report: str | None = None                      # ... another report (None: the same)
    names: list[str] | None = None                      # list_app_setting_names
    near_names: list[str] | None = None                 # ... other setting names (None: the same)
    metrics: dict[str, Any] | None = None               # query_metrics
    near_metrics: dict[str, Any] | None = None
    events: list[dict[str, Any]] | None = None          # list_activity_log


def reads_state(report: str, reads: list[dict[str, Any]], names: list[str] | None = None,
                metrics: dict[str, Any] | None = None, events: list[dict[str, Any]] | None = None) -> SessionState:
    """The session a round's finding sees: these get_resource reads, then the setting names, metrics and activity
    log when given."""
    return state_with(report, [("get_resource", data) for data in reads]
                      + ([setting_names(names)] if names is not None else [])
                      + ([("query_metrics", metrics)] if metrics is not None else [])
                      + ([("list_activity_log", {"events": events})] if events is not None else []))


def setting_names(names: list[str]) -> tuple[str, dict[str, Any]]:
    """The list_app_setting_names read of these names."""
    return "list_app_setting_names", {"names": names, "count": len(names)}


def check_round_finding(state: SessionState, rule_id: str, category: str, word: str,
                        commands: tuple[str, ...] = ("`az ",)) -> None:
    """A helper round's finding fires on the session with its category and deciding word, at medium confidence,
    sourced from a Microsoft page, with a command that fixes it and every fact of its template found."""
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == rule_id
    report = conclude_finding(state, rule, facts).report
    assert report.category == category and word in report.root_cause
    assert rule.get("confidence") == "medium" and rule["source"].startswith("MicrosoftDocs/")
    assert any(command in action for action in rule["actions"] for command in commands)
    assert "{" not in report.root_cause


def check_case_fires(case: FindingCase) -> None:
    """A round's finding fires on its case's reads and symptom (see check_round_finding)."""
    check_round_finding(reads_state(case.report, case.reads, case.names, case.metrics, case.events), case.rule_id,
                        case.category, case.word)


def check_case_stays_silent(case: FindingCase, unrelated: str) -> None:
    """A round's finding stays silent for the same reads with an unrelated report, and for its near miss."""
    assert finding_id(reads_state(unrelated, case.reads, case.names, case.metrics, case.events)) != case.rule_id
    near = reads_state(case.near_report or case.report,
                       case.near_reads if case.near_reads is not None else case.reads,
                       case.near_names if case.near_names is not None else case.names,
                       case.near_metrics if case.near_metrics is not None else case.metrics, case.events)
    assert finding_id(near) != case.rule_id


def case_tests(cases: list[FindingCase], unrelated: str) -> tuple[Callable[[FindingCase], None], ...]:
    """The two tests every helper round runs over its cases: each finding fires on its case (check_case_fires) and
    stays silent for an unrelated report and its near miss (check_case_stays_silent). A round file binds them to
    module-level `test_` names so pytest collects them there."""
    ids = [f"{case.rule_id}-{i}" for i, case in enumerate(cases)]

    @pytest.mark.parametrize("case", cases, ids=ids)
    def fires(case: FindingCase) -> None:
        check_case_fires(case)

    @pytest.mark.parametrize("case", cases, ids=ids)
    def stays_silent(case: FindingCase) -> None:
        check_case_stays_silent(case, unrelated)

    return fires, stays_silent


def kept_fields(resource_type: str) -> dict[str, str]:
    """The fields get_resource keeps for a resource type (knowledge/api_versions.yaml), which must know it."""
    namespace, _, rest = resource_type.partition("/")
    spec = type_spec(namespace, rest)
    assert spec is not None, resource_type
    return spec["fields"]


def extracted(namespace: str, resource_type: str, body: dict[str, Any]) -> dict[str, Any]:
    """What get_resource keeps of this ARM body for the type."""
    return extract_fields(body, kept_fields(f"{namespace}/{resource_type}"))


def playbook_reads(resource_id: str, report: str, target_keys: tuple[str, ...] = ("resource_id",),
                   limit: int = 30) -> list[tuple[str, str]]:
    """The (tool, target) reads the playbook makes, in order, for a report that names the resource by its id; every
    read answers an empty success (a get_resource with the type its target names). The target is the first of
    `target_keys` the call's arguments hold."""
    state = SessionState(trace_id="p" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"{report} ({resource_id})"))
    read: list[tuple[str, str]] = []
    while len(read) < limit and isinstance(step := investigate(state), RunTool):
        target = str(next((step.arguments[k] for k in target_keys if step.arguments.get(k)), ""))
        read.append((step.tool, target))
        data: dict[str, Any] = ({"type": "/".join(target.split("/providers/")[-1].split("/")[:2])}
                                if step.tool == "get_resource" else {})
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return read
