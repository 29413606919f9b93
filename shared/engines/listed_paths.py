"""A path that is not found, while the report lists the paths that do exist under the same parent.

A copy or read of a blob or Data Lake path fails with "not found" (BlobNotFound, PathNotFound, ADF's
UserErrorFileNotFound) and the report pastes a listing of what is there (`az storage blob list --query "[].name"`,
`az storage fs file list`). The listing shows where the data really lands: a folder layout other than the one the
reader builds (`dt=2026-12-06/` for `2026/12/06/`), another prefix, another date. The folder nearest to the one
sought, under the deepest parent both share, is that deciding fact; computed here because no phrase says it."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from shared.engines.base import Decision
from shared.engines.listed_names import listed_names
from shared.session.state import Conclude, SessionState

_CATEGORY = "config.wrong_resource_name"
_NOT_FOUND = re.compile(r"(?i)not found|does not exist|is missing|no such|PathNotFound|BlobNotFound|FileNotFound")
# the path the error names: "path: raw/sales/2026/12/06/.", "Path: 'vendor/orders/2026/12/06'", a blob URL's path
_SOUGHT = re.compile(r"(?i)\b(?:path|folderPath|blob(?: ?name)?)\s*[:=]\s*'?(?P<path>[\w.=-]+(?:/[\w.=-]+)+)/?\.?'?|"
                     r"https://[a-z0-9]+\.(?:blob|dfs)\.core\.windows\.net/(?P<url>[\w.=-]+(?:/[\w.=-]+)+)")
_SHOWN = 3


def with_listed_paths(state: SessionState, decision: Decision) -> Decision:
    """The not-found conclusion, with the listed folder nearest to the path sought."""
    if not isinstance(decision, Conclude) or decision.report.category != _CATEGORY:
        return decision
    found = nearest_folder(state.material.spoken_text())
    if found is None:
        return decision
    sought, folder, listed = found
    if folder in decision.report.root_cause:
        return decision
    shown = ", ".join(f"'{p}'" for p in listed[:_SHOWN]) + (", ..." if len(listed) > _SHOWN else "")
    decision.report.root_cause = (decision.report.root_cause.rstrip() + f" The path read, '{sought}', is not among"
                                  f" the paths the report lists ({shown}): the data sits in '{folder}/', a folder"
                                  " laid out or named otherwise; point the reader's path (the dataset's folder"
                                  " expression) at that layout.")
    return decision


def nearest_folder(text: str) -> tuple[str, str, list[str]] | None:
    """(the path sought, the listed folder nearest to it, the listed paths) when the path is not among them."""
    listed = list(dict.fromkeys([*_listed_paths(text), *(p for p in listed_names(text) if "/" in p)]))
    if not listed:
        return None
    for sought in _sought_paths(text):
        candidates = _aligned(sought, listed)
        if candidates is None:
            continue
        path, under = candidates
        if any(p == path or p.startswith(path + "/") for p in under):
            return None  # the path is there: the listing says nothing against it
        folders = list(dict.fromkeys(p.rsplit("/", 1)[0] for p in under))
        best = max(folders, key=lambda f: SequenceMatcher(None, path.lower(), f.lower()).ratio())
        return path, best, under
    return None


# a listing command on its prompt line (`$ az storage blob list ...`, `az storage fs file list`, `azcopy list`)
_LIST_COMMAND = re.compile(r"(?i)^\s*(?:[$>#]|PS[^>\n]{0,60}>)?\s*(?:az\s[^\n]*\blist\b|azcopy\s+list\b|"
                           r"Get-AzStorage(?:Blob|File)\b|Get-AzDataLakeGen2ChildItem\b)")
# one path per line of its output, bare or as a JSON string ("sales/dt=2026-12-06/part-0000.parquet",)
_PATH_LINE = re.compile(r"\s*\"?(?P<path>[\w.=-]+(?:/[\w.=-]+)+)/?\"?,?\s*")


def _listed_paths(text: str) -> list[str]:
    """The paths a listing command's output shows (one per line, up to a blank line or the next prompt)."""
    lines, found = text.split("\n"), []
    for i, line in enumerate(lines):
        if not _LIST_COMMAND.search(line):
            continue
        for row in lines[i + 1:]:
            if row.strip() in ("[", "]"):
                continue
            match = _PATH_LINE.fullmatch(row)
            if match is None:
                break
            found.append(match.group("path"))
    return found


def _sought_paths(text: str) -> list[str]:
    """The paths named on the lines that say something was not found."""
    found: list[str] = []
    for line in text.split("\n"):
        if _NOT_FOUND.search(line):
            found += [(m.group("path") or m.group("url")).rstrip("/.") for m in _SOUGHT.finditer(line)]
    return list(dict.fromkeys(p for p in found if p))


def _aligned(sought: str, listed: list[str]) -> tuple[str, list[str]] | None:
    """The sought path without leading parts the listing does not have (the container's name), and the listed
    paths under the deepest parent folder both share (at least one folder in common)."""
    parts = sought.split("/")
    for start in range(len(parts) - 1):
        path = "/".join(parts[start:])
        for depth in range(len(parts) - start - 1, 0, -1):
            parent = "/".join(parts[start:start + depth]) + "/"
            under = [p for p in listed if p.startswith(parent)]
            if under:
                return path, under
    return None
