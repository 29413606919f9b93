"""Fix verification (contract v1.1 `verify_after_minutes`) through devhost over HTTP, Azure answered by the playback
server: the session ends `done` with the verification pending, waits on a durable timer (a "minute" shortened to
a second by DEBUG_VERIFY_MINUTE_SECONDS), reads Azure again and records whether the cause is gone."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from evals.playback import PlaybackServer
from tests.helpers.devhost_process import run_devhost

REPO = Path(__file__).resolve().parents[2]
SCENARIO = yaml.safe_load((REPO / "tests" / "scenarios" / "examples" / "storage-firewall-with-azure.yaml")
                          .read_text(encoding="utf-8"))
STORAGE = "/Microsoft.Storage/storageAccounts/mystorageaccount"


def _opened(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same recordings after the fix: the account's firewall allows all networks."""
    fixed = copy.deepcopy(answers)
    for answer in fixed:
        if answer["match"].get("path", "").endswith(STORAGE):
            answer["body"]["properties"]["networkAcls"]["defaultAction"] = "Allow"
    return fixed


@pytest.fixture
def azure() -> Iterator[tuple[str, PlaybackServer]]:
    with PlaybackServer(SCENARIO["azure"]) as playback, run_devhost(
            REPO, env={**playback.app_settings(), "DEBUG_VERIFY_MINUTE_SECONDS": "1"}) as url:
        yield url, playback


def _verified(http: httpx.Client, trace_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        envelope = http.get(f"/api/debug/{trace_id}").json()
        if envelope["report"]["verification"]["state"] != "pending":
            return envelope
        time.sleep(0.5)
    raise AssertionError("the verification did not finish")


@pytest.mark.parametrize("fixed, expected", [(False, "still_failing"), (True, "verified")])
def test_the_cause_is_read_again_after_the_wait(azure: tuple[str, PlaybackServer], fixed: bool, expected: str):
    url, playback = azure
    body = {**SCENARIO["request"], "options": {"verify_after_minutes": 2, "wait_seconds": 60}}
    with httpx.Client(base_url=url, timeout=90) as http:
        done = http.post("/api/debug", json=body).json()
        assert done["status"] == "done" and done["report"]["category"] == "network.storage_firewall"
        assert done["report"]["verification"]["state"] == "pending"
        assert http.post(f"/api/debug/{done['trace_id']}/continue", json={"reopen": True, "answer": "x"}
                         ).json()["error"]["code"] == "session_verifying"
        if fixed:
            playback.load(_opened(SCENARIO["azure"]))
        final = _verified(http, done["trace_id"])
    verification = final["report"]["verification"]
    assert verification["state"] == expected and "get_resource" in verification["check"]
    assert final["status"] == "done" and final["report"]["category"] == "network.storage_firewall"
