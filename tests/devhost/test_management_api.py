"""The Durable HTTP management API at /runtime/webhooks/durabletask/, called directly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.devhost.support import WEBHOOKS, start, status, wait_for, wait_until


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_start_answers_202_with_management_urls(http: httpx.Client) -> None:
    instance = _new_id("direct")
    response = http.post(f"{WEBHOOKS}/orchestrators/chain/{instance}", json=["Dee"])
    assert response.status_code == 202
    body = response.json()
    assert body["id"] == instance
    for key in ("statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri",
                "rewindPostUri", "restartPostUri", "suspendPostUri", "resumePostUri"):
        assert f"/runtime/webhooks/durabletask/instances/{instance}" in body[key]
    assert response.headers["Location"] == body["statusQueryGetUri"]
    assert wait_for(http, instance)["output"] == ["Hello Dee!"]


def test_starter_check_status_response_uses_the_request_origin(http: httpx.Client) -> None:
    response = http.post("/api/orchestrators/chain", json=["O"])
    body = response.json()
    origin = str(http.base_url).rstrip("/")
    assert body["statusQueryGetUri"].startswith(f"{origin}/runtime/webhooks/durabletask/")
    assert "{eventName}" in body["sendEventPostUri"]
    assert http.get(body["statusQueryGetUri"]).status_code in (200, 202)


def test_unknown_orchestrator_is_400_with_exception_message(http: httpx.Client) -> None:
    response = http.post(f"{WEBHOOKS}/orchestrators/no_such_orchestrator", json=1)
    assert response.status_code == 400
    assert "no_such_orchestrator" in response.json()["ExceptionMessage"]
    via_sdk = http.post("/api/orchestrators/no_such_orchestrator")
    assert via_sdk.status_code == 500  # the SDK raised, the app did not catch it


def test_starting_a_running_instance_id_again_is_refused(http: httpx.Client) -> None:
    instance = _new_id("twice")
    assert http.post(f"{WEBHOOKS}/orchestrators/forever/{instance}").status_code == 202
    again = http.post(f"{WEBHOOKS}/orchestrators/forever/{instance}")
    assert again.status_code == 400 and "already exists" in again.json()["ExceptionMessage"]
    http.post(f"{WEBHOOKS}/instances/{instance}/terminate?reason=cleanup")


def test_status_codes_input_and_history(http: httpx.Client) -> None:
    assert http.get(f"{WEBHOOKS}/instances/unknown-instance").status_code == 404
    running = start(http, "forever")
    url = f"{WEBHOOKS}/instances/{running}"
    response = wait_until(lambda: (r := http.get(url)).json()["runtimeStatus"] == "Running" and r)
    assert response.status_code == 202 and "Location" in response.headers
    finished = start(http, "chain", ["H"])
    wait_for(http, finished)
    full = http.get(f"{WEBHOOKS}/instances/{finished}",
                    params={"showHistory": "true", "showHistoryOutput": "true"})
    assert full.status_code == 200
    body = full.json()
    assert body["input"] == '["H"]'
    events = body["historyEvents"]
    assert events[0]["EventType"] == "ExecutionStarted" and events[0]["FunctionName"] == "chain"
    completed = [e for e in events if e["EventType"] == "TaskCompleted"]
    assert completed[0]["FunctionName"] == "hello" and completed[0]["Result"] == "Hello H!"
    assert events[-1]["EventType"] == "ExecutionCompleted"
    assert status(http, finished, showInput="false")["input"] is None
    without_output = http.get(f"{WEBHOOKS}/instances/{finished}", params={"showHistory": "true"}).json()
    assert "Result" not in str(without_output)
    http.post(f"{WEBHOOKS}/instances/{running}/terminate?reason=cleanup")


def test_list_and_filter_instances(http: httpx.Client) -> None:
    prefix = _new_id("list")
    for n in range(2):
        http.post(f"{WEBHOOKS}/orchestrators/chain/{prefix}-{n}", json=["L"])
    for n in range(2):
        wait_for(http, f"{prefix}-{n}")
    listed = http.get(f"{WEBHOOKS}/instances/", params={"instanceIdPrefix": prefix})
    assert listed.status_code == 200
    assert sorted(i["instanceId"] for i in listed.json()) == [f"{prefix}-0", f"{prefix}-1"]
    by_status = http.get(f"{WEBHOOKS}/instances/",
                         params={"instanceIdPrefix": prefix, "runtimeStatus": "Running,Failed"}).json()
    assert by_status == []
    future = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert http.get(f"{WEBHOOKS}/instances/", params={"createdTimeFrom": future}).json() == []


def test_terminate_then_purge(http: httpx.Client) -> None:
    instance = start(http, "forever")
    wait_for(http, instance, {"Running"})
    terminated = http.post(f"{WEBHOOKS}/instances/{instance}/terminate", params={"reason": "enough"})
    assert terminated.status_code == 202
    done = status(http, instance)
    assert (done["runtimeStatus"], done["output"]) == ("Terminated", "enough")
    assert http.post(f"{WEBHOOKS}/instances/{instance}/terminate?reason=again").status_code == 410
    assert http.post(f"{WEBHOOKS}/instances/{instance}/raiseEvent/never", json="1").status_code == 410
    assert http.post(f"{WEBHOOKS}/instances/nobody/terminate?reason=x").status_code == 404
    purged = http.delete(f"{WEBHOOKS}/instances/{instance}")
    assert (purged.status_code, purged.json()) == (200, {"instancesDeleted": 1})
    assert http.get(f"{WEBHOOKS}/instances/{instance}").status_code == 404
    again = http.delete(f"{WEBHOOKS}/instances/{instance}")
    assert (again.status_code, again.json()) == (404, {"instancesDeleted": 0})


def test_terminate_and_purge_through_the_sdk_client(http: httpx.Client) -> None:
    instance = start(http, "forever")
    wait_for(http, instance, {"Running"})
    assert http.post(f"/api/instances/{instance}/terminate?reason=sdk").status_code == 202
    assert wait_for(http, instance)["output"] == "sdk"
    assert http.delete(f"/api/instances/{instance}").json() == {"deleted": 1}
    assert http.get(f"/api/instances/{instance}").status_code == 404


def test_purging_a_running_instance_is_refused(http: httpx.Client) -> None:
    instance = start(http, "forever")
    wait_for(http, instance, {"Running"})
    refused = http.delete(f"{WEBHOOKS}/instances/{instance}")
    assert (refused.status_code, refused.json()) == (404, {"instancesDeleted": 0})
    assert status(http, instance)["runtimeStatus"] == "Running"
    http.post(f"{WEBHOOKS}/instances/{instance}/terminate?reason=cleanup")


def test_purge_by_filter_takes_only_finished_instances(http: httpx.Client) -> None:
    since = (datetime.now(UTC) - timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    finished = [start(http, "chain", ["P"]) for _ in range(2)]
    running = start(http, "forever")
    for instance in finished:
        wait_for(http, instance)
    wait_for(http, running, {"Running"})
    response = http.delete(f"{WEBHOOKS}/instances/", params={"createdTimeFrom": since,
                                                             "runtimeStatus": "Completed,Running"})
    assert (response.status_code, response.json()) == (200, {"instancesDeleted": 2})
    assert all(http.get(f"{WEBHOOKS}/instances/{i}").status_code == 404 for i in finished)
    assert status(http, running)["runtimeStatus"] == "Running"
    http.post(f"{WEBHOOKS}/instances/{running}/terminate?reason=cleanup")


def test_suspend_holds_the_instance_until_resumed(http: httpx.Client) -> None:
    instance = start(http, "approval", 30)
    wait_for(http, instance, {"Running"})
    assert http.post(f"{WEBHOOKS}/instances/{instance}/suspend?reason=hold").status_code == 202
    http.post(f"/api/instances/{instance}/events/approve", json="later")
    assert status(http, instance)["runtimeStatus"] == "Suspended"
    assert http.post(f"{WEBHOOKS}/instances/{instance}/resume?reason=go").status_code == 202
    assert wait_for(http, instance)["output"] == {"approved": '"later"'}


def test_restart_rewind_and_failure_status_code(http: httpx.Client) -> None:
    instance = start(http, "chain", ["R"])
    wait_for(http, instance)
    same = http.post(f"{WEBHOOKS}/instances/{instance}/restart", params={"restartWithNewInstanceId": "false"})
    assert (same.status_code, same.json()) == (202, instance)
    assert wait_for(http, instance)["output"] == ["Hello R!"]
    fresh = http.post(f"{WEBHOOKS}/instances/{instance}/restart")
    assert fresh.status_code == 202 and fresh.json() != instance
    assert wait_for(http, fresh.json())["output"] == ["Hello R!"]
    assert http.post(f"{WEBHOOKS}/instances/{instance}/rewind?reason=x").status_code == 501
    failed = start(http, "uses_failing_activity")
    wait_for(http, failed)
    url = f"{WEBHOOKS}/instances/{failed}"
    assert http.get(url).status_code == 200
    assert http.get(url, params={"returnInternalServerErrorOnFailure": "true"}).status_code == 500
