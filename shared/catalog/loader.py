"""Reads knowledge/catalog/*.yaml into validated entries; ids are unique across files."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from shared.catalog.schema import KNOWLEDGE, CatalogEntry

CATALOG_DIR = KNOWLEDGE / "catalog"
# libyaml's parser when PyYAML has it (the wheels do): the catalog is about 1 MB of YAML, which the pure-Python
# parser reads in seconds and libyaml in a fraction of one (a worker's first session pays it).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """A catalog file is not valid; the message names the file and the entry."""


def read_file(path: Path) -> list[CatalogEntry]:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or []  # a safe loader (C or Python)
    if not isinstance(raw, list):
        raise CatalogError(f"{path.name}: the file must be a list of entries")
    found = []
    for position, item in enumerate(raw):
        try:
            found.append(CatalogEntry.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) else position
            raise CatalogError(f"{path.name}: entry {name}: {exc}") from None
    return found


@lru_cache(maxsize=1)
def entries_by_file(folder: Path = CATALOG_DIR) -> dict[str, tuple[CatalogEntry, ...]]:
    by_file = {path.name: tuple(read_file(path)) for path in sorted(folder.glob("*.yaml"))}
    ids = Counter(e.id for found in by_file.values() for e in found)
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    if duplicates:
        raise CatalogError(f"duplicate entry ids: {duplicates}")
    return by_file


def all_entries() -> tuple[CatalogEntry, ...]:
    return tuple(e for found in entries_by_file().values() for e in found)
