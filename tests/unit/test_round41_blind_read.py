"""After reading the thirty-fourth session's blind failures: a job that runs out of disk on a GitHub-hosted runner
(its work or runner folders under /home/runner/, or the runner's own low-disk annotation) ends out of scope naming
GitHub Actions, whatever Azure service the job deploys to; a full disk on App Service stays in scope
(shared/knowledge/foreign_providers.yaml)."""

from __future__ import annotations

from typing import Any

from tests.helpers.engine_loop import run_engine


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
