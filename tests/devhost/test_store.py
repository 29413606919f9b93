"""The SQLite store in-process: records round-trip, queries, and a batch cut short by a crash runs again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import azure.durable_functions as df

from devhost import history as h
from devhost.activities import ActivityRunner
from devhost.app_loader import index_functions
from devhost.orchestration import Engine
from devhost.store import COMPLETED, RUNNING, EntityRecord, InstanceQuery, InstanceRecord
from devhost.store_sqlite import SqliteStore
from devhost.timeutil import format_api_time, utc_now


def test_records_round_trip_and_queries(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sub" / "state.sqlite")
    record = InstanceRecord("a1", "orch", '"in"', runtime_status=RUNNING, custom_status={"x": [1]},
                            open_timers={"0": "2030-01-01T00:00:00.000000Z"}, queued_events=[{"name": "e"}])
    store.save(record)
    store.save(InstanceRecord("b2", "orch", None, runtime_status=COMPLETED, output={"ok": True}))
    assert store.get("a1") == record
    assert [r.instance_id for r in store.unfinished()] == ["a1"]
    assert [r.instance_id for r in store.query(InstanceQuery(statuses=frozenset({COMPLETED})))] == ["b2"]
    assert [r.instance_id for r in store.query(InstanceQuery(id_prefix="b"))] == ["b2"]
    store.save_entity(EntityRecord("@counter@k", "3", True))
    assert store.get_entity("@counter@k") == EntityRecord("@counter@k", "3", True,
                                                          store.get_entity("@counter@k").last_updated_time)
    assert store.delete("b2") and not store.delete("b2")
    store.close()
    assert SqliteStore(tmp_path / "sub" / "state.sqlite").get("a1") == record  # on disk


def _app() -> df.DFApp:
    app = df.DFApp()

    @app.activity_trigger(input_name="value")
    def double(value: int) -> int:
        return value * 2

    @app.orchestration_trigger(context_name="context")
    def doubler(context: df.DurableOrchestrationContext):
        result = yield context.call_activity("double", context.get_input())
        return result

    return app


def test_a_batch_cut_short_by_a_crash_is_run_again(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.sqlite")
    # What a crash leaves: the batch's events in history, the orchestrator's answer never applied.
    now = utc_now()
    record = InstanceRecord("i1", "doubler", "21", runtime_status=RUNNING, execution_id="e1")
    record.history = [h.orchestrator_started(now), h.execution_started("doubler", "i1", "e1", "21", None)]
    record.pending_batch = {"started": format_api_time(now), "retry_events": []}
    store.save(record)
    index = index_functions(_app())

    async def resume() -> InstanceRecord | None:
        engine = Engine(index, store, ActivityRunner(index, 1, "{}", "."))
        assert engine.resume_unfinished() == 1
        for _ in range(200):
            found = store.get("i1")
            if found is not None and found.is_terminal:
                break
            await asyncio.sleep(0.02)
        engine.shutdown()
        return store.get("i1")

    finished = asyncio.run(resume())
    assert finished is not None and (finished.runtime_status, finished.output) == (COMPLETED, 42)
    assert finished.pending_batch is None
