"""Orchestration versioning as host.json configures it (extensions.durableTask): defaultVersion stamps new
instances, versionMatchStrategy says which instance versions this worker runs, versionFailureStrategy what
happens to the others. Rules from Microsoft Learn, "Orchestration versioning in Durable Functions"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOTNET_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")  # what System.Version.TryParse accepts (2 to 4 parts)


@dataclass(frozen=True)
class VersionPolicy:
    default_version: str | None = None
    match: str = "CurrentOrOlder"  # None | Strict | CurrentOrOlder (the documented default)
    failure: str = "Reject"  # Reject: the work waits for a worker that matches | Fail: the instance fails

    def accepts(self, version: str | None) -> bool:
        """May this worker run an instance of `version`? Without a defaultVersion devhost runs every version
        (an app that does not use versioning must not see its instances held back)."""
        if self.match.lower() == "none" or not self.default_version:
            return True
        order = compare_versions(version, self.default_version)
        return order == 0 if self.match.lower() == "strict" else order <= 0

    @property
    def fails(self) -> bool:
        return self.failure.lower() == "fail"


def compare_versions(left: str | None, right: str | None) -> int:
    """-1, 0 or 1: empty versions are equal and older than any other; two System.Version-like values compare
    by their numbers; anything else case-insensitively as text."""
    if not left or not right:
        return (bool(left) > bool(right)) - (bool(left) < bool(right))
    if _DOTNET_VERSION.match(left) and _DOTNET_VERSION.match(right):
        a, b = _parts(left), _parts(right)
        return (a > b) - (a < b)
    x, y = left.casefold(), right.casefold()
    return (x > y) - (x < y)


def _parts(version: str) -> list[int]:
    # System.Version: an absent build or revision is lower than 0 (1.0 < 1.0.0).
    numbers = [int(p) for p in version.split(".")]
    return numbers + [-1] * (4 - len(numbers))
