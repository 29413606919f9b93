"""Small helpers for driving the sample app and the Durable webhook API over HTTP."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

SAMPLE_APP = Path(__file__).parent / "sample_app"
WEBHOOKS = "/runtime/webhooks/durabletask"
FINISHED = {"Completed", "Failed", "Terminated"}


def start(http: httpx.Client, orchestrator: str, payload: Any = None, instance_id: str | None = None) -> str:
    """Start through the sample app's HTTP starter (the SDK's real client), return the instance id."""
    params = {"id": instance_id} if instance_id else {}
    response = http.post(f"/api/orchestrators/{orchestrator}", json=payload, params=params)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def status(http: httpx.Client, instance_id: str, **params: str) -> dict[str, Any]:
    response = http.get(f"{WEBHOOKS}/instances/{instance_id}", params=params)
    assert response.status_code in (200, 202), response.status_code
    body: dict[str, Any] = response.json()
    return body


def wait_for(http: httpx.Client, instance_id: str, statuses: set[str] | None = None,
             timeout: float = 15.0, **params: str) -> dict[str, Any]:
    """Poll the status until it is in `statuses` (default: finished)."""
    wanted = statuses or FINISHED
    deadline = time.monotonic() + timeout
    while True:
        body = status(http, instance_id, **params)
        if body["runtimeStatus"] in wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{instance_id} still {body['runtimeStatus']} after {timeout}s")
        time.sleep(0.05)


def wait_until(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def raise_event(http: httpx.Client, instance_id: str, name: str, data: Any) -> httpx.Response:
    return http.post(f"/api/instances/{instance_id}/events/{name}", json=data)
