"""External events: queued until a wait can take them, one event per wait, one execution's own."""

from __future__ import annotations

import time

import httpx

from tests.devhost.support import WEBHOOKS, raise_event, start, status, wait_for, wait_until


def test_events_raised_before_the_waits_go_one_to_each_wait(http: httpx.Client) -> None:
    instance = start(http, "two_steps")  # it naps first, so both events arrive before any wait
    assert raise_event(http, instance, "step", "first").status_code == 202
    assert raise_event(http, instance, "step", "second").status_code == 202
    done = wait_for(http, instance)
    # Without the host's queue the SDK would hand "first" to both waits.
    assert done["output"] == ['"first"', '"second"']


def test_each_execution_takes_the_events_raised_while_it_waits(http: httpx.Client) -> None:
    # Events the ending execution had received are dropped at continue_as_new (test_conformance.py), so each
    # tick is raised once the next round is waiting for it.
    instance = start(http, "countdown", {"round": 1, "rounds": 3, "ticks": True, "seen": []})
    for number, tick in enumerate(("t1", "t2", "t3"), start=1):
        if number > 1:
            wait_until(lambda n=number: (status(http, instance).get("customStatus") or {}).get("round") == n - 1)
            time.sleep(0.2)  # the next execution has started and waits
        raise_event(http, instance, "tick", tick)
    done = wait_for(http, instance)
    assert done["output"]["seen"] == ['"t1"', '"t2"', '"t3"']


def test_event_for_unknown_or_finished_instance(http: httpx.Client) -> None:
    assert http.post(f"{WEBHOOKS}/instances/nobody/raiseEvent/x", json="1").status_code == 404
    instance = start(http, "chain", ["E"])
    wait_for(http, instance)
    assert http.post(f"{WEBHOOKS}/instances/{instance}/raiseEvent/x", json="1").status_code == 410
    refused = raise_event(http, instance, "x", 1)  # the SDK client raises on 410; the app answers 409
    assert refused.status_code == 409 and "is gone" in refused.json()["error"]


def test_a_new_wait_on_each_loop_takes_each_event_once(http: httpx.Client) -> None:
    instance = start(http, "ask_until_go")
    for answer in ("no", "still no", "go"):
        raise_event(http, instance, "answer", answer)
    done = wait_for(http, instance)
    assert done["output"] == {"seen": ["no", "still no", "go"]}


def test_concurrent_waits_for_different_events(http: httpx.Client) -> None:
    instance = start(http, "gather_two")
    raise_event(http, instance, "b", "B")
    raise_event(http, instance, "a", "A")
    assert wait_for(http, instance)["output"] == ["A", "B"]
