"""Round 26 j2 of the findings (knowledge/evidence_findings.yaml, symptom_clues.yaml, the catalog and
api_versions.yaml): App Service's Kudu (SCM) site - its own minimum TLS version (scmMinTlsVersion) that an older
deployment client cannot meet, the role a user needs to sign in to it, and the idle timeout that aborts a quiet build
or triggered WebJob - and the 32-bit worker process recycled for the 'Percent Memory' limit. Each finding fires on
recorded-like reads with the symptom it explains and stays silent for its near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
CONFIG = {"type": "Microsoft.Web/sites/config", "name": "app-billing", "minTlsVersion": "1.2",
          "scmMinTlsVersion": "1.3", "use32BitWorkerProcess": False}
SCM_TLS = ("Web Deploy from our Windows Server 2019 build agent fails: Could not connect to the remote computer "
           "(\"app-billing.scm.azurewebsites.net\"). The request was aborted: Could not create SSL/TLS secure "
           "channel. The site itself answers the same agent fine.")
WORKER_32 = {**CONFIG, "scmMinTlsVersion": "1.2", "use32BitWorkerProcess": True}
PERCENT = ("eventlog.xml shows: Worker Process requested recycle due to 'Percent Memory' limit. Memory Used: "
           "2141376512 out of 2147483648 available. The plan has 16 GB.")

CASES = [
    Case("app-scm-minimum-tls-above-deploy-client", "config.invalid_connection_string", "scmMinTlsVersion 1.3",
         [CONFIG], SCM_TLS, near_reads=[{**CONFIG, "scmMinTlsVersion": "1.0"}]),
    Case("app-32-bit-worker-percent-memory-recycle", "runtime.out_of_memory", "use32BitWorkerProcess true",
         [WORKER_32], PERCENT, near_reads=[{**WORKER_32, "use32BitWorkerProcess": False}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_tls_failure_on_the_app_host_is_not_the_scm_minimum() -> None:
    report = ("Our partner's client fails against https://app-billing.azurewebsites.net/api/orders: The request was "
              "aborted: Could not create SSL/TLS secure channel.")
    assert finding_id(reads_state(report, [CONFIG])) != "app-scm-minimum-tls-above-deploy-client"


def test_a_linux_app_has_no_32_bit_worker() -> None:
    site = {"type": "Microsoft.Web/sites", "name": "app-billing", "kind": "app,linux"}
    assert finding_id(reads_state(PERCENT, [site, WORKER_32])) != "app-32-bit-worker-percent-memory-recycle"


def test_get_resource_keeps_the_scm_minimum_tls_version() -> None:
    body = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/a/config/web",
            "properties": {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.3"}}
    assert extracted("Microsoft.Web", "sites/config", body)["scmMinTlsVersion"] == "1.3"


def test_a_reader_refused_by_kudu_is_a_missing_role_clue() -> None:
    found = clue_in(["Opening https://app-orders.scm.azurewebsites.net after Entra sign-in answers 403 - Forbidden: "
                     "Access is denied. My role assignment on the resource group is Reader."])
    assert found and found["id"] == "appservice-kudu-403-reader-role"
    assert "Microsoft.Web/sites/publish/Action" in found["root_cause"]


@pytest.mark.parametrize("text", [
    "Kudu answers 403 - Forbidden: Error 403 - The web app you have attempted to reach has blocked your access. "
    "My role is Reader.",
    "Kudu answers 403 Forbidden for the zip deploy; the publish profile password was reset.",
])
def test_other_kudu_403s_are_not_the_reader_clue(text: str) -> None:
    found = clue_in([text])
    assert not found or found["id"] != "appservice-kudu-403-reader-role"


@pytest.mark.parametrize("text", [
    "Command 'starter.cmd \"D:\\home\\site\\deployments\\tools\\deploy.cmd\"' was aborted due to no output nor CPU "
    "activity for 60 seconds. You can increase the SCM_COMMAND_IDLE_TIMEOUT app setting (or WEBJOBS_IDLE_TIMEOUT if "
    "this is a WebJob) if needed.",
    "Command 'cmd /c \"\"run.cmd\"\"' was aborted due to no output nor CPU activity for 121 seconds.",
])
def test_the_kudu_idle_timeout_entry_ranks_first(text: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "appservice-kudu-command-idle-timeout-aborted", [h.entry.id for h in hits[:3]]
