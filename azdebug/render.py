"""Readable text for envelopes, requests and errors, and the progress line.

Nothing here prints secrets: the function key never reaches this module, and envelopes are shown as
the service sent them (it has already redacted what it stores)."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable
from typing import Any, TextIO

from azdebug.api import ApiFailure
from azdebug.limits import Problem

FINAL_TITLES = {"done": "done - root cause found", "fail": "fail - no root cause"}
REASONS = {
    "exhausted": "the session's rounds were used up without a conclusion",
    "limits": "the session hit its depth or time limits",
    "expired": "the session waited for the client longer than its time to live",
    "cancelled": "the session was cancelled",
    "out_of_scope": "the error is not an Azure problem this service investigates",
    "error": "the session stopped on an internal error",
}


def report(envelope: dict[str, Any]) -> str:
    """The final envelope (done or fail) as text for a person."""
    status = envelope.get("status", "")
    body = envelope.get("report") or {}
    lines = [f"Status:     {FINAL_TITLES.get(status, status)}"]
    if envelope.get("reason"):
        lines.append(f"Reason:     {envelope['reason']} ({REASONS.get(envelope['reason'], 'see the message')})")
    if body.get("category"):
        lines.append(f"Category:   {body['category']}")
    if status == "done" and body.get("confidence"):
        lines.append(f"Confidence: {body['confidence']}")
    lines.append(f"Trace id:   {envelope.get('trace_id', '')}  (round {envelope.get('round', 1)}, "
                 f"{envelope.get('steps', 0)} steps)")
    if body.get("root_cause"):
        lines += ["", "Root cause:", *_paragraph(body["root_cause"])]
    elif envelope.get("message"):
        lines += ["", "Message:", *_paragraph(envelope["message"])]
    evidence = body.get("evidence") or []
    if evidence:
        lines += ["", "Evidence:"]
        lines += [f"  - [{item.get('source', '?')}] {_one_line(item.get('summary', ''))}" for item in evidence]
    actions = body.get("actions") or []
    if actions:
        lines += ["", "What to do:"]
        lines += _numbered(actions)
    checked = body.get("checked") or []
    if checked:
        lines += ["", "Checked:"]
        lines += [f"  - {_one_line(item)}" for item in checked]
    return "\n".join(lines) + "\n"


def request(envelope: dict[str, Any]) -> str:
    """A `request` envelope: what the service needs, why, and the commands that would show it."""
    asked = envelope.get("request") or {}
    lines = [f"The service needs something only you can supply (session {envelope.get('trace_id', '')}, "
             f"round {envelope.get('round', 1)}):", "",
             "  Question: " + _one_line(asked.get("question", "")),
             "  Why:      " + _one_line(asked.get("why", ""))]
    commands = asked.get("suggested_commands") or []
    if commands:
        lines += ["", "  Commands that would show it (run them yourself, then paste their output):"]
        lines += [f"    $ {command}" for command in commands]
    return "\n".join(lines) + "\n"


def current(envelope: dict[str, Any]) -> str:
    """Any envelope, for `show`: the report when finished, the request when asked, else the state."""
    if envelope.get("status") in ("done", "fail"):
        return report(envelope)
    if envelope.get("next_action") == "answer":
        return request(envelope)
    waiting = ("waits for you to continue (its round's budget is spent)" if envelope.get("next_action") == "continue"
               else "is working")
    return (f"Session {envelope.get('trace_id', '')} {waiting}: {progress_text(envelope)}\n")


def progress_text(envelope: dict[str, Any]) -> str:
    steps = envelope.get("steps", 0)
    return (f"[{envelope.get('progress', 0):>3}%] round {envelope.get('round', 1)}, "
            f"{steps} step{'s' if steps != 1 else ''}: {_one_line(envelope.get('message', ''))}")


def problems(title: str, found: Iterable[Problem]) -> str:
    return title + "\n" + "".join(f"  - {problem}\n" for problem in found)


def failure(error: ApiFailure, trace_id: str | None = None) -> str:
    """An error answer as text: the status and code, the message, each field and its problem. For a 5xx
    the service's message carries its trace_id; the session's is added when known."""
    if error.status == 0:
        head = error.message
    else:
        code = f", {error.code}" if error.code else ""
        kind = "The service failed" if error.status >= 500 else "The service refused the request"
        head = f"{kind} (HTTP {error.status}{code}): {error.message}"
    lines = [head]
    lines += [f"  - {field or 'body'}: {problem}" for field, problem in error.details]
    if trace_id and trace_id not in error.message:
        lines.append(f"  (session {trace_id})")
    return "\n".join(lines) + "\n"


class Progress:
    """The service's progress on stderr: one line rewritten in place on a terminal, otherwise a plain
    line whenever something changed (so logs stay readable)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last = ""
        self._open = False  # a rewritten line is on screen without its newline

    def show(self, envelope: dict[str, Any]) -> None:
        text = progress_text(envelope)
        if text == self._last:
            return
        self._last = text
        if self._tty:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self._stream.write("\r\x1b[K" + _clip(text, width))
            self._open = True
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def end_line(self) -> None:
        """Close the rewritten line before anything else is written below it."""
        if self._open:
            self._stream.write("\n")
            self._stream.flush()
            self._open = False


def _paragraph(text: str) -> list[str]:
    width = max(40, min(100, shutil.get_terminal_size((100, 20)).columns) - 2)
    lines = []
    for part in text.splitlines() or [""]:
        lines += textwrap.wrap(part, width, initial_indent="  ", subsequent_indent="  ",
                               break_long_words=False, break_on_hyphens=False) or [""]
    return lines


def _numbered(items: list[str]) -> list[str]:
    """Numbered steps; a step's own lines stay as they are (they are often commands to copy)."""
    lines = []
    for number, item in enumerate(items, 1):
        first, *rest = str(item).splitlines() or [""]
        prefix = f"  {number}. "
        lines.append(prefix + first)
        lines += [" " * len(prefix) + line for line in rest]
    return lines


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 3)] + "..."
