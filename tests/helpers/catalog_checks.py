"""The catalog-entry tests' shared check: which entry the index ranks first for a bare error text."""

from __future__ import annotations

from shared.catalog.index import catalog_index


def best_entry_id(text: str) -> str | None:
    """The id of the entry the catalog index ranks first for the text, or None when nothing matches."""
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None
