"""In-process tests of devhost's pure parts: routes, actions, task ids, event delivery, times, indexing."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.durable_functions as df
import azure.functions as func

from devhost import history as h
from devhost.actions import find_nondeterminism, flatten
from devhost.app_loader import index_functions
from devhost.routing import Router, compile_route
from devhost.scheduling import (
    RunActivity,
    StartTimer,
    deliver_queued_events,
    is_retry_step,
    retry_step,
    schedule_actions,
)
from devhost.store import InstanceRecord
from devhost.timeutil import format_event_time, parse_time

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def activity(name: str, value: str = '"x"') -> dict:
    return {"actionType": 0, "functionName": name, "input": value}


def timer(cancelled: bool = False) -> dict:
    return {"actionType": 5, "fireAt": "2024-01-01T12:00:05.000000Z", "isCanceled": cancelled}


def wait(name: str) -> dict:
    return {"actionType": 6, "externalEventName": name, "reason": "ExternalEvent"}


def retry(name: str) -> dict:
    return {"actionType": 12, "compoundActions": [
        {"actionType": 1, "functionName": name, "input": "null",
         "retryOptions": {"firstRetryIntervalInMilliseconds": 100, "maxNumberOfAttempts": 2}}]}


# ----- routes -----

def test_route_parameters_constraints_and_precedence() -> None:
    router = Router("api", [("items/{id:int}", frozenset({"GET"}), "by-id"),
                            ("items/new", frozenset({"GET"}), "new"),
                            ("items/{name:alpha:minlength(3)}", None, "by-name"),
                            ("{*rest}", None, "fallback")])
    assert router.resolve("/api/items/new", "GET") == ("new", {})
    assert router.resolve("/api/items/12", "GET") == ("by-id", {"id": "12"})
    assert router.resolve("/api/items/abc", "POST") == ("by-name", {"name": "abc"})
    assert router.resolve("/api/items/ab", "GET") == ("fallback", {"rest": "items/ab"})
    assert router.resolve("/elsewhere", "GET") is None


def test_wrong_method_reports_the_allowed_ones() -> None:
    router = Router("api", [("a", frozenset({"GET"}), 1), ("a", frozenset({"PUT"}), 2)])
    assert router.resolve("/api/a", "DELETE") == {"GET", "PUT"}


def test_optional_default_and_mixed_segments() -> None:
    route = compile_route("", "files/{name}.{ext?}")
    assert route.match("/files/report.pdf") == {"name": "report", "ext": "pdf"}
    optional = compile_route("api", "echo/{word}/{count:int?}")
    assert optional.match("/api/echo/hi") == {"word": "hi"}
    assert optional.match("/api/echo/hi/x") is None
    assert compile_route("api", "x/{id:regex(^a+$)}").match("/api/x/aaa") == {"id": "aaa"}
    assert compile_route("api", "x/{id:range(1,5)}").match("/api/x/9") is None


def test_encoded_slash_stays_in_one_parameter() -> None:
    assert compile_route("api", "echo/{word}").match("/api/echo/a%2Fb") == {"word": "a/b"}


# ----- actions -----

def test_flatten_unwraps_when_all_and_when_any() -> None:
    payload = [[activity("a"), {"actionType": 11, "compoundActions": [timer(), wait("e")]}, retry("r")]]
    assert [a["actionType"] for a in flatten(payload)] == [0, 5, 6, 1]


def test_replay_consistency_checks() -> None:
    seen = [activity("a"), timer()]
    assert find_nondeterminism(seen, [activity("a"), timer(True), activity("b")], [], {}) is None
    changed = find_nondeterminism(seen, [activity("z"), timer()], [], {})
    assert changed is not None and "activity 'a'" in changed and "activity 'z'" in changed
    assert "ended after 1 actions" in (find_nondeterminism(seen, [activity("a")], [], {}) or "")
    assert "different input" in (find_nondeterminism(seen, [activity("a", '"y"'), timer()], [], {}) or "")
    history = [h.task_scheduled(0, "a", '"x"')]
    renamed = find_nondeterminism([], [activity("b")], history, {0: 0})
    assert renamed is not None and "'a'" in renamed and "activity 'b'" in renamed


# ----- task ids, retries, events -----

def test_task_ids_follow_flattened_order_and_skip_waits() -> None:
    record = InstanceRecord("i", "o", None)
    scheduled = schedule_actions(record, flatten([[activity("a"), wait("e"), timer(), retry("r")]]), NOW)
    assert record.action_task_ids == [0, None, 1, 2]
    assert [type(w) for w in scheduled.work] == [RunActivity, StartTimer, RunActivity]
    assert [e["EventType"] for e in scheduled.events] == [4, 10, 4]


def test_retry_takes_ids_for_its_timer_and_its_next_attempt() -> None:
    record = InstanceRecord("i", "o", None)
    schedule_actions(record, flatten([[retry("r"), activity("b")]]), NOW)  # r = 0, b = 1
    failure = h.task_failed(0, "boom", "")
    assert is_retry_step(record, failure)
    timer_events = retry_step(record, failure, NOW)
    assert timer_events.events[0]["EventId"] == 2 and isinstance(timer_events.work[0], StartTimer)
    fired = h.timer_fired(2, NOW)
    assert is_retry_step(record, fired)
    again = retry_step(record, fired, NOW)
    assert again.events[0]["EventId"] == 3 and again.events[0]["Name"] == "r"
    assert is_retry_step(record, h.task_failed(3, "boom", ""))  # the last attempt still takes a timer
    retry_step(record, h.task_failed(3, "boom", ""), NOW)
    assert not is_retry_step(record, h.timer_fired(4, NOW))  # attempts used up: that timer ends it


def test_queued_events_go_one_per_outstanding_wait() -> None:
    record = InstanceRecord("i", "o", None)
    record.queued_events = [{"name": "e", "input": '"1"'}, {"name": "e", "input": '"2"'},
                            {"name": "f", "input": '"3"'}]
    deliver_queued_events(record)
    assert record.inbox == [] and len(record.queued_events) == 3
    record.actions_seen = [wait("e")]
    deliver_queued_events(record)
    assert [e["Input"] for e in record.inbox] == ['"1"']
    deliver_queued_events(record)  # the wait already has its event
    assert len(record.inbox) == 1 and [q["input"] for q in record.queued_events] == ['"2"', '"3"']


# ----- times -----

def test_times_round_trip_in_the_shapes_exchanged() -> None:
    assert format_event_time(NOW) == "2024-01-01T12:00:00.0000000Z"
    assert parse_time("2024-01-01T12:00:00.1234567Z") == NOW.replace(microsecond=123456)
    assert parse_time("2024-01-01T13:00:00+01:00") == NOW
    assert parse_time("2024-01-01T12:00:00") == NOW


# ----- indexing -----

def test_functions_are_found_from_metadata_under_every_name() -> None:
    app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

    @app.function_name("SayIt")
    @app.activity_trigger(input_name="text", activity="say")
    def say_impl(text: str) -> str:
        return text

    @app.route(route="go/{x}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
    @app.durable_client_input(client_name="client")
    async def go(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
        return func.HttpResponse("")

    @app.orchestration_trigger(context_name="context", orchestration="Orchestrate")
    def orchestrate_impl(context: df.DurableOrchestrationContext):
        yield context.call_activity(say_impl, "x")

    index = index_functions(app)
    for name in ("SayIt", "say", "say_impl", "sayit"):
        assert index.activities.find(name) is not None
    assert index.orchestrators.find("Orchestrate") is not None
    (http,) = index.http
    assert (http.route, http.methods, http.auth_level, http.client_params) == (
        "go/{x}", frozenset({"POST"}), "anonymous", ("client",))


# ----- activities -----

def test_activity_runner_outcomes() -> None:
    import asyncio

    from devhost.activities import ActivityRunner

    app = df.DFApp()

    @app.activity_trigger(input_name="value")
    def double(value: int) -> int:
        return value * 2

    @app.activity_trigger(input_name="value")
    async def later(value: str) -> str:
        await asyncio.sleep(0)
        return value.upper()

    @app.activity_trigger(input_name="value")
    def broken(value: str) -> str:
        raise KeyError(value)

    runner = ActivityRunner(index_functions(app), 2, "{}", ".")

    async def run_all() -> list:
        return [await runner.run("double", "21"), await runner.run("later", "not json"),
                await runner.run("broken", '"k"'), await runner.run("missing", "null")]

    try:
        doubled, upper, failed, missing = asyncio.run(run_all())
    finally:
        runner.shutdown()
    assert (doubled.ok, doubled.result) == (True, "42")
    assert upper.result == '"NOT JSON"'  # text that is not JSON reaches the activity as a string
    assert (failed.ok, failed.reason) == (False, "Activity function 'broken' failed:  KeyError: 'k'")
    assert "KeyError" in failed.details and "activities.py" not in failed.details
    assert not missing.ok and "'missing' doesn't exist" in missing.reason
