"""Real pasted errors (catalog_field_corpus.yaml) land on a catalog entry of the category their thread settled on.

The corpus holds error text as users pasted it in public issues and Q&A threads (other SDK wordings, older message
versions, CLI and Terraform wrappers, portal one-liners); each item names its thread. A miss here means the catalog
lacks that wording or ranks a looser entry above the specific one."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from shared.catalog.index import catalog_index
from shared.catalog.schema import taxonomy

# The first corpus, then one file per later collection round (catalog_field_corpus_<round>.yaml).
CORPORA = sorted(Path(__file__).parent.glob("catalog_field_corpus*.yaml"))


def _load() -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for corpus in CORPORA:
        found = yaml.safe_load(corpus.read_text(encoding="utf-8"))
        assert isinstance(found, list) and found, corpus.name
        items += found
    return items


def _slugs(items: list[dict[str, str]]) -> list[str]:
    """A short id per item from its source (repo#n or URL), numbered when a thread gives more than one item."""
    bases = [re.sub(r"[^a-z0-9]+", "-", item["source"].lower().split("github.com/")[-1]).strip("-")[-48:]
             for item in items]
    counts, seen, slugs = Counter(bases), Counter(), []
    for base in bases:
        seen[base] += 1
        slugs.append(f"{base}-{seen[base]}" if counts[base] > 1 else base)
    return slugs


ITEMS = _load()


def test_the_corpus_is_well_formed():
    assert len(ITEMS) >= 150, len(ITEMS)
    assert len({item["text"] for item in ITEMS}) == len(ITEMS), "duplicate texts"
    for item in ITEMS:
        assert set(item) == {"text", "category", "source"}, item
        assert item["category"] in taxonomy(), item
        assert item["text"].strip() and item["source"].strip(), item


@pytest.mark.parametrize("item", ITEMS, ids=_slugs(ITEMS))
def test_the_best_catalog_hit_has_the_thread_s_category(item: dict[str, str]):
    hits = catalog_index().hits([(item["text"], "error")])
    top = [(hit.entry.id, hit.entry.category) for hit in hits[:3]]
    assert hits, f"no catalog entry matches: {item['text'][:200]!r}"
    assert hits[0].entry.category == item["category"], f"want {item['category']}, got {top}"
