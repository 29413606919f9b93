"""Timer triggers: the NCRONTAB matcher, a schedule that fires every second, and the admin endpoint."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from devhost.cron import CronError, Schedule
from tests.helpers.devhost_process import devhost_log, run_devhost

APP = '''
import json, os
from pathlib import Path
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
OUT = Path(os.environ["TIMER_OUT"])


@app.timer_trigger(arg_name="timer", schedule="* * * * * *")
def every_second(timer: func.TimerRequest) -> None:
    with OUT.open("a") as out:
        out.write(json.dumps({"fn": "every_second", "past_due": timer.past_due}) + "\\n")


@app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *")
@app.durable_client_input(client_name="client")
async def yearly(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    instance_id = await client.start_new("noop")
    with OUT.open("a") as out:
        out.write(json.dumps({"fn": "yearly", "past_due": timer.past_due, "started": instance_id}) + "\\n")


@app.orchestration_trigger(context_name="context")
def noop(context):
    return "done"
'''


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_next_occurrences_of_six_field_schedules() -> None:
    hourly = Schedule.parse("0 0 * * * *")
    assert hourly.next_after(at("2026-11-25T10:59:59")) == at("2026-11-25T11:00:00")
    assert hourly.next_after(at("2026-11-25T11:00:00")) == at("2026-11-25T12:00:00")
    every_five_minutes = Schedule.parse("0 */5 * * * *")
    assert every_five_minutes.next_after(at("2026-11-25T10:01:30")) == at("2026-11-25T10:05:00")
    weekdays_at_nine_thirty = Schedule.parse("0 30 9 * * MON-FRI")
    assert weekdays_at_nine_thirty.next_after(at("2026-11-27T10:00:00")) == at("2026-11-30T09:30:00")  # Fri->Mon
    listed = Schedule.parse("5,10 0 0 1 JAN,jul *")
    assert listed.next_after(at("2026-02-01T00:00:00")) == at("2026-07-01T00:00:05")
    assert Schedule.parse("0 0 0 * * 7").next_after(at("2026-11-25T00:00:00")).weekday() == 6  # 7 is Sunday
    assert Schedule.parse("10-20/5 * * * * *").seconds == frozenset({10, 15, 20})


@pytest.mark.parametrize("bad", ["0 * * * *", "61 * * * * *", "* * * * * MOO", "*/0 * * * * *", "0 0 0 30 2 *"])
def test_bad_schedules_are_refused(bad: str) -> None:
    with pytest.raises(CronError):
        Schedule.parse(bad).next_after(at("2026-01-01T00:00:00"))


@pytest.fixture()
def timer_app(tmp_path: Path) -> Path:
    (tmp_path / "function_app.py").write_text(APP)
    return tmp_path


def runs(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


def test_timers_run_on_schedule_and_on_demand(timer_app: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.jsonl"
    with run_devhost(timer_app, env={"TIMER_OUT": str(out)}) as url:
        assert "yearly: timerTrigger [0 0 0 1 1 *]" in devhost_log(url)
        deadline = time.monotonic() + 10
        while len([r for r in runs(out) if r["fn"] == "every_second"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len([r for r in runs(out) if r["fn"] == "every_second"]) >= 2
        assert httpx.post(f"{url}/admin/functions/yearly", json={"input": ""}).status_code == 202
        assert httpx.post(f"{url}/admin/functions/nothing_like_it").status_code == 404
        deadline = time.monotonic() + 10
        while not [r for r in runs(out) if r["fn"] == "yearly"] and time.monotonic() < deadline:
            time.sleep(0.1)
        (yearly,) = [r for r in runs(out) if r["fn"] == "yearly"]
        assert yearly["past_due"] is False
        status = httpx.get(f"{url}/runtime/webhooks/durabletask/instances/{yearly['started']}").json()
        assert status["name"] == "noop"


def test_the_admin_endpoint_needs_the_key_when_keys_are_required(timer_app: Path, tmp_path: Path) -> None:
    env = {"TIMER_OUT": str(tmp_path / "runs.jsonl"), "DEVHOST_FUNCTION_KEY": "k1"}
    with run_devhost(timer_app, env=env, extra_args=["--require-keys"]) as url:
        assert httpx.post(f"{url}/admin/functions/yearly").status_code == 401
        assert httpx.post(f"{url}/admin/functions/yearly", headers={"x-functions-key": "k1"}).status_code == 202
