"""A client of the debug API that plays a scenario: follows next_action, answers requests from its rules."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from evals.scenarios import answer_for_request


@dataclass
class Session:
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    @property
    def last(self) -> dict[str, Any]:
        return self.envelopes[-1]


def follow(http: httpx.Client, first: dict[str, Any], client_rules: list[dict[str, Any]] | None = None,
           limit: int = 60, poll_seconds: float = 0.2) -> Session:
    """Follow next_action until `none` (or an unanswerable request); every envelope is kept."""
    session = Session([first])
    for _ in range(limit):
        env = session.last
        url = f"/api/debug/{env['trace_id']}"
        if env["next_action"] == "none":
            return session
        if env["next_action"] == "poll":
            time.sleep(poll_seconds)
            response = http.get(url)
        elif env["next_action"] == "answer":
            session.requests += 1
            rule = answer_for_request(env["request"], client_rules or [])
            if rule is None:
                return session
            response = http.post(f"{url}/continue", json={k: rule[k] for k in ("answer", "context") if k in rule})
        else:
            response = http.post(f"{url}/continue", json={})
        if response.status_code not in (200, 202):
            raise RuntimeError(f"{response.request.method} {url} answered {response.status_code}: "
                               f"{response.text[:300]}")
        session.envelopes.append(response.json())
    raise RuntimeError(f"no final status after {limit} calls (last: {session.last.get('status')})")
