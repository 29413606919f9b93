"""Following a session: do exactly what each envelope's `next_action` says until it says `none`.

poll     -> wait the Retry-After, GET the Location (or links.poll) url
continue -> the round's budget is spent: ask the user (or --yes), then POST /continue
answer   -> show the request, read the user's answer, POST /continue with it
none     -> print the final report (or the raw envelope with --json) and exit 0 (done) or 1 (fail)
Anything else is a contract error; the client never guesses a next step."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from azdebug import inputs, render
from azdebug.api import ApiFailure, DebugApi, Reply
from azdebug.arguments import EXIT_DONE, EXIT_ERROR, EXIT_FAIL, EXIT_STOPPED
from azdebug.prompt import Asker, Quit

STATUSES = {"done", "request", "continue", "fail"}
NEXT_ACTIONS = {"none", "answer", "continue", "poll"}
DEFAULT_POLL_SECONDS = 1
MAX_POLL_SECONDS = 300


@dataclass
class Console:
    """Where things go: the final result on stdout; progress, requests and notes on stderr."""

    stdout: TextIO
    stderr: TextIO
    asker: Asker
    progress: render.Progress
    sleep: Callable[[float], None] = time.sleep

    def note(self, text: str) -> None:
        self.progress.end_line()
        self.stderr.write(text if text.endswith("\n") else text + "\n")
        self.stderr.flush()


@dataclass
class Following:
    """How to follow: each call's wait, whether paused rounds go on unasked, the output form, and the
    url to name in resume hints (never the key)."""

    url: str
    wait_seconds: int
    yes: bool = False
    json: bool = False
    keyed: bool = False  # a function key was used: resuming needs the same one (sessions belong to it)


@dataclass
class Given:
    """Material given on the command line of `continue`, sent the first time the session waits for the
    client; `go_on` lets the first paused round continue without asking (the user typed `continue`)."""

    answer: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    go_on: bool = False

    def has_material(self) -> bool:
        return bool(self.answer or self.context)


def envelope_of(reply: Reply) -> dict[str, Any]:
    """The reply's envelope, checked for the fields the loop relies on."""
    body = reply.body
    if not isinstance(body, dict):
        raise ApiFailure(0, f"The service answered HTTP {reply.status} without an envelope.")
    problems = []
    if not isinstance(body.get("trace_id"), str) or not body.get("trace_id"):
        problems.append("trace_id is missing")
    if body.get("status") not in STATUSES:
        problems.append(f"status {body.get('status')!r} is not one of {sorted(STATUSES)}")
    if body.get("next_action") not in NEXT_ACTIONS:
        problems.append(f"next_action {body.get('next_action')!r} is not one of {sorted(NEXT_ACTIONS)}")
    if problems:
        raise ApiFailure(0, "The service answered an envelope this client (contract v1) does not understand: "
                            + "; ".join(problems) + ".")
    return body


def follow(api: DebugApi, reply: Reply, how: Following, console: Console, given: Given | None = None) -> int:
    """Follow the session from `reply` to a final status or a stop; returns the exit code."""
    given = given or Given()
    envelope = envelope_of(reply)
    trace_id = envelope["trace_id"]
    try:
        while True:
            console.progress.show(envelope)
            action = envelope["next_action"]
            if action == "none":
                return _finish(envelope, how, console)
            if action == "poll":
                reply = _poll(api, reply, envelope, console)
            elif given.has_material():
                reply = api.continue_(trace_id, _given_body(given, how), how.wait_seconds)
                given = Given()
            elif action == "continue":
                if not (given.go_on or _agree_to_continue(envelope, how, console)):
                    return _stopped(envelope, how, console, "you chose not to continue")
                given.go_on = False
                reply = api.continue_(trace_id, inputs.continue_body(None, {}, how.wait_seconds), how.wait_seconds)
            else:  # answer
                reply = _answer(api, envelope, how, console)
            envelope = envelope_of(reply)
    except Quit as stop:
        return _stopped(envelope, how, console, stop.why)
    except KeyboardInterrupt:
        console.note("")
        return _stopped(envelope, how, console, "interrupted (Ctrl-C)")
    except ApiFailure as failure:
        console.note(render.failure(failure, trace_id))
        if failure.status == 0 or failure.status >= 500 or failure.status == 429:
            console.note(resume_hint(trace_id, how))  # the session itself may well be fine
        return EXIT_ERROR


def _poll(api: DebugApi, reply: Reply, envelope: dict[str, Any], console: Console) -> Reply:
    url = reply.headers.get("location") or (envelope.get("links") or {}).get("poll")
    console.sleep(_seconds(reply.headers.get("retry-after")))
    return api.poll(url) if url else api.get(envelope["trace_id"])


def _agree_to_continue(envelope: dict[str, Any], how: Following, console: Console) -> bool:
    console.note(f"Round {envelope.get('round', 1)} used its budget (steps or time) without a conclusion: "
                 f"{envelope.get('message', '')}")
    if how.yes:
        console.note("Continuing with another round (--yes).")
        return True
    console.progress.end_line()
    return console.asker.confirm("Continue with another round?")


def _answer(api: DebugApi, envelope: dict[str, Any], how: Following, console: Console) -> Reply:
    console.note("\n" + render.request(envelope))
    answer = console.asker.answer()
    body = inputs.continue_body(answer.text or None, answer.context(), how.wait_seconds)
    attached = f" and {len(answer.source_files)} file(s)" if answer.source_files else ""
    console.note(f"Sending your answer{attached}...")
    return api.continue_(envelope["trace_id"], body, how.wait_seconds)


def _given_body(given: Given, how: Following) -> dict[str, Any]:
    return inputs.continue_body(given.answer, given.context, how.wait_seconds)


def _finish(envelope: dict[str, Any], how: Following, console: Console) -> int:
    console.progress.end_line()
    if how.json:
        console.stdout.write(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
    else:
        console.note("")  # a blank line between the progress and the report when both go to one screen
        console.stdout.write(render.report(envelope))
    console.stdout.flush()
    return EXIT_DONE if envelope["status"] == "done" else EXIT_FAIL


def _stopped(envelope: dict[str, Any], how: Following, console: Console, why: str) -> int:
    """The user stopped: the session stays on the service; say how to come back to it."""
    trace_id = envelope["trace_id"]
    console.note(f"Stopped: {why}.\n" + resume_hint(trace_id, how))
    if how.json:  # a script still gets the state it stopped at
        console.stdout.write(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
        console.stdout.flush()
    return EXIT_STOPPED


def resume_hint(trace_id: str, how: Following) -> str:
    url = how.url
    key = "  (with the same function key, --key or AZDEBUG_KEY: a session belongs to the key that started it)\n"
    return (f"Session {trace_id} stays on the service (until its time to live runs out, 1 hour by default).\n"
            f"  resume it:  python -m azdebug continue {trace_id} --url {url}\n"
            f"  look at it: python -m azdebug show {trace_id} --url {url}\n"
            f"  cancel it:  python -m azdebug delete {trace_id} --url {url}\n" + (key if how.keyed else ""))


def _seconds(value: str | None) -> int:
    try:
        return min(MAX_POLL_SECONDS, max(0, int(value))) if value is not None else DEFAULT_POLL_SECONDS
    except ValueError:
        return DEFAULT_POLL_SECONDS
