"""Round 32 F: known failures told in other words (tests/scenarios/robF) - the Static Web Apps config size limit in
the reporter's own words, and the PowerShell self-call deadlock seen through an App Insights timeout row."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from shared.engines.clues import clue_in

SWA = "swa-config-file-over-size-limit-paraphrase"
PS = "functions-powershell-calls-own-app-serialized"

def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None

def test_the_swa_config_size_limit_is_read_from_a_paraphrase() -> None:
    report = ("Azure DevOps task AzureStaticWebApp@0 fails: the error says staticwebapp.config.json is bigger than "
              "the 20 KB limit and the content server rejects it.")
    assert _clue(report) == SWA
    assert _clue("our staticwebapp.config.json exceeds 20 KB after adding redirects") == SWA

def test_a_swa_config_within_the_size_limit_stays_silent() -> None:
    assert _clue("staticwebapp.config.json is only 6 KB, well under the 20 KB limit, but routes return 404") != SWA
    assert _clue("staticwebapp.config.json is not bigger than 20 KB, yet the deploy fails") != SWA
    assert _clue("the upload is bigger than 20 KB and the blob trigger never fires") != SWA

def test_the_powershell_self_call_reads_an_app_insights_timeout_row() -> None:
    report = ("App Insights: StartBatch Microsoft.Azure.WebJobs.Host.FunctionTimeoutException Timeout value of "
              "00:10:00 was exceeded by function: Functions.StartBatch. StartBatch (PowerShell 7.4) does "
              "Invoke-WebRequest to https://func-x.azurewebsites.net/api/GetEmployees (same app). GetEmployees "
              "starts but only finishes after StartBatch was cancelled.")
    found = clue_in([report])
    assert found is not None and found["id"] == PS
    assert re.search(found["decides"], report)

def test_a_powershell_timeout_without_a_self_call_stays_silent() -> None:
    report = ("PowerShell function: Timeout value of 00:10:00 was exceeded by function: Functions.Export. "
              "It copies 40 GB from a file share with Invoke-WebRequest to https://files.contoso.example/dump.")
    assert _clue(report) != PS


def _finding(finding_id: str) -> dict:
    path = Path(__file__).resolve().parents[2] / "shared/knowledge/evidence_findings.yaml"
    with path.open(encoding="utf-8") as fh:
        return next(f for f in yaml.safe_load(fh) if f.get("id") == finding_id)


def test_the_subnet_nsg_finding_reads_the_apim_network_status_wording() -> None:
    matches = _finding("subnet-nsg-denies-port")["report_matches"]
    assert re.search(matches, '"error": "Failed to connect to stapimx.blob.core.windows.net:443"')
    assert not re.search(matches, "Network status: Azure Storage Success, connected to stapimx.blob.core.windows.net")
