"""The workplace's independent contract client (../shared/tools/contract_client.py) against devhost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.engine_loop import OUTSIDE_TOOLS, SHARED_SCENARIOS

CLIENT = OUTSIDE_TOOLS / "contract_client.py"
pytestmark = pytest.mark.skipif(not CLIENT.exists(), reason="the shared contract client is not beside the repo")


def run_client(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CLIENT), *args], capture_output=True, text=True, timeout=300)


def test_contract_checks_pass(base_url: str):
    result = run_client("contract", base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout


def test_offline_scenarios_pass(base_url: str):
    files = [str(p) for p in sorted(Path(SHARED_SCENARIOS).glob("*.yaml"))]
    result = run_client("scenarios", base_url, *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


def test_logic_apps_style_polling_reaches_a_final_answer(base_url: str):
    result = run_client("logicapp", base_url, str(SHARED_SCENARIOS / "module-not-found-functions-python.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
