"""Run devhost as a subprocess (tests, evaluations, benchmarks): a free port, wait until it answers, stop it.

    with run_devhost(app_dir) as base_url:
        httpx.get(f"{base_url}/api/health")

devhost's stdout and stderr go to one temp file; `devhost_log(base_url)` reads it while it runs.
State goes to a fresh temp SQLite file removed afterwards, unless `state` names one (kept: a second
`run_devhost` on it resumes) or extra_args pass `--state`. `kill_devhost(base_url)` SIGKILLs it, to test a
crash."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]  # where the devhost package is importable
STATUS_PATH = "/admin/host/status"
_logs: dict[str, Path] = {}
_processes: dict[str, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def devhost_log(base_url: str) -> str:
    """Everything the devhost serving `base_url` has written so far (stdout and stderr)."""
    return _logs[base_url].read_text(encoding="utf-8", errors="replace")


def kill_devhost(base_url: str) -> None:
    """SIGKILL the devhost serving `base_url` (no shutdown at all, like a crash) and wait until it is gone."""
    process = _processes[base_url]
    process.kill()
    process.wait(timeout=10)


@contextmanager
def run_devhost(app_dir: Path, env: dict[str, str] | None = None, extra_args: Sequence[str] = (),
                startup_timeout: float = 30.0, state: Path | None = None,
                port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_file = Path(tempfile.mkstemp(prefix="devhost-", suffix=".log")[1])
    with _state_args(state, extra_args) as state_args:
        command = [sys.executable, "-m", "devhost", "--port", str(port), "--app-dir", str(app_dir),
                   *state_args, *extra_args]
        child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with log_file.open("wb") as sink:
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env, stdout=sink,
                                       stderr=subprocess.STDOUT)
        _logs[base_url], _processes[base_url] = log_file, process
        try:
            _wait_until_up(process, base_url, log_file, startup_timeout)
            yield base_url
        finally:
            _stop(process)
            _logs.pop(base_url, None)
            _processes.pop(base_url, None)
            log_file.unlink(missing_ok=True)


@contextmanager
def _state_args(state: Path | None, extra_args: Sequence[str]) -> Iterator[list[str]]:
    """`--state` for the child: the caller's file, or a fresh temp one so runs never share state."""
    if "--state" in extra_args:
        yield []
    elif state is not None:
        yield ["--state", str(state)]
    else:
        with tempfile.TemporaryDirectory(prefix="devhost-state-") as folder:
            yield ["--state", str(Path(folder) / "state.sqlite")]


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log_file: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(base_url + STATUS_PATH, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    _stop(process)
    tail = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
    raise RuntimeError(f"devhost did not start (exit code {process.returncode}); last output:\n{tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
