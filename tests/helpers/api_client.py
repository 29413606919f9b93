"""A plain client of the debug API for end-to-end tests: follows next_action as the contract says."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.helpers.engine_loop import answer_for_request


@dataclass
class Session:
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    @property
    def last(self) -> dict[str, Any]:
        return self.envelopes[-1]


def start(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    response = http.post("/api/debug", json=body)
    assert response.status_code in (200, 202), response.text
    return response


def follow(http: httpx.Client, first: dict[str, Any], client_rules: list[dict[str, Any]] | None = None,
           limit: int = 40) -> Session:
    """Follow next_action to a final status, answering requests from scenario-style rules."""
    session = Session([first])
    for _ in range(limit):
        env = session.last
        url = f"/api/debug/{env['trace_id']}"
        if env["next_action"] == "none":
            return session
        if env["next_action"] == "poll":
            time.sleep(0.2)
            response = http.get(url)
        elif env["next_action"] == "answer":
            session.requests += 1
            rule = answer_for_request(env["request"], client_rules or [])
            if rule is None:
                return session
            response = http.post(f"{url}/continue", json={k: rule[k] for k in ("answer", "context") if k in rule})
        else:
            response = http.post(f"{url}/continue", json={})
        assert response.status_code in (200, 202), response.text
        session.envelopes.append(response.json())
    raise AssertionError(f"no final status after {limit} calls: {session.last}")
