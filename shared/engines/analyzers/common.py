"""What the family analyzers share: knowledge tables, fact templates, evidence, conclusions and hand-offs.

Not an analyzer itself (no `analyze`), so the registry skips it.

Knowledge tables (knowledge/<area>_*.yaml) are lists of entries. An entry names a `match` regex (named
groups become facts), optional `facts` regexes, and templates (`root_cause`, `actions`) whose `{fact}`
fields are filled from the material only: a fact that was not found becomes a visible `<fact>`
placeholder, so a report never names a resource the client did not."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from shared.azure import GUID
from shared.catalog.facts import named_groups
from shared.engines.analyzers.registry import analyzer_for
from shared.engines.base import Decision
from shared.engines.signatures import Hit, classify, mentions_azure
from shared.models import Confidence, EvidenceItem, Report
from shared.session.report import checked_list
from shared.session.state import Conclude, GiveUp, Material, SessionState

Entry = dict[str, Any]

_KNOWLEDGE = Path(__file__).resolve().parent.parent.parent / "knowledge"
_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_OPTIONAL = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)
# environment_info keys the client may send, as the fact names templates use
_ENV_FACTS = {"resource_group": "resource_group", "azure_subscription": "subscription",
              "function_app": "function_app", "app_name": "function_app", "location": "location",
              "region": "location", "registry": "registry",
              # the resources environment_info names by their kind: the templates' {vault}, {account}... facts
              "web_app": "function_app", "app_service": "function_app", "app": "function_app",
              "storage_account": "account", "key_vault": "vault", "keyvault": "vault", "vault": "vault",
              "container_registry": "registry", "acr": "registry", "sql_server": "server",
              "postgres_server": "server", "postgresql_server": "server", "mysql_server": "server",
              "database": "database", "service_bus_namespace": "namespace", "servicebus_namespace": "namespace",
              "event_hubs_namespace": "namespace", "eventhubs_namespace": "namespace",
              "cosmos_account": "cosmos_account", "openai_resource": "openai_resource",
              "openai_account": "openai_resource", "container": "container", "queue": "queue", "topic": "topic",
              "resource_name": "resource"}
SYMPTOM_PREFIX = "symptom-"
_GUID = re.compile(GUID)


@cache
def table(name: str) -> tuple[Entry, ...]:
    """The entries of knowledge/<name>.yaml (a list of mappings), each with its `source`."""
    entries = yaml.safe_load((_KNOWLEDGE / f"{name}.yaml").read_text(encoding="utf-8"))
    missing = [e.get("id") for e in entries if not e.get("source")]
    if missing:
        raise ValueError(f"{name}.yaml entries without a source: {missing}")
    return tuple(entries)


def table_entry(table_name: str, entry_id: str) -> Entry:
    """The entry of knowledge/<table_name>.yaml with this `id` (analyzers name ids their table must have)."""
    return next(e for e in table(table_name) if e["id"] == entry_id)


@lru_cache(maxsize=1024)
def regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def region_key(name: str) -> str:
    """A region as Resource Manager spells it ('West Europe' and 'westeurope' are one region)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def texts(state: SessionState, files: bool = False) -> list[str]:
    """The error text, then the client's answers (newest first), then (optionally) the files."""
    found = [state.material.error_description, *reversed(state.material.answers)]
    return found + ([f.content for f in state.material.files] if files else [])


def log_lines(data: dict[str, Any]) -> list[str]:
    """A query_logs result's rows, one line each, its cells joined as the log printed them."""
    return [" ".join(str(cell) for cell in row) for row in data.get("rows") or []]


def logged(state: SessionState) -> list[str]:
    """The rows of the logs the session read, one text per query: where a name the error text leaves out (the blob
    every failing request reads) shows."""
    return ["\n".join(log_lines(e.data)) for e in state.ledger if e.tool == "query_logs" and e.status == "success"]


def search(patterns: Iterable[str], sources: Iterable[str]) -> dict[str, str]:
    """Named groups of every pattern's first match in the sources, first value kept."""
    return named_groups(patterns, sources)


def env_facts(state: SessionState) -> dict[str, str]:
    """Facts the client stated in environment_info (resource group, subscription, app name...)."""
    found = {}
    for key, fact in _ENV_FACTS.items():
        value = state.material.stated_name(key)
        if value and fact not in found:
            found[fact] = value
    # a subscription goes into resource ids, so only an id counts (a display name would make a wrong scope)
    if found.get("subscription") and not _GUID.fullmatch(found["subscription"]):
        found.pop("subscription")
    return found


# What the client says right after naming a limit or an error they read about: it is not theirs ("I read about the
# 230 s limit but we are far under that"), so the named limit decides nothing.
_DISMISSED = re.compile(r"(?i)^[^.\n?!]{0,25}?\b(?:but|and|yet)\s+(?:we(?:'re| are)|it(?:'s| is)|ours? (?:is|are)|"
                        r"that(?:'s| is)|the (?:request|call|job)s? (?:is|are))\s+(?:(?:far|well|way|much|still)\s+)?"
                        r"(?:under|below|short of|nowhere near|not (?:near|close to|hitting|reaching))\b")


def dismissed(text: str, end: int) -> bool:
    """Whether the words right after a match say it does not apply (see _DISMISSED)."""
    return _DISMISSED.search(text[end:end + 120]) is not None


def first_entry(entries: Iterable[Entry], state: SessionState, files: bool = False,
                reading: Callable[[str], str] | None = None) -> tuple[Entry, dict[str, str]] | None:
    """The first entry whose `match` regex is in the error or an answer, with the facts of that match. Entries
    without a `match` (computed ones, or ones a table keeps for another reader) are never matched here, nor an
    entry whose `unless` regex is in the same texts (the material rules its reading out). `reading` narrows each
    text first (log_lines.cause_text: without a log's consequence and noise lines)."""
    sources = [reading(t) for t in texts(state, files=files)] if reading else texts(state, files=files)
    for entry in (e for e in entries if e.get("match")):
        if entry.get("unless") and any(regex(entry["unless"]).search(text) for text in sources):
            continue
        for text in sources:
            match = next((m for m in regex(entry["match"]).finditer(text) if not dismissed(text, m.end())), None)
            if match:
                facts = {k: v.strip() for k, v in match.groupdict().items() if v and v.strip()}
                extra = search(entry.get("facts") or [], [*texts(state, files=True), *logged(state)])
                return entry, {**extra, **facts}
    return None


def facts_for(state: SessionState, hit: Hit | None, *more: Mapping[str, str]) -> dict[str, str]:
    """Environment facts, then the signature's facts, then the analyzer's own (later wins)."""
    facts = env_facts(state)
    if hit is not None:
        facts.update(hit.facts)
    for extra in more:
        facts.update({k: v for k, v in extra.items() if v})
    return facts


def placeholder(key: str) -> str:
    return f"<{key.replace('_', '-')}>"


def dotted(data: dict[str, Any], path: str) -> Any:
    """The value under a dotted path of a read's data (`properties.networkAcls.defaultAction`); None when absent."""
    node: Any = data
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def picked(item: dict[str, Any], path: str) -> Any:
    """A value of a collection item as api_versions.yaml picks it: under the dotted name itself (`runbook.name`),
    else nested."""
    return item[path] if path in item else dotted(item, path)


def fill(template: str, facts: Mapping[str, str]) -> str:
    """Fill `{fact}` fields from the facts found; an unknown fact becomes a `<fact>` placeholder.

    A `[[segment]]` is kept only when every fact it names was found: it adds detail, never a placeholder."""
    def optional(match: re.Match[str]) -> str:
        segment = match.group(1)
        return segment if all(facts.get(f) for f in _FIELD.findall(segment)) else ""

    text = _OPTIONAL.sub(optional, template)
    return _FIELD.sub(lambda m: str(facts.get(m.group(1)) or placeholder(m.group(1))), text)


def filled_actions(templates: list[str], facts: Mapping[str, str]) -> list[str]:
    """The action templates filled; an action that is one optional `[[segment]]` whose facts were not found is left
    out rather than kept empty."""
    return [text for text in (fill(a, facts).strip() for a in templates) if text]


def quotes(hit: Hit | None, limit: int = 3) -> list[EvidenceItem]:
    """The error text's own lines that matched, as evidence (the matched words when the lines are not known)."""
    if hit is None:
        return []
    return [EvidenceItem(source="error", summary=q) for q in list(dict.fromkeys(hit.lines or hit.quotes))[:limit]]


def report(state: SessionState, *, category: str | None, confidence: str, root_cause: str, actions: list[str],
           evidence: list[EvidenceItem]) -> Report:
    """A concluding report; `checked` lists every step of the session."""
    return Report(category=category, confidence=_confidence(confidence), root_cause=root_cause,
                  actions=actions, evidence=evidence, checked=checked_list(state))


def _confidence(value: str) -> Confidence:
    """Knowledge files give confidence as text; anything unexpected counts as low, never as high."""
    if value == "high":
        return "high"
    return "medium" if value == "medium" else "low"


def derive(entry: Entry, facts: Mapping[str, str]) -> dict[str, str]:
    """Facts looked up in the entry's `derive` maps: {fact: {from: fact, map: {regex: value}, default: value}}.

    E.g. the data role for a storage service, the Key Vault role for a denied action. `from` may be a template of
    several facts ("{held_role}|{action}") when the value depends on how they combine."""
    found = dict(facts)
    for name, rule in (entry.get("derive") or {}).items():
        source = fill(rule["from"], found) if "{" in rule["from"] else str(found.get(rule["from"], ""))
        value = next((v for k, v in rule["map"].items() if source and re.search(k, source, re.IGNORECASE)),
                     rule.get("default"))
        if value and name not in found:
            found[name] = fill(str(value), found)
    return found


def conclude_entry(state: SessionState, hit: Hit | None, entry: Entry, facts: Mapping[str, str],
                   evidence: list[EvidenceItem] | None = None, confidence: str | None = None) -> Conclude | GiveUp:
    """Conclude from a knowledge entry: its category, templates filled with the facts found."""
    facts = derive(entry, facts)
    root_cause = fill(entry["root_cause"], facts).strip()
    category = entry.get("category") or (hit.signature.category if hit else None)
    found = report(state, category=category, confidence=confidence or entry.get("confidence", "medium"),
                   root_cause=root_cause, actions=filled_actions(entry.get("actions") or [], facts),
                   evidence=quotes(hit) + (evidence or []))
    message = fill(entry.get("summary") or _first_sentence(root_cause), facts)
    if category == "out_of_scope":  # the entry names a cause outside Azure: the session ends there, as a fail
        return GiveUp(reason="out_of_scope", report=found, message=message)
    return Conclude(message=message, report=found, investigate_first=bool(entry.get("investigate_first")))


def grounded(state: SessionState, hit: Hit | None) -> bool:
    """Whether the signature matched the error text or an answer, not only a file sent for context."""
    if hit is None:
        return False
    sources = texts(state)
    return any(p.search(t) for p in hit.signature.patterns for t in sources)


def unknown(state: SessionState) -> Decision:
    """What the engine does with an error it does not recognise: ask once for the complete error, then fail."""
    return analyzer_for("unknown")(state, None)


# The analyzers handed the current decision so far (see `delegate`); a context variable, so that the analyzers'
# signatures stay (state, hit).
_HANDED_OVER: ContextVar[tuple[str, ...]] = ContextVar("handed_over", default=())


def specific_hit(state: SessionState, exclude_analyzers: Iterable[str] = ()) -> Hit | None:
    """The best hit in the error text and answers that names a cause: not a symptom, not another cloud, not one
    of the excluded analyzers. Files do not count: a pattern in a source file is context, not the error."""
    excluded = set(exclude_analyzers) | set(_HANDED_OVER.get())
    spoken = Material(error_description=state.material.error_description, answers=state.material.answers)
    for hit in classify(spoken):
        signature = hit.signature
        if signature.id.startswith(SYMPTOM_PREFIX) or signature.category == "out_of_scope":
            continue
        if signature.analyzer not in excluded:
            return hit
    return None


def delegate(state: SessionState, hit: Hit) -> Decision:
    """Hand the session to the analyzer of a more specific hit. Within one decision an analyzer is handed the
    session at most once: two analyzers that each defer to the other (a KeyError that is no setting read, a
    stack whose origin is the SDK) would otherwise hand it back and forth forever."""
    name = hit.signature.analyzer
    chain = _HANDED_OVER.get()
    if name in chain:
        return unknown(state)
    token = _HANDED_OVER.set((*chain, name))
    try:
        return analyzer_for(name)(state, hit)
    finally:
        _HANDED_OVER.reset(token)


def other_cloud(state: SessionState) -> Decision | None:
    """Generic errors (a timeout, a KeyError) from another cloud's code are out of scope, not ours to explain."""
    if mentions_azure(state.material):
        return None
    foreign = next((h for h in classify(state.material) if h.signature.category == "out_of_scope"), None)
    return delegate(state, foreign) if foreign else None


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence[:300]


def matched_entry(state: SessionState, hit: Hit | None, table_name: str, *, other_clouds: bool = False,
                  files: bool = False) -> tuple[Entry, dict[str, str]] | Decision:
    """What every table-driven analyzer starts with: the hit is grounded in the error or an answer, the
    problem is not another cloud's (when asked), and an entry of its table matches; otherwise the
    decision to return instead."""
    if not grounded(state, hit):
        return unknown(state)
    if other_clouds:
        foreign = other_cloud(state)
        if foreign is not None:
            return foreign
    found = first_entry(table(table_name), state, files=files)
    return unknown(state) if found is None else found


def table_analyzer(table_name: str, *, other_clouds: bool = False,
                   files: bool = False) -> Callable[[SessionState, Hit | None], Decision]:
    """An analyzer that is its knowledge table and nothing else: the matching entry, concluded."""
    def analyze(state: SessionState, hit: Hit | None) -> Decision:
        found = matched_entry(state, hit, table_name, other_clouds=other_clouds, files=files)
        if not isinstance(found, tuple):
            return found
        entry, facts = found
        return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
    return analyze
