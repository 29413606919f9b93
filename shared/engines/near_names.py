"""A name the error quotes that the client's own material spells another way, one or two letters apart.

A template parameter "not provided" while the parameters file has the key with a letter missing, a queue "not found"
whose name in the code lacks a letter, an authority's tenant domain with two letters swapped: the catalog entry can
only say "the name is wrong"; the deciding fact is the pair of spellings, which no phrase carries. It is computed
here: the names the error quotes (and the names quoted in the client's answers and files) against the names of the
client's material, by edit distance (a swap of two neighbouring letters counts once). Names that differ only in
digits (queue01 and queue02) are two resources, not a misspelling; only a name conclusion gets the pair."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_NAME_CATEGORIES = frozenset({"deployment.template_invalid", "config.wrong_resource_name",
                              "config.invalid_connection_string", "config.missing_app_setting"})
_QUOTED = re.compile(r"'([A-Za-z][\w.-]{4,80})'|\"([A-Za-z][\w.-]{4,80})\"")
_TOKEN = re.compile(r"(?<![\w.-])[A-Za-z][\w.-]{4,80}")
_HEXLIKE = re.compile(r"^[0-9a-f-]{8,}$", re.IGNORECASE)
# a resource or setting name, not an English word: a digit, a separator or a capital inside (camelCase)
_NAMELIKE = re.compile(r"[\d_.-]|[a-z][A-Z]")
_MIN = 5  # shorter names ("name", "type") differ from each other by a letter or two by chance
_COMPARED = 400  # names of the material compared, at most (a long file must not cost a million comparisons)


def with_near_names(state: SessionState, decision: Decision) -> Decision:
    """A name conclusion, with the two spellings of one name the client's material shows."""
    if not isinstance(decision, Conclude) or decision.report.category not in _NAME_CATEGORIES:
        return decision
    material = state.material
    said = [material.error_description, *material.answers]
    files = [f.content for f in material.files]
    pair = near_pair(sought=_quoted(said[:1]) + _quoted(said[1:] + files),
                     names=_tokens(said + files), named=named_values(said + files))
    if pair is None:
        return decision
    first, second = pair
    cause = decision.report.root_cause
    if first.lower() in cause.lower() and second.lower() in cause.lower():
        return decision
    apart = "only their separators differ" if _joined(first) == _joined(second) else "a letter or two apart"
    decision.report.root_cause = (cause.rstrip() + f" The report spells one name two ways, '{first}' and '{second}'"
                                  f" ({apart}): one of them is a misspelling, and the place that uses it"
                                  " must use the other.")
    return decision


def near_pair(sought: list[str], names: list[str], named: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The first sought name and a name of the material that differ by one or two letters (not only in digits or
    letter case), nearest first. Both must look like names (a digit, a separator or a capital inside), or both be
    given as a resource's name (`named`: a storage account's all-lowercase name after --account-name or an
    "account" key)."""
    names = list(dict.fromkeys(names))[:_COMPARED]
    best: tuple[int, int, str, str] | None = None
    for order, wanted in enumerate(dict.fromkeys(sought)):
        if len(wanted) < _MIN or _HEXLIKE.match(wanted):
            continue
        for name in names:
            if len(name) < _MIN or abs(len(name) - len(wanted)) > 2 or name.lower() == wanted.lower():
                continue
            if _HEXLIKE.match(name) or not (_NAMELIKE.search(name) and _NAMELIKE.search(wanted)
                                            or name.lower() in named and wanted.lower() in named):
                continue
            if _joined(name) == _joined(wanted):  # only the separators differ (sql_password, sql-password): one name
                best = (0, order, wanted, name) if best is None or (0, order) < best[:2] else best
                continue
            if _letters(name) == _letters(wanted):
                continue
            low, other = name.lower(), wanted.lower()
            if low.startswith(other) or other.startswith(low) or low.endswith(other) or other.endswith(low):
                continue  # an added prefix or suffix (error/errors, receipts/streceipts) is another word or name
            limit = 1 if len(wanted) < 8 else 2
            distance = edit_distance(wanted.lower(), name.lower(), limit)
            if distance <= limit and (best is None or (distance, order) < best[:2]):
                best = (distance, order, wanted, name)
    return (best[2], best[3]) if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, replace, swap of neighbours), cut off above `limit`."""
    return OSA.distance(a, b, score_cutoff=limit)


def _letters(name: str) -> str:
    """The name without digits and separators, case-folded: queue01 and queue02, rg-app-1 and rg_app_2 are alike."""
    return re.sub(r"[\d._-]", "", name.lower())


def _joined(name: str) -> str:
    """The name without its separators, case-folded, digits kept: sql_password and sql-password are one name spelled
    with other separators (a service that allows only hyphens), queue01 and queue02 stay two."""
    return re.sub(r"[._-]", "", name.lower())


# a resource's name given as such: `--account-name x`, `AccountName=x`, `"account": "x"`, `vaultName: x`
_RESOURCE_KIND = r"(?:storage[_-]?)?account|vault|namespace|registry|server|database|container|queue|topic|hub"
_NAMED = re.compile(rf"(?i)--(?:{_RESOURCE_KIND})-name[ =]+[\"']?([A-Za-z][\w.-]{{2,80}})|"
                    rf"\b(?:{_RESOURCE_KIND})(?:_?name)?[\"']?\s*[:=]\s*[\"']?([A-Za-z][\w.-]{{2,80}})")


def named_values(texts: list[str]) -> frozenset[str]:
    """The names the material gives as a resource's name (after a --<kind>-name argument or a <kind>(Name) key),
    case-folded."""
    return frozenset((a or b).lower() for text in texts for a, b in _NAMED.findall(text))


def _quoted(texts: list[str]) -> list[str]:
    return [a or b for text in texts for a, b in _QUOTED.findall(text)]


def _tokens(texts: list[str]) -> list[str]:
    return [token.rstrip(".-") for text in texts for token in _TOKEN.findall(text)]
