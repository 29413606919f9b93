"""Named groups of regular expressions found in texts: how templates' facts are read out of the material."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=4096)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def named_groups(patterns: Iterable[str], sources: Iterable[str]) -> dict[str, str]:
    """Named groups of every pattern's first match in the sources (in order); the first value of a name is kept."""
    facts: dict[str, str] = {}
    texts = list(sources)
    for pattern in patterns:
        for text in texts:
            match = compiled(pattern).search(text)
            if match:
                for key, value in match.groupdict().items():
                    if value and value.strip() and key not in facts:
                        facts[key] = value.strip()
                break
    return facts
