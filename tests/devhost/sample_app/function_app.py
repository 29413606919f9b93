"""A small Durable app that exercises devhost: starters, activities, timers, events, retries, entities."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import timedelta
from typing import Any

import azure.durable_functions as df
import azure.functions as func
from azure.durable_functions import DurableOrchestrationClient as Client

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

_lock = threading.Lock()
_flaky_calls: dict[str, int] = {}
_replays = {"count": 0}


def _json(value: Any, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(value), status_code=status, mimetype="application/json")


# ----- HTTP starters and helpers over the durable client -----

@app.route(route="orchestrators/{name}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start_orchestration(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    body = req.get_body()
    instance_id = await client.start_new(req.route_params["name"], req.params.get("id"),
                                         json.loads(body) if body else None, version=req.params.get("version"))
    return client.create_check_status_response(req, instance_id)


@app.route(route="instances/{instance_id}", methods=["GET"])
@app.durable_client_input(client_name="client")
async def instance_status(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    status = await client.get_status(req.route_params["instance_id"])
    if not status:
        return _json({"error": "not found"}, 404)
    return _json({"runtimeStatus": status.runtime_status.value, "output": status.output,
                  "customStatus": status.custom_status})


@app.route(route="instances/{instance_id}/events/{event}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def send_event(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    try:
        await client.raise_event(req.route_params["instance_id"], req.route_params["event"], req.get_json())
    except Exception as exc:
        return _json({"error": str(exc)}, 409)
    return func.HttpResponse(status_code=202)


@app.route(route="instances/{instance_id}/terminate", methods=["POST"])
@app.durable_client_input(client_name="client")
async def terminate_instance(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    await client.terminate(req.route_params["instance_id"], req.params.get("reason", "stopped"))
    return func.HttpResponse(status_code=202)


@app.route(route="instances/{instance_id}", methods=["DELETE"])
@app.durable_client_input(client_name="client")
async def purge_instance(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    result = await client.purge_instance_history(req.route_params["instance_id"])
    return _json({"deleted": result.instances_deleted})


@app.route(route="wait/{instance_id}", methods=["GET"])
@app.durable_client_input(client_name="client")
async def wait_for_instance(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    return await client.wait_for_completion_or_create_check_status_response(
        req, req.route_params["instance_id"], timeout_in_milliseconds=8000, retry_interval_in_milliseconds=50)


@app.route(route="entities/{name}/{key}", methods=["POST", "GET"])
@app.durable_client_input(client_name="client")
async def entity_endpoint(req: func.HttpRequest, client: Client) -> func.HttpResponse:
    entity = df.EntityId(req.route_params["name"], req.route_params["key"])
    if req.method == "POST":
        await client.signal_entity(entity, req.params["op"], req.get_json() if req.get_body() else None)
        return func.HttpResponse(status_code=202)
    state = await client.read_entity_state(entity)
    return _json({"exists": state.entity_exists, "state": state.entity_state})


# ----- plain HTTP functions (routing, keys, responses) -----

@app.route(route="echo/{word}/{count:int?}", methods=["GET", "POST"], auth_level=func.AuthLevel.ANONYMOUS)
def echo(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"method": req.method, "url": req.url, "route": dict(req.route_params),
                  "params": dict(req.params), "body": req.get_body().decode(),
                  "header": req.headers.get("x-sample")})


@app.route(route="items/{item_id:int}", methods=["GET"])
async def item_by_id(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"item": int(req.route_params["item_id"])})


@app.route(route="items/new", methods=["GET"])
async def new_item(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"item": "new"})


@app.route(route="files/{*path}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def files(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"path": req.route_params.get("path")})


@app.route(route="cookies", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def cookies(req: func.HttpRequest) -> func.HttpResponse:
    response = func.HttpResponse("<p>hi</p>", mimetype="text/html", status_code=201)
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    return response


@app.route(route="boom", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise ValueError(f"cannot handle {req.get_body().decode()}")


@app.route(route="admin-only", methods=["GET"], auth_level=func.AuthLevel.ADMIN)
def admin_only(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("admin ok")


# ----- activities -----

@app.activity_trigger(input_name="name")
def hello(name: str) -> str:
    return f"Hello {name}!"


@app.function_name("SquareFunction")
@app.activity_trigger(input_name="value", activity="square")
def square_it(value: int) -> int:
    return value * value


@app.activity_trigger(input_name="key")
def flaky(key: str) -> str:
    """Fails the first two calls for a key, then succeeds."""
    with _lock:
        _flaky_calls[key] = _flaky_calls.get(key, 0) + 1
        calls = _flaky_calls[key]
    if calls <= 2:
        raise RuntimeError(f"flaky failure {calls}")
    return f"ok after {calls}"


@app.activity_trigger(input_name="message")
def explode(message: str) -> str:
    raise ValueError(f"exploded: {message}")


@app.activity_trigger(input_name="seconds")
async def nap(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


# ----- orchestrators -----

@app.orchestration_trigger(context_name="context")
def chain(context: df.DurableOrchestrationContext):
    names = context.get_input() or ["Ann", "Bob", "Cy"]
    results = []
    for name in names:
        results.append((yield context.call_activity(hello, name)))
    return results


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    count = context.get_input()
    squares = yield context.task_all([context.call_activity("square", i) for i in range(count)])
    return sum(squares)


@app.orchestration_trigger(context_name="context")
def with_retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=100, max_number_of_attempts=3)
    first = yield context.call_activity_with_retry("flaky", options, context.instance_id)
    after = yield context.call_activity("hello", "after retry")
    return [first, after]


@app.orchestration_trigger(context_name="context")
def retry_exhausted(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=50, max_number_of_attempts=2)
    try:
        yield context.call_activity_with_retry("explode", options, "always")
    except Exception as exc:
        return {"caught": str(exc).split("\n")[0].strip()}
    return {"caught": None}


@app.orchestration_trigger(context_name="context")
def timer(context: df.DurableOrchestrationContext):
    started = context.current_utc_datetime
    yield context.create_timer(started + timedelta(seconds=context.get_input()))
    return (context.current_utc_datetime - started).total_seconds()


@app.orchestration_trigger(context_name="context")
def napper(context: df.DurableOrchestrationContext):
    """One activity that sleeps for the input's seconds: long enough to kill devhost while it runs."""
    slept = yield context.call_activity("nap", context.get_input())
    return {"slept": slept}


@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    """Waits for 'approve' raced against a timer; cancels the timer when the event wins."""
    expiry = context.create_timer(context.current_utc_datetime + timedelta(seconds=context.get_input()))
    event = context.wait_for_external_event("approve")
    winner = yield context.task_any([event, expiry])
    if winner == event:
        expiry.cancel()
        return {"approved": event.result}
    return {"approved": None, "timed_out": True}


@app.orchestration_trigger(context_name="context")
def two_steps(context: df.DurableOrchestrationContext):
    """Sleeps first (so events can arrive early), then takes two 'step' events one after the other."""
    yield context.call_activity("nap", 0.3)
    context.set_custom_status({"waiting": 1})
    first = yield context.wait_for_external_event("step")
    context.set_custom_status({"waiting": 2})
    second = yield context.wait_for_external_event("step")
    context.set_custom_status({"done": True})
    return [first, second]


@app.orchestration_trigger(context_name="context")
def countdown(context: df.DurableOrchestrationContext):
    """continue_as_new through the rounds in its input; each round takes one 'tick' event when asked."""
    state = context.get_input()
    if state.get("ticks"):
        tick = yield context.wait_for_external_event("tick")
        state["seen"].append(tick)
    context.set_custom_status({"round": state["round"]})
    if state["round"] >= state["rounds"]:
        return state
    state["round"] += 1
    context.continue_as_new(state)
    return None


@app.orchestration_trigger(context_name="context")
def uses_failing_activity(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("explode", "first")
    except Exception as exc:
        caught = str(exc).split("\n")[0].strip()
    else:
        caught = ""
    yield context.call_activity("explode", "second")  # not caught: the orchestration fails
    return caught


@app.orchestration_trigger(context_name="context")
def catches_failure(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("explode", "caught")
    except Exception as exc:
        return {"error": str(exc).split("\n")[0].strip()}
    return {"error": None}


@app.orchestration_trigger(context_name="context")
def nondeterministic(context: df.DurableOrchestrationContext):
    _replays["count"] += 1  # module state: a different activity on every replay
    name = "hello" if _replays["count"] % 2 else "square"
    first = yield context.call_activity(name, 2 if name == "square" else "x")
    yield context.call_activity("hello", "y")
    return first


@app.orchestration_trigger(context_name="context")
def forever(context: df.DurableOrchestrationContext):
    context.set_custom_status("waiting forever")
    result = yield context.wait_for_external_event("never")
    return result


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    names = yield context.call_sub_orchestrator("chain", ["Sub"])
    failed = None
    try:
        yield context.call_sub_orchestrator("catches_failure_not_caught", None)
    except Exception as exc:
        failed = str(exc).split("\n")[0]
    return {"child": names, "failed": failed}


@app.orchestration_trigger(context_name="context")
def catches_failure_not_caught(context: df.DurableOrchestrationContext):
    yield context.call_activity("explode", "child")
    return "unreachable"


@app.orchestration_trigger(context_name="context")
def entity_user(context: df.DurableOrchestrationContext):
    counter = df.EntityId("Counter", context.get_input())
    context.signal_entity(counter, "add", 5)
    yield context.call_entity(counter, "add", 10)
    total = yield context.call_entity(counter, "get")
    try:
        yield context.call_entity(counter, "fail")
    except Exception as exc:
        return {"total": total, "error": str(exc)}
    return {"total": total, "error": None}


@app.orchestration_trigger(context_name="context")
def retry_fan_out(context: df.DurableOrchestrationContext):
    """Retries interleaved with other tasks: the host must give task ids exactly as the SDK does."""
    options = df.RetryOptions(first_retry_interval_in_milliseconds=50, max_number_of_attempts=3)
    key = context.instance_id
    results = yield context.task_all([
        context.call_activity_with_retry("flaky", options, f"{key}-a"),
        context.call_activity("hello", "mid"),
        context.create_timer(context.current_utc_datetime + timedelta(milliseconds=200)),
        context.call_activity_with_retry("flaky", options, f"{key}-b"),
    ])
    last = yield context.call_activity("hello", "end")
    return [results[0], results[1], results[3], last]


@app.orchestration_trigger(context_name="context")
def cancel_then_sleep(context: df.DurableOrchestrationContext):
    expiry = context.create_timer(context.current_utc_datetime + timedelta(milliseconds=400))
    event = context.wait_for_external_event("go")
    winner = yield context.task_any([event, expiry])
    if winner == event:
        expiry.cancel()
    yield context.create_timer(context.current_utc_datetime + timedelta(milliseconds=800))
    return winner == event


@app.orchestration_trigger(context_name="context")
def ask_until_go(context: df.DurableOrchestrationContext):
    """The debug session's pattern: one expiry timer raced against a new wait on every loop."""
    expiry = context.create_timer(context.current_utc_datetime + timedelta(seconds=30))
    seen: list[Any] = []
    while True:
        event = context.wait_for_external_event("answer")
        winner = yield context.task_any([event, expiry])
        if winner == expiry:
            return {"timeout": True, "seen": seen}
        seen.append(json.loads(event.result))
        if seen[-1] == "go":
            break
    expiry.cancel()
    return {"seen": seen}


@app.orchestration_trigger(context_name="context")
def gather_two(context: df.DurableOrchestrationContext):
    first, second = yield context.task_all([context.wait_for_external_event("a"),
                                            context.wait_for_external_event("b")])
    return [json.loads(first), json.loads(second)]


@app.orchestration_trigger(context_name="context")
def parent_with_retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=50, max_number_of_attempts=3)
    return (yield context.call_sub_orchestrator_with_retry("flaky_child", options, context.instance_id))


@app.orchestration_trigger(context_name="context")
def flaky_child(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("flaky", f"child-{context.get_input()}"))


@app.orchestration_trigger(context_name="context")
def catches_whole_failure(context: df.DurableOrchestrationContext):
    """The whole text an activity's failure reaches the orchestrator with."""
    try:
        yield context.call_activity("explode", "whole")
    except Exception as exc:
        return {"error": str(exc)}
    return {"error": None}


@app.orchestration_trigger(context_name="context")
def versioned(context: df.DurableOrchestrationContext):
    """Its version, a child's without a version asked for, and a child's with one."""
    default_child = yield context.call_sub_orchestrator("version_child")
    chosen_child = yield context.call_sub_orchestrator("version_child", version="0.9")
    return {"version": context.version, "default_child": default_child, "chosen_child": chosen_child}


@app.orchestration_trigger(context_name="context")
def version_child(context: df.DurableOrchestrationContext):
    return context.version


@app.orchestration_trigger(context_name="context")
def version_rounds(context: df.DurableOrchestrationContext):
    if not context.get_input():
        context.continue_as_new({"second": True})
        return None
    return context.version


@app.orchestration_trigger(context_name="context", orchestration="NamedOrchestration")
def named_impl(context: df.DurableOrchestrationContext):
    return "named"


@app.orchestration_trigger(context_name="context")
def carry_over(context: df.DurableOrchestrationContext):
    """Generation 1 naps, optionally lingers in its last episode, then continues as new; generation 2 waits
    one second for a 'tick' event. Shows which events survive continue_as_new."""
    state = context.get_input() or {}
    if not state.get("second"):
        yield context.call_activity("nap", state.get("nap", 0.1))
        if state.get("linger"):
            time.sleep(state["linger"])  # test only: the final episode takes this long
        context.continue_as_new({"second": True})
        return None
    expiry = context.create_timer(context.current_utc_datetime + timedelta(seconds=1))
    tick = context.wait_for_external_event("tick")
    winner = yield context.task_any([tick, expiry])
    if winner == tick:
        expiry.cancel()
        return {"tick": json.loads(tick.result)}
    return {"tick": None}


# ----- entities -----

@app.entity_trigger(context_name="context")
def Counter(context: df.DurableEntityContext) -> None:  # noqa: N802 - entity names are often PascalCase
    value = context.get_state(lambda: 0)
    operation = context.operation_name
    if operation == "add":
        value += context.get_input()
        context.set_state(value)
    elif operation == "fail":
        raise ValueError("counter refuses")
    context.set_result(value)
