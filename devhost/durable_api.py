"""The Durable extension's HTTP management API at /runtime/webhooks/durabletask/, as the SDK client calls it.

Status codes follow what DurableOrchestrationClient expects: see its start_new, raise_event, get_status,
terminate, purge_instance_history(_by), signal_entity and read_entity_state."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from aiohttp import web

from devhost.client_binding import WEBHOOK_PATH, management_urls
from devhost.entities import entity_id
from devhost.orchestration import Engine, StartError, UnknownOrchestrator
from devhost.scheduling import EntityOperation
from devhost.status_view import status_body
from devhost.store import InstanceQuery
from devhost.timeutil import parse_time

_STATUS_NAMES = {"pending": "Pending", "running": "Running", "completed": "Completed",
                 "continuedasnew": "ContinuedAsNew", "failed": "Failed", "terminated": "Terminated",
                 "suspended": "Suspended", "canceled": "Canceled"}
_OUTCOME_STATUS = {"accepted": 202, "not_found": 404, "gone": 410, "conflict": 500}


# The extension delivers a client's entity signal through a queue: in Azure it lands tens to hundreds of
# milliseconds later. devhost applies it at once unless told to wait, which hides races a client must
# handle (read the entity, then signal it); set this to play Azure's latency.
SIGNAL_DELAY_ENV = "DEVHOST_ENTITY_SIGNAL_DELAY_MS"
# Termination goes through the task hub's queues too (on Azure they poll every ~30 s when idle): with this set, a
# terminate request is accepted at once and takes effect that many milliseconds later.
TERMINATE_DELAY_ENV = "DEVHOST_TERMINATE_DELAY_MS"


class DurableApi:
    def __init__(self, engine: Engine, hub: str) -> None:
        self._engine = engine
        self._hub = hub
        self._signal_delay = max(0.0, float(os.environ.get(SIGNAL_DELAY_ENV, "0") or 0)) / 1000
        self._terminate_delay = max(0.0, float(os.environ.get(TERMINATE_DELAY_ENV, "0") or 0)) / 1000

    def routes(self) -> list[web.RouteDef]:
        base = WEBHOOK_PATH
        return [
            web.post(f"{base}/orchestrators/{{name}}", self.start),
            web.post(f"{base}/orchestrators/{{name}}/{{instance_id}}", self.start),
            web.get(f"{base}/instances", self.list_instances),
            web.get(f"{base}/instances/", self.list_instances),
            web.delete(f"{base}/instances", self.purge_where),
            web.delete(f"{base}/instances/", self.purge_where),
            web.get(f"{base}/instances/{{instance_id}}", self.status),
            web.delete(f"{base}/instances/{{instance_id}}", self.purge),
            web.post(f"{base}/instances/{{instance_id}}/raiseEvent/{{event}}", self.raise_event),
            web.post(f"{base}/instances/{{instance_id}}/terminate", self.terminate),
            web.post(f"{base}/instances/{{instance_id}}/suspend", self.suspend),
            web.post(f"{base}/instances/{{instance_id}}/resume", self.resume),
            web.post(f"{base}/instances/{{instance_id}}/restart", self.restart),
            web.post(f"{base}/instances/{{instance_id}}/rewind", self.rewind),
            web.get(f"{base}/entities/{{name}}/{{key}}", self.read_entity),
            web.post(f"{base}/entities/{{name}}/{{key}}", self.signal_entity),
        ]

    async def start(self, request: web.Request) -> web.Response:
        """HttpApiHandler.HandleStartOrchestratorRequestAsync: start, then either answer 202 with the
        management URLs or, given both `timeout` and `pollingInterval` (seconds), wait like
        WaitForCompletionOrCreateCheckStatusResponseAsync. `version` is what the SDK's start_new(version=)
        sends; without it the instance gets host.json's defaultVersion."""
        try:
            input_text = _start_input(await request.text())
        except ValueError:
            return _error(400, "The request body is not valid JSON.")
        timeout, interval = _seconds(request.query, "timeout"), _seconds(request.query, "pollingInterval")
        if timeout is not None and interval is not None and interval > timeout:
            return _argument_error(f"Total timeout {timeout:g} should be bigger than retry timeout {interval:g}")
        try:
            record = self._engine.start(request.match_info["name"], request.match_info.get("instance_id"),
                                        input_text, version=request.query.get("version"))
        except UnknownOrchestrator as exc:
            return _argument_error(str(exc))
        except StartError as exc:
            return _error(400, str(exc))
        if timeout is not None and interval is not None:
            return await self._wait_or_check_status(request, record.instance_id, timeout, interval)
        return self._check_status(request, record.instance_id)

    def _check_status(self, request: web.Request, instance_id: str) -> web.Response:
        urls = management_urls(_origin(request), self._hub, instance_id)
        return web.json_response(urls, status=202, headers={"Location": urls["statusQueryGetUri"],
                                                            "Retry-After": "10"})

    async def _wait_or_check_status(self, request: web.Request, instance_id: str, timeout: float,
                                    interval: float) -> web.Response:
        """Completed within `timeout`: 200 with the output; Failed or Terminated: the status answer;
        still going: the 202 check-status answer (DurableClient polls at `interval`, as here)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (record := self._engine.get(instance_id)) is not None and not record.is_terminal:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.sleep(min(interval, remaining) or 0.01)
        if record is None or not record.is_terminal:
            return self._check_status(request, instance_id)
        if record.runtime_status == "Completed":
            return web.json_response(record.output, status=200)
        body = status_body(record, show_input=True)
        failed_500 = record.runtime_status == "Failed" and _flag(request.query, "returnInternalServerErrorOnFailure",
                                                                 False)
        return web.json_response(body, status=500 if failed_500 else 200)

    async def status(self, request: web.Request) -> web.Response:
        record = self._engine.get(request.match_info["instance_id"])
        if record is None:
            return web.Response(status=404)
        query = request.query
        body = status_body(record, _flag(query, "showInput", True), _flag(query, "showHistory", False),
                           _flag(query, "showHistoryOutput", False))
        if record.runtime_status == "Failed" and _flag(query, "returnInternalServerErrorOnFailure", False):
            return web.json_response(body, status=500)
        if record.is_terminal:
            return web.json_response(body, status=200)
        headers = {"Location": str(request.url), "Retry-After": "10"}
        return web.json_response(body, status=202, headers=headers)

    async def list_instances(self, request: web.Request) -> web.Response:
        try:
            query = _query(request)
        except ValueError:
            return _error(400, "createdTimeFrom and createdTimeTo must be ISO 8601 times.")
        show_input = _flag(request.query, "showInput", True)
        return web.json_response([status_body(r, show_input) for r in self._engine.query(query)])

    async def purge(self, request: web.Request) -> web.Response:
        deleted = self._engine.purge(request.match_info["instance_id"])
        return web.json_response({"instancesDeleted": int(deleted)}, status=200 if deleted else 404)

    async def purge_where(self, request: web.Request) -> web.Response:
        try:
            query = _query(request)
        except ValueError:
            return _error(400, "createdTimeFrom and createdTimeTo must be ISO 8601 times.")
        deleted = self._engine.purge_where(query)
        return web.json_response({"instancesDeleted": deleted}, status=200 if deleted else 404)

    async def raise_event(self, request: web.Request) -> web.Response:
        text = await request.text()
        if text.strip():
            try:
                json.loads(text)
            except ValueError:
                return _error(400, "Only application/json request content is supported")
        # Kept as sent: the SDK's raise_event encodes twice, so the orchestrator gets a string (as on Azure).
        outcome = self._engine.raise_event(request.match_info["instance_id"], request.match_info["event"],
                                           text if text.strip() else None)
        return web.json_response(None, status=_OUTCOME_STATUS[outcome])

    async def terminate(self, request: web.Request) -> web.Response:
        instance_id, reason = request.match_info["instance_id"], request.query.get("reason", "")
        if self._terminate_delay > 0:  # like Azure: the request is queued, the instance ends when it is processed
            if self._engine.get(instance_id) is None:
                return web.json_response(None, status=_OUTCOME_STATUS["not_found"])
            asyncio.get_running_loop().call_later(self._terminate_delay, self._engine.terminate, instance_id, reason)
            return web.json_response(None, status=_OUTCOME_STATUS["accepted"])
        outcome = self._engine.terminate(instance_id, reason)
        return web.json_response(None, status=_OUTCOME_STATUS[outcome])

    async def suspend(self, request: web.Request) -> web.Response:
        return self._suspend_or_resume(request, "suspend")

    async def resume(self, request: web.Request) -> web.Response:
        return self._suspend_or_resume(request, "resume")

    def _suspend_or_resume(self, request: web.Request, verb: str) -> web.Response:
        instance_id = request.match_info["instance_id"]
        before = self._engine.get(instance_id)
        change = self._engine.suspend if verb == "suspend" else self._engine.resume
        outcome = change(instance_id)
        if outcome == "conflict" and before is not None:
            # DurableClient.SuspendAsync/ResumeAsync throw InvalidOperationException with this text;
            # HttpApiHandler.HandleRequestAsync turns it into 500 "Something went wrong...".
            return _error(500, f"Cannot {verb} the orchestration instance {instance_id} because instance is "
                               f"in the {before.runtime_status} state.",
                          message="Something went wrong while processing your request",
                          exception_type="System.InvalidOperationException")
        return web.json_response(None, status=_OUTCOME_STATUS[outcome])

    async def restart(self, request: web.Request) -> web.Response:
        record = self._engine.get(request.match_info["instance_id"])
        if record is None:
            return web.json_response(None, status=404)
        same_id = request.query.get("restartWithNewInstanceId", "true").lower() == "false"
        new_id = record.instance_id if same_id else None
        if same_id and not record.is_terminal:
            return _error(409, "Only a finished instance can be restarted under its own id.")
        try:
            started = self._engine.start(record.name, new_id, record.input)
        except StartError as exc:
            return _error(400, str(exc))
        return web.json_response(started.instance_id, status=202)

    async def rewind(self, request: web.Request) -> web.Response:
        return _error(501, "devhost does not support rewind.")

    async def read_entity(self, request: web.Request) -> web.Response:
        record = self._engine.entities.read(request.match_info["name"], request.match_info["key"])
        if record is None or not record.exists:
            return web.Response(status=404)
        return web.Response(status=200, text=record.state or "null", content_type="application/json")

    async def signal_entity(self, request: web.Request) -> web.Response:
        name, key = request.match_info["name"], request.match_info["key"]
        operation = request.query.get("op", "")
        if not self._engine.entities.exists_function(name):
            return _error(404, f"No entity function named '{name}' was found.")
        text = await request.text()
        # The SDK sends the operation input JSON-encoded twice already; entity functions decode twice.
        operation_input = text or "null"
        operation_message = EntityOperation(entity_id(name, key), operation, operation_input, None)
        if self._signal_delay:  # the same delay for every signal keeps their order, as a queue would
            asyncio.get_running_loop().call_later(self._signal_delay, self._engine.entities.submit,
                                                  operation_message, None)
        else:
            self._engine.entities.submit(operation_message, None)
        return web.json_response(None, status=202)


def _start_input(text: str) -> str | None:
    """The orchestrator input as the context's `input` string: JSON text.

    The SDK posts its JSON text as a JSON string (it encodes twice); other JSON bodies are the input."""
    if not text.strip():
        return None
    value = json.loads(text)
    return value if isinstance(value, str) else json.dumps(value)


def _query(request: web.Request) -> InstanceQuery:
    query = request.query
    statuses = None
    if query.get("runtimeStatus"):
        names = [s.strip().lower() for s in query["runtimeStatus"].split(",") if s.strip()]
        statuses = frozenset(_STATUS_NAMES.get(n, n) for n in names)
    return InstanceQuery(
        created_from=parse_time(query["createdTimeFrom"]) if query.get("createdTimeFrom") else None,
        created_to=parse_time(query["createdTimeTo"]) if query.get("createdTimeTo") else None,
        statuses=statuses,
        id_prefix=query.get("instanceIdPrefix") or None,
    )


def _flag(query: Any, name: str, default: bool) -> bool:
    value = query.get(name)
    return default if value is None else value.strip().lower() == "true"


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _seconds(query: Any, name: str) -> float | None:
    """A TimeSpan query value as HttpApiHandler reads it: seconds as a number, anything else absent."""
    try:
        value = float(query.get(name, ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _argument_error(exception_message: str) -> web.Response:
    # HttpApiHandler.HandleRequestAsync answers an ArgumentException (e.g. an unknown orchestrator) so.
    return _error(400, exception_message, message="One or more of the arguments submitted is incorrect",
                  exception_type="System.ArgumentException")


def _error(status: int, exception_message: str, message: str | None = None,
           exception_type: str | None = None) -> web.Response:
    """The extension's error body (CreateErrorResponse): the SDK's start_new reads `ExceptionMessage`."""
    body = {"Message": message or exception_message, "ExceptionMessage": exception_message}
    if exception_type:
        body["ExceptionType"] = exception_type
    return web.json_response(body, status=status)
