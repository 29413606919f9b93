"""What the user gives, read from the command line, files and standard input into request bodies.

Everything read is checked against the contract's limits (azdebug/limits.py) before a body is sent,
so a file that is too large or a path the service would refuse is named before any network call."""

from __future__ import annotations

import os
from typing import Any, TextIO

from azdebug.arguments import FileSpec
from azdebug.limits import MAX_FILE_BYTES, Problem, continue_problems, path_problem, start_problems

# Names users reach for that mean the contract's environment_info fields.
ENV_ALIASES = {"subscription": "azure_subscription", "subscription_id": "azure_subscription",
               "azure_subscription_id": "azure_subscription"}
LIST_ENV_KEYS = {"technologies"}  # the contract makes this one a list of strings


class InputError(Exception):
    """Something the user gave cannot be sent: a missing file, a limit broken... (exit code 2)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def read_text(path: str, what: str, stdin: TextIO | None = None) -> str:
    """A file's text as UTF-8, or standard input for '-' where `stdin` is given."""
    if path == "-":
        if stdin is None:
            raise InputError(f"{what}: '-' (standard input) cannot be used here; give a path")
        return stdin.read()
    try:
        with open(path, encoding="utf-8", newline="") as handle:  # line endings sent as they are
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{what}: no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{what}: {path} is not UTF-8 text (byte {exc.start}); only text can be sent") from None
    except OSError as exc:
        raise InputError(f"{what}: cannot read {path}: {exc.strerror}") from None


def source_file(spec: FileSpec) -> dict[str, Any]:
    """One `context.source_files` item; the path is sent exactly as given (the service wants it relative)."""
    if spec.path == "-":
        raise InputError("--file: '-' (standard input) cannot be sent as a file; give a path")
    if (problem := path_problem(spec.path)) is not None:
        hint = ""
        if os.path.isabs(spec.path):
            relative = os.path.relpath(spec.path)
            if not relative.startswith(".."):
                hint = f" (from this folder: --file {relative})"
        raise InputError(f"--file {spec.path}: the path {problem}{hint}")
    try:
        size = os.path.getsize(spec.path)
    except OSError:
        raise InputError(f"--file: no such file: {spec.path}") from None
    if size > MAX_FILE_BYTES:  # refused before reading a file that could be huge
        raise InputError(f"--file {spec.path}: {size:,} bytes, at most {MAX_FILE_BYTES:,} allowed per file")
    item: dict[str, Any] = {"path": spec.path, "content": read_text(spec.path, "--file")}
    if spec.relevance:
        item["relevance"] = spec.relevance
    return item


def environment(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for key, value in pairs:
        key = ENV_ALIASES.get(key, key)
        info[key] = [part.strip() for part in value.split(",") if part.strip()] if key in LIST_ENV_KEYS else value
    return info


def context(files: list[FileSpec], env: list[tuple[str, str]]) -> dict[str, Any]:
    """The `context` object; empty when nothing was given (the contract makes all of it optional)."""
    result: dict[str, Any] = {}
    if files:
        result["source_files"] = [source_file(spec) for spec in files]
    if env:
        result["environment_info"] = environment(env)
    return result


def start_body(error_text: str, files: list[FileSpec], env: list[tuple[str, str]],
               options: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"error_description": error_text}
    if found := context(files, env):
        body["context"] = found
    body["options"] = {name: value for name, value in options.items() if value is not None}
    check(start_problems(body), "The session was not started")
    return body


def continue_body(answer: str | None, found_context: dict[str, Any], wait_seconds: int) -> dict[str, Any]:
    body: dict[str, Any] = {"options": {"wait_seconds": wait_seconds}}
    if answer:
        body["answer"] = answer
    if found_context:
        body["context"] = found_context
    check(continue_problems(body), "Nothing was sent")
    return body


def check(problems: list[Problem], consequence: str) -> None:
    if problems:
        raise InputError(f"{consequence}: the request does not meet the service's limits.", problems)
