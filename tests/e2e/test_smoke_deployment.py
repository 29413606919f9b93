"""scripts/smoke_deployment.py, the post-deployment check, against devhost set up like Azure (keys, CORS)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "smoke_deployment.py"
KEY = "smoke-function-key"


@pytest.fixture(scope="module")
def deployed_like() -> Iterator[str]:
    with run_devhost(REPO, env={"DEVHOST_FUNCTION_KEY": KEY},
                     extra_args=["--require-keys", "--cors", "https://portal.azure.com"]) as url:
        yield url


def smoke(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), url, *args], capture_output=True, text=True, timeout=300,
                          cwd="/")  # from anywhere: the script needs nothing of the repository


def test_every_check_passes_on_a_healthy_deployment(deployed_like: str) -> None:
    run = smoke(deployed_like, "--key", KEY, "--mcp-key", KEY)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len([line for line in lines if line.startswith("PASS ")]) == 7 and lines[-1] == "7 passed, 0 failed"
    assert "PASS a session runs to its final answer: done, category functions.host_misconfigured" in lines
    assert KEY not in run.stdout + run.stderr


def test_a_wrong_key_fails_the_checks_that_need_it_and_says_why(deployed_like: str) -> None:
    run = smoke(deployed_like, "--key", "not-the-key", "--mcp-key", "not-the-key")
    assert run.returncode == 1
    assert "FAIL a session runs to its final answer: start: HTTP 401" in run.stdout
    assert "FAIL the MCP endpoint lists the two tools: initialize: HTTP 401" in run.stdout
    assert "PASS health answers without a key" in run.stdout


def test_the_azd_postdeploy_hook_checks_the_deployment_with_keys_from_az(deployed_like: str, tmp_path: Path) -> None:
    # The Azure CLI cannot run here: a stand-in answers `az functionapp keys list` and records its arguments.
    calls = tmp_path / "az-calls"
    fake_az = tmp_path / "bin" / "az"
    fake_az.parent.mkdir()
    fake_az.write_text(f'#!/bin/sh\necho "$*" >> {calls}\necho {KEY}\n')
    fake_az.chmod(0o755)
    env = {"PATH": f"{fake_az.parent}:/usr/bin:/bin", "AZURE_FUNCTION_APP_NAME": "func-abc",
           "AZURE_RESOURCE_GROUP": "rg-debug", "SERVICE_API_URI": deployed_like}
    run = subprocess.run(["sh", str(REPO / "scripts" / "postdeploy.sh")], env=env, capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "7 passed, 0 failed"
    asked = calls.read_text().splitlines()
    assert asked == ["functionapp keys list -g rg-debug -n func-abc --query functionKeys.default -o tsv",
                     "functionapp keys list -g rg-debug -n func-abc --query systemKeys.mcp_extension -o tsv"]
    assert KEY not in run.stdout + run.stderr
