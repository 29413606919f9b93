"""Entry point: parse the command line, run one subcommand, turn every failure into a message and an
exit code (0 done, 1 fail, 2 usage/HTTP/contract error, 3 stopped by the user). No stack traces."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import Any, TextIO

from azdebug import inputs, render
from azdebug.api import ApiFailure, DebugApi
from azdebug.arguments import EXIT_DONE, EXIT_ERROR, EXIT_FAIL, EXIT_STOPPED, build_parser, connection
from azdebug.loop import Console, Following, Given, envelope_of, follow
from azdebug.prompt import Asker


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)  # exits 2 with the usage on a bad command line
    url, key = connection(args)
    api = DebugApi(url, key, notice=lambda text: _write(stderr, text + "\n"))
    trace_id: str | None = getattr(args, "trace_id", None)
    try:
        if args.command == "debug":
            return _debug(args, api, _following(args, url, key), stdin, stdout, stderr)
        if args.command == "continue":
            return _continue(args, api, _following(args, url, key), stdin, stdout, stderr)
        if args.command == "show":
            return _show(args, api, stdout)
        if args.command == "feedback":
            return _feedback(args, api, stderr)
        return _delete(args, api, stderr)
    except inputs.InputError as error:
        _write(stderr, render.problems(str(error), error.problems) if error.problems else f"{error}\n")
        return EXIT_ERROR
    except ApiFailure as failure:
        _write(stderr, render.failure(failure, trace_id))
        return EXIT_ERROR
    except KeyboardInterrupt:  # before a session exists (inside `follow` it is handled with a resume hint)
        _write(stderr, "\nInterrupted" + (f"; session {trace_id} is unchanged.\n" if trace_id else
                                          ". If the session had already started, it stays on the service.\n"))
        return EXIT_STOPPED


def _debug(args: argparse.Namespace, api: DebugApi, how: Following, stdin: TextIO, stdout: TextIO,
           stderr: TextIO) -> int:
    error_text = (inputs.read_text(args.error_file, "--error-file", stdin) if args.error_file
                  else stdin.read() if args.error == "-" else args.error)
    options: dict[str, Any] = {"max_depth": args.max_depth, "time_limit_seconds": args.time_limit_seconds,
                               "max_rounds": args.max_rounds, "wait_seconds": args.wait_seconds,
                               "auto_continue": True if args.auto_continue else None}
    body = inputs.start_body(error_text, args.files, args.env, options)
    console = _console(stdin, stdout, stderr, stdin_used="-" in (args.error, args.error_file))
    console.note(f"Starting a debug session at {api.base_url} ...")
    reply = api.start(body, args.wait_seconds)
    envelope = envelope_of(reply)
    console.note(f"Session {envelope['trace_id']} started.")
    return follow(api, reply, how, console)


def _continue(args: argparse.Namespace, api: DebugApi, how: Following, stdin: TextIO, stdout: TextIO,
              stderr: TextIO) -> int:
    answer = (inputs.read_text(args.answer_file, "--answer-file", stdin) if args.answer_file
              else stdin.read() if args.answer == "-" else args.answer)
    given = Given((answer or "").strip() or None, inputs.context(args.files, args.env))
    if given.has_material():
        inputs.continue_body(given.answer, given.context, args.wait_seconds)  # limits, before any call
    console = _console(stdin, stdout, stderr, stdin_used="-" in (args.answer, args.answer_file))
    reply = api.get(args.trace_id)
    envelope = envelope_of(reply)
    if envelope["status"] in ("done", "fail") and given.has_material() and args.reopen:
        body = {**inputs.continue_body(given.answer, given.context, args.wait_seconds), "reopen": True}
        console.note(f"Re-opening session {args.trace_id} ...")
        return follow(api, api.continue_(args.trace_id, body, args.wait_seconds), how, console)
    if envelope["status"] in ("done", "fail") and given.has_material():
        console.note(f"Session {args.trace_id} has already finished ({envelope['status']}); "
                     "the answer and files were not sent.")
        _write(stdout, render.report(envelope))
        return EXIT_ERROR
    # Typing `continue` at a session paused between rounds is the user's yes to that pause.
    given.go_on = envelope["next_action"] == "continue"
    return follow(api, reply, how, console, given)


def _show(args: argparse.Namespace, api: DebugApi, stdout: TextIO) -> int:
    envelope = envelope_of(api.get(args.trace_id))
    _write(stdout, json.dumps(envelope, indent=2, ensure_ascii=False) + "\n" if args.json
           else render.current(envelope))
    return EXIT_FAIL if envelope["status"] == "fail" else EXIT_DONE


def _feedback(args: argparse.Namespace, api: DebugApi, stderr: TextIO) -> int:
    body = {"outcome": args.outcome, **({"note": args.note} if args.note else {})}
    api.feedback(args.trace_id, body)
    _write(stderr, f"Feedback '{args.outcome}' recorded for session {args.trace_id}.\n")
    return EXIT_DONE


def _delete(args: argparse.Namespace, api: DebugApi, stderr: TextIO) -> int:
    api.delete(args.trace_id)
    _write(stderr, f"Session {args.trace_id} was cancelled and what it stored was purged.\n")
    return EXIT_DONE


def _console(stdin: TextIO, stdout: TextIO, stderr: TextIO, stdin_used: bool) -> Console:
    """Answers come from stdin, unless stdin already gave the error text: then from the terminal if
    there is one, else from nowhere (a request then stops the client with a resume hint)."""
    source: TextIO = stdin
    if stdin_used:
        try:
            source = open("/dev/tty", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        except OSError:
            source = io.StringIO("")
    return Console(stdout, stderr, Asker(source, stderr), render.Progress(stderr))


def _following(args: argparse.Namespace, url: str, key: str | None) -> Following:
    return Following(url=url, wait_seconds=args.wait_seconds, yes=args.yes, json=args.json, keyed=bool(key))


def _write(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()

