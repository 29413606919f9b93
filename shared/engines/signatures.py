"""Loads the error signatures (knowledge/signatures/*.yaml) and scores a session's material against them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from cachetools.func import ttl_cache

from shared.catalog.index import first_affirmed, negated
from shared.resilience.memory_guard import register_cache
from shared.session.state import Material

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
_WEIGHT_ERROR, _WEIGHT_ANSWER, _WEIGHT_FILE = 3, 2, 1


@dataclass(frozen=True)
class Signature:
    id: str
    category: str
    analyzer: str
    patterns: tuple[re.Pattern[str], ...]
    source: str


@dataclass
class Hit:
    """A signature that matched, with its score and the named groups of its matches."""

    signature: Signature
    score: int = 0
    facts: dict[str, str] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the whole line of each match: the error as the client saw it


@lru_cache(maxsize=1)
def signatures() -> tuple[Signature, ...]:
    """Every entry of knowledge/signatures/*.yaml (one file per area): core.yaml, then the others by name."""
    # a stable load order; ranking does not depend on it (ties go to the most specific match, see _scan)
    paths = sorted((_KNOWLEDGE / "signatures").glob("*.yaml"), key=lambda p: (p.name != "core.yaml", p.name))
    entries = [e for path in paths
               for e in yaml.safe_load(path.read_text(encoding="utf-8"))]
    ids = [e["id"] for e in entries]
    unknown = sorted({e["category"] for e in entries} - set(taxonomy()))
    if unknown:
        raise ValueError(f"signature categories outside the taxonomy: {unknown}")
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate signature ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return tuple(Signature(id=e["id"], category=e["category"], analyzer=e["analyzer"],
                           patterns=tuple(re.compile(_pattern(p)) for p in e["patterns"]), source=e["source"].strip())
                 for e in entries)


def _pattern(item: str | dict[str, str]) -> str:
    """A signature's pattern: a regex, or `{table, id}` naming a knowledge-table entry whose `match` it routes by
    as it is, so that one regex serves the routing and the analyzer's table instead of two copies kept in step."""
    if isinstance(item, str):
        return item
    rows = yaml.safe_load((_KNOWLEDGE / f"{item['table']}.yaml").read_text(encoding="utf-8"))
    return str(next(row["match"] for row in rows if row["id"] == item["id"]))


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Category id -> what it means (knowledge/taxonomy.yaml)."""
    return dict(yaml.safe_load((_KNOWLEDGE / "taxonomy.yaml").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _azure_markers() -> tuple[re.Pattern[str], ...]:
    raw = yaml.safe_load((_KNOWLEDGE / "azure_markers.yaml").read_text(encoding="utf-8"))
    return tuple(re.compile(p) for p in raw)


def _weighted_texts(material: Material) -> list[tuple[int, str]]:
    texts = [(_WEIGHT_ERROR, material.error_description)]
    texts += [(_WEIGHT_ANSWER, a) for a in material.answers]
    texts += [(_WEIGHT_FILE, f.content) for f in material.files]
    env = " ".join(str(v) for v in material.environment.values())
    return texts + [(_WEIGHT_FILE, env)]


def classify(material: Material) -> list[Hit]:
    """Every matching signature, best first (ties go to the most specific match).

    The engine asks at every step, but the material changes only on client turns: the scan (about 500
    regular-expression searches over every text, most of a step's time) is kept per material text, and
    each caller gets fresh Hit objects."""
    texts = tuple(_weighted_texts(material))
    return [Hit(signatures()[index], score, dict(facts), list(quotes), list(lines))
            for index, score, facts, quotes, lines in _scan(texts)]


def _line_of(text: str, match: re.Match[str], before: int = 60, after: int = 360) -> str:
    """The line that holds the match: from `before` characters ahead of it to at least `after` past its start."""
    start = word_start(text, max(text.rfind("\n", 0, match.start()) + 1, match.start() - before), match.start())
    end = text.find("\n", match.end())
    end = min(len(text) if end < 0 else end, max(match.end(), match.start() + after))
    return " ".join(text[start:end].split())


def word_start(text: str, start: int, limit: int) -> int:
    """`start` moved forward to the beginning of a word (not past `limit`): a quote begins at a word, not inside one."""
    while 0 < start < limit and not text[start - 1].isspace():
        start += 1
    return start


def _add_line(lines: list[str], line: str) -> None:
    """Keep one line per place in the error: a line inside one already kept adds nothing, a longer one replaces."""
    if any(line in kept for kept in lines):
        return
    lines[:] = [kept for kept in lines if kept not in line] + [line]


# A session's material is at most ~150,000 characters: a few MB at the most; bounded by entries and age, and
# emptied under memory pressure (shared/resilience/memory_guard.py).
@ttl_cache(maxsize=16, ttl=600)
def _scan(texts: tuple[tuple[int, str], ...]) -> tuple[tuple[int, int, tuple, tuple, tuple], ...]:
    found = []
    for index, signature in enumerate(signatures()):
        score, facts, quotes = 0, {}, []
        lines: list[str] = []
        for pattern in signature.patterns:
            for weight, text in texts:
                match = first_affirmed(pattern, text)
                if match is None:
                    continue
                score += weight
                quotes.append(match.group(0)[:200])
                _add_line(lines, _line_of(text, match))
                for key, value in match.groupdict().items():
                    if value and key not in facts:
                        facts[key] = value
        if score:
            found.append((index, score, tuple(facts.items()), tuple(quotes), tuple(lines)))
    # ties go to the more specific signature (the longest text it matched), never to the order of the files
    return tuple(sorted(found, key=lambda f: (-f[1], -max(len(q) for q in f[3]), signatures()[f[0]].id)))


def clear_signature_scans() -> None:
    """Forget the kept scans (benchmarks measure a session's first classification, not a kept one)."""
    _scan.cache_clear()


# "nothing is hosted on Azure", "we don't use Azure", "moving our API off Azure": a mention that says Azure is not
# (or no longer) involved.
_NOT_AZURE_BEFORE = re.compile(r"(?:\bnothing\b[^.;!?\n]{0,25}\b(?:on|in)|\b(?:not|never|don't|do not|doesn't|"
                               r"does not)\b[^.;!?\n]{0,25}\b(?:on|in|use|using|with)|\b(?:off|away from)|"
                               r"\b(?:moving|moved|migrating|migrated)\b[^.;!?\n]{0,30}\bfrom|"
                               # a move the client only considers ("thinking of moving it to Azure Static Web
                               # Apps"): where the system may go, not where it runs
                               r"\b(?:thinking (?:of|about)|plann?(?:ing|ed)? (?:to|on)|consider(?:ing)?|would like to|"
                               r"want(?:ing)? to|hop(?:e|ing) to)\b[^.;!?\n]{0,30}\b(?:to|on|onto))(?:\s+azure)?\s+$",
                               re.IGNORECASE)  # "off Azure App Service": the product named after Azure, negated too


def mentions_azure(material: Material) -> bool:
    """Whether the material names Azure, other than to say Azure is not involved: an Azure subscription or resource
    group in environment_info, or Azure's names in the texts."""
    environment = material.environment
    if str(environment.get("azure_subscription") or environment.get("resource_group") or "").strip():
        return True
    return any(_affirmed_azure(p, text) for p in _azure_markers() for _, text in _weighted_texts(material))


def _affirmed_azure(pattern: re.Pattern[str], text: str) -> bool:
    return any(not negated(text, m.start(), m.end()) and not _NOT_AZURE_BEFORE.search(text[max(0, m.start() - 50):
                                                                                            m.start()])
               for m in pattern.finditer(text))


register_cache(_scan.cache_clear)
