"""Azurite (the Azure Storage emulator from npm, installed by scripts/setup.sh into .devhost/azurite) for the
tests that use Table storage for real: the case memory. One in-memory Table service per call, on a free port."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from azure.data.tables._base_client import _DEV_CONN_STRING  # the emulator's well-known account, from the SDK

from tests.helpers.devhost_process import free_port

AZURITE_TABLE = Path(__file__).resolve().parents[2] / ".devhost" / "azurite" / "node_modules" / ".bin" / "azurite-table"


@contextmanager
def run_azurite() -> Iterator[str]:
    """An Azurite Table service; yields its connection string."""
    if not AZURITE_TABLE.exists():
        pytest.skip("Azurite is not installed: scripts/setup.sh installs it when Node.js (npm) is there")
    port = free_port()
    process = subprocess.Popen([str(AZURITE_TABLE), "--silent", "--inMemoryPersistence", "--skipApiVersionCheck",
                                "--tableHost", "127.0.0.1", "--tablePort", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield _DEV_CONN_STRING.replace("127.0.0.1:10002", f"127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError("Azurite did not start listening")
