"""The orchestration engine: instance lifecycle, and the replay loop of devhost-notes "The loop".

All state changes happen on the event loop thread; orchestrator handles run in a thread pool so a slow
replay never blocks HTTP. An instance never has two replays at once (`_driving`); instances run in
parallel."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from devhost import history as h
from devhost.actions import ActionType, find_nondeterminism, flatten, is_canceled_timer
from devhost.activities import ActivityRunner
from devhost.app_loader import FunctionIndex
from devhost.entities import EntityRunner
from devhost.failures import orchestrator_failure
from devhost.history import Event, EventType
from devhost.logs import log_exception
from devhost.replay import ReplayResult, build_context, run_handle
from devhost.scheduling import (
    EntityOperation,
    RunActivity,
    Scheduled,
    StartSubOrchestration,
    StartTimer,
    UnsupportedAction,
    Work,
    deliver_queued_events,
    is_retry_step,
    retry_step,
    schedule_actions,
    undelivered_external_events,
)
from devhost.store import (
    COMPLETED,
    CONTINUED_AS_NEW,
    FAILED,
    PENDING,
    RUNNING,
    SUSPENDED,
    TERMINATED,
    InstanceQuery,
    InstanceRecord,
    InstanceStore,
)
from devhost.timeutil import format_api_time, parse_time, utc_now
from devhost.versioning import VersionPolicy
from devhost.work import WorkRunner

log = logging.getLogger("devhost")


class StartError(Exception):
    """Starting failed for a reason the caller may read (unknown orchestrator, instance still running)."""


class UnknownOrchestrator(StartError):
    """No orchestrator is registered under the name (the extension's ArgumentException)."""


def unknown_orchestrator_message(name: str, known: list[str]) -> str:
    """The extension's ArgumentException text (DurableTaskExtension.GetInvalidOrchestratorFunctionMessage)."""
    message = (f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function. "
               "Additional info: ")
    if known:
        return message + "The following are the known orchestrator functions: '" + "', '".join(known) + "'."
    return message + "No orchestrator functions are currently registered!"


# For raise_event, terminate, suspend, resume; "conflict": suspend or resume in a state that refuses it.
Outcome = Literal["accepted", "not_found", "gone", "conflict"]


@dataclass
class _Batch:
    execution_id: str
    handle: Callable[[str], str]
    context: str  # the context JSON for the handle
    retries: Scheduled  # what the retry steps taken into this batch scheduled
    started: datetime  # the batch's OrchestratorStarted time


class Engine:
    def __init__(self, index: FunctionIndex, store: InstanceStore, activities: ActivityRunner,
                 replay_workers: int = 4, versions: VersionPolicy | None = None) -> None:
        self._index = index
        self._versions = versions or VersionPolicy()
        self._held_back: set[str] = set()  # instances whose version this worker rejects (logged once)
        self._store = store
        self._replay_pool = ThreadPoolExecutor(replay_workers, thread_name_prefix="devhost-replay")
        self.entities = EntityRunner(index, store, self._replay_pool)
        self._work = WorkRunner(activities, self.entities, self._deliver, self._start_child)
        self._driving: set[str] = set()

    # ----- the management API's operations (called on the loop) -----

    def start(self, name: str, instance_id: str | None = None, input_text: str | None = None,
              parent: dict[str, Any] | None = None, version: str | None = None) -> InstanceRecord:
        """A new instance. `version` None takes host.json's defaultVersion: the extension stamps every new
        orchestration, sub-orchestrations included, with it unless a version is asked for."""
        function = self._index.orchestrators.find(name)
        if function is None:
            raise UnknownOrchestrator(unknown_orchestrator_message(name, self._index.orchestrator_names))
        instance_id = instance_id or uuid.uuid4().hex
        existing = self._store.get(instance_id)
        if existing is not None and not existing.is_terminal:
            raise StartError(f"An Orchestration instance with the status {existing.runtime_status} already "
                             f"exists with instance id '{instance_id}'.")
        if existing is not None:  # a finished instance is replaced, as Durable does
            self._work.drop_timers(instance_id)
            self._store.delete(instance_id)
        record = InstanceRecord(instance_id, function.name, input_text, parent=parent,
                                execution_id=uuid.uuid4().hex,
                                version=self._versions.default_version if version is None else version)
        log.info("orchestration %s (%s): (new) -> %s", instance_id, record.name, PENDING)
        self._store.save(record)
        self._kick(instance_id)
        return record

    def get(self, instance_id: str) -> InstanceRecord | None:
        return self._store.get(instance_id)

    def query(self, query: InstanceQuery) -> list[InstanceRecord]:
        return self._store.query(query)

    def raise_event(self, instance_id: str, name: str, input_text: str | None) -> Outcome:
        """"accepted", "not_found" or "gone". The event waits in a queue until a wait can take it."""
        record = self._store.get(instance_id)
        if record is None:
            return "not_found"
        if record.is_terminal:
            return "gone"
        # `received` tells continue_as_new which events the ending execution had already been given.
        record.queued_events.append({"name": name, "input": input_text, "received": format_api_time(utc_now())})
        deliver_queued_events(record)
        self._store.save(record)
        if record.inbox:
            self._kick(instance_id)
        return "accepted"

    def terminate(self, instance_id: str, reason: str) -> Outcome:
        record = self._store.get(instance_id)
        if record is None:
            return "not_found"
        if record.is_terminal:
            return "gone"
        self._finish(record, TERMINATED, reason, failure=(f"The instance was terminated: {reason}", ""))
        self._store.save(record)
        return "accepted"

    def suspend(self, instance_id: str) -> Outcome:
        return self._set_suspended(instance_id, True)

    def resume(self, instance_id: str) -> Outcome:
        return self._set_suspended(instance_id, False)

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance; a running one is refused (False), as Durable refuses it."""
        record = self._store.get(instance_id)
        if record is None or not record.is_terminal:
            return False
        self._work.drop_timers(instance_id)
        return self._store.delete(instance_id)

    def purge_where(self, query: InstanceQuery) -> int:
        return sum(self.purge(r.instance_id) for r in self._store.query(query) if r.is_terminal)

    def resume_unfinished(self) -> int:
        """After a restart with a persistent store: re-arm timers (past due ones fire at once), run again
        the activities that had not answered (at least once, as on Durable), re-run a batch cut short, and
        deliver what waits in the inbox. Returns how many instances were resumed."""
        unfinished = list(self._store.unfinished())
        for record in unfinished:
            work: list[Work] = [StartTimer(int(t), parse_time(at)) for t, at in record.open_timers.items()]
            work += [RunActivity(int(t), w["name"], w.get("input")) for t, w in record.open_work.items()
                     if w["kind"] == "activity"]
            self._work.start(record.instance_id, record.execution_id, work)
            self._resume_children(record)
            self._kick(record.instance_id)
        return len(unfinished)

    def _resume_children(self, record: InstanceRecord) -> None:
        """Sub-orchestrations the crash may have cut off: start a missing child, re-send a finished one's end."""
        for task_id, work in record.open_work.items():
            if work["kind"] != "suborchestration":
                continue
            child = self._store.get(work["instance_id"])
            if child is None:
                task = record.tasks.get(task_id, {})
                self._start_child(record.instance_id, record.execution_id,
                                  StartSubOrchestration(int(task_id), work["name"], work["instance_id"],
                                                        task.get("input"), task.get("version")))
            elif child.is_terminal and child.parent:
                failed = child.runtime_status != COMPLETED
                self._post(record.instance_id, record.execution_id,
                           h.sub_orchestration_failed(int(task_id), str(child.output), "") if failed
                           else h.sub_orchestration_completed(int(task_id), json.dumps(child.output)))

    def shutdown(self) -> None:
        self._work.shutdown()
        self._replay_pool.shutdown(wait=False, cancel_futures=True)

    # ----- the replay loop -----

    def _kick(self, instance_id: str) -> None:
        if instance_id not in self._driving:  # a running drive loop picks new inbox events up itself
            self._driving.add(instance_id)
            self._work.spawn(self._drive(instance_id))

    async def _drive(self, instance_id: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            while (batch := self._begin_batch(instance_id)) is not None:
                result = await loop.run_in_executor(self._replay_pool, run_handle, batch.handle,
                                                    batch.context)
                self._end_batch(instance_id, batch, result)
        except Exception as exc:  # a devhost bug: fail the instance loudly rather than leave it hanging
            log_exception(log, f"devhost internal error running orchestration {instance_id}", exc)
            record = self._store.get(instance_id)
            if record is not None and not record.is_terminal:
                self._finish(record, FAILED, f"devhost internal error: {type(exc).__name__}", None)
                self._store.save(record)
        finally:
            self._driving.discard(instance_id)

    def _begin_batch(self, instance_id: str) -> _Batch | None:
        record = self._store.get(instance_id)
        if record is None or record.is_terminal or record.runtime_status == SUSPENDED:
            return None
        if record.history and not record.inbox and record.pending_batch is None:
            return None
        function = self._index.orchestrators.find(record.name)
        if function is None:
            self._finish(record, FAILED, f"The orchestrator function '{record.name}' no longer exists.", None)
            self._store.save(record)
            return None
        if not self._versions.accepts(record.version):
            self._refuse_version(record)
            return None
        if record.pending_batch is not None:  # cut short by a crash: its events are in history, run it again
            pending = record.pending_batch
            retries = Scheduled(pending["retry_events"])  # their work is in open_work/open_timers, re-armed
            return _Batch(record.execution_id, function.handle, build_context(record), retries,
                          parse_time(pending["started"]))
        now = utc_now()
        events = [h.orchestrator_started(now)]
        if not record.history:
            parent = record.parent["instance_id"] if record.parent else None
            events.append(h.execution_started(record.name, instance_id, record.execution_id, record.input,
                                              parent, record.version))
        taken, retries = self._take_inbox(record, now)
        record.history.extend(events + taken)
        record.pending_batch = {"started": format_api_time(now), "retry_events": retries.events}
        self._set_status(record, RUNNING)
        record.touch()
        self._store.save(record)
        return _Batch(record.execution_id, function.handle, build_context(record), retries, now)

    def _refuse_version(self, record: InstanceRecord) -> None:
        """versionMatchStrategy rejects the instance's version: Reject leaves it waiting (on Azure, for a
        worker whose defaultVersion matches; devhost has no other), Fail fails it."""
        if self._versions.fails:
            message = (f"The orchestration version '{record.version}' does not match the worker version "
                       f"'{self._versions.default_version}' ({self._versions.match}).")
            self._finish(record, FAILED, message, failure=(message, ""))
            self._store.save(record)
        elif record.instance_id not in self._held_back:
            self._held_back.add(record.instance_id)
            log.warning("orchestration %s (%s): version %r is not run by this worker (defaultVersion %r, %s); "
                        "it stays %s", record.instance_id, record.name, record.version,
                        self._versions.default_version, self._versions.match, record.runtime_status)

    def _take_inbox(self, record: InstanceRecord, now: datetime) -> tuple[list[Event], Scheduled]:
        """The inbox events for this batch, ordered so the SDK gives task ids in the host's order.

        Retry steps come first (they resume no user code). At most one EventRaised per batch: with two
        waits open the SDK hands an event to the newest, so one at a time keeps waits and events paired."""
        steps = [e for e in record.inbox if is_retry_step(record, e)]
        step_ids = {id(e) for e in steps}
        rest = [e for e in record.inbox if id(e) not in step_ids]
        raised = [e for e in rest if e["EventType"] == EventType.EVENT_RAISED]
        others = [e for e in rest if e["EventType"] != EventType.EVENT_RAISED]
        record.inbox = raised[1:]
        scheduled = Scheduled()
        for event in steps:
            scheduled.extend(retry_step(record, event, now))
        return steps + raised[:1] + others, scheduled

    def _end_batch(self, instance_id: str, batch: _Batch, result: ReplayResult) -> None:
        record = self._store.get(instance_id)
        if record is None or record.execution_id != batch.execution_id or record.is_terminal:
            return  # terminated, purged or restarted while the orchestrator ran: its answer is void
        record.pending_batch = None
        if result.custom_status is not None:  # falsy values never arrive: keep the last one
            record.custom_status = result.custom_status
        actions = flatten(result.actions)
        work = self._apply(record, batch, result, actions)
        record.touch()
        self._store.save(record)
        self._work.start(record.instance_id, record.execution_id, work)

    def _apply(self, record: InstanceRecord, batch: _Batch, result: ReplayResult,
               actions: list[dict[str, Any]]) -> list[Work]:
        index_of_task = {t: i for i, t in enumerate(record.action_task_ids) if t is not None}
        problem = find_nondeterminism(record.actions_seen, actions, record.history, index_of_task)
        if problem is not None:
            log.error("orchestration %s (%s) is non-deterministic: %s", record.instance_id, record.name,
                      problem)
            message = (f"Non-deterministic orchestrator '{record.name}': {problem}. Orchestrators must "
                       "schedule the same tasks in the same order on every replay.")
            self._finish(record, FAILED, message, failure=(message, ""))
            return []
        if result.error is not None:
            log.warning("orchestration %s (%s) raised %s", record.instance_id, record.name, result.error_type)
            reason, details = orchestrator_failure(record.name, result.error)
            self._finish(record, FAILED, reason, failure=(reason, details))
            return []
        self._drop_cancelled_timers(record, actions)
        new = actions[len(record.actions_seen):]
        record.actions_seen = actions
        try:
            scheduled = schedule_actions(record, new, batch.started)
        except UnsupportedAction as exc:
            self._finish(record, FAILED, str(exc), failure=(str(exc), ""))
            return []
        if result.is_done:
            return self._done(record, actions, result, scheduled, batch.started)
        record.history.extend(batch.retries.events + scheduled.events + [h.orchestrator_completed()])
        deliver_queued_events(record)
        return batch.retries.work + scheduled.work

    def _done(self, record: InstanceRecord, actions: list[dict[str, Any]], result: ReplayResult,
              scheduled: Scheduled, started: datetime) -> list[Work]:
        # Signals are fire-and-forget: they go out even though the execution ends here.
        signals: list[Work] = [w for w in scheduled.work
                               if isinstance(w, EntityOperation) and w.reply_id is None]
        if actions and actions[-1].get("actionType") == ActionType.CONTINUE_AS_NEW:
            self._continue_as_new(record, actions[-1].get("input"), started)
        else:
            self._finish(record, COMPLETED, result.output, None)
        return signals

    def _continue_as_new(self, record: InstanceRecord, new_input: str | None, started: datetime) -> None:
        """Same instance, fresh history and the new input, same version.

        Events raised before the final episode began are dropped, consumed or not: the extension's
        out-of-process shim calls ContinueAsNew(input) without preserveUnprocessedEvents
        (Listener/OutOfProcOrchestrationShim.cs), so on Azure they are lost. Events raised while that episode
        ran were still in the queue there, so they go to the new execution."""
        self._work.drop_timers(record.instance_id)
        kept = [e for e in undelivered_external_events(record) + record.queued_events
                if e.get("received") and parse_time(e["received"]) >= started]
        if len(kept) < len(record.queued_events) + len(undelivered_external_events(record)):
            log.info("orchestration %s (%s): continue_as_new drops events it had not consumed",
                     record.instance_id, record.name)
        record.queued_events = kept
        record.input = new_input
        record.execution_id = uuid.uuid4().hex
        record.history, record.actions_seen, record.action_task_ids = [], [], []
        record.next_task_id, record.tasks, record.retries = 0, {}, {}
        record.inbox, record.delivered_events, record.open_timers, record.open_work = [], {}, {}, {}
        self._set_status(record, CONTINUED_AS_NEW)

    def _finish(self, record: InstanceRecord, status: str, output: Any,
                failure: tuple[str, str] | None) -> None:
        self._set_status(record, status)
        record.output = output
        record.inbox, record.open_timers, record.open_work = [], {}, {}
        record.pending_batch = None
        self._work.drop_timers(record.instance_id)
        record.touch()
        if record.parent:
            parent, task_id = record.parent, record.parent["task_id"]
            event = (h.sub_orchestration_completed(task_id, json.dumps(output)) if failure is None
                     else h.sub_orchestration_failed(task_id, failure[0], failure[1]))
            self._post(parent["instance_id"], parent["execution_id"], event)

    def _set_status(self, record: InstanceRecord, status: str) -> None:
        if record.runtime_status != status:
            log.info("orchestration %s (%s): %s -> %s", record.instance_id, record.name,
                     record.runtime_status, status)
            record.runtime_status = status

    def _set_suspended(self, instance_id: str, suspended: bool) -> Outcome:
        record = self._store.get(instance_id)
        if record is None:
            return "not_found"
        if record.is_terminal:
            return "gone"
        # DurableClient.SuspendAsync/ResumeAsync: only Running, Pending or ContinuedAsNew instances suspend and
        # only Suspended ones resume; anything else is an InvalidOperationException.
        if suspended != (record.runtime_status in (RUNNING, PENDING, CONTINUED_AS_NEW)):
            return "conflict"
        self._set_status(record, SUSPENDED if suspended else RUNNING)
        self._store.save(record)
        if not suspended:
            self._kick(instance_id)
        return "accepted"

    # ----- completions coming back -----

    def _start_child(self, instance_id: str, execution_id: str, item: StartSubOrchestration) -> None:
        parent = {"instance_id": instance_id, "execution_id": execution_id, "task_id": item.task_id}
        try:
            self.start(item.name, item.instance_id, item.input, parent=parent, version=item.version)
        except StartError as exc:
            self._post(instance_id, execution_id, h.sub_orchestration_failed(item.task_id, str(exc), ""))

    def _deliver(self, instance_id: str, execution_id: str, event: Event) -> None:
        """A task finished: put its event in the inbox, unless the execution it belongs to is gone."""
        record = self._store.get(instance_id)
        if record is None or record.execution_id != execution_id or record.is_terminal:
            return
        task_id = event.get("TaskScheduledId", event.get("TimerId"))
        if task_id is not None:
            record.open_work.pop(str(task_id), None)
            record.open_timers.pop(str(task_id), None)
            self._work.timer_done(instance_id, task_id)
        record.inbox.append(event)
        self._store.save(record)
        self._kick(instance_id)

    def _post(self, instance_id: str, execution_id: str, event: Event) -> None:
        # Deliver on the next loop turn: the caller may still hold a record it is about to save.
        asyncio.get_running_loop().call_soon(self._deliver, instance_id, execution_id, event)

    def _drop_cancelled_timers(self, record: InstanceRecord, actions: list[dict[str, Any]]) -> None:
        for index, before in enumerate(record.actions_seen):
            task_id = record.action_task_ids[index]
            if task_id is not None and is_canceled_timer(actions[index]) and not is_canceled_timer(before):
                self._work.timer_done(record.instance_id, task_id)
                record.open_timers.pop(str(task_id), None)
                record.inbox = [e for e in record.inbox if e.get("TimerId") != task_id]
