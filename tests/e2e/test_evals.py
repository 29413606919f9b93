"""The evaluation runner (python -m evals) on the shared and the project's scenarios, as CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.engine_loop import SHARED_SCENARIOS

REPO = Path(__file__).resolve().parents[2]
# The folders every scenario of which must pass: the shared examples, the project's own, the negative set (no
# confidently wrong answer) and the Azure-recorded symptoms. The blind and development halves of the public reports
# (tests/scenarios/blind, real) are scored, not required: see docs/evaluation.md.
FOLDERS = [p for p in (SHARED_SCENARIOS, REPO / "tests" / "scenarios", REPO / "tests" / "scenarios" / "negative",
                       REPO / "tests" / "scenarios" / "azure") if p.is_dir()]


def test_every_scenario_passes_through_devhost():
    result = subprocess.run([sys.executable, "-m", "evals", "run", *map(str, FOLDERS)], cwd=REPO,
                            capture_output=True, text=True, timeout=1200)
    print(result.stdout)
    lines = result.stdout.strip().splitlines()
    assert lines and lines[-1].endswith(" 0 failed"), result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0
    assert int(lines[-1].split()[0]) >= len(list(SHARED_SCENARIOS.glob("*.yaml")))


def test_a_failing_scenario_fails_the_run(tmp_path: Path):
    wrong = (SHARED_SCENARIOS / "out-of-scope-aws.yaml").read_text(encoding="utf-8").replace(
        "category: out_of_scope", "category: network.storage_firewall")
    (tmp_path / "out-of-scope-aws.yaml").write_text(wrong, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "evals", "run", str(tmp_path)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "FAIL out-of-scope-aws: category out_of_scope != network.storage_firewall" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"
    reported = subprocess.run([sys.executable, "-m", "evals", "run", "--report-only", str(tmp_path)], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
    assert reported.returncode == 0
