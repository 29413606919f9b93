"""The SQLite store: instances and entities on disk, so a killed devhost resumes where it stood.

One connection in WAL mode, shared by the event loop and worker threads under a lock. Every `save` commits
at once; WAL with synchronous=NORMAL survives a killed process (only a power cut can lose the last commit).
A record's plain fields are columns; its lists and maps (history, inbox, timers, ...) are JSON columns."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from devhost.store import TERMINAL_STATUSES, EntityRecord, InstanceQuery, InstanceRecord

MEMORY = ":memory:"
_KEY_COLUMNS = ("instance_id", "name", "runtime_status", "created_time", "last_updated_time")
_COLUMNS = tuple(f.name for f in fields(InstanceRecord))
_JSON_COLUMNS = tuple(c for c in _COLUMNS if c not in _KEY_COLUMNS and c not in ("execution_id", "next_task_id"))
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, runtime_status TEXT NOT NULL,
    created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL, execution_id TEXT NOT NULL,
    next_task_id INTEGER NOT NULL, {", ".join(f"{c} TEXT" for c in _JSON_COLUMNS)});
CREATE INDEX IF NOT EXISTS instances_status ON instances (runtime_status);
CREATE TABLE IF NOT EXISTS entities (
    entity_id TEXT PRIMARY KEY, state TEXT, exists_ INTEGER NOT NULL, last_updated_time TEXT NOT NULL);
"""


class SqliteStore:
    """`InstanceStore` on a SQLite file (or `:memory:`). `get` returns a fresh copy: callers `save` it."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # One connection for all threads: the lock serialises use, so sqlite's own thread check is off.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A state file written by an older devhost lacks columns for newer record fields: add them (null)."""
        present = {row[1] for row in self._db.execute("PRAGMA table_info(instances)")}
        for column in _JSON_COLUMNS:
            if column not in present:
                self._db.execute(f"ALTER TABLE instances ADD COLUMN {column} TEXT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, instance_id: str) -> InstanceRecord | None:
        rows = self._select("WHERE instance_id = ?", (instance_id,))
        return rows[0] if rows else None

    def save(self, record: InstanceRecord) -> None:
        values = record.to_dict()
        row = [values[c] for c in _KEY_COLUMNS] + [values["execution_id"], values["next_task_id"]]
        row += [json.dumps(values[c]) for c in _JSON_COLUMNS]
        columns = (*_KEY_COLUMNS, "execution_id", "next_task_id", *_JSON_COLUMNS)
        sql = f"INSERT OR REPLACE INTO instances ({', '.join(columns)}) VALUES ({', '.join('?' * len(row))})"
        with self._lock:
            self._db.execute(sql, row)

    def delete(self, instance_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM instances WHERE instance_id = ?", (instance_id,)).rowcount > 0

    def query(self, query: InstanceQuery) -> list[InstanceRecord]:
        where, params = "", tuple[Any, ...]()
        if query.statuses:  # narrow in SQL; times and prefixes are checked by InstanceQuery itself
            where = f"WHERE runtime_status IN ({', '.join('?' * len(query.statuses))})"
            params = tuple(query.statuses)
        found = [r for r in self._select(where, params) if query.matches(r)]
        return sorted(found, key=lambda r: r.created_time)

    def unfinished(self) -> Iterable[InstanceRecord]:
        terminal = tuple(sorted(TERMINAL_STATUSES))
        return self._select(f"WHERE runtime_status NOT IN ({', '.join('?' * len(terminal))})", terminal)

    def get_entity(self, entity_id: str) -> EntityRecord | None:
        with self._lock:
            row = self._db.execute("SELECT state, exists_, last_updated_time FROM entities WHERE entity_id = ?",
                                   (entity_id,)).fetchone()
        return None if row is None else EntityRecord(entity_id, row[0], bool(row[1]), row[2])

    def save_entity(self, record: EntityRecord) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?)",
                             (record.entity_id, record.state, int(record.exists), record.last_updated_time))

    def _select(self, where: str, params: tuple[Any, ...]) -> list[InstanceRecord]:
        columns = (*_KEY_COLUMNS, "execution_id", "next_task_id", *_JSON_COLUMNS)
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(columns)} FROM instances {where}", params).fetchall()
        return [_record(columns, row) for row in rows]


def _record(columns: tuple[str, ...], row: tuple[Any, ...]) -> InstanceRecord:
    values = dict(zip(columns, row, strict=True))
    for column in _JSON_COLUMNS:
        values[column] = None if values[column] is None else json.loads(values[column])
    return InstanceRecord.from_dict(values)
