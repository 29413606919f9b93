"""Round 27 P (robustness of known failures in other wordings): Health check on a Free plan told with a contraction
("why don't they replace it", "docs say it gets replaced"), azure/login failing on the wire (a read time-out is no
credential verdict), and deployments that pass and fail on re-runs across independent pipelines (ask about Service
Health). Each fires on its wording and stays silent for its near miss."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import finding_id, reads_state

FINDING = "health-check-free-shared-plan-not-replaced"
PLAN = {"type": "Microsoft.Web/serverFarms", "name": "asp-lab", "sku": {"name": "F1", "tier": "Free"}}
WEB_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "healthCheckPath": "/healthz", "alwaysOn": False}
CLUE = "deployments-fail-on-and-off-across-independent-pipelines"
LOGIN = "tooling-gh-azure-login-failed"


def test_health_check_on_a_free_plan_read_with_a_contraction() -> None:
    for report in ("Health check metric shows 0 % healthy for hours. Why App Service don't replace the instance?",
                   "Health check marks it unhealthy; docs say the unhealthy instance gets replaced after 1 hour."):
        assert finding_id(reads_state(report, [WEB_CONFIG, PLAN])) == FINDING


def test_health_check_that_was_replaced_or_a_basic_plan_stays_silent() -> None:
    basic = {**PLAN, "sku": {"name": "B1", "tier": "Basic"}}
    assert finding_id(reads_state("Why App Service don't replace the unhealthy instance? Health check is on.",
                                  [WEB_CONFIG, basic])) != FINDING
    assert finding_id(reads_state("Health check works; the instance was replaced after an hour as expected.",
                                  [WEB_CONFIG, PLAN])) != FINDING


def _login_hit(text: str) -> bool:
    return LOGIN in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_azure_login_failure_is_a_credential_entry_unless_the_wire_failed() -> None:
    assert _login_hit("Error: Az CLI Login failed. Please check the credentials and make sure az is installed.")
    assert not _login_hit("Error: Az CLI Login failed. ... HTTPSConnectionPool(host='management.azure.com', "
                          "port=443): Read timed out. (read timeout=30)")
    assert not _login_hit("Error: Az CLI Login failed. read ECONNRESET")


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_deployments_failing_on_and_off_in_several_pipelines_ask_about_service_health() -> None:
    report = ("Since yesterday our deploy workflow is flaky: re-run the job and it is sometimes green, sometimes red. "
              "Other repos of the team deploying to Azure also have random red runs today.")
    assert _clue(report) == CLUE
    assert (clue_in([report]) or {}).get("category") == "platform.service_incident"


def test_one_flaky_pipeline_or_other_pipelines_that_pass_is_no_incident_clue() -> None:
    assert _clue("Our deploy workflow is flaky: re-runs are sometimes green, sometimes red.") != CLUE
    assert _clue("Our release pipeline fails every time with the same error since the template change; "
                 "other pipelines deploy fine.") != CLUE
    assert _clue("The nightly export job writes an empty CSV since Monday.") != CLUE
