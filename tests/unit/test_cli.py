"""The command-line client's parts without a service: argument parsing, the contract's limits as the
client checks them, reading answers, and rendering envelopes, errors and progress."""

from __future__ import annotations

import io
import json
import sys
import typing
from pathlib import Path

import pytest

from azdebug import arguments, inputs, limits, render
from azdebug.api import ApiFailure, DebugApi, Reply, _failure, normalize_base_url
from azdebug.arguments import FileSpec, build_parser
from azdebug.cli import main
from azdebug.loop import Console, Following, envelope_of, follow
from azdebug.prompt import Answer, Asker, Quit
from shared import models
from shared.errors import ApiError
from shared.http.validation import parse_continue, parse_start

DONE = {
    "trace_id": "a" * 32, "status": "done", "next_action": "none", "message": "Found it.", "progress": 100,
    "round": 2, "steps": 4,
    "report": {"category": "network.storage_firewall", "root_cause": "The firewall denies the function.",
               "confidence": "high",
               "evidence": [{"source": "client", "summary": "defaultAction Deny"}],
               "actions": ["List the outbound addresses.", "az storage account network-rule add --ip-address X"],
               "checked": ["the error text"]},
}
FAIL = {"trace_id": "b" * 32, "status": "fail", "next_action": "none", "message": "Gave up.", "progress": 100,
        "reason": "exhausted", "report": {"root_cause": "No root cause was confirmed.", "checked": ["rules"]}}
REQUEST = {"trace_id": "c" * 32, "status": "request", "next_action": "answer", "message": "Need rules.",
           "progress": 8, "round": 1, "steps": 1,
           "request": {"question": "What are the network rules?", "why": "Deny would explain it.",
                       "suggested_commands": ["az storage account show --query networkRuleSet"]}}


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        parse(*argv)
    assert exited.value.code == 2
    return capsys.readouterr().err


# --- the limits are the server's ---------------------------------------------------------------------------

def test_the_client_limits_are_the_contract_limits_of_the_server():
    for name in ("MAX_ERROR_DESCRIPTION_CHARS", "MAX_ANSWER_CHARS", "MAX_SOURCE_FILES", "MAX_FILE_BYTES",
                 "MAX_TOTAL_FILE_BYTES", "MAX_PATH_CHARS"):
        assert getattr(limits, name) == getattr(models, name), name
    for name, (low, high) in limits.OPTION_RANGES.items():
        bounds = {type(m).__name__: m for m in models.Options.model_fields[name].metadata}
        assert (bounds["Ge"].ge, bounds["Le"].le) == (low, high), name
    assert set(limits.RELEVANCES) == set(typing.get_args(models.Relevance))


def _file(path: str = "a.py", content: str = "x") -> dict:
    return {"path": path, "content": content}


@pytest.mark.parametrize("body", [
    {"error_description": "x" * 50_001},
    {"error_description": "boom", "context": {"source_files": [_file(f"f{i}.py") for i in range(51)]}},
    {"error_description": "boom", "context": {"source_files": [_file(content="é" * 1_000_001)]}},
    {"error_description": "boom", "context": {"source_files": [_file(f"f{i}", "x" * 1_900_000) for i in range(6)]}},
    {"error_description": "boom", "context": {"source_files": [_file("/etc/passwd")]}},
    {"error_description": "boom", "context": {"source_files": [_file("src/../../x")]}},
    {"error_description": "boom", "context": {"source_files": [_file("C:\\x.py")]}},
    {"error_description": "boom", "context": {"source_files": [_file("a\x07.py")]}},
    {"error_description": "boom", "options": {"max_depth": 21}},
    {"error_description": "boom", "options": {"wait_seconds": -1}},
])
def test_what_the_client_refuses_the_server_refuses_too(body: dict):
    assert limits.start_problems(body)
    with pytest.raises(ApiError):
        parse_start(json.dumps(body).encode())


@pytest.mark.parametrize("body", [
    {"error_description": "x" * 50_000},
    {"error_description": "boom", "context": {"source_files": [_file(f"f{i}.py") for i in range(50)]}},
    {"error_description": "boom", "context": {"source_files": [_file("src/app/main.py", "x" * 2_000_000)]}},
    {"error_description": "boom", "options": {"max_depth": 20, "time_limit_seconds": 5, "wait_seconds": 0}},
])
def test_what_the_client_sends_at_the_limits_the_server_accepts(body: dict):
    assert limits.start_problems(body) == []
    parse_start(json.dumps(body).encode())


def test_an_answer_over_its_limit_is_refused_by_both():
    body = {"answer": "x" * 50_001}
    assert [p.field for p in limits.continue_problems(body)] == ["answer"]
    with pytest.raises(ApiError):
        parse_continue(json.dumps(body).encode())


def test_problems_name_the_field_like_the_server_does():
    body = {"error_description": "boom", "context": {"source_files": [_file(), _file("b.py", "y" * 2_000_001)]}}
    (problem,) = limits.start_problems(body)
    assert problem.field == "context.source_files[1].content"
    assert "2,000,001 bytes" in problem.problem and "b.py" in problem.problem


# --- arguments ----------------------------------------------------------------------------------------------

def test_debug_arguments_are_parsed_with_relevance_env_and_options():
    args = parse("debug", "--error", "boom", "--file", "main.py:primary", "--file", "host.json:config",
                 "--file", "notes:todo.txt", "--env", "resource_group=rg", "--env", "tag=a=b",
                 "--max-depth", "3", "--time-limit-seconds", "60", "--max-rounds", "2", "--wait-seconds", "0",
                 "--auto-continue", "--yes", "--json")
    assert args.files == [FileSpec("main.py", "primary"), FileSpec("host.json", "config"),
                          FileSpec("notes:todo.txt")]
    assert args.env == [("resource_group", "rg"), ("tag", "a=b")]
    assert (args.max_depth, args.time_limit_seconds, args.max_rounds, args.wait_seconds) == (3, 60, 2, 0)
    assert args.auto_continue and args.yes and args.json


def test_options_not_given_are_left_to_the_service():
    args = parse("debug", "-e", "boom")
    assert (args.max_depth, args.time_limit_seconds, args.max_rounds) == (None, None, None)
    assert args.wait_seconds == arguments.DEFAULT_WAIT_SECONDS and not args.auto_continue


@pytest.mark.parametrize(("argv", "expected"), [
    (["debug", "-e", "x", "--max-depth", "21"], "max_depth is 1 to 20"),
    (["debug", "-e", "x", "--time-limit-seconds", "4"], "time_limit_seconds is 5 to 600"),
    (["debug", "-e", "x", "--wait-seconds", "201"], "wait_seconds is 0 to 200"),
    (["debug", "-e", "x", "--max-rounds", "two"], "expected a whole number"),
    (["debug", "-e", "x", "--env", "novalue"], "expected KEY=VALUE"),
    (["debug", "-e", "x", "--url", "localhost:7071"], "http:// or https://"),
    (["debug", "-e", "x", "--error-file", "e.txt"], "not allowed with argument"),
    (["debug"], "one of the arguments --error/-e --error-file is required"),
    (["show", "1234"], "32 lower-case hex"),
    (["continue", "A" * 32], "32 lower-case hex"),
])
def test_bad_arguments_exit_2_naming_the_flag_and_the_problem(capsys, argv: list[str], expected: str):
    assert expected in usage_error(capsys, *argv)


def test_help_documents_every_exit_code(capsys):
    with pytest.raises(SystemExit) as exited:
        parse("debug", "--help")
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for line in ("0  the session ended 'done'", "1  the session ended 'fail'", "2  usage error",
                 "3  stopped by you", ":file PATH", ":quit", "AZDEBUG_KEY"):
        assert line in text


def test_url_and_key_come_from_flags_then_environment_then_default(monkeypatch):
    monkeypatch.delenv("AZDEBUG_URL", raising=False)
    monkeypatch.delenv("AZDEBUG_KEY", raising=False)
    assert arguments.connection(parse("show", "a" * 32)) == ("http://localhost:7071", None)
    monkeypatch.setenv("AZDEBUG_URL", "https://fn.example.net")
    monkeypatch.setenv("AZDEBUG_KEY", "from-env")
    assert arguments.connection(parse("show", "a" * 32)) == ("https://fn.example.net", "from-env")
    flags = parse("show", "a" * 32, "--url", "http://127.0.0.1:9", "--key", "from-flag")
    assert arguments.connection(flags) == ("http://127.0.0.1:9", "from-flag")


def test_base_urls_with_or_without_api_name_the_same_service():
    for given in ("http://h:7071", "http://h:7071/", "http://h:7071/api", "http://h:7071/api/"):
        assert normalize_base_url(given) == "http://h:7071"


# --- reading what the user gives ------------------------------------------------------------------------------

def test_start_body_sends_paths_as_given_with_relevance_and_environment(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (tmp_path / "host.json").write_text("{}", encoding="utf-8")
    body = inputs.start_body("boom", [FileSpec("src/main.py", "primary"), FileSpec("host.json")],
                             [("subscription_id", "sub-1"), ("resource_group", "rg"),
                              ("technologies", "python, azure-functions,")],
                             {"max_depth": 3, "wait_seconds": 5, "max_rounds": None, "auto_continue": None})
    assert body == {
        "error_description": "boom",
        "context": {"source_files": [{"path": "src/main.py", "content": "print('hi')\n", "relevance": "primary"},
                                     {"path": "host.json", "content": "{}"}],
                    "environment_info": {"azure_subscription": "sub-1", "resource_group": "rg",
                                         "technologies": ["python", "azure-functions"]}},
        "options": {"max_depth": 3, "wait_seconds": 5},
    }
    parse_start(json.dumps(body).encode())  # and the server takes it as it is


def test_a_file_is_sent_with_its_own_line_endings(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "win.ps1").write_bytes(b"line one\r\nline two\r\n")
    assert inputs.source_file(FileSpec("win.ps1"))["content"] == "line one\r\nline two\r\n"


def test_an_absolute_path_is_refused_with_the_relative_one_to_use(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.py").write_text("x", encoding="utf-8")
    with pytest.raises(inputs.InputError) as caught:
        inputs.source_file(FileSpec(str(tmp_path / "main.py")))
    assert "is absolute" in str(caught.value) and "--file main.py" in str(caught.value)


def test_files_that_cannot_be_sent_are_named(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff\xfe")
    with open(tmp_path / "big.log", "wb") as big:  # sparse: no 2 MB written to disk
        big.truncate(limits.MAX_FILE_BYTES + 1)
    for name, expected in (("missing.py", "no such file: missing.py"), ("blob.bin", "is not UTF-8 text"),
                           ("big.log", "2,000,001 bytes, at most 2,000,000")):
        with pytest.raises(inputs.InputError) as caught:
            inputs.source_file(FileSpec(name))
        assert expected in str(caught.value)


def test_an_empty_error_is_refused_before_anything_is_sent():
    with pytest.raises(inputs.InputError) as caught:
        inputs.start_body("  \n", [], [], {})
    assert [p.field for p in caught.value.problems] == ["error_description"]


def test_main_reports_input_problems_with_exit_2(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    # nothing listens on port 9: the limits are checked before any connection is tried
    code = main(["debug", "-e", "x" * 50_001, "--url", "http://127.0.0.1:9"], io.StringIO(), io.StringIO(), err)
    assert code == 2
    assert "error_description: 50,001 characters, at most 50,000 allowed" in err.getvalue()
    assert "Cannot reach" not in err.getvalue()


# --- answering a request ------------------------------------------------------------------------------------

def ask(text: str) -> tuple[Answer, str]:
    """The answer read from `text` as typed input, and what was written to the user meanwhile."""
    out = io.StringIO()
    return Asker(io.StringIO(text), out).answer(), out.getvalue()


def stopped(text: str) -> Quit:
    with pytest.raises(Quit) as caught:
        Asker(io.StringIO(text), io.StringIO()).answer()
    return caught.value


def test_an_answer_is_the_lines_up_to_a_lone_dot(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.json").write_text('{"defaultAction": "Deny"}', encoding="utf-8")
    answer, out = ask('first line\n  {"a": 1}\n:file rules.json:config\n:env resource_group=rg\n.\nignored\n')
    assert answer.text == 'first line\n  {"a": 1}'
    assert answer.context() == {
        "source_files": [{"path": "rules.json", "content": '{"defaultAction": "Deny"}', "relevance": "config"}],
        "environment_info": {"resource_group": "rg"}}
    assert "attached rules.json (25 bytes, config)" in out and ":quit" in out  # the help was shown


def test_end_of_input_also_ends_an_answer():
    answer, _ = ask("only line")
    assert answer.text == "only line" and answer.context() == {}


def test_a_missing_file_is_named_and_the_answer_goes_on(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answer, out = ask(":file nope.txt\nthe text\n.\n")
    assert answer.text == "the text" and answer.source_files == []
    assert "no such file: nope.txt; not attached" in out


def test_quit_stops_and_sends_nothing():
    assert ":quit" in stopped("half an answer\n:quit\nmore\n.\n").why


def test_an_empty_answer_is_asked_again_and_end_of_input_stops():
    answer, out = ask(".\nnow something\n.\n")
    assert answer.text == "now something" and "Nothing to send yet" in out
    assert "end of input" in stopped("").why


def test_an_answer_over_the_limit_is_asked_again():
    answer, out = ask("x" * 50_001 + "\n.\nshorter\n.\n")
    assert answer.text == "shorter" and "answer: 50,001 characters" in out


def test_confirm_is_yes_only_on_yes():
    assert Asker(io.StringIO("y\n"), io.StringIO()).confirm("Go?")
    assert Asker(io.StringIO("YES\n"), io.StringIO()).confirm("Go?")
    assert not Asker(io.StringIO("\n"), io.StringIO()).confirm("Go?")
    assert not Asker(io.StringIO(""), io.StringIO()).confirm("Go?")


# --- envelopes and errors -----------------------------------------------------------------------------------

def test_a_done_report_shows_status_category_root_cause_confidence_evidence_numbered_actions_checked():
    text = render.report(DONE)
    for expected in ("done - root cause found", "Category:   network.storage_firewall", "Confidence: high",
                     "The firewall denies the function.", "[client] defaultAction Deny",
                     "  1. List the outbound addresses.", "  2. az storage account network-rule add --ip-address X",
                     "Checked:\n  - the error text", "a" * 32, "round 2, 4 steps"):
        assert expected in text


def test_a_fail_report_shows_the_reason():
    text = render.report(FAIL)
    assert "fail - no root cause" in text and "exhausted (the session's rounds were used up" in text
    assert "Confidence" not in text and "  - rules" in text


def test_a_request_shows_question_why_and_commands():
    text = render.request(REQUEST)
    assert "Question: What are the network rules?" in text and "Why:      Deny would explain it." in text
    assert "    $ az storage account show --query networkRuleSet" in text and "c" * 32 in text


def test_show_renders_each_state():
    assert "Root cause" in render.current(DONE)
    assert "Question:" in render.current(REQUEST)
    paused = {**REQUEST, "status": "continue", "next_action": "continue", "request": None}
    assert "waits for you to continue" in render.current(paused)


def test_a_validation_error_shows_each_field_and_problem():
    body = {"error": {"code": "invalid_request", "message": "The body does not match the schema.",
                      "details": [{"field": "options.max_depth",
                                   "problem": "Input should be less than or equal to 20"}]}}
    text = render.failure(_failure(400, {}, json.dumps(body).encode()))
    assert text.startswith("The service refused the request (HTTP 400, invalid_request): The body does not match")
    assert "  - options.max_depth: Input should be less than or equal to 20" in text


def test_a_server_error_shows_its_message_and_trace_id_and_nothing_else():
    body = {"error": {"code": "internal_error", "details": [],
                      "message": f"An unexpected error occurred; quote trace_id {'d' * 32} when reporting it."}}
    failure = _failure(500, {}, json.dumps(body).encode())
    text = render.failure(failure, "d" * 32)
    assert text == f"The service failed (HTTP 500, internal_error): {failure.message}\n"
    bare = render.failure(_failure(502, {}, b"<html>Bad Gateway</html>"), "e" * 32)
    assert "The service failed (HTTP 502): The service failed." in bare and "e" * 32 in bare
    assert "<html>" not in bare


def test_an_empty_401_says_what_to_do_and_a_429_keeps_its_retry_after():
    assert "give --key or set AZDEBUG_KEY" in render.failure(_failure(401, {}, b""))
    limited = _failure(429, {"retry-after": "7"}, json.dumps({"error": {"code": "rate_limited",
                                                                         "message": "Slow down."}}).encode())
    assert (limited.status, limited.retry_after, limited.code) == (429, 7, "rate_limited")


def test_an_envelope_with_an_unknown_next_action_is_a_contract_error_not_a_guess():
    with pytest.raises(ApiFailure) as caught:
        envelope_of(Reply(200, {}, {**DONE, "next_action": "retry"}))
    assert "next_action 'retry' is not one of" in str(caught.value)
    with pytest.raises(ApiFailure):
        envelope_of(Reply(200, {}, ["not", "an", "envelope"]))
    assert envelope_of(Reply(200, {}, DONE)) is DONE


def test_a_lost_connection_mid_session_names_the_session_and_how_to_resume():
    # nothing listens on port 9: the poll the envelope points at cannot be reached
    polling = {**REQUEST, "status": "continue", "next_action": "poll", "request": None}
    reply = Reply(202, {"location": f"http://127.0.0.1:9/api/debug/{'c' * 32}/poll?token=t", "retry-after": "1"},
                  polling)
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, Asker(io.StringIO(), err), render.Progress(err), sleep=lambda _: None)
    how = Following(url="http://127.0.0.1:9", wait_seconds=0, keyed=True)
    assert follow(DebugApi("http://127.0.0.1:9", "secret-key"), reply, how, console) == 2
    text = err.getvalue()
    assert "Cannot reach the service at http://127.0.0.1:9" in text and f"(session {'c' * 32})" in text
    assert f"python -m azdebug continue {'c' * 32} --url http://127.0.0.1:9" in text
    assert "with the same function key" in text and "secret-key" not in text and out.getvalue() == ""


# --- progress ---------------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_rewrites_one_line():
    screen = Terminal()
    progress = render.Progress(screen)
    progress.show({**REQUEST, "progress": 8})
    progress.show({**REQUEST, "progress": 40, "steps": 3, "message": "Reading rules."})
    progress.end_line()
    written = screen.getvalue()
    assert written.count("\r\x1b[K") == 2 and written.count("\n") == 1
    assert "[ 40%] round 1, 3 steps: Reading rules." in written


def test_progress_in_a_log_is_one_plain_line_per_change():
    log = io.StringIO()
    progress = render.Progress(log)
    for envelope in (REQUEST, REQUEST, {**REQUEST, "progress": 50}):
        progress.show(envelope)
    lines = log.getvalue().splitlines()
    assert lines == ["[  8%] round 1, 1 step: Need rules.", "[ 50%] round 1, 1 step: Need rules."]
    assert "\x1b" not in log.getvalue()


def test_the_package_imports_nothing_but_the_standard_library():
    package = Path(inputs.__file__).parent
    for source in package.glob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith(("import ", "from ")):
                module = line.split()[1].split(".")[0]
                assert module in {"__future__", "azdebug"} or module in _stdlib(), f"{source.name}: {line}"


def _stdlib() -> frozenset[str]:
    return frozenset(sys.stdlib_module_names)

