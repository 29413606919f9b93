"""The CLI installs on its own (`pip install .` from the repository) and runs from any folder against devhost.

The installed package must hold the client alone: nothing of the app (shared/, devhost/) may ship with it,
and it must need nothing beyond the standard library."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_pip_install_gives_an_azdebug_command_that_talks_to_the_service(tmp_path: Path, base_url: str) -> None:
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(REPO)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import azdebug, importlib.util as u; print(azdebug.__file__); "
                           "print(u.find_spec('shared'), u.find_spec('devhost'))"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert site.stdout.splitlines()[1] == "None None", site.stdout  # the client alone was installed
    assert str(environment) in site.stdout.splitlines()[0]

    run = subprocess.run([str(environment / "bin" / "azdebug"), "debug", "--url", base_url, "--json",
                          "--error", "Connection timeout to storage account 'stmedia01' since this morning."],
                         input="", capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 3, run.stderr  # a request, and no answer on stdin: stopped, resumable
    assert '"status": "request"' in run.stdout and "networkRuleSet" in run.stdout
