"""After reading the thirty-fourth session's blind failures: a job that runs out of disk on a GitHub-hosted runner
(its work or runner folders under /home/runner/, or the runner's own low-disk annotation) ends out of scope naming
GitHub Actions, whatever Azure service the job deploys to; a full disk on App Service stays in scope
(shared/knowledge/foreign_providers.yaml). An app stopped for its usage quota names its own daily cap
(dailyMemoryTimeQuota) when the read shows one (the function-app-daily-quota-exceeded finding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from shared.tools.azure_fields import extract_fields
from tests.helpers.engine_loop import recorded_report, run_engine


def _report(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope().get("report") or {}


def test_a_full_disk_on_a_github_hosted_runner_is_out_of_scope() -> None:
    report = _report(
        "our deploy workflow to the web app broke, the docker build step dies:\n"
        "#12 exporting layers\n"
        "ERROR: failed to solve: write /home/runner/work/_temp/buildkit/snapshots/41/fs/app.tar: "
        "No space left on device\n"
        "Error: Process completed with exit code 1.\n"
        "The azure/login step before it is green.")
    assert report["category"] == "out_of_scope" and "GitHub Actions" in report["root_cause"]


def test_the_runners_own_low_disk_warning_is_read_too() -> None:
    report = _report(
        "pipeline to our container app fails at random:\n"
        "Warning: You are running out of disk space. The runner will stop working when the machine runs out of "
        "disk space. Free space left: 12 MB\n"
        "System.IO.IOException: No space left on device")
    assert report["category"] == "out_of_scope" and "GitHub Actions" in report["root_cause"]


def test_a_full_disk_on_app_service_stays_in_scope() -> None:
    report = _report(
        "Our Linux web app started failing uploads:\n"
        "OSError: [Errno 28] No space left on device: '/home/site/wwwroot/uploads/report.pdf'")
    assert report.get("category") != "out_of_scope"


QUOTA_CASE = (Path(__file__).resolve().parents[1] / "scenarios" / "blind-docs74" /
              "docs74-func-telemetry-ingest-403-site-stopped-every-afternoon-daily-usage-quota-3000-gb-s-exceeded.yaml")


def _quota_case(quota: int) -> dict[str, Any]:
    case = yaml.safe_load(QUOTA_CASE.read_text(encoding="utf-8"))
    site = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/sites/func-telemetry-ingest")
                and isinstance(r.get("body"), dict) and "usageState" in str(r["body"]))
    site["body"]["properties"]["dailyMemoryTimeQuota"] = quota
    return case


def test_an_exceeded_app_names_its_own_daily_quota(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _quota_case(1750))
    assert found["category"] == "quota.exceeded" and "dailyMemoryTimeQuota 1750 GB-seconds" in found["root_cause"]


def test_no_daily_quota_is_not_named_as_one(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _quota_case(0))
    assert found["category"] == "quota.exceeded" and "its daily quota is set" not in found["root_cause"]


def test_nonzero_leaves_out_a_zero_limit_only() -> None:
    spec = {"quota": "nonzero(properties.q)"}
    assert extract_fields({"properties": {"q": 0}}, spec) == {}
    assert extract_fields({"properties": {"q": 3000}}, spec) == {"quota": 3000}
