"""Conformance with the Durable Functions extension (issue 12, items 10-14), over HTTP against the sample app.

Each test states what the extension does and where that is written (see devhost/failures.py, versioning.py and
durable_api.py for the sources)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.devhost.support import SAMPLE_APP, WEBHOOKS, raise_event, start, status, wait_for, wait_until
from tests.helpers.devhost_process import devhost_log, run_devhost


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ----- 10. versioning: sample_app/host.json has defaultVersion "1.0" -----

def test_default_version_stamps_new_instances_and_sub_orchestrations(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "versioned"))
    assert done["runtimeStatus"] == "Completed", done["output"]
    # A child without a version asked for gets defaultVersion, not its parent's (the SDK sample's README).
    assert done["output"] == {"version": "1.0", "default_child": "1.0", "chosen_child": "0.9"}


def test_start_new_version_overrides_the_default(http: httpx.Client) -> None:
    instance = _id("v")
    response = http.post("/api/orchestrators/versioned", params={"id": instance, "version": "0.5"})
    assert response.status_code == 202, response.text
    assert wait_for(http, instance)["output"]["version"] == "0.5"


def test_version_is_kept_across_continue_as_new(http: httpx.Client) -> None:
    instance = _id("vr")
    http.post("/api/orchestrators/version_rounds", params={"id": instance, "version": "0.7"})
    assert wait_for(http, instance)["output"] == "0.7"


def test_a_newer_version_than_the_worker_is_not_run(http: httpx.Client, devhost_url: str) -> None:
    # versionMatchStrategy defaults to CurrentOrOlder, versionFailureStrategy to Reject: the instance waits.
    instance = _id("newer")
    assert http.post(f"{WEBHOOKS}/orchestrators/version_child/{instance}?version=2.0").status_code == 202
    wait_until(lambda: instance in devhost_log(devhost_url) and "is not run by this worker" in devhost_log(devhost_url))
    assert status(http, instance)["runtimeStatus"] == "Pending"
    http.post(f"{WEBHOOKS}/instances/{instance}/terminate?reason=cleanup")


# ----- 11. failure texts -----

def test_activity_failure_reaches_the_orchestrator_in_the_extensions_words(http: httpx.Client) -> None:
    text = wait_for(http, start(http, "catches_whole_failure"))["output"]["error"]
    reason, details = text.split("\n", 1)
    # TaskActivityShim: "Activity function '{name}' failed: {message}"; the message is the worker's
    # "{type}: {text}" as cut from the RpcException (leading space kept); the SDK appends " \n {Details}".
    assert reason == "Activity function 'explode' failed:  ValueError: exploded: whole "
    cause = json.loads(details)
    assert cause["Message"] == " ValueError: exploded: whole"
    # The workaround users apply on Azure (azure-functions-durable-extension issue 2990) works here too.
    assert cause["Message"].split(":", 1)[1].lstrip() == "exploded: whole"
    stack = cause["InnerException"]["Message"]
    assert stack.startswith("Result: Failure\nException: ValueError: exploded: whole\nStack: ")
    assert "function_app.py" in stack and "in explode" in stack
    assert "activities.py" not in text and "asyncio" not in text  # no frames of devhost's own


def test_failed_instance_output_is_the_orchestrator_failure_text(http: httpx.Client) -> None:
    done = wait_for(http, start(http, "uses_failing_activity"))
    assert done["runtimeStatus"] == "Failed"
    assert done["output"].startswith("Orchestrator function 'uses_failing_activity' failed: "
                                     "Activity function 'explode' failed:  ValueError: exploded: second \n {")
    assert "activities.py" not in done["output"]


# ----- 12. function names -----

def test_orchestrator_is_known_and_reported_by_its_orchestration_name(http: httpx.Client) -> None:
    instance = _id("named")
    assert http.post(f"{WEBHOOKS}/orchestrators/NamedOrchestration/{instance}").status_code == 202
    done = wait_for(http, instance)
    assert (done["name"], done["output"]) == ("NamedOrchestration", "named")


def test_starting_by_the_python_function_name_is_refused(http: httpx.Client) -> None:
    response = http.post(f"{WEBHOOKS}/orchestrators/named_impl")
    assert response.status_code == 400
    body = response.json()
    # HttpApiHandler answers the ArgumentException of DurableTaskExtension.ThrowIfFunctionDoesNotExist.
    assert body["Message"] == "One or more of the arguments submitted is incorrect"
    assert body["ExceptionMessage"].startswith(
        "The function 'named_impl' doesn't exist, is disabled, or is not an orchestrator function. "
        "Additional info: The following are the known orchestrator functions: '")
    assert "'NamedOrchestration'" in body["ExceptionMessage"]


# ----- 13. continue_as_new drops events the ending execution had received -----

def test_events_raised_before_continue_as_new_are_dropped(http: httpx.Client) -> None:
    instance = start(http, "carry_over", {"nap": 1.0})
    wait_until(lambda: status(http, instance)["runtimeStatus"] == "Running")
    assert raise_event(http, instance, "tick", "early").status_code == 202  # while generation 1 naps
    assert wait_for(http, instance)["output"] == {"tick": None}


def test_events_raised_while_the_last_episode_runs_reach_the_next_execution(http: httpx.Client) -> None:
    # On Azure they are still in the queue when ContinueAsNew is committed, so the new execution gets them.
    instance = start(http, "carry_over", {"nap": 0.1, "linger": 1.5})
    time.sleep(0.6)  # the nap is over; the final episode lingers
    assert raise_event(http, instance, "tick", "late").status_code == 202
    assert wait_for(http, instance)["output"] == {"tick": "late"}


# ----- 14. management API edges, entity failures, host.json -----

def test_suspend_twice_and_resume_running_fail_like_the_extension(http: httpx.Client) -> None:
    instance = _id("susp")
    http.post(f"{WEBHOOKS}/orchestrators/forever/{instance}")
    wait_until(lambda: status(http, instance)["runtimeStatus"] == "Running")
    url = f"{WEBHOOKS}/instances/{instance}"
    assert http.post(f"{url}/suspend").status_code == 202
    again = http.post(f"{url}/suspend")
    assert again.status_code == 500
    assert again.json()["ExceptionMessage"] == (
        f"Cannot suspend the orchestration instance {instance} because instance is in the Suspended state.")
    assert http.post(f"{url}/resume").status_code == 202
    resumed = http.post(f"{url}/resume")
    assert resumed.status_code == 500
    assert resumed.json()["ExceptionMessage"] == (
        f"Cannot resume the orchestration instance {instance} because instance is in the Running state.")
    http.post(f"{url}/terminate?reason=cleanup")


def test_create_and_wait_start_url_answers_with_the_output(http: httpx.Client) -> None:
    response = http.post(f"{WEBHOOKS}/orchestrators/chain?timeout=10&pollingInterval=0.1", json=["W"])
    assert (response.status_code, response.json()) == (200, ["Hello W!"])


def test_create_and_wait_gives_the_check_status_answer_after_the_timeout(http: httpx.Client) -> None:
    started = time.monotonic()
    response = http.post(f"{WEBHOOKS}/orchestrators/forever?timeout=0.5&pollingInterval=0.1")
    assert response.status_code == 202 and time.monotonic() - started >= 0.5
    assert response.headers["Location"] == response.json()["statusQueryGetUri"]
    http.post(f"{WEBHOOKS}/instances/{response.json()['id']}/terminate?reason=cleanup")


def test_create_and_wait_on_a_failure_gives_the_status(http: httpx.Client) -> None:
    response = http.post(f"{WEBHOOKS}/orchestrators/uses_failing_activity?timeout=10&pollingInterval=0.1")
    assert response.status_code == 200 and response.json()["runtimeStatus"] == "Failed"
    refused = http.post(f"{WEBHOOKS}/orchestrators/chain?timeout=1&pollingInterval=2")
    assert refused.status_code == 400  # the extension refuses an interval longer than the timeout


def test_a_failed_entity_operation_is_logged(http: httpx.Client, devhost_url: str) -> None:
    key = _id("k")
    assert "counter refuses" in wait_for(http, start(http, "entity_user", key))["output"]["error"]
    lines = [line for line in devhost_log(devhost_url).splitlines() if f"@counter@{key}" in line]
    assert any("failed 'fail' operation" in line and "ERROR" in line for line in lines), lines
    assert not any("counter refuses" in line for line in lines)  # the message can hold user data


@pytest.mark.parametrize("text, words", [
    ('{"version": "2.0",, }', "host.json is not valid JSON: Expecting property name"),
    ('{"version": "2.0", "extensions": []}', "host.json: 'extensions' must be a JSON object"),
])
def test_a_malformed_host_json_is_one_clear_line(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "function_app.py").write_text((SAMPLE_APP / "function_app.py").read_text())
    (tmp_path / "host.json").write_text(text)
    with pytest.raises(RuntimeError) as failed, run_devhost(tmp_path):
        pass
    message = str(failed.value)
    assert words in message and "Traceback" not in message
