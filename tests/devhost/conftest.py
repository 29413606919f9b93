"""One devhost serving the sample app for the whole devhost test session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.devhost.support import SAMPLE_APP
from tests.helpers.devhost_process import run_devhost


@pytest.fixture(scope="session")
def devhost_url() -> Iterator[str]:
    with run_devhost(SAMPLE_APP) as url:
        yield url


@pytest.fixture(scope="session")
def http(devhost_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=devhost_url, timeout=30) as client:
        yield client
