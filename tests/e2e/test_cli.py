"""The command-line client end to end: `python -m azdebug ...` as a subprocess with scripted stdin,
against devhost over real HTTP (function keys required, as in Azure), the replay engine and the app."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evals.playback import PlaybackServer
from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
KEY = "e2e-cli-function-key-5f0c"
SCENARIOS = {s["id"]: s for s in load_scenarios()}
FIREWALL = SCENARIOS["storage-firewall-no-azure-access"]
RULES_ANSWER = FIREWALL["client"][0]["answer"]
WITH_AZURE = SCENARIOS["storage-firewall-with-azure"]
STARTED = re.compile(r"Session ([0-9a-f]{32}) started")


@pytest.fixture(scope="module")
def keyed() -> Iterator[str]:
    env = {"DEVHOST_FUNCTION_KEY": KEY, "DEBUG_POLL_TOKEN_SECRET": "e2e-cli", "DEBUG_RETRY_AFTER_SECONDS": "1"}
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        yield url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's project folder: the scenario's source file and its error text, paths relative to it."""
    source = FIREWALL["request"]["context"]["source_files"][0]
    (tmp_path / source["path"]).write_text(source["content"], encoding="utf-8")
    (tmp_path / "error.txt").write_text(FIREWALL["request"]["error_description"], encoding="utf-8")
    return tmp_path


def azdebug(cwd: Path, *args: str, stdin: str = "", url: str | None = None,
            key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    """Run the client like a user would, from the project folder; the key comes from AZDEBUG_KEY."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZDEBUG_")}
    env["PYTHONPATH"] = str(REPO)
    if url:
        env["AZDEBUG_URL"] = url
    if key:
        env["AZDEBUG_KEY"] = key
    return subprocess.run([sys.executable, "-m", "azdebug", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def debug_args(*extra: str) -> list[str]:
    return ["debug", "--error-file", "error.txt", "--file", "main.py:primary", "--env", "resource_group=functions-rg",
            "--env", "subscription=dev-subscription", "--env", "technologies=python,azure-functions,blob-storage",
            *extra]


def trace_id_of(run: subprocess.CompletedProcess[str]) -> str:
    found = STARTED.search(run.stderr)
    assert found, run.stderr
    return found.group(1)


def envelope(url: str, trace_id: str) -> dict:
    response = httpx.get(f"{url}/api/debug/{trace_id}", headers={"x-functions-key": KEY}, timeout=30)
    assert response.status_code in (200, 202), response.text
    return response.json()


def without_links(env: dict) -> dict:
    return {k: v for k, v in env.items() if k != "links"}


def test_a_request_is_answered_from_stdin_and_the_report_is_printed(keyed: str, project: Path):
    run = azdebug(project, *debug_args(), stdin=RULES_ANSWER + ".\n", url=keyed)
    assert run.returncode == 0, run.stderr
    # the request, on stderr: question, why, the command to run, and how to answer
    assert "Question:" in run.stderr and "Why:" in run.stderr
    assert "$ az storage account show --name mystorageaccount --resource-group functions-rg --query networkRuleSet" \
        in run.stderr
    assert ":file PATH" in run.stderr and "Sending your answer..." in run.stderr
    assert re.search(r"\[100%\] round 2, \d+ steps", run.stderr)
    # the report, on stdout
    assert "Status:     done - root cause found" in run.stdout
    assert "Category:   network.storage_firewall" in run.stdout
    assert re.search(r"Confidence: (high|medium|low)", run.stdout)
    assert "Root cause:" in run.stdout and "Deny" in run.stdout
    assert "\n  1. " in run.stdout and "mystorageaccount" in run.stdout
    server = envelope(keyed, trace_id_of(run))
    assert (server["status"], server["round"]) == ("done", 2)
    assert server["report"]["root_cause"].split()[0] in run.stdout
    assert any(item["source"] == "client" for item in server["report"]["evidence"])  # the answer reached it
    assert KEY not in run.stdout + run.stderr


def test_json_prints_the_final_envelope_as_the_service_has_it(keyed: str, project: Path):
    run = azdebug(project, *debug_args("--json"), stdin=RULES_ANSWER + ".\n", url=keyed)
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert (printed["status"], printed["next_action"], printed["progress"]) == ("done", "none", 100)
    assert without_links(printed) == without_links(envelope(keyed, printed["trace_id"]))
    assert set(printed["links"]) == {"self", "poll", "continue"}


def test_a_validation_error_from_the_service_names_field_and_problem_and_exits_2(keyed: str, project: Path):
    # the client does not check environment_info's lengths: this refusal comes from the server
    run = azdebug(project, "debug", "-e", "boom", "--env", "resource_group=" + "r" * 201, url=keyed)
    assert run.returncode == 2
    assert "The service refused the request (HTTP 400, invalid_request)" in run.stderr
    assert "  - context.environment_info.resource_group: String should have at most 200 characters" in run.stderr
    assert run.stdout == "" and "Traceback" not in run.stderr


def test_quit_leaves_the_session_waiting_and_continue_resumes_it(keyed: str, project: Path):
    stopped = azdebug(project, *debug_args(), stdin="I will look it up\n:quit\n", url=keyed)
    assert stopped.returncode == 3, stopped.stderr
    trace_id = trace_id_of(stopped)
    assert "Stopped: you typed :quit" in stopped.stderr
    assert f"python -m azdebug continue {trace_id} --url {keyed}" in stopped.stderr
    assert envelope(keyed, trace_id)["status"] == "request"  # nothing was sent

    shown = azdebug(project, "show", trace_id, url=keyed)
    assert shown.returncode == 0 and "Question:" in shown.stdout

    resumed = azdebug(project, "continue", trace_id, stdin=RULES_ANSWER + ".\n", url=keyed)
    assert resumed.returncode == 0, resumed.stderr
    assert "Question:" in resumed.stderr and "done - root cause found" in resumed.stdout
    assert envelope(keyed, trace_id)["status"] == "done"

    again = azdebug(project, "continue", trace_id, "--answer", "more", url=keyed)
    assert again.returncode == 2 and "already finished" in again.stderr

    assert azdebug(project, "delete", trace_id, url=keyed).returncode == 0
    gone = azdebug(project, "show", trace_id, url=keyed)
    assert gone.returncode == 2 and "HTTP 404, not_found" in gone.stderr


def test_continue_with_an_answer_on_the_command_line(keyed: str, project: Path):
    stopped = azdebug(project, *debug_args(), stdin="", url=keyed)  # end of input at the request: stop
    assert stopped.returncode == 3 and "no answer was given" in stopped.stderr
    trace_id = trace_id_of(stopped)
    (project / "rules.txt").write_text(RULES_ANSWER, encoding="utf-8")
    resumed = azdebug(project, "continue", trace_id, "--answer-file", "rules.txt", "--json", url=keyed)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "done"
    assert "Question:" not in resumed.stderr  # the answer was given: nothing was asked


def test_a_fail_ends_with_exit_1_and_its_reason(keyed: str, project: Path):
    run = azdebug(project, *debug_args("--max-rounds", "1"), url=keyed)
    assert run.returncode == 1, run.stderr
    assert "fail - no root cause" in run.stdout and "Reason:     exhausted" in run.stdout
    assert "Checked:" in run.stdout


def test_the_error_text_can_come_from_stdin(keyed: str, project: Path):
    run = azdebug(project, "debug", "--error", "-", "--file", "main.py", "--max-rounds", "1", "--json",
                  stdin=FIREWALL["request"]["error_description"], url=keyed)
    assert run.returncode == 1, run.stderr
    final = json.loads(run.stdout)
    assert (final["status"], final["reason"]) == ("fail", "exhausted")
    assert any("mystorageaccount" in line for line in final["report"]["checked"])  # the piped text was read


def test_the_function_key_opens_the_api_and_is_never_printed(keyed: str, project: Path):
    refused = azdebug(project, "debug", "-e", "boom", url=keyed, key=None)
    assert refused.returncode == 2
    assert "HTTP 401" in refused.stderr and "--key" in refused.stderr

    wrong = azdebug(project, "debug", "-e", "boom", "--key", "not-the-key", url=keyed, key=None)
    assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr and "not-the-key" not in wrong.stderr

    flag = azdebug(project, *debug_args("--max-rounds", "1", "--key", KEY, "--url", keyed), key=None)
    assert flag.returncode == 1, flag.stderr  # reached the service and followed the session to its end
    assert KEY not in flag.stdout + flag.stderr


def test_ctrl_c_prints_the_trace_id_and_how_to_resume(keyed: str, project: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZDEBUG_")}
    env.update({"PYTHONPATH": str(REPO), "AZDEBUG_KEY": KEY, "AZDEBUG_URL": keyed, "PYTHONUNBUFFERED": "1"})
    # a user's terminal delivers Ctrl-C; a test runner may have SIGINT ignored, which a child inherits (and Python
    # then keeps ignoring it): the child starts with the default disposition, as from a shell
    child = subprocess.Popen([sys.executable, "-m", "azdebug", *debug_args()], cwd=project, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert child.stderr is not None
    seen = ""
    deadline = time.monotonic() + 120
    while ":help" not in seen and time.monotonic() < deadline:  # the answer prompt's help is shown last
        line = child.stderr.readline()
        if not line:
            break
        seen += line
    child.send_signal(signal.SIGINT)
    # stdin stays open until the child has handled the signal: closing it at once (communicate() does) races the
    # interrupt with an end of input, and the client then reports "no answer was given" instead
    child.wait(timeout=60)
    out, err = child.communicate(timeout=60)
    seen += err
    assert child.returncode == 3, seen
    trace_id = STARTED.search(seen).group(1)  # type: ignore[union-attr]
    assert "Stopped: interrupted (Ctrl-C)" in seen and f"continue {trace_id}" in seen
    assert "Traceback" not in seen and out == ""
    assert envelope(keyed, trace_id)["status"] == "request"


@pytest.fixture(scope="module")
def with_azure() -> Iterator[str]:
    """Azure reads answered by the playback server: an investigation long enough to need several rounds."""
    with PlaybackServer(WITH_AZURE["azure"]) as playback, run_devhost(REPO, env=playback.app_settings()) as url:
        yield url


def with_azure_args(folder: Path) -> list[str]:
    """The scenario's request as command-line flags, its source file written into `folder`."""
    body = WITH_AZURE["request"]
    files = []
    for source in body["context"]["source_files"]:
        (folder / source["path"]).write_text(source["content"], encoding="utf-8")
        files += ["--file", f"{source['path']}:{source.get('relevance', 'secondary')}"]
    info = body["context"]["environment_info"]
    return ["debug", "-e", body["error_description"], *files,
            "--env", f"azure_subscription={info['azure_subscription']}",
            "--env", f"resource_group={info['resource_group']}",
            "--env", "technologies=" + ",".join(info["technologies"]), "--max-depth", "2"]


def test_a_spent_round_asks_before_continuing_and_yes_goes_on(with_azure: str, tmp_path: Path):
    asked = azdebug(tmp_path, *with_azure_args(tmp_path), stdin="y\n", url=with_azure, key=None)
    assert asked.returncode == 3, asked.stderr  # yes once, then end of input at the second pause: no
    assert asked.stderr.count("Continue with another round? [y/N]") == 2
    assert "used its budget" in asked.stderr and "Stopped: you chose not to continue" in asked.stderr
    trace_id = trace_id_of(asked)

    resumed = azdebug(tmp_path, "continue", trace_id, url=with_azure, key=None)  # typing `continue` is the yes
    assert resumed.returncode == 0, resumed.stderr
    assert "done - root cause found" in resumed.stdout and "round 3" in resumed.stdout

    automatic = azdebug(tmp_path, *with_azure_args(tmp_path), "--yes", url=with_azure, key=None)
    assert automatic.returncode == 0, automatic.stderr
    assert automatic.stderr.count("Continuing with another round (--yes).") == 2
    assert "[y/N]" not in automatic.stderr


@pytest.fixture(scope="module")
def one_open_session() -> Iterator[str]:
    """A caller may hold one open session, and sessions live 8 s: a second start gets 429 + Retry-After."""
    env = {"DEBUG_MAX_OPEN_SESSIONS": "1", "DEBUG_SESSION_TTL_SECONDS": "8", "DEBUG_RETRY_AFTER_SECONDS": "1"}
    with run_devhost(REPO, env=env) as url:
        yield url


def test_a_429_is_waited_out_for_its_retry_after(one_open_session: str, project: Path):
    with httpx.Client(base_url=one_open_session, timeout=60) as http:
        assert http.post("/api/debug", json=FIREWALL["request"]).status_code == 200
        for _ in range(50):  # the open-session count is updated asynchronously
            if http.post("/api/debug", json=FIREWALL["request"]).status_code == 429:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the open-session cap never answered 429")
    began = time.monotonic()
    run = azdebug(project, *debug_args(), stdin=RULES_ANSWER + ".\n", url=one_open_session, key=None)
    assert run.returncode == 0, run.stderr
    assert re.search(r"The service is rate limiting this caller \(1 sessions are open already.*\); "
                     r"trying again in [1-8] s\.", run.stderr), run.stderr
    assert time.monotonic() - began >= 1  # it waited rather than failing


def test_feedback_and_reopen_from_the_command_line(keyed: str, project: Path):
    stopped = azdebug(project, *debug_args(), stdin="", url=keyed)
    trace_id = trace_id_of(stopped)
    (project / "rules.txt").write_text(RULES_ANSWER, encoding="utf-8")
    assert azdebug(project, "continue", trace_id, "--answer-file", "rules.txt", url=keyed).returncode == 0
    # This devhost has no case memory: the service says so and the CLI reports it, exit 2, nothing printed as done.
    told = azdebug(project, "feedback", trace_id, "fixed", url=keyed)
    assert told.returncode == 2 and "memory_unavailable" in told.stderr
    reopened = azdebug(project, "continue", trace_id, "--reopen", "--answer", "The rule is there; still 403.",
                       "--json", stdin="", url=keyed)
    assert json.loads(reopened.stdout)["round"] >= 3, reopened.stderr
