"""Orchestrations of the sample app, started through its HTTP starter and the SDK's real client."""

from __future__ import annotations

import json
import time
import uuid

import httpx

from tests.devhost.support import raise_event, start, status, wait_for, wait_until
from tests.helpers.devhost_process import devhost_log


def test_activity_chain(http: httpx.Client) -> None:
    instance = start(http, "chain", ["Ann", "Bob", "Cy"])
    done = wait_for(http, instance)
    assert done["runtimeStatus"] == "Completed"
    assert done["output"] == ["Hello Ann!", "Hello Bob!", "Hello Cy!"]
    assert done["name"] == "chain" and done["instanceId"] == instance


def test_fan_out_fan_in_by_activity_name_alias(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "fan_out", 10))
    assert (done["runtimeStatus"], done["output"]) == ("Completed", sum(i * i for i in range(10)))


def test_wait_for_completion_through_the_sdk_client(http: httpx.Client) -> None:
    instance = start(http, "chain", ["W"])
    response = http.get(f"/api/wait/{instance}")
    assert response.status_code == 200
    assert response.json() == ["Hello W!"]


def test_activity_with_retry_fails_twice_then_succeeds(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "with_retry"), showHistory="true")
    assert done["runtimeStatus"] == "Completed", done["output"]
    assert done["output"] == ["ok after 3", "Hello after retry!"]
    kinds = [e["EventType"] for e in done["historyEvents"]]
    assert kinds.count("TaskFailed") == 2 and kinds.count("TimerFired") == 2


def test_retry_gives_up_after_the_last_attempt(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "retry_exhausted"))
    # The extension's text (TaskActivityShim): "Activity function '{name}' failed: " + " {type}: {message}".
    assert done["output"] == {"caught": "Activity function 'explode' failed:  ValueError: exploded: always"}


def test_durable_timer_fires_at_its_time(http: httpx.Client) -> None:
    started = time.monotonic()
    done = wait_for(http, start(http, "timer", 1))
    assert done["runtimeStatus"] == "Completed"
    assert done["output"] >= 1.0 and time.monotonic() - started >= 1.0


def test_event_beats_timer_and_the_timer_is_cancelled(http: httpx.Client) -> None:
    instance = start(http, "approval", 30)
    wait_until(lambda: status(http, instance)["runtimeStatus"] == "Running")
    assert raise_event(http, instance, "approve", {"by": "Ann"}).status_code == 202
    done = wait_for(http, instance, timeout=5)
    # The SDK's raise_event encodes twice, so the orchestrator gets the JSON text (as on Azure).
    assert json.loads(done["output"]["approved"]) == {"by": "Ann"}


def test_timer_beats_event(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "approval", 0.3))
    assert done["output"] == {"approved": None, "timed_out": True}


def test_continue_as_new_runs_every_round(http: httpx.Client) -> None:
    instance = start(http, "countdown", {"round": 1, "rounds": 4, "ticks": False, "seen": []})
    done = wait_for(http, instance, showHistory="true")
    assert done["runtimeStatus"] == "Completed"
    assert done["output"]["round"] == 4
    assert done["customStatus"] == {"round": 4}
    started = [e for e in done["historyEvents"] if e["EventType"] == "ExecutionStarted"]
    assert len(started) == 1  # each round starts a fresh history


def test_custom_status_is_visible_while_waiting_and_kept_after(http: httpx.Client) -> None:
    instance = start(http, "two_steps")
    waiting = wait_until(lambda: (s := status(http, instance))["customStatus"] == {"waiting": 1} and s)
    assert waiting["runtimeStatus"] == "Running"
    raise_event(http, instance, "step", 1)
    wait_until(lambda: status(http, instance)["customStatus"] == {"waiting": 2})
    raise_event(http, instance, "step", 2)
    done = wait_for(http, instance)
    assert done["customStatus"] == {"done": True}
    assert http.get(f"/api/instances/{instance}").json()["customStatus"] == {"done": True}


def test_activity_error_reaches_the_orchestrator(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "catches_failure"))
    assert done["output"] == {"error": "Activity function 'explode' failed:  ValueError: exploded: caught"}


def test_uncaught_activity_error_fails_the_instance(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "uses_failing_activity"))
    assert done["runtimeStatus"] == "Failed"
    assert done["output"].startswith("Orchestrator function 'uses_failing_activity' failed: "
                                     "Activity function 'explode' failed:  ValueError: exploded: second")


def test_non_determinism_fails_the_instance_loudly(http: httpx.Client, devhost_url: str) -> None:
    instance = start(http, "nondeterministic")
    done = wait_for(http, instance)
    assert done["runtimeStatus"] == "Failed"
    assert "Non-deterministic" in done["output"]
    assert "activity 'hello'" in done["output"] and "activity 'square'" in done["output"]
    errors = [line for line in devhost_log(devhost_url).splitlines() if "ERROR" in line and instance in line]
    assert errors and "non-deterministic" in errors[0]


def test_sub_orchestrations_complete_and_fail(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "parent"))
    assert done["runtimeStatus"] == "Completed"
    assert done["output"]["child"] == ["Hello Sub!"]
    assert "exploded: child" in done["output"]["failed"]


def test_entities_from_orchestrators_and_clients(http: httpx.Client) -> None:
    key = uuid.uuid4().hex
    done = wait_for(http, start(http, "entity_user", key))
    assert done["output"]["total"] == 15
    assert "counter refuses" in done["output"]["error"]
    assert http.get(f"/api/entities/Counter/{key}").json() == {"exists": True, "state": 15}
    assert http.post(f"/api/entities/Counter/{key}?op=add", json=7).status_code == 202
    wait_until(lambda: http.get(f"/api/entities/Counter/{key}").json()["state"] == 22)
    assert http.get("/api/entities/Counter/never-used").json() == {"exists": False, "state": None}


def test_instances_run_concurrently(http: httpx.Client) -> None:
    started = time.monotonic()
    instances = [start(http, "timer", 1) for _ in range(5)]
    for instance in instances:
        assert wait_for(http, instance)["runtimeStatus"] == "Completed"
    assert time.monotonic() - started < 4


def test_retries_interleaved_with_other_tasks_keep_task_ids_in_step(http: httpx.Client,
                                                                    devhost_url: str) -> None:
    instance = start(http, "retry_fan_out")
    done = wait_for(http, instance)
    assert done["runtimeStatus"] == "Completed", done["output"]
    assert done["output"] == ["ok after 3", "Hello mid!", "ok after 3", "Hello end!"]
    assert "Potential duplicate" not in devhost_log(devhost_url)


def test_a_cancelled_timer_never_fires(http: httpx.Client) -> None:
    instance = start(http, "cancel_then_sleep")
    wait_for(http, instance, {"Running"})
    raise_event(http, instance, "go", 1)
    done = wait_for(http, instance, showHistory="true")
    assert done["output"] is True
    assert [e["EventType"] for e in done["historyEvents"]].count("TimerFired") == 1


def test_large_fan_out(http: httpx.Client) -> None:
    started = time.monotonic()
    done = wait_for(http, start(http, "fan_out", 100), timeout=20)
    assert done["output"] == sum(i * i for i in range(100))
    assert time.monotonic() - started < 10


def test_sub_orchestrator_with_retry(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "parent_with_retry"))
    assert (done["runtimeStatus"], done["output"]) == ("Completed", "ok after 3")
