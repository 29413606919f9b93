"""A fault of the machine a report says the step runs on, outside Azure, ends as out of scope."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine

_DISK = ("ERROR: failed to solve: failed to copy: write /var/lib/docker/buildkit/content/ingest/5f3c/data: no space "
         "left on device\n")


def test_a_full_disk_on_a_github_hosted_runner_is_out_of_scope() -> None:
    text = "Our workflow builds the image on ubuntu-latest and pushes it to our Azure Container Registry.\n" + _DISK
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "GitHub-hosted runner" in envelope["report"]["root_cause"]


def test_a_full_disk_without_a_named_outside_machine_stays_in_scope() -> None:
    text = "Our deployment to the App Service app fails.\n" + _DISK
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"


def test_an_out_of_memory_kill_on_a_home_server_is_out_of_scope() -> None:
    text = ("The container keeps exiting with exit code 137 (OOMKilled). The box is an old NUC with 4 GB RAM "
            "running 20 containers; I deploy the same images to Azure Container Apps at work.")
    assert run_engine({"error_description": text}).envelope()["report"]["category"] == "out_of_scope"
