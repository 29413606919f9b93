"""Merge repairs of the twenty-ninth session, each with a near miss: a Python app whose packages are listed only in a
conda environment.yml, the SignalR preview-port clue kept off a negotiate answered 404, a queried workspace stated
with its subscription and group after its name, and the container memory finding naming the kill reason and the
runtime's own heap limit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.engines.clues import clues_in
from shared.session.state import Conclude
from tests.helpers.engine_loop import load_scenarios, run_engine, settled_report

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DIAGNOSTICS = {s["id"]: s for s in load_scenarios(SCENARIOS / "rob292")}[
    "rob292-key-vault-azkvauditlogs-empty-in-central-workspace-setting-sends-elsewhere"]
OOM = {s["id"]: s for s in load_scenarios(SCENARIOS / "azure")}["az-containerapp-restarts-oomkilled"]
CONDA = "appservice-python-conda-environment-yml-without-requirements"
PORTS = "signalr-preview-sdk-ports-5001-5002"


def _clue_ids(text: str) -> list[str]:
    return [clue["id"] for clue in clues_in([text])]


def _azure_report(scenario: dict[str, Any], azure: PlaybackServer, request: dict[str, Any]) -> Any:
    azure.load(scenario["azure"])
    outcome = run_engine(request, azure_access=True)
    return outcome.final.report if isinstance(outcome.final, Conclude) else None


def test_packages_listed_only_in_a_conda_file_name_requirements_txt() -> None:
    text = ("Deployment Center log for our Django web app on App Service ends with 'Running oryx build...' then "
            "'Oops... An unexpected error has occurred.' We manage packages with conda (environment.yml); we don't "
            "have a requirements.txt.")
    assert CONDA in _clue_ids(text)
    report = settled_report(text)
    assert report["category"] == "runtime.dependency_missing" and "requirements.txt" in report["root_cause"]


def test_a_repository_with_requirements_txt_beside_the_conda_file_is_not_that_case() -> None:
    text = ("Oryx build on App Service fails with 'Oops... An unexpected error has occurred.' The repo has "
            "requirements.txt and an environment.yml we use locally with conda.")
    assert CONDA not in _clue_ids(text)


def test_a_negotiate_answered_404_is_not_the_retired_preview_ports() -> None:
    text = ("Error: Failed to complete negotiation with the server: Error: Not Found\n"
            "url: Endpoint=https://chat.service.signalr.net:5001/client/?hub=chat")
    assert PORTS not in _clue_ids(text)


def test_a_negotiated_url_on_port_5001_that_times_out_is_the_retired_preview_ports() -> None:
    text = ("GET https://chat.service.signalr.net:5001/client/?hub=chat net::ERR_CONNECTION_TIMED_OUT\n"
            "Error: Failed to start the connection: Error: timed out")
    assert PORTS in _clue_ids(text)


def test_a_queried_workspace_stated_with_its_scope_is_compared_by_name(azure: PlaybackServer) -> None:
    request = copy.deepcopy(DIAGNOSTICS["request"])
    info = request["context"]["environment_info"]
    info["log_analytics_workspace"] = "law-central-sec (subscription pay-prd, rg-central-logging)"
    report = _azure_report(DIAGNOSTICS, azure, request)
    assert report is not None and "'law-dev-shared'" in report.root_cause
    assert "(subscription" not in report.root_cause


def test_a_queried_workspace_the_setting_sends_to_is_not_blamed_with_its_scope_stated(azure: PlaybackServer) -> None:
    request = copy.deepcopy(DIAGNOSTICS["request"])
    request["context"]["environment_info"]["log_analytics_workspace"] = "law-dev-shared (subscription x, rg-dev-shared)"
    report = _azure_report(DIAGNOSTICS, azure, request)
    assert report is None or "not to 'law-dev-shared'" not in report.root_cause


def test_the_container_memory_finding_names_the_kill_reason_and_heap_limits(azure: PlaybackServer) -> None:
    report = _azure_report(OOM, azure, OOM["request"])
    assert report is not None and report.category == "runtime.out_of_memory"
    assert "OOMKilled" in report.root_cause and "-Xmx" in report.root_cause and "0.5Gi" in report.root_cause
