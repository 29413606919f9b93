"""The catalog entries nearest a report that matches no code or phrase exactly, ranked by BM25 (rank_bm25).

A report paraphrases an error, or pastes a variant of its message the catalog does not hold verbatim: its words
still point at entries. Each entry is a bag of its codes (also split at case changes), phrases, meaning and service;
the report's error text and answers are the query. The nearest entries vote for a category with their scores; a
clear lead is a lead only: the engine gives it at low confidence with the entries' check, never more."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rank_bm25 import BM25Okapi

from shared.catalog.loader import all_entries
from shared.catalog.schema import CatalogEntry

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# Words every Azure report says: they tell no entry from another.
_STOP = frozenset("""
a an and are as at be been but by can could did do does error errors exception failed failure for from has have
if in into is it its may no not of on or our please request requests that the their then there this to was we were
when which while will with you your azure resource resources service services operation operations code value
get got getting using use used what why how also just any all some one after before again still since now
""".split())  # noqa: SIM905 (a word list reads better as text)
NEAREST = 10
_ERROR_SIGNAL = re.compile(r"(?i)\b(?:error|exception|fail(?:ed|ure|s|ing)?|denied|refused|forbidden|unauthori[sz]ed|"
                           r"timed? ?out|timeout|cannot|could not|can't|unable|not found|invalid|exceed(?:ed|s)?|"
                           r"crash\w*|killed|out of memory|[45]\d\d)\b")


@dataclass(frozen=True)
class Lead:
    """A category the nearest entries agree on, with the entries that voted for it (best first)."""

    category: str
    entries: tuple[CatalogEntry, ...]
    share: float  # the category's share of the nearest entries' total score


def tokens(text: str) -> list[str]:
    """Lower-case words, CamelCase codes also split into their parts, stop words dropped."""
    found: list[str] = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        if lowered not in _STOP:
            found.append(lowered)
        parts = _CAMEL.findall(word)
        if len(parts) > 1:
            found += [p.lower() for p in parts if p.lower() not in _STOP and len(p) > 2]
    return found


class SimilarEntries:
    """BM25 over the catalog's entries, built once."""

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        self.entries = tuple(entries)
        corpus = [tokens(" ".join([*e.codes, *e.phrases, e.meaning, e.service])) for e in self.entries]
        self._bm25 = BM25Okapi(corpus)

    def nearest(self, text: str, limit: int = NEAREST) -> list[tuple[CatalogEntry, float]]:
        query = list(dict.fromkeys(tokens(text)))
        if not query:
            return []
        scores = self._bm25.get_scores(query)
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i])[:limit]
        return [(self.entries[i], float(scores[i])) for i in ranked if scores[i] > 0]

    def lead(self, text: str, min_share: float = 0.4, min_score: float = 8.0,
             outside: tuple[str, ...] = ()) -> Lead | None:
        """The category holding at least `min_share` of the nearest entries' score, when the best entry scores at
        least `min_score` (a weak match is no lead); entries of categories starting with an `outside` prefix do not
        count (a failed deployment operation is no code defect of the app)."""
        if not _ERROR_SIGNAL.search(text):
            return None  # "the release is red since Monday" names no error: its words are only topics
        near = [(e, s) for e, s in self.nearest(text, NEAREST * 2 if outside else NEAREST)
                if not (outside and e.category.startswith(outside)) and not ruled_out(e, text)][:NEAREST]
        if not near or near[0][1] < min_score:
            return None
        totals: dict[str, float] = defaultdict(float)
        for entry, score in near:
            totals[entry.category] += score
        category, best = max(totals.items(), key=lambda item: item[1])
        share = best / sum(totals.values())
        if share < min_share:
            return None
        return Lead(category, tuple(e for e, _ in near if e.category == category), round(share, 2))


def ruled_out(entry: CatalogEntry, text: str) -> bool:
    """Whether the text says one of the entry's own codes or phrases while the context the entry `requires` is
    absent: the exact matcher has judged that entry not there, so its words in common are no lead either."""
    if not entry.requires:
        return False
    folded = " ".join(text.casefold().split())
    said = any(" ".join(form.casefold().split()) in folded for form in (*entry.codes, *entry.phrases))
    return said and re.search(entry.requires, text) is None


@lru_cache(maxsize=1)
def similar_entries() -> SimilarEntries:
    return SimilarEntries(all_entries())
