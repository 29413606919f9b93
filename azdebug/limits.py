"""The contract's limits, checked before anything is sent so a mistake gets a clear message at once.

The server stays the authority (it checks the same limits and answers 400/413); these copies exist
because the client imports nothing from the app. tests/unit/test_cli.py compares them with
shared/models.py, so a change there that is not made here fails a test."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_ERROR_DESCRIPTION_CHARS = 50_000
MAX_ANSWER_CHARS = 50_000
MAX_SOURCE_FILES = 50
MAX_FILE_BYTES = 2_000_000
MAX_TOTAL_FILE_BYTES = 10_000_000
MAX_PATH_CHARS = 1_024

# option name -> inclusive (low, high)
OPTION_RANGES: dict[str, tuple[int, int]] = {
    "max_depth": (1, 20),
    "time_limit_seconds": (5, 600),
    "max_rounds": (1, 20),
    "wait_seconds": (0, 200),
}
RELEVANCES = ("primary", "secondary", "config")

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Problem:
    """One field of a request body and what is wrong with it, named like the server's error details."""

    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


def option_problem(name: str, value: int) -> str | None:
    low, high = OPTION_RANGES[name]
    if not low <= value <= high:
        return f"{value} is out of range; {name} is {low} to {high}"
    return None


def path_problem(path: str) -> str | None:
    """Why the server would refuse this source file path (the same rules as its input hygiene), or None."""
    if not path:
        return "is empty"
    if len(path) > MAX_PATH_CHARS:
        return f"is {len(path)} characters, at most {MAX_PATH_CHARS} allowed"
    if any(unicodedata.category(char) == "Cc" for char in path):
        return "contains a control character"
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "is absolute; give a path relative to the project folder (it is sent as given)"
    if ".." in re.split(r"[\\/]", path):
        return "contains a '..' segment; run from a folder that contains the file"
    return None


def start_problems(body: dict[str, Any]) -> list[Problem]:
    """Every limit a start body breaks (empty when it may be sent)."""
    text = body.get("error_description", "")
    problems = []
    if not text.strip():
        problems.append(Problem("error_description", "is empty; describe the error (1 to 50,000 characters)"))
    problems += _text_problems("error_description", text, MAX_ERROR_DESCRIPTION_CHARS)
    for name, value in body.get("options", {}).items():
        if name in OPTION_RANGES and (problem := option_problem(name, value)):
            problems.append(Problem(f"options.{name}", problem))
    return problems + context_problems(body.get("context", {}))


def continue_problems(body: dict[str, Any]) -> list[Problem]:
    """Every limit a continue body breaks (empty when it may be sent)."""
    problems = _text_problems("answer", body.get("answer") or "", MAX_ANSWER_CHARS)
    return problems + context_problems(body.get("context", {}))


def context_problems(context: dict[str, Any]) -> list[Problem]:
    files = context.get("source_files", [])
    problems = []
    if len(files) > MAX_SOURCE_FILES:
        problems.append(Problem("context.source_files", f"{len(files)} files, at most {MAX_SOURCE_FILES} allowed"))
    total = 0
    for index, source in enumerate(files):
        if (problem := path_problem(source["path"])) is not None:
            problems.append(Problem(f"context.source_files[{index}].path", f"{source['path']!r} {problem}"))
        size = len(source["content"].encode("utf-8", "surrogatepass"))
        total += size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(f"context.source_files[{index}].content",
                                    f"{source['path']} is {size:,} bytes, at most {MAX_FILE_BYTES:,} allowed"))
    if total > MAX_TOTAL_FILE_BYTES:
        problems.append(Problem("context.source_files",
                                f"{total:,} bytes in all, at most {MAX_TOTAL_FILE_BYTES:,} allowed"))
    return problems


def _text_problems(field: str, text: str, max_chars: int) -> list[Problem]:
    if len(text) > max_chars:
        return [Problem(field, f"{len(text):,} characters, at most {max_chars:,} allowed")]
    return []
