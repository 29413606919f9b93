"""Where instances and entities live: the interface, and the in-memory store (store_sqlite has the other).

Rules for callers, so that swapping in a persistent store changes nothing else:
- a record is a plain dataclass of JSON-friendly values (`to_dict`/`from_dict` round-trip it);
- read, change and `save` a record with no `await` in between (everything runs on one event loop);
- never keep a record across an `await`: `get` it again afterwards.
A persistent store keeps the inbox, queued events, open timers and work, so a restarted host can resume."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from devhost.timeutil import format_api_time, parse_time, utc_now

PENDING, RUNNING, COMPLETED, CONTINUED_AS_NEW = "Pending", "Running", "Completed", "ContinuedAsNew"
FAILED, TERMINATED, SUSPENDED = "Failed", "Terminated", "Suspended"
TERMINAL_STATUSES = frozenset({COMPLETED, FAILED, TERMINATED})


@dataclass
class InstanceRecord:
    """One orchestration instance: its public status, and the engine's bookkeeping for this execution."""

    instance_id: str
    name: str
    input: str | None  # JSON text, as the orchestrator reads it from the context
    runtime_status: str = PENDING
    output: Any = None
    custom_status: Any = None
    created_time: str = field(default_factory=lambda: format_api_time(utc_now()))
    last_updated_time: str = field(default_factory=lambda: format_api_time(utc_now()))
    parent: dict[str, Any] | None = None  # {"instance_id", "execution_id", "task_id"} for a sub-orchestration
    execution_id: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    actions_seen: list[dict[str, Any]] = field(default_factory=list)
    action_task_ids: list[int | None] = field(default_factory=list)
    next_task_id: int = 0
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # task id -> what it stands for
    retries: dict[str, dict[str, Any]] = field(default_factory=dict)  # first task id -> retry state
    inbox: list[dict[str, Any]] = field(default_factory=list)  # completion events for the next batch
    queued_events: list[dict[str, Any]] = field(default_factory=list)  # raised, no wait to take them yet
    delivered_events: dict[str, int] = field(default_factory=dict)  # per name, in this execution
    open_timers: dict[str, str] = field(default_factory=dict)  # task id -> fireAt
    open_work: dict[str, dict[str, Any]] = field(default_factory=dict)  # task id -> activity, sub-orch.
    # A batch begun (its events already in history) whose answer is not yet applied: {"started",
    # "retry_events"}. Set only while the orchestrator runs; after a crash it says to run that batch again.
    pending_batch: dict[str, Any] | None = None
    # The orchestration version (host.json defaultVersion or the one asked for), fixed at creation and kept
    # across continue_as_new; the SDK reads it as `context.version` from ExecutionStarted.Version.
    version: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.runtime_status in TERMINAL_STATUSES

    @property
    def created(self) -> datetime:
        return parse_time(self.created_time)

    def touch(self) -> None:
        self.last_updated_time = format_api_time(utc_now())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceRecord:
        return cls(**data)


@dataclass
class EntityRecord:
    entity_id: str  # "@name@key", name lower-cased, as the SDK writes it
    state: str | None = None  # JSON text
    exists: bool = False
    last_updated_time: str = field(default_factory=lambda: format_api_time(utc_now()))

    def touch(self) -> None:
        self.last_updated_time = format_api_time(utc_now())


@dataclass(frozen=True)
class InstanceQuery:
    created_from: datetime | None = None
    created_to: datetime | None = None
    statuses: frozenset[str] | None = None
    id_prefix: str | None = None

    def matches(self, record: InstanceRecord) -> bool:
        created = record.created
        return ((self.created_from is None or created >= self.created_from)
                and (self.created_to is None or created <= self.created_to)
                and (not self.statuses or record.runtime_status in self.statuses)
                and (not self.id_prefix or record.instance_id.startswith(self.id_prefix)))


class InstanceStore(Protocol):
    def get(self, instance_id: str) -> InstanceRecord | None: ...
    def save(self, record: InstanceRecord) -> None: ...
    def delete(self, instance_id: str) -> bool: ...
    def query(self, query: InstanceQuery) -> list[InstanceRecord]: ...
    def unfinished(self) -> Iterable[InstanceRecord]: ...
    def get_entity(self, entity_id: str) -> EntityRecord | None: ...
    def save_entity(self, record: EntityRecord) -> None: ...


class MemoryStore:
    """The in-memory store. `get` hands out the stored object itself; callers still `save` after changes."""

    def __init__(self) -> None:
        self._instances: dict[str, InstanceRecord] = {}
        self._entities: dict[str, EntityRecord] = {}

    def get(self, instance_id: str) -> InstanceRecord | None:
        return self._instances.get(instance_id)

    def save(self, record: InstanceRecord) -> None:
        self._instances[record.instance_id] = record

    def delete(self, instance_id: str) -> bool:
        return self._instances.pop(instance_id, None) is not None

    def query(self, query: InstanceQuery) -> list[InstanceRecord]:
        found = [r for r in self._instances.values() if query.matches(r)]
        return sorted(found, key=lambda r: r.created_time)

    def unfinished(self) -> Iterable[InstanceRecord]:
        return [r for r in self._instances.values() if not r.is_terminal]

    def get_entity(self, entity_id: str) -> EntityRecord | None:
        return self._entities.get(entity_id)

    def save_entity(self, record: EntityRecord) -> None:
        self._entities[record.entity_id] = record
