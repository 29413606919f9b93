"""functions.host_misconfigured: the Functions host cannot start or index the app (AZFD events, extension bundle,
worker runtime, host.json, AzureWebJobsStorage).

Host errors and diagnostic events are data (knowledge/functions_host_errors.yaml). host.json and
local.settings.json, when sent, are read first so the report can quote the configured bundle range,
functionTimeout or worker runtime next to the host's own message."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from shared.engines.analyzers.catalog_entry import decide_from_entry
from shared.engines.analyzers.common import (
    Entry,
    conclude_entry,
    delegate,
    facts_for,
    fill,
    first_entry,
    grounded,
    regex,
    specific_hit,
    table,
    table_entry,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once, latest
from shared.engines.base import Decision
from shared.engines.catalog_hits import decisive
from shared.engines.clues import clue_decided, decide_from_clue, matching_clue
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import RunTool, SessionState

CONFIG = "read_host_config"
TABLE = "functions_host_errors"
_CONFIG_FILES = {"host.json", "local.settings.json"}
_MISMATCH = "worker-runtime-not-the-deployed-language"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    config = latest(state, CONFIG)
    if config is None and _config_sent(state):
        return RunTool(tool=CONFIG, purpose="reading host.json and the worker runtime in local.settings.json")
    mismatch = _runtime_not_deployed_language(state)
    if mismatch is not None:
        return conclude_entry(state, hit, table_entry(TABLE, _MISMATCH), facts_for(state, hit, mismatch))
    found = first_entry(table(TABLE), state)
    if found is None:
        other = specific_hit(state, exclude_analyzers={"functions_host"})
        return delegate(state, other) if other else unknown(state)
    entry, facts = found
    if entry.get("ask_without_azure") and not state.azure_access:
        answered = _answered_cause(state, entry)
        if answered is not None:
            return answered
        ask = entry["ask_without_azure"]
        shown = any(_shown(regex(ask["unless"]), t) for t in texts(state, files=True)) if ask.get("unless") else False
        if not state.material.answers and not shown:  # several causes, nothing to read: what tells them apart
            return ask_once(state, ClientRequest(question=ask["question"], why=ask["why"],
                                                 suggested_commands=[fill(c, facts_for(state, hit, facts))
                                                                     for c in ask["commands"]]),
                            "The host's settings did not tell the cause apart.", entry.get("category"))
    config_data = config.data if config is not None and config.status == "success" else {}
    evidence = [EvidenceItem(source=CONFIG, summary=config.summary)] if config is not None and config_data else []
    return conclude_entry(state, hit, entry, facts_for(state, hit, _config_facts(config_data), facts), evidence)


# the client vouches for what it checked ("AzureWebJobsStorage ... all look fine"): the setting is named, not shown
_VOUCHED = re.compile(r"(?i)\b(?:looks?|looked|seems?|seemed|are|is|was|were) (?:all )?(?:fine|ok|okay|correct|good|"
                      r"right|as expected)\b|\ball (?:look|looked|seem|seemed) (?:fine|ok|okay|correct|good|right)\b")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")


def _shown(pattern: re.Pattern[str], text: str) -> bool:
    """The pattern's words are in the text as configuration or log, not only in a sentence where the client says
    what it checked looks fine (that names the setting; its value and the host's own words are still unknown)."""
    for found in pattern.finditer(text):
        starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, found.start())]
        start = starts[-1] if starts else 0
        end_match = _SENTENCE_END.search(text, found.end())
        sentence = text[start:end_match.start() if end_match else len(text)]
        if not _VOUCHED.search(sentence):
            return True
    return False


def _answered_cause(state: SessionState, entry: Entry) -> Decision | None:
    """What the report or the client's answer shows, over the generic reading of a symptom with several causes: a
    clue they settle (the account denying by default, a worker runtime left out), a catalog error the answer
    printed, or a signature of another family in the answer (an image pull refused)."""
    clue = matching_clue(state)
    if clue is not None and clue_decided(state, clue):  # the report or the answer states the deciding fact
        return decide_from_clue(state, clue)
    if not state.material.answers:
        return None
    found = decisive(state)
    if found is not None and "answer" in found.origins and found.entry.category != entry.get("category"):
        return decide_from_entry(state, found)
    other = specific_hit(state, exclude_analyzers={"functions_host"})
    if other is not None and any(p.search(a) for p in other.signature.patterns for a in state.material.answers):
        return delegate(state, other)
    return None


def _runtime_not_deployed_language(state: SessionState) -> dict[str, str] | None:
    """The language of the project the client deployed and the app's worker runtime, when they disagree."""
    rule = table_entry(TABLE, _MISMATCH)
    spoken = texts(state)
    deployed = next((m for t in spoken for m in [regex(rule["deployed"]).search(t)] if m), None)
    configured = next((m for t in spoken for m in [regex(rule["configured"]).search(t)] if m), None)
    if configured is None:
        return None
    language = (deployed.group("language") or deployed.group("language2")) if deployed else _stack_language(state)
    if any(regex(rule["isolated"]).search(t) for t in spoken):
        language = ".NET isolated worker"  # its own runtime value, narrower than any .NET project's
    runtimes = next((v for k, v in rule["runtimes"].items() if k.lower() == str(language).lower()), None)
    runtime = configured.group("runtime").lower()
    if language is None or runtimes is None or runtime in runtimes:
        return None
    return {"language": language, "runtime": runtime}


def _stack_language(state: SessionState) -> str | None:
    """The one language environment_info's technologies name (javascript, python...), if exactly one."""
    named = {t.lower() for t in state.material.technologies()}
    found = [language for language in table_entry(TABLE, _MISMATCH)["runtimes"] if language.lower() in named]
    return found[0] if len(found) == 1 else None


def worker_runtime_mismatch(state: SessionState, hit: Hit | None) -> Decision | None:
    """The app's worker runtime shown for another language than the project's: decisive whatever the symptom
    (a 404, "host is not running", no functions listed)."""
    mismatch = _runtime_not_deployed_language(state)
    if mismatch is None:
        return None
    return conclude_entry(state, hit, table_entry(TABLE, _MISMATCH), facts_for(state, hit, mismatch))


def _config_sent(state: SessionState) -> bool:
    return any(PurePosixPath(f.path.replace("\\", "/")).name in _CONFIG_FILES for f in state.material.files)


def _config_facts(data: dict[str, Any]) -> dict[str, str]:
    """host.json and local.settings.json values, under names the templates use."""
    names = {"bundle_version": "host_bundle_version", "bundle_id": "host_bundle_id", "version": "host_json_version",
             "function_timeout": "function_timeout", "worker_runtime": "local_worker_runtime"}
    return {fact: str(data[key]) for key, fact in names.items() if data.get(key)}
