"""The documented request bodies do what the docs say when sent to the app.

The Portal Test/Run section (docs/clients.md) gives bodies to paste; the README's curl session starts with
one. Each is read from the Markdown itself, so an edit that breaks one fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CLIENTS = ROOT / "docs" / "clients.md"


def _section(title: str, page: Path = README) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    level = title.split(" ")[0]
    following = re.search(rf"\n#{{1,{len(level)}}} ", text[start + len(title) + 2:])
    return text[start: start + len(title) + 2 + (following.start() if following else len(text))]


def _json_blocks(section: str) -> list[dict]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_portal_bodies_conclude_ask_answer_and_poll_as_described(http: httpx.Client) -> None:
    concluding, asking, answer, polling = _json_blocks(_section("## Portal Test/Run", CLIENTS))

    done = http.post("/api/debug", json=concluding)
    assert done.status_code == 200 and done.json()["status"] == "done"

    asked = http.post("/api/debug", json=asking)
    assert asked.status_code == 200 and asked.json()["status"] == "request"
    assert "networkRuleSet" in asked.json()["request"]["suggested_commands"][0]
    answered = http.post(f"/api/debug/{asked.json()['trace_id']}/continue", json=answer)
    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["report"]["category"]) == ("done", "network.storage_firewall")

    started = http.post("/api/debug", json=polling)
    assert started.status_code == 202 and started.json()["next_action"] == "poll"
    assert started.headers["location"] == started.json()["links"]["poll"]
    assert int(started.headers["retry-after"]) >= 1


def test_the_curl_session_start_asks_for_the_network_rules(http: httpx.Client) -> None:
    command = re.search(r"curl -s localhost:7071/api/debug -H 'Content-Type: application/json' -d '(.*?)'\n```",
                        _section("## A session with curl"), re.S)
    assert command is not None
    body = json.loads(command.group(1).replace("'\\''", "'"))
    answer = http.post("/api/debug", json=body)
    assert answer.status_code == 200 and answer.json()["status"] == "request"
    assert "mystorageaccount" in answer.json()["request"]["question"]
