"""The API description and the app agree, checked by schemathesis against devhost.

schemathesis reads `GET /api/openapi.json` and sends what it describes, valid and invalid, as single calls
and as chains (start, then get/continue/delete that session through the document's links). Its checks: no
5xx, every answer matches the documented status, headers and schema, valid requests are accepted, invalid
ones refused, key-protected routes refuse calls without the key. Fixed seed so a CI failure replays;
`SCHEMATHESIS_EXAMPLES` and `SCHEMATHESIS_SEED` widen a run by hand."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers.azurite import run_azurite
from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]
KEY = "schemathesis-function-key"
# The contract's refusals of invalid data: 413 for sizes, 404 for a session that is not the caller's.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 404, 409, 413, 429]
"""


def test_schemathesis_finds_no_disagreement_between_the_document_and_the_app(tmp_path: Path) -> None:
    command = shutil.which("schemathesis", path=str(Path(os.sys.executable).parent))
    assert command, "schemathesis is in requirements-dev.txt"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    # With the case memory on (Azurite): feedback is then answered, not refused with 503 memory_unavailable.
    with run_azurite() as memory, run_devhost(REPO, env={"DEVHOST_FUNCTION_KEY": KEY,
                                                         "DEBUG_CASE_MEMORY_CONNECTION": memory},
                                              extra_args=["--require-keys"]) as url:
        run = subprocess.run(
            [command, "--config-file", str(config), "run", f"{url}/api/openapi.json", "--checks", "all",
             "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"),
             "--seed", os.environ.get("SCHEMATHESIS_SEED", "20261125"), "--generation-database", "none",
             "--header", f"x-functions-key: {KEY}", "--request-timeout", "120"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert " passed" in run.stdout and "failures" not in run.stdout.splitlines()[-1], report
