"""Idempotency-Key: the header's checks, the derived trace_id, and when a keyed session stands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import azure.functions as func
import pytest
from azure.durable_functions import OrchestrationRuntimeStatus

from shared.errors import ApiError
from shared.http.idempotency import already_started, idempotency_key, keyed_trace_id

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def request(headers: dict[str, str]) -> func.HttpRequest:
    return func.HttpRequest("POST", "http://localhost/api/debug", headers=headers, body=b"{}")


def test_the_header_is_optional_and_checked():
    assert idempotency_key(request({})) is None
    assert idempotency_key(request({"idempotency-key": "order 42"})) == "order 42"
    for bad in ("", "x" * 201, "caf\u00e9", "a\tb"):
        with pytest.raises(ApiError) as refused:
            idempotency_key(request({"Idempotency-Key": bad}))
        assert refused.value.status == 400 and refused.value.details[0].field == "Idempotency-Key"


def test_the_trace_id_is_32_hex_per_caller_and_key_and_needs_the_secret():
    one = keyed_trace_id(b"secret", "owner-a", "k")
    assert one == keyed_trace_id(b"secret", "owner-a", "k") and len(one) == 32 and int(one, 16) >= 0
    assert len({one, keyed_trace_id(b"secret", "owner-b", "k"), keyed_trace_id(b"secret", "owner-a", "k2"),
                keyed_trace_id(b"other", "owner-a", "k")}) == 4


class Client:
    def __init__(self, status: Any) -> None:
        self.status = status
        self.purged: list[str] = []

    async def get_status(self, instance_id: str) -> Any:
        return self.status

    async def purge_instance_history(self, instance_id: str) -> None:
        self.purged.append(instance_id)


def stands(status: Any) -> tuple[bool, list[str]]:
    client = Client(status)
    return asyncio.run(already_started(client, "t" * 32, 60, NOW)), client.purged  # type: ignore[arg-type]


def test_a_running_session_stands_a_finished_one_for_the_ttl_then_is_purged():
    def status(runtime: OrchestrationRuntimeStatus, updated: datetime) -> SimpleNamespace:
        return SimpleNamespace(runtime_status=runtime, last_updated_time=updated)

    old = NOW - timedelta(seconds=61)
    assert stands(None) == (False, [])
    assert stands(SimpleNamespace(runtime_status=None, last_updated_time=None)) == (False, [])
    assert stands(status(OrchestrationRuntimeStatus.Running, old)) == (True, [])
    assert stands(status(OrchestrationRuntimeStatus.Completed, NOW - timedelta(seconds=30))) == (True, [])
    assert stands(status(OrchestrationRuntimeStatus.Completed, old)) == (False, ["t" * 32])
