"""What a client sends, made safe to store and to redact: path checks and text normalization.

Paths are names the engine quotes back and tools may join to a folder, so a path that climbs (`..`),
starts at a root (`/x`, `C:\\`, `\\\\server`) or hides control characters is refused rather than
cleaned: a silently changed path would make the answer point at the wrong file. Text is normalized
before redaction because a NUL or an unpaired surrogate inside a secret can split it where the
patterns expect one run of characters, and an unpaired surrogate cannot be stored as UTF-8 at all."""

from __future__ import annotations

import re
import unicodedata

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads already joined valid pairs into one character
_DRIVE = re.compile(r"^[A-Za-z]:")
# The same rule as `path_problem`, as one regular expression valid in both Python and ECMA-262 (JSON Schema's
# dialect), for the API description; tests/unit/test_input_hygiene.py checks the two agree.
RELATIVE_PATH_PATTERN = r"^(?![\\/])(?![A-Za-z]:)(?!(?:.*[\\/])?\.\.(?:[\\/]|$))[^\x00-\x1f\x7f-\x9f]+$"


def path_problem(path: str) -> str | None:
    """Why a source file path is refused, or None when it is a plain relative path."""
    if any(unicodedata.category(char) == "Cc" for char in path):
        return "contains a control character"
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "is absolute (starts at a root or a drive); send a path relative to the project"
    if ".." in re.split(r"[\\/]", path):
        return "contains a '..' segment"
    return None


def normalize_text(text: str) -> str:
    """NUL bytes removed, unpaired surrogates replaced by U+FFFD; everything else unchanged."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)
