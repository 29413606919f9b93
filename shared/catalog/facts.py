"""Named groups of regular expressions found in texts: how templates' facts are read out of the material."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=4096)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def named_groups(patterns: Iterable[str], sources: Iterable[str]) -> dict[str, str]:
    """Named groups of every pattern's first match in the sources (in order), then in the sources with their
    wrapped lines joined (a forum or e-mail paste breaks a long message line); the first value of a name is kept."""
    facts: dict[str, str] = {}
    texts = list(sources)
    texts += [joined for joined in map(unwrapped, texts) if joined not in texts]
    for pattern in patterns:
        for text in texts:
            match = compiled(pattern).search(text)
            if match:
                for key, value in match.groupdict().items():
                    if value and value.strip() and key not in facts:
                        facts[key] = value.strip()
                break
    return facts


# A line that a paste wrapped: long, not indented (a stack frame, a JSON or YAML body is), not ending a sentence or
# a record; the next line goes on with the same sentence (not a new log record, frame, bullet or prompt).
_WRAPPED = re.compile(r"(?m)^(?P<line>\S[^\n]{58,118}[^\s.:;!?,)\]}>])[ \t]*\r?\n"
                      r"(?=[^\s\d\[#>*\-+|{}\]\\/$<](?!at |File |Caused by|Traceback|ERROR|WARN|INFO|DEBUG))")


def unwrapped(text: str) -> str:
    """The text with lines a paste wrapped joined again (one space between); other line breaks kept. Only a report's
    size is looked at: long material (logs, files) is printed by machines, which do not wrap, and reading it twice
    would make every scan cost double."""
    if "\n" not in text or len(text) > REPORT_CHARS:
        return text
    return _WRAPPED.sub(lambda m: m.group("line") + " ", text)


REPORT_CHARS = 20_000  # a report's size, at most: longer material (logs, files) is printed by machines
