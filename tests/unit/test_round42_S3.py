"""Session 35, brief S3: sessions that ended `fail` or asked although the material decides.

Each test states the mechanism on a text of its own and a near miss that must stay silent: the step budget of a known
code with Azure access, the root cause kept whole when the envelope shrinks, a share listing that lacks the mounted
share, Azure Backup's policy message, Front Door's domain fronting 421, and a service team confirming a regression."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import table
from shared.engines.budget import KNOWN_CODE_STEPS, PLAYBOOK_STEPS, planned_options
from shared.engines.computed_findings.app_service import easy_auth_caller_not_allowed
from shared.models import Options, Report
from shared.orchestration import envelope
from shared.orchestration.envelope import CUSTOM_STATUS_LIMIT_BYTES, custom_status
from shared.session.state import Evidence, Material, SessionState
from tests.helpers.engine_loop import run_engine

KNOWN = Material(error_description="ERROR: (AccountRequiresHttps) The account being accessed does not support http.")


def test_a_known_code_with_azure_access_gets_the_playbooks_budget_and_without_access_a_short_one() -> None:
    assert planned_options(Options(), KNOWN, azure_access=True).max_depth == PLAYBOOK_STEPS
    assert planned_options(Options(), KNOWN, azure_access=False).max_depth == KNOWN_CODE_STEPS
    assert planned_options(Options.model_validate({"max_depth": 3}), KNOWN, azure_access=True).max_depth == 3


def _state() -> SessionState:
    return SessionState(trace_id="1" * 32, options=Options(), ttl_seconds=60, material=Material(error_description="x"))


def test_a_long_root_cause_outlives_the_evidence_when_the_status_must_shrink() -> None:
    cause = "The identity has only queue roles; " + "it needs Storage Blob Data Owner on the account. " * 30
    evidence = [{"source": "get_resource", "summary": "y" * 900} for _ in range(40)]
    report = Report(category="auth.rbac_missing", root_cause=cause, evidence=evidence, checked=["z" * 900] * 20)
    status = custom_status(envelope.done(_state(), "done", report), turn=0)
    kept = status["envelope"]["report"]["root_cause"]
    assert len(kept) > 1_000 and "Storage Blob Data Owner" in kept
    assert len(str(status).encode("utf-16-le")) < CUSTOM_STATUS_LIMIT_BYTES * 1.1


def test_a_short_root_cause_is_left_whole() -> None:  # near miss: nothing to shrink
    report = Report(category="c", root_cause="because", actions=["fix it"])
    assert custom_status(envelope.done(_state(), "ok", report), turn=0)["envelope"]["report"]["root_cause"] == "because"


def _clue(clue_id: str) -> dict:
    return next(c for c in table("symptom_clues") if c.get("id") == clue_id)


MOUNT = ("mount //stgallery9.file.core.windows.net/photo-store /mnt/p failed\nOutput: mount error(2): No such file or "
         "directory\nWe ran az storage share list --account-name stgallery9 and it lists {listing}.")


def test_a_share_listing_without_the_mounted_share_decides_share_not_found() -> None:
    decides = re.compile(_clue("azure-files-mount-2-share-not-found")["decides"])
    assert decides.search(MOUNT.format(listing="'photos' and 'thumbs'"))
    assert not decides.search(MOUNT.format(listing="'photo-store' and 'thumbs'"))  # near miss: the share is listed


def _report(text: str) -> dict:
    return run_engine({"error_description": text}).envelope().get("report") or {}


def test_backups_invalid_policy_message_is_a_deny_policy() -> None:
    report = _report("Azure Backup job for vm-app7 failed: An invalid policy is configured on the VM which is "
                     "preventing Snapshot operation. Please correct the policy and retry the operation.")
    assert report.get("category") == "deployment.policy_denied" and report.get("confidence") != "high"


def test_a_backup_policy_named_without_the_message_is_not_that_entry() -> None:  # near miss
    report = _report("The backup policy DailyPolicy-30d on vm-app7 keeps failing with "
                     "UserErrorGuestAgentStatusUnavailable.")
    assert report.get("category") != "deployment.policy_denied"


def test_a_421_through_front_door_is_the_domain_fronting_block() -> None:
    report = _report("Through Azure Front Door some browser requests to b.shop.example get 421 Misdirected Request "
                     "right after visiting a.shop.example; both share one wildcard certificate.")
    assert report.get("category") == "network.nsg_blocked" and "SNI" in report.get("root_cause", "")
    assert report.get("confidence") != "high"


def test_a_421_from_our_own_nginx_is_not_front_door() -> None:  # near miss: no Front Door on the path
    report = _report("Our nginx reverse proxy on a VM returns 421 Misdirected Request for some HTTP/2 clients.")
    assert "SNI of the connection" not in report.get("root_cause", "")


def _marker() -> re.Pattern[str]:
    markers = table("platform_incident_markers")
    return re.compile(next(m for m in markers if m["id"] == "service-team-confirms-bug")["match"])


def test_the_services_team_confirming_a_regression_is_a_platform_cause() -> None:
    assert _marker().search("On the GitHub issue the Azure Event Grid team acknowledged it as a regression.")
    report = _report("Every event subscription stopped delivering overnight; resource health says Available. The Event "
                     "Grid team confirmed it as a bug on the GitHub issue.")
    assert report.get("category") == "platform.service_incident"


def test_a_team_of_our_own_calling_it_a_bug_is_not_the_platform() -> None:  # near miss
    assert not _marker().search("The DevOps team marked it as a bug in our backlog.")
    assert not _marker().search("Our team labelled it a bug.")


def _auth_state(text: str) -> SessionState:
    state = SessionState(trace_id="2" * 32, options=Options(), ttl_seconds=60,
                         material=Material(error_description=text))
    site = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-a/providers/Microsoft.Web/sites/api-x"
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="authsettingsV2", arguments={
        "resource_id": f"{site}/config/authsettingsV2"}, data={
        "id": f"{site}/config/authsettingsV2", "type": "Microsoft.Web/sites/config", "name": "authsettingsV2",
        "authEnabled": True, "authAllowedApplications": ["11111111-2222-3333-4444-555555555555"]}))
    return state


def test_a_decoded_caller_missing_from_allowed_applications_is_named() -> None:
    facts = easy_auth_caller_not_allowed(_auth_state(
        "403 Forbidden from api-x. Token: aud=api://x, azp=99999999-8888-7777-6666-555555555555, idtyp=app"))
    assert facts is not None and facts["appid"] == "99999999-8888-7777-6666-555555555555"


def test_a_caller_that_is_listed_stays_silent() -> None:  # near miss
    assert easy_auth_caller_not_allowed(_auth_state(
        "403 Forbidden from api-x. Token: appid=11111111-2222-3333-4444-555555555555, idtyp=app")) is None
