"""The debug API's handlers: validate, redact, start or signal the session, answer with its envelope.

Each public coroutine takes the request (and the Durable client) and returns an HttpResponse; the
HTTP triggers in blueprints/api.py only call them. Errors are ApiError below this layer and the
contract's error body here; nothing unexpected ever shows internals."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import azure.functions as func
from azure.durable_functions import DurableOrchestrationClient, OrchestrationRuntimeStatus

from shared import telemetry
from shared.azure.delegated_start import sealed_delegation
from shared.cases.problem import recall
from shared.cases.store import case_memory
from shared.engines.budget import planned_options
from shared.errors import ApiError, not_found
from shared.http.admission import admit, release
from shared.http.idempotency import already_started, idempotency_key, keyed_trace_id
from shared.http.validation import parse_continue, parse_feedback, parse_start
from shared.models import MAX_FEEDBACK_NOTE_CHARS, ContinueRequest, Envelope, ErrorDetail, Links
from shared.orchestration.orchestrator import CLIENT_EVENT
from shared.resilience.memory_guard import GUARD
from shared.security.ownership import caller_id, owned_by, session_input
from shared.security.poll_token import make_token, new_nonce, token_is_valid
from shared.security.redaction import redact_text
from shared.security.redaction_numbers import session_numbering
from shared.session.material import apply_reopen, delta_from_continue, material_from_start
from shared.session.state import SessionState
from shared.settings import load_settings

ORCHESTRATOR = "debug_session"
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
DELETE_WAIT_STEPS = 100  # 10 s of 0.1 s polls for a terminated session to finish before it is purged
_FINISHED = {OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
             OrchestrationRuntimeStatus.Terminated}
_JSON_HEADERS = {"Cache-Control": "no-store"}


@telemetry.traced_request("debug")
async def start_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    return await _guard(None, lambda: _start(req, client))


@telemetry.traced_request("debug/{trace_id}/continue")
async def continue_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    trace_id = req.route_params.get("trace_id", "")
    return await _guard(trace_id, lambda: _continue(req, client, trace_id, caller_id(req)))


@telemetry.traced_request("debug/{trace_id}/feedback")
async def feedback_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    trace_id = req.route_params.get("trace_id", "")
    return await _guard(trace_id, lambda: _feedback(req, client, trace_id, caller_id(req)))


@telemetry.traced_request("debug/{trace_id}")
async def get_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    trace_id = req.route_params.get("trace_id", "")
    return await _guard(trace_id, lambda: _get(req, client, trace_id, caller_id(req)))


@telemetry.traced_request("debug/{trace_id}/poll")
async def poll_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    trace_id = req.route_params.get("trace_id", "")

    async def poll() -> func.HttpResponse:
        token = req.params.get("token", "")
        status = await _status(client, trace_id)
        capability = await _capability(client, trace_id, status)
        if capability is None or not token_is_valid(load_settings().poll_token_secret, trace_id, token, time.time(),
                                                    *capability):
            raise not_found()  # a wrong, expired, revoked or foreign token reads like an unknown session
        envelope, _ = envelope_from_status(trace_id, status)
        return _render(req, envelope, capability)  # the token is the capability: no caller needed
    return await _guard(trace_id, poll)


@telemetry.traced_request("debug/{trace_id}")
async def delete_session(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    trace_id = req.route_params.get("trace_id", "")
    return await _guard(trace_id, lambda: _delete(client, trace_id, caller_id(req)))


def health(req: func.HttpRequest) -> func.HttpResponse:
    settings = load_settings()
    if settings.unconfigured:
        body = {"status": "unavailable", "reason": settings.unconfigured, "contract": "v1"}
        return func.HttpResponse(json.dumps(body), status_code=503, mimetype="application/json",
                                 headers=_JSON_HEADERS)
    body = {"status": "ok", "engine": "rules" if GUARD.observe() else settings.engine, "contract": "v1",
            "memory_pressure": "shedding" if GUARD.shedding else "ok",
            "memory": "on" if case_memory() is not None else "off"}
    return func.HttpResponse(json.dumps(body), status_code=200, mimetype="application/json",
                             headers=_JSON_HEADERS)


async def _start(req: func.HttpRequest, client: DurableOrchestrationClient) -> func.HttpResponse:
    settings = load_settings()
    shed_start(len(req.get_body()), settings.memory.shed_start_max_bytes, settings.retry_after_seconds)
    request = parse_start(req.get_body())
    owner = caller_id(req)
    key = idempotency_key(req)  # the same key from the same caller names the same session
    trace_id = keyed_trace_id(settings.security.caller_secret, owner, key) if key else secrets.token_hex(16)
    if key and await already_started(client, trace_id, settings.session_ttl_seconds):
        return await _get(req, client, trace_id, owner)
    delegation = sealed_delegation(req, trace_id)  # before admission: a refused token costs no rate
    await admit(client, owner, trace_id, starting=True)
    numbering = session_numbering(trace_id)
    material = material_from_start(request, numbering)
    hint = await asyncio.to_thread(recall, material.error_description)  # the case memory's read, off the loop
    options = planned_options(request.options, material, settings.azure_access == "app", hint)
    state = SessionState(trace_id=trace_id, options=options, ttl_seconds=settings.session_ttl_seconds,
                         azure_access=settings.azure_access == "app", material=material, owner=owner,
                         redaction_numbers=numbering.known, delegation=delegation,
                         poll_nonce=new_nonce(), poll_expires_at=int(time.time()) + settings.session_ttl_seconds,
                         model_token_budget=settings.llm.max_tokens if settings.engine != "rules" and
                         settings.llm.endpoint else None,
                         verify_after_seconds=request.options.verify_after_minutes * settings.verify_minute_seconds,
                         memory_hint=hint)
    telemetry.stamp_session(state)  # the request's traceparent: every span of the session joins its trace
    try:
        await client.start_new(ORCHESTRATOR, trace_id, state.model_dump(mode="json"))
    except Exception:
        if not key or not await already_started(client, trace_id, settings.session_ttl_seconds):
            raise
        return await _get(req, client, trace_id, owner)  # an identical request started it a moment ago
    telemetry.count_session_started()
    envelope, _ = await _wait_for_client_state(client, trace_id, 0, request.options.wait_seconds)
    return _render(req, envelope, (state.poll_nonce, state.poll_expires_at))


async def _continue(req: func.HttpRequest, client: DurableOrchestrationClient, trace_id: str,
                    owner: str) -> func.HttpResponse:
    request = parse_continue(req.get_body())
    status = await _status(client, trace_id, owner)
    envelope, turn = envelope_from_status(trace_id, status)
    if envelope.status in ("done", "fail") and request.reopen:
        return await _reopen(req, client, request, status, envelope, owner)
    if envelope.status in ("done", "fail"):
        raise ApiError(409, "session_finished", f"The session has finished with status '{envelope.status}'; "
                       "send \"reopen\": true with what changed to start a new round.")
    waits = envelope.next_action in ("answer", "continue")
    sent = _material_sent(request)
    if not waits and sent:  # a working session has no turn to take them with: they would be lost
        raise ApiError(409, "session_working",
                       f"The session is still working; {' and '.join(sent)} can only be sent when it asks "
                       "(status request) or pauses (next_action continue). Poll, then send them again.")
    # A fresh Azure token (delegated identity) is taken with the turn it comes with; checked before admission
    # like the start's, so a refused token costs no rate. A working session has no turn to take it with.
    delegation = sealed_delegation(req, trace_id) if waits else None
    await admit(client, owner, trace_id, starting=False)
    if waits:
        numbering = session_numbering(trace_id, session_input(status).get("redaction_numbers"))
        delta = delta_from_continue(turn, request.answer, request.context, numbering)
        delta.redaction_numbers = numbering.known
        delta.delegation = delegation
        try:
            await client.raise_event(trace_id, CLIENT_EVENT, delta.model_dump(mode="json"))
        except Exception as exc:
            # Only a session that finished (or was purged) between our read and the event is a conflict; any
            # other failure is the service's, reported as 500 with the trace_id so the client retries.
            latest = await client.get_status(trace_id)
            if not latest or latest.runtime_status in _FINISHED:
                raise ApiError(409, "session_finished", "The session has finished.") from exc
            raise
        turn += 1
    envelope, _ = await _wait_for_client_state(client, trace_id, turn, request.options.wait_seconds)
    return _render(req, envelope, await _capability(client, trace_id, status))


async def _reopen(req: func.HttpRequest, client: DurableOrchestrationClient, request: ContinueRequest,
                  status: Any, finished: Envelope, owner: str) -> func.HttpResponse:
    """A new round of a finished session (contract v1.1): its evidence kept, the answer added, and the earlier
    conclusion counted `not_fixed` and ruled out, so the next conclusion differs or the session says why not."""
    trace_id = finished.trace_id
    if finished.reason == "cancelled":
        raise ApiError(409, "session_cancelled", "A cancelled session cannot be re-opened; start a new one.")
    if status.runtime_status not in _FINISHED:  # done, but its fix verification is still waiting to re-check
        raise ApiError(409, "session_verifying", "The session is verifying its fix; re-open it once the "
                       "verification has finished (report.verification), or DELETE it.")
    delegation = sealed_delegation(req, trace_id)
    await admit(client, owner, trace_id, starting=False)
    state = SessionState.model_validate(session_input(status))
    numbering = session_numbering(trace_id, state.redaction_numbers)
    delta = delta_from_continue(state.turn, request.answer, request.context, numbering)
    earlier = finished.report.category if finished.report else None
    apply_reopen(state, delta, numbering.known, earlier, delegation)
    if earlier:
        await _count_not_fixed(trace_id)
    await client.start_new(ORCHESTRATOR, trace_id, state.model_dump(mode="json"))
    envelope, _ = await _wait_for_client_state(client, trace_id, state.turn, request.options.wait_seconds)
    return _render(req, envelope, await _capability(client, trace_id, status))


async def _count_not_fixed(trace_id: str) -> None:
    memory = case_memory()
    if memory is not None:
        try:
            await asyncio.to_thread(memory.record_feedback, trace_id, "not_fixed", None)
        except Exception as exc:  # the memory is an aid: the new round runs without it
            logging.warning("case memory unavailable: %s", type(exc).__name__)


async def _feedback(req: func.HttpRequest, client: DurableOrchestrationClient, trace_id: str,
                    owner: str) -> func.HttpResponse:
    """Feedback on a finished session (contract v1.1): counted for its case in the memory; the last one counts."""
    request = parse_feedback(req.get_body())
    status = await _status(client, trace_id, owner)
    envelope, _ = envelope_from_status(trace_id, status)
    if envelope.status not in ("done", "fail"):
        raise ApiError(409, "session_working", "Feedback is taken on a finished session (done or fail); this one "
                       "is still working or waiting for an answer.")
    memory = case_memory()
    if memory is None:
        raise _memory_unavailable("This deployment has no case memory (storage not configured); the feedback was "
                                  "not recorded.", retry_after=300)
    note = redact_text(request.note)[:MAX_FEEDBACK_NOTE_CHARS] if request.note else None
    try:
        await asyncio.to_thread(memory.record_feedback, trace_id, request.outcome, note)
    except Exception as exc:  # the store is down: say so, the client may send it again
        logging.warning("case memory unavailable for feedback: %s", type(exc).__name__)
        raise _memory_unavailable("The case memory cannot be reached right now; the feedback was not recorded. "
                                  "Send it again later.", retry_after=60) from exc
    telemetry.record_feedback(request.outcome)
    return _render(req, envelope, await _capability(client, trace_id, status))


def _memory_unavailable(message: str, retry_after: int) -> ApiError:
    error = ApiError(503, "memory_unavailable", message)
    error.headers["Retry-After"] = str(retry_after)
    return error


def _material_sent(request: Any) -> list[str]:
    """The parts of a continue body that carry material (an empty body only waits)."""
    context = request.context
    sent = ["the answer"] if request.answer else []
    if context is not None and context.source_files:
        sent.append("context.source_files")
    if context is not None and context.environment_info:
        sent.append("context.environment_info")
    return sent


async def _get(req: func.HttpRequest, client: DurableOrchestrationClient, trace_id: str,
               owner: str | None) -> func.HttpResponse:
    status = await _status(client, trace_id, owner)
    envelope, _ = envelope_from_status(trace_id, status)
    return _render(req, envelope, await _capability(client, trace_id, status))


async def _capability(client: DurableOrchestrationClient, trace_id: str, status: Any) -> tuple[str, int] | None:
    """The session's poll capability (nonce, fixed expiry): published with its status, or, in the moment before the
    orchestrator first runs, read from its input. None for a session started before capabilities had nonces."""
    custom = _custom_status(status)
    poll = custom.get("poll") if isinstance(custom, dict) else None
    if isinstance(poll, dict) and poll.get("nonce"):
        return str(poll["nonce"]), int(poll["exp"])
    data = session_input(status)
    if not data:
        data = session_input(await client.get_status(trace_id, show_input=True) or status)
    return (str(data["poll_nonce"]), int(data["poll_expires_at"])) if data.get("poll_nonce") else None


def _custom_status(status: Any) -> Any:
    """The instance's custom status (the orchestrator publishes `{"turn", "envelope", "poll"}`), parsed if text."""
    custom = status.custom_status
    return json.loads(custom) if isinstance(custom, str) else custom


async def _delete(client: DurableOrchestrationClient, trace_id: str, owner: str) -> func.HttpResponse:
    status = await _status(client, trace_id, owner)
    if status.runtime_status not in _FINISHED:
        await client.terminate(trace_id, "cancelled by the client")
        for _ in range(DELETE_WAIT_STEPS):  # termination goes through the task hub's queues: it takes a while
            status = await _status(client, trace_id)
            if status.runtime_status in _FINISHED:
                break
            await asyncio.sleep(0.1)
    if status.runtime_status not in _FINISHED:
        # Never purge a running instance: its next step would write the session back. The cancellation stands;
        # the client deletes again to purge (or the retention timer does), and a GET shows the session until then.
        body = {"trace_id": trace_id, "status": "cancelling",
                "message": "The session is being cancelled; send DELETE again in a few seconds to purge it."}
        return func.HttpResponse(json.dumps(body), status_code=202, mimetype="application/json",
                                 headers={**_JSON_HEADERS, "Retry-After": "5"})
    await client.purge_instance_history(trace_id)
    await release(client, owner, trace_id)
    return func.HttpResponse(status_code=204, headers=_JSON_HEADERS)


async def _status(client: DurableOrchestrationClient, trace_id: str, owner: str | None = None) -> Any:
    """The instance's status; with `owner`, only if that caller owns it (a foreign session is unknown)."""
    if not _TRACE_ID.match(trace_id):
        raise not_found()
    status = await client.get_status(trace_id, show_input=owner is not None)
    if not status or (owner is not None and not owned_by(status, owner)):
        raise not_found()
    return status


async def _read(client: DurableOrchestrationClient, trace_id: str, owner: str | None = None) -> tuple[Envelope, int]:
    return envelope_from_status(trace_id, await _status(client, trace_id, owner))


def envelope_from_status(trace_id: str, status: Any) -> tuple[Envelope, int]:
    """The session's envelope and turn from the instance's runtime status and custom status."""
    runtime = status.runtime_status
    custom = _custom_status(status)
    if runtime == OrchestrationRuntimeStatus.Terminated:
        return _final(trace_id, "cancelled", "The session was cancelled."), 0
    if runtime == OrchestrationRuntimeStatus.Failed:
        return _final(trace_id, "error", "The session stopped on an internal error."), 0
    if isinstance(custom, dict) and isinstance(custom.get("envelope"), dict):
        return Envelope.model_validate(custom["envelope"]), int(custom.get("turn", 0))
    return Envelope(trace_id=trace_id, status="continue", next_action="poll", progress=0,
                    message="The investigation is starting."), 0


def _final(trace_id: str, reason: str, message: str) -> Envelope:
    return Envelope.model_validate({"trace_id": trace_id, "status": "fail", "next_action": "none",
                                    "message": message, "progress": 100, "reason": reason,
                                    "report": {"root_cause": message, "checked": []}})


async def _wait_for_client_state(client: DurableOrchestrationClient, trace_id: str, min_turn: int,
                                 wait_seconds: int) -> tuple[Envelope, int]:
    """Poll the instance until it needs the client (at `min_turn` or later) or the wait is over."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        envelope, turn = await _read(client, trace_id)
        if (envelope.next_action != "poll" and turn >= min_turn) or envelope.status in ("done", "fail"):
            return envelope, turn
        if time.monotonic() + delay > deadline:
            return envelope, turn
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


def _render(req: func.HttpRequest, envelope: Envelope, capability: tuple[str, int] | None) -> func.HttpResponse:
    """The envelope as the HTTP answer; the poll link carries the session's one token (the same on every answer)."""
    settings = load_settings()
    parts = urlsplit(req.url)
    base = f"{parts.scheme}://{parts.netloc}/api/debug/{envelope.trace_id}"
    token = make_token(settings.poll_token_secret, envelope.trace_id, *capability) if capability else "revoked"
    poll = f"{base}/poll?token={token}"
    envelope.links = Links.model_validate({"self": base, "poll": poll, "continue": f"{base}/continue"})
    headers = dict(_JSON_HEADERS)
    status_code = 200
    if envelope.next_action == "poll":
        status_code = 202
        headers.update({"Location": poll, "Retry-After": str(settings.retry_after_seconds)})
    return func.HttpResponse(json.dumps(envelope.to_json_dict()), status_code=status_code,
                             mimetype="application/json", headers=headers)


async def _guard(trace_id: str | None, handler: Callable[[], Awaitable[func.HttpResponse]]) -> func.HttpResponse:
    GUARD.observe()  # memory is measured at every invocation (shared/resilience/memory_guard.py)
    unconfigured = load_settings().unconfigured
    if unconfigured:  # without shared secrets, sessions would be lost on restart or scale-out: refuse, say why
        return _error_response(503, {"error": {"code": "service_unavailable", "message": unconfigured,
                                               "details": []}})
    try:
        return await handler()
    except ApiError as error:
        return _error_response(error.status, error.body(), error.headers)
    except Exception as exc:
        # Type only: exception texts can quote the request. The trace_id lets an operator find the session.
        incident = trace_id if trace_id and _TRACE_ID.match(trace_id) else secrets.token_hex(16)
        logging.error("unexpected %s in the debug API (trace_id %s)", type(exc).__name__, incident)
        return _error_response(500, {"error": {
            "code": "internal_error", "details": [],
            "message": f"An unexpected error occurred; quote trace_id {incident} when reporting it."}})


def shed_start(body_bytes: int, max_bytes: int, retry_after: int) -> None:
    """While the worker sheds load, a start larger than `max_bytes` is refused before it is parsed or stored."""
    if GUARD.shedding and body_bytes > max_bytes:
        error = ApiError(503, "service_unavailable", f"The service is under memory pressure and accepts only starts "
                         f"up to {max_bytes} bytes right now; retry later or send less material.",
                         [ErrorDetail(field="body", problem=f"{body_bytes} bytes, over {max_bytes} while shedding")])
        error.headers["Retry-After"] = str(max(retry_after, 30))
        raise error


def _error_response(status: int, body: dict, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body), status_code=status, mimetype="application/json",
                             headers={**_JSON_HEADERS, **(headers or {})})
