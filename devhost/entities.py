"""Durable entities: one operation queue per entity, batches run through the SDK's entity handle.

Entity ids are "@name@key" with the name lower-cased, as the SDK's orchestrator side writes them."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from devhost.app_loader import FunctionIndex
from devhost.scheduling import EntityOperation
from devhost.store import EntityRecord, InstanceStore

log = logging.getLogger("devhost")

Reply = Callable[[str], None]  # gets the EventRaised Input for a call_entity answer


def entity_id(name: str, key: str) -> str:
    return f"@{name.lower()}@{key}"


def split_entity_id(value: str) -> tuple[str, str]:
    name, _, key = value[1:].partition("@")
    return name, key


class EntityRunner:
    def __init__(self, index: FunctionIndex, store: InstanceStore, pool: Executor) -> None:
        self._index = index
        self._store = store
        self._pool = pool
        self._queues: dict[str, list[tuple[EntityOperation, Reply | None]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def exists_function(self, name: str) -> bool:
        return self._index.entities.find(name.lower()) is not None

    def submit(self, operation: EntityOperation, reply: Reply | None) -> None:
        queue = self._queues.setdefault(operation.entity_id, [])
        queue.append((operation, reply))
        if len(queue) == 1:  # no batch running for this entity: start one (operations never overlap)
            task = asyncio.get_running_loop().create_task(self._drain(operation.entity_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def read(self, name: str, key: str) -> EntityRecord | None:
        return self._store.get_entity(entity_id(name, key))

    async def _drain(self, target: str) -> None:
        loop = asyncio.get_running_loop()
        while self._queues.get(target):
            batch = list(self._queues[target])
            record = self._store.get_entity(target) or EntityRecord(target)
            function = self._index.entities.find(split_entity_id(target)[0])
            if function is None:
                results = [_error(f"No entity function named '{split_entity_id(target)[0]}'.")] * len(batch)
            else:
                context = _context(target, record, [op for op, _ in batch])
                outcome = await loop.run_in_executor(self._pool, _run, function.handle, context, len(batch))
                results = outcome.answers
                if outcome.changed:
                    record = self._store.get_entity(target) or EntityRecord(target)
                    record.exists, record.state = outcome.exists, outcome.state
                    record.touch()
                    self._store.save_entity(record)
            for (operation, reply), result in zip(batch, results, strict=True):
                if "exceptionType" in result:
                    _log_failed(target, operation)
                if reply is not None:
                    reply(json.dumps(result))
            del self._queues[target][:len(batch)]
        self._queues.pop(target, None)


def _log_failed(target: str, operation: EntityOperation) -> None:
    # The extension logs every failed entity operation at Error (EndToEndTraceHelper.OperationFailed), signals
    # included, whose senders never hear of it. Like its default sanitised log, no input or message here.
    kind = "signal" if operation.reply_id is None else "call"
    log.error("%s: Function '%s (Entity)' failed '%s' operation (%s)", target, split_entity_id(target)[0],
              operation.operation, kind)


def _context(target: str, record: EntityRecord, operations: list[EntityOperation]) -> str:
    name, key = split_entity_id(target)
    batch = [{"name": op.operation, "input": op.input, "signal": op.reply_id is None} for op in operations]
    return json.dumps({"self": {"name": name, "key": key}, "state": record.state, "exists": record.exists,
                       "batch": batch})


@dataclass
class _BatchOutcome:
    answers: list[dict[str, Any]]
    changed: bool = False
    exists: bool = False
    state: str | None = None


def _run(handle: Callable[[str], str], context: str, operations: int) -> _BatchOutcome:
    """Run one batch in a worker thread: the entity's new state and one answer per operation."""
    try:
        answer = json.loads(handle(context))
    except Exception as exc:  # noqa: BLE001 - a broken entity fails its operations, never the host
        log.warning("entity operation batch raised %s", type(exc).__name__)
        return _BatchOutcome([_error(str(exc))] * operations)
    exists = bool(answer.get("entityExists"))
    answers = [_error_text(r.get("result")) if r.get("isError") else {"result": r.get("result")}
               for r in answer.get("results") or []]
    answers += [_error("The entity gave no result.")] * (operations - len(answers))
    return _BatchOutcome(answers, True, exists, answer.get("entityState") if exists else None)


def _error(message: str) -> dict[str, Any]:
    return _error_text(json.dumps(message))


def _error_text(result_json: Any) -> dict[str, Any]:
    # The SDK's ResponseMessage treats an answer with `exceptionType` as a failed operation.
    return {"result": result_json, "exceptionType": "Exception"}
