"""One devhost per test module, serving this repository's function app over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with run_devhost(REPO, env={"DEBUG_POLL_TOKEN_SECRET": "e2e-secret", "DEBUG_RETRY_AFTER_SECONDS": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def state_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite state file of the module's own, for tests that read what devhost stored on disk."""
    return tmp_path_factory.mktemp("devhost-state") / "state.sqlite"
