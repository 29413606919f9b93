"""A leak test that can fail: 150+ generated secrets through complete sessions, then everything is scanned.

Canaries go in the error text, in source files and in the answer to the engine's request. Afterwards
the test reads what the app stored or emitted: the HTTP responses, each instance's input, history and
output (the durable webhook), its custom status, devhost's log, and the raw SQLite state file (every
row Durable and the entities wrote). Any canary value, or a 16-character piece of one, fails it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.canaries import Canary, canaries, leaked
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
FIREWALL = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
ANSWER = FIREWALL["client"][0]["answer"]
SESSIONS = 4
WEBHOOK = "/runtime/webhooks/durabletask/instances/{}?showInput=true&showHistory=true&showHistoryOutput=true"
CORPUS = canaries()


@pytest.fixture(scope="module")
def host(state_file: Path) -> Iterator[str]:
    with run_devhost(REPO, env={"DEBUG_POLL_TOKEN_SECRET": "canary"}, state=state_file) as url:
        yield url


def _lines(items: list[Canary]) -> str:
    return "\n".join(c.text for c in items)


def _session(http: httpx.Client, share: list[Canary], emitted: list[str]) -> str:
    """One complete session: canaries in the error, three files and the answer; returns its trace_id."""
    error, files, answer = share[:10], share[10:-10], share[-10:]
    thirds = [files[i::3] for i in range(3)]
    body = {**FIREWALL["request"], "error_description": FIREWALL["request"]["error_description"] + "\n"
            + _lines(error) + "\n" + error[0].text,  # the same secret twice: one number
            "context": {"source_files": [{"path": f"config/part{i}.txt", "content": _lines(part)}
                                         for i, part in enumerate(thirds)]}}
    started = http.post("/api/debug", json=body)
    emitted.append(started.text)
    envelope = started.json()
    assert envelope["status"] == "request", started.text
    url = f"/api/debug/{envelope['trace_id']}"
    reply = http.post(f"{url}/continue", json={"answer": f"{ANSWER}\n{_lines(answer)}\n{error[0].text}"})
    emitted.append(reply.text)
    for _ in range(100):
        envelope = reply.json()
        if envelope["next_action"] == "none":
            break
        time.sleep(0.1)
        reply = http.get(url)
        emitted.append(reply.text)
    assert envelope["status"] in ("done", "fail"), reply.text
    return str(envelope["trace_id"])


def test_no_canary_reaches_storage_responses_or_logs(host: str, state_file: Path):
    assert len(CORPUS) >= 150
    emitted: list[str] = []
    with httpx.Client(base_url=host, timeout=60) as http:
        shares = [CORPUS[i::SESSIONS] for i in range(SESSIONS)]
        trace_ids = [_session(http, share, emitted) for share in shares]
        stored = [http.get(WEBHOOK.format(t)).text for t in trace_ids]
    raw_state = b"".join(p.read_bytes() for p in state_file.parent.glob(state_file.name + "*"))
    places = {"responses": "\n".join(emitted), "instances": "\n".join(stored), "devhost log": devhost_log(host),
              "state file": raw_state.decode("utf-8", "replace")}
    leaks = {place: sorted({c.form for c in leaked(text, CORPUS)}) for place, text in places.items()}
    assert leaks == {place: [] for place in places}
    # The scan can fail: the raw corpus is found, and the stored sessions do hold the (redacted) material.
    assert len(leaked(_lines(CORPUS), CORPUS)) == len(CORPUS)
    assert all("Host.Startup failed" in text and "[REDACTED:" in text for text in stored)


def test_a_repeated_secret_has_one_number_in_error_and_answer(host: str):
    share = CORPUS[0::SESSIONS]
    account = re.search(r"AccountName=(\w+);", share[0].text)
    assert account is not None  # the first form is a storage connection string with a unique account name
    with httpx.Client(base_url=host, timeout=60) as http:
        trace_id = _session(http, share, [])
        stored = http.get(WEBHOOK.format(trace_id)).text.replace('\\"', '"')
    placeholders = re.findall(rf"AccountName={account.group(1)};AccountKey=(\[REDACTED:[a-z-]+#\d+\])", stored)
    assert len(placeholders) >= 3 and len(set(placeholders)) == 1, placeholders  # error twice, answer once
