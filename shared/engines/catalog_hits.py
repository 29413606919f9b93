"""The session's material and evidence scanned with the catalog index: which catalog entry explains the error.

Every text counts with where it came from: the error and the client's answers, the Azure evidence the session
gathered (so an error that appears only in the logs or the activity log is found), and the files (context only:
a code in a source file is not the error). A hit whose category the material contradicts
(knowledge/contradictions.yaml: "defaultAction": "Allow" against the storage firewall, resource health
Available against a platform incident) is not a candidate."""

from __future__ import annotations

import json
import re
from typing import Any, cast

from cachetools.func import ttl_cache

from shared.catalog.entities import entity_facts, key_owner
from shared.catalog.index import EntryHit, Match, Origin, catalog_index, names_a_context
from shared.engines.analyzers.common import env_facts, log_lines, regex, table
from shared.engines.signatures import mentions_azure
from shared.resilience.memory_guard import register_cache
from shared.session.state import Material, SessionState
from shared.tools.azure_resources import namespace_of

CONTRADICTIONS = "contradictions"
_SPOKEN: tuple[str, ...] = ("error", "answer", "evidence")


def session_texts(state: SessionState) -> tuple[tuple[str, str], ...]:
    """(text, origin) for everything the session knows, newest answers first."""
    material = state.material
    texts = [(material.error_description, "error")]
    texts += [(answer, "answer") for answer in reversed(material.answers)]
    texts += [(text, "evidence") for e in state.ledger if e.status in ("success", "partial")
              for text in [evidence_text(e.tool, e.data)] if text]
    texts += [(f.content, "file") for f in material.files]
    return tuple(texts)


def evidence_text(tool: str, data: dict[str, Any]) -> str:
    """What of an Azure result can hold an error: log rows and failed operations whole, a resource's state and
    error fields only (its configuration and setting names are not errors, and a setting named like a code
    must not read as one)."""
    if tool == "query_logs":  # one line per row, as the log printed it (a traceback reads as a traceback)
        return "\n".join(log_lines(data))
    if tool in _WHOLE:
        return json.dumps(data, ensure_ascii=False, default=str)
    if tool in _ERROR_FIELDS_OF:
        return json.dumps(_error_fields(data), ensure_ascii=False, default=str)
    return ""


_WHOLE = {"query_logs", "list_activity_log", "list_deployment_operations", "get_resource_health", "get_backend_health",
          "list_failed_pipeline_runs"}
_ERROR_FIELDS_OF = {"get_resource"}
_ERRORISH = re.compile(r"error|message|reason|details|status|state|revisions|^code$", re.IGNORECASE)


def _error_fields(node: Any, depth: int = 0) -> Any:
    if depth > 6:
        return None
    if isinstance(node, dict):
        kept = {k: v if _ERRORISH.search(k) else _error_fields(v, depth + 1) for k, v in node.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    if isinstance(node, list):
        return [v for v in (_error_fields(i, depth + 1) for i in node) if v not in (None, {}, [])]
    return None


def catalog_hits(state: SessionState) -> list[EntryHit]:
    """Every catalog entry the session's texts match, best first (kept per text set: the engine asks at every
    step, the texts change only when the client answers or a tool returns)."""
    return list(_hits(session_texts(state)))


@ttl_cache(maxsize=32, ttl=600)  # bounded by entries and age; emptied under memory pressure
def _hits(texts: tuple[tuple[str, str], ...]) -> tuple[EntryHit, ...]:
    typed = [(text, cast(Origin, origin)) for text, origin in texts]
    return tuple(catalog_index().hits(typed, originals=[t for t, _ in texts]))


register_cache(_hits.cache_clear)


def contradictions(state: SessionState) -> dict[str, str]:
    """Category -> the statement in the error, an answer or Azure evidence that rules it out
    (knowledge/contradictions.yaml); the session's texts are read once for all rules."""
    spoken = [text for text, origin in session_texts(state) if origin != "file"]
    found: dict[str, str] = {}
    for rule in table(CONTRADICTIONS):
        if rule["category"] in found or (rule.get("unless") and any(regex(rule["unless"]).search(t) for t in spoken)):
            continue  # the material itself shows what the statement denies (a 429 status line against "not throttled")
        match = next((m for t in spoken for m in regex(rule["pattern"]).finditer(t) if not _tried(t, m.start())),
                     None)
        if match:
            found[rule["category"]] = f"{rule['says']} ({match.group(0)[:120]!r})"
    for category in state.ruled_out:  # a re-opened session: the client said the earlier conclusion was not it
        found.setdefault(category, "the client reported that fixing this cause did not fix the error")
    return found


# "With 'Enabled from all networks' it works", "if I switch it to Allow": a setting the client tried, not the state
# the failure happens in, so it rules nothing out (it rather shows the setting matters)
_TRIED_BEFORE = re.compile(r"(?i)\b(?:with|if|when|once|unless|switch(?:ing|ed)?(?: it)?(?: back)? to|"
                           r"set(?:ting)?(?: it)?(?: back)? to|chang(?:e|ed|ing)(?: it)? to|turn(?:ed|ing)?(?: it)? to)"
                           r"\W{0,3}$")


def _tried(text: str, start: int) -> bool:
    return bool(_TRIED_BEFORE.search(text[max(0, start - 40):start]))


def contradicted(state: SessionState, category: str) -> str | None:
    """The statement that rules this category out, if any."""
    return contradictions(state).get(category)


def decisive(state: SessionState) -> EntryHit | None:
    """The catalog entry that explains the error: the best conclusive hit outside the files, else the best
    inconclusive one; never a contradicted category. Another cloud's entry (or a tool's own crash) counts unless an
    Azure error matched too, or the report says the system runs in Azure and the other platform shows only as an
    address: a report may name Azure as its pipeline, its login step or where it will move, and the failing call
    still be AWS's or OpenAI's, in their own error words."""
    ruled_out = contradictions(state)
    spoken = [h for h in catalog_hits(state) if h.origins & set(_SPOKEN) and h.entry.category not in ruled_out]
    # an inconclusive Azure reading (a symptom: Terraform could not list its backend's workspaces) does not veto
    # another platform's own error words (the S3 backend's AccessDenied)
    foreign = [h for h in spoken if h.entry.category == "out_of_scope" and _own_error_words(h)]
    # the same words an Azure entry reads (MySQL's "Access denied for user") printed by a server whose own setting
    # the report shows (a MySQL container under docker compose): that platform's entry reads them, not Azure's, so
    # an Azure entry whose words such an entry read is no Azure error beside it
    in_context = [h for h in foreign if names_a_context(h.entry)]
    azure_error = any(h.entry.category != "out_of_scope" and h.entry.conclusive
                      and not _inside_foreign_error(h, foreign) and not _read_by(h, in_context) for h in spoken)
    hosted = mentions_azure(_without_azure_tooling(state.material))
    candidates = [h for h in spoken if h.entry.category != "out_of_scope"
                  or not (azure_error or (hosted and not _own_error_words(h)))]
    situated = [h for h in in_context if h in candidates]
    if situated:
        candidates = [h for h in candidates if h.entry.category == "out_of_scope" or not _read_by(h, situated)]
    if _chain_on_azure_compute(state):
        candidates = [h for h in candidates if not _only_unused_credentials(h)] or candidates
    conclusive = [h for h in candidates if h.entry.conclusive and not _read_better_by_another(h, candidates)]
    best = conclusive or candidates
    return _cause_behind(best[0], candidates) if best else None


# A credential chain (DefaultAzureCredential) lists every credential it tried, most of them only saying they are not
# set up where the code runs. On Azure compute outside Kubernetes the code's identity is the managed identity: the
# line of ManagedIdentityCredential is the failure, the other credentials' lines are notices.
_CHAIN = re.compile(r"DefaultAzureCredential|ChainedTokenCredential|Attempted credentials")
_AZURE_COMPUTE = re.compile(r"(?i)\b(?:virtual machines?|azure vm|vm|app service|web ?app|function app|azure functions|"
                            r"container apps?|managed identity)\b")
_KUBERNETES = re.compile(r"(?i)\b(?:aks|kubernetes|kubectl|pods?|workload identity|federated)\b")
_CREDENTIAL_LABEL = re.compile(r"\b(\w+Credential)\s*:")
_NOT_SET_UP_HERE = {"environmentcredential", "workloadidentitycredential", "azureclicredential",
                    "azurepowershellcredential", "azuredeveloperclicredential", "visualstudiocredential",
                    "visualstudiocodecredential", "sharedtokencachecredential", "interactivebrowsercredential"}


def _chain_on_azure_compute(state: SessionState) -> bool:
    """The report shows a credential chain, from code that runs on Azure compute outside Kubernetes (see _CHAIN)."""
    spoken = state.material.spoken_text()
    if not _CHAIN.search(spoken):
        return False
    # where the code runs, from the report's own words (not the chain's notices, which name pods and CLIs)
    setting = " ".join([*(line for line in spoken.splitlines() if "Credential" not in line),
                        *state.material.technologies()])
    return not _KUBERNETES.search(setting) and _AZURE_COMPUTE.search(setting) is not None


def _only_unused_credentials(hit: EntryHit) -> bool:
    """The hit lies only on chain lines of credentials that such code does not use."""
    said = [m for m in hit.matches if m.origin in _SPOKEN]
    return bool(said) and all(_label_before(m).lower() in _NOT_SET_UP_HERE for m in said)


def _label_before(match: Match) -> str:
    """The credential whose line the match is on: the last `XCredential:` label before it in its context."""
    head = match.context[:max(0, match.context.find(match.found))]
    labels = _CREDENTIAL_LABEL.findall(head)
    return labels[-1] if labels else ""


def _cause_behind(hit: EntryHit, candidates: list[EntryHit]) -> EntryHit:
    """The error the report also shows that causes this one (`explains` its category): the literal Key Vault
    reference behind the invalid connection string decides, not the connection string's own complaint."""
    return next((c for c in candidates if hit.entry.category in c.entry.explains and c.entry.id != hit.entry.id
                 and c.origins & {"error", "answer"}), hit)


def _read_better_by_another(hit: EntryHit, ranked: list[EntryHit]) -> bool:
    """The same words (one code two services share, DeploymentNotFound of Resource Manager and of Azure OpenAI) were
    ranked higher for another service's entry, the one the report names: that reading stands, conclusive or not."""
    words = {m.found.lower() for m in hit.matches}
    for other in ranked:
        if other is hit:
            return False
        if other.entry.service != hit.entry.service and words <= {m.found.lower() for m in other.matches}:
            return True
    return False


def _inside_foreign_error(hit: EntryHit, foreign: list[EntryHit]) -> bool:
    """Every match of this Azure entry lies on a line that also carries another platform's own error words: generic
    words (AWS SQS's "The specified queue does not exist.") that are that platform's message, not Azure's. Once a
    platform's own error words matched, its address marks its lines too (a build tool's "failed to compute cache key:
    GET <GitHub's cache URL>" is the failing call to that platform)."""
    said = [m for m in hit.matches if m.origin in _SPOKEN]
    marks = [m.found.lower() for f in foreign if _own_error_words(f) for m in f.matches
             if m.origin in _SPOKEN and len(m.found.strip()) >= 8]
    return bool(said and marks) and all(any(mark in line_of(m).lower() for mark in marks) for m in said)


def _read_by(hit: EntryHit, others: list[EntryHit]) -> bool:
    """The words that make this entry's reading (its longest match in the report) are words another entry matched:
    MySQL's "ERROR 1045 (28000): Access denied for user" that the local-container entry also read."""
    said = [m for m in hit.matches if m.origin in _SPOKEN]
    if not said:
        return False
    longest = max(said, key=lambda m: len(m.found)).found.lower()
    return any(longest in m.found.lower() for other in others for m in other.matches if m.origin in _SPOKEN)


def line_of(match: Match) -> str:
    """The line of the match's context that holds the matched words."""
    at = match.context.find(match.found)
    if at < 0:
        return ""
    start = match.context.rfind("\n", 0, at) + 1
    end = match.context.find("\n", at)
    return match.context[start:end if end >= 0 else len(match.context)]


def _own_error_words(hit: EntryHit) -> bool:
    """The other platform's error itself matched (a code, a message), not only its address (`.supabase.co/...`):
    a call to another platform's address can fail because of the Azure API behind it. A client library's exception
    path (google.api_core.exceptions) is the error's own words too, though it has no space, and so is a C++ scoped
    name (IXMLHttpRequest2Callback::OnError) or a Pulumi/SST resource type token (aws:acm:CertificateValidation, the
    step the tool prints as failing or waiting): an address never has one."""
    return any(m.kind == "code" or " " in m.found.strip() or _EXCEPTION_PATH.search(m.found) for m in hit.matches)


_EXCEPTION_PATH = re.compile(r"(?i)\.exceptions?\b|[a-z]\.[A-Za-z]*(?:Error|Exception)\b|[a-z0-9]::[a-z]"
                             r"|(?-i:\b[a-z][a-z0-9-]*:[a-z0-9]+(?:/[a-zA-Z0-9]+)?:[A-Z][A-Za-z0-9]+\b)")


# Azure's delivery tools name Azure without the failing system being in Azure (a pipeline that deploys to
# several clouds, a Terraform run with azurerm beside google).
_AZURE_TOOLING = re.compile(r"(?i)\bazure ?devops\b|\bazure pipelines?\b|\bazurerm\b|\bazure[- ]cli\b")


def _without_azure_tooling(material: Material) -> Material:
    technologies = material.environment.get("technologies") or []
    kept = [t for t in (technologies if isinstance(technologies, list) else [technologies])
            if not _AZURE_TOOLING.search(str(t))]
    return Material(error_description=_AZURE_TOOLING.sub(" ", material.error_description),
                    answers=[_AZURE_TOOLING.sub(" ", a) for a in material.answers],
                    environment={**material.environment, "technologies": kept})


_COLID = re.compile(r"(?i)\bcolid (\d{1,4})\b")
_SQL_TYPE = (r"(?:n?varchar|n?char|n?text|varbinary|binary|(?:big|small|tiny)?int|decimal|numeric|float|real|bit|"
             r"money|date|datetime2?|datetimeoffset|smalldatetime|time|uniqueidentifier|xml)")
# one column of a table definition as people paste it: `LegalName NVARCHAR(50)`, `[Code] varchar(10) NOT NULL`
_ONE_COLUMN = rf"\[?(?P<name>[A-Za-z_]\w{{0,127}})\]?\s+(?P<type>{_SQL_TYPE}\b(?:\s*\([^)]{{1,12}}\))?)"
_COLUMN = re.compile(_ONE_COLUMN, re.IGNORECASE)
_BARE = _ONE_COLUMN.replace("?P<name>", "?:").replace("?P<type>", "?:")
_COLUMN_LIST = re.compile(rf"(?:{_BARE}(?:\s+(?:NOT\s+)?NULL)?\s*,\s*){{2,}}{_BARE}", re.IGNORECASE)


def bulk_copy_column(texts: list[str]) -> dict[str, str]:
    """{colid, colid_column, colid_type}: SQL bulk copy's "invalid column length ... for colid N" names the Nth column
    of the insert, which the table definition the report pastes (a CREATE TABLE, a list of `Name TYPE(n)`) names."""
    joined = "\n".join(texts)
    ordinal = _COLID.search(joined)
    if ordinal is None:
        return {}
    lists = [m.group(0) for m in _COLUMN_LIST.finditer(joined)]
    columns = [c for c in _COLUMN.finditer(max(lists, key=len))] if lists else []
    n = int(ordinal.group(1))
    if not 1 <= n <= len(columns):
        return {}
    chosen = columns[n - 1]
    return {"colid": str(n), "colid_column": chosen.group("name"), "colid_type": " ".join(chosen.group("type").split())}


def facts_of(state: SessionState, hit: EntryHit | None) -> dict[str, str]:
    """Template facts: environment_info, then names in strong forms, then the entry's own patterns."""
    facts = env_facts(state)
    texts = session_texts(state)
    # the report's own names first: an id an Azure read shows (a neighbour in the activity log) never replaces the
    # resource the client named
    for origins in (("error", "answer"), ("file", "evidence")):
        for key, value in entity_facts([t for t, origin in texts if origin in origins]).items():
            facts.setdefault(key, value)
    if hit is not None:
        facts.update(hit.facts)
    owner = key_owner([t for t, origin in texts if origin in ("error", "answer")])
    if owner:  # the report matched the failing key's ending to another resource's key
        facts.setdefault("key_owner", owner)
    if "account" not in facts and "cosmos_account" in facts:
        facts["account"] = facts["cosmos_account"]
    if "provider" not in facts and facts.get("resource_type"):  # "not registered for the resource type 'sites'"
        namespace = namespace_of(facts["resource_type"])
        if namespace:
            facts["provider"] = namespace
    column = bulk_copy_column([t for t, origin in texts if origin in ("error", "answer", "file")])
    if column:  # SQL bulk copy names a column by its ordinal (colid); the report's table definition names it
        facts.update(column)
    # a naming error's complaint is often the length, which nobody counts by eye: {app_name_length} for {app_name}
    for key, value in list(facts.items()):
        if key.endswith("_name"):
            facts.setdefault(f"{key}_length", str(len(value)))
    return facts
