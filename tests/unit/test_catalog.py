"""Every catalog entry has the shape the matcher and the templates need, and says where it comes from."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from shared.catalog.loader import CATALOG_DIR, CatalogError, all_entries, entries_by_file, read_file
from shared.catalog.schema import CatalogEntry, taxonomy

# Facts the material can provide (shared/catalog/entities.py, environment_info, the engine's own facts).
KNOWN_FACTS = {"account", "vault", "function_app", "resource_group", "subscription", "location", "registry", "image",
               "principal", "role", "scope", "resource", "resource_type", "setting", "module", "database",
               "container", "server", "namespace", "queue", "deployment", "provider", "sku", "policy",
               "cosmos_account", "openai_resource"}
# Facts nothing in the material is searched for: a template shows them as a `<user>` placeholder for the client.
PLACEHOLDER_FACTS = {"user", "identity", "certificate", "filesystem"}
_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_SOURCE = re.compile(r"MicrosoftDocs/|Azure/|microsoft/|learn\.microsoft\.com|github\.com/|https?://|\.md\b")


def test_the_catalog_holds_at_least_a_thousand_sourced_entries():
    entries = all_entries()
    assert len(entries) >= 1000, len(entries)
    assert len({e.id for e in entries}) == len(entries)


@pytest.mark.parametrize("entry", all_entries(), ids=lambda e: e.id)
def test_every_entry_is_sourced_categorised_and_fillable(entry: CatalogEntry):
    assert _SOURCE.search(entry.source), f"{entry.id}: source {entry.source!r} names no page or repository"
    assert entry.category in taxonomy()
    own = {name for pattern in entry.facts for name in re.compile(pattern).groupindex}
    for template in (*entry.fix, entry.check.command):
        unknown = set(_FIELD.findall(template)) - KNOWN_FACTS - PLACEHOLDER_FACTS - own
        assert not unknown, f"{entry.id}: template names facts nothing provides: {sorted(unknown)}"


def test_every_category_of_the_taxonomy_but_the_broadest_has_entries():
    counts = Counter(e.category for e in all_entries())
    assert set(counts) <= set(taxonomy())
    assert len(counts) >= len(taxonomy()) - 2, sorted(set(taxonomy()) - set(counts))


def test_a_file_with_an_invalid_entry_is_refused_by_name(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump([{"id": "bad-one", "service": "x", "category": "nope"}]))
    with pytest.raises(CatalogError, match="bad.yaml: entry bad-one"):
        read_file(tmp_path / "bad.yaml")


def test_ids_are_unique_across_files(tmp_path: Path):
    first = next(iter(entries_by_file().values()))[0].model_dump(mode="json")
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump([first]))
    entries_by_file.cache_clear()
    try:
        with pytest.raises(CatalogError, match="duplicate entry ids"):
            entries_by_file(tmp_path)
    finally:
        entries_by_file.cache_clear()


def test_the_catalog_folder_is_the_one_the_engine_reads():
    assert sorted(p.name for p in CATALOG_DIR.glob("*.yaml")) == sorted(entries_by_file())
