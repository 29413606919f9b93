"""What the client said and what the session read, as the engine's checks ask it: the report's words, the
log lines, the app's setting names, the item of a collection the client names, values in Azure's formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rapidfuzz.distance import Levenshtein

from shared.engines.analyzers.common import log_lines
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.session.state import SessionState

FINDINGS = "evidence_findings"  # the knowledge file of findings that structured reads decide
Facts = dict[str, str] | None  # a finding's template facts, or None when it does not hold
# where a log line says which port the process listens on ("[::]" is IPv6's any address, "+" Kestrel's wildcard)
# ("Tomcat started on port 8080 (http)", Next.js's "Ready on http://localhost:3000")
LISTENING = re.compile(r"(?i)(?:running on|listening (?:on|at)|now listening on|serving on|started (?:server )?on|"
                        r"ready on|bound to)\s*:?\s*(?:https?://)?(?:\[[0-9a-fA-F:.]*\]|[\w.*+-]+)?:(\d{2,5})\b|"
                        r"(?:listening|started|running) on port\(?s?\)?:? ?(\d{2,5})\b")
# the client says the same code works on their machine (func start, swa start, localhost): what fails in Azure is
# the environment there, not the code
WORKS_LOCALLY = re.compile(r"(?i)\b(?:works?|worked|working|runs?|ran|fine|ok)\b[^.\n]{0,40}\blocal(?:ly|host)?\b|"
                           r"\blocal(?:ly|host)?\b[^.\n]{0,60}\b(?:works?|worked|working|fine|ok|"
                           r"complete[sd]|succeed(?:s|ed)?|pass(?:es|ed))\b|"
                           r"\b(?:swa|func) start\b[^.\n]{0,80}\b(?:works?|fine|ok|complete[sd]|succeed(?:s|ed)?)\b|"
                           r"\b(?:works?|worked|working|runs?|ran|fine)\b(?: \w+ly)? (?:with|under|in|on|using) "
                           r"(?:swa|func) start\b")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# where the material states the caller's own public address: named so, or the answer of an IP echo service that
# people run to find it (curl ifconfig.me, api.ipify.org, whatismyip)
_STATED_ADDRESS = re.compile(r"(?i)(?:(?:outbound|client|caller|source|egress|public|external|wan)[ -]?(?:ip|address)"
                             r"(?:es)?\b|\b(?:ifconfig\.(?:me|co)|ipinfo\.io|icanhazip\.com|api\d?\.ipify\.org|"
                             r"checkip\.amazonaws\.com|whatismyip(?:address)?(?:\.com)?|what'?s my ip)\b)[^\n]{0,120}")
_ADDRESS_KEY = re.compile(r"(?i)^(?:client|caller|source|outbound|egress|public)_?ips?(?:_?address(?:es)?)?$")


# Resources that call others with their managed identity, in the order a report's caller is most often one of them.
IDENTITY_CALLERS = ("microsoft.web/sites", "microsoft.app/containerapps", "microsoft.app/jobs", "microsoft.eventgrid/",
                    "microsoft.search/searchservices", "microsoft.datafactory/", "microsoft.logic/",
                    "microsoft.apimanagement/", "microsoft.cognitiveservices/", "microsoft.machinelearningservices/",
                    "microsoft.synapse/", "microsoft.insights/scheduledqueryrules", "microsoft.dashboard/grafana",
                    "microsoft.streamanalytics/", "microsoft.containerinstance/", "microsoft.automation/",
                    "microsoft.batch/", "microsoft.kusto/clusters")


def is_mentioned(name: str, said: str) -> bool:
    """Whether the lower-cased text names the resource or entity as a whole word (hyphens belong to names)."""
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", said) is not None


def said_by_client(state: SessionState) -> str:
    """Everything the client said, lower-cased: the report, the answers, environment_info's values (technologies
    with their hyphens as spaces, so that `key-vault` reads as the playbooks' `key vault`)."""
    values: list[str] = []
    for value in state.material.environment.values():
        items = value if isinstance(value, list) else [value]
        values += [str(v) for v in items if isinstance(v, str)]
    technologies = " ".join(v.replace("-", " ") for v in values)
    return " ".join([*state.material.spoken(), *values, technologies]).lower()


def read_setting_names(state: SessionState) -> list[str] | None:
    """The app's setting names as list_app_setting_names read them; None when they were not read whole."""
    listed = latest(state, "list_app_setting_names")
    if listed is None or listed.status not in ("success", "no_data") or listed.data.get("truncated"):
        return None
    if "names" not in listed.data:  # a 404 or refusal is no_data too: it shows no setting absent
        return None
    return [str(n) for n in listed.data.get("names") or []]


def stated_outbound(state: SessionState) -> list[str]:
    """IP addresses the error or an answer calls the caller's outbound (or client) addresses, and those
    environment_info gives under such a key (client_ip, outbound_ips...)."""
    found: list[str] = []
    for text in state.material.spoken():
        for match in _STATED_ADDRESS.finditer(text):
            found += IPV4.findall(match.group(0))
    for key, value in state.material.environment.items():
        if _ADDRESS_KEY.search(str(key)):
            found += IPV4.findall(" ".join(map(str, value)) if isinstance(value, list) else str(value))
    return list(dict.fromkeys(found))


def said_or_logged(state: SessionState) -> list[str]:
    """The report, the client's answers and every line of the logs the session read."""
    return [*state.material.spoken(), *logged_lines(state)]


def logged_lines(state: SessionState, succeeded_only: bool = False) -> list[str]:
    """Every line of the logs the session read (only of queries that fully succeeded, when asked: not a partial
    result's rows)."""
    return [line for e in state.ledger if e.tool == "query_logs" and (e.status == "success" or not succeeded_only)
            for line in log_lines(e.data)]


def as_text(value: Any) -> str:
    """A field's value as findings match it: a list joined, a boolean as True/False, nothing as ""."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def said_in_report(state: SessionState) -> str:
    """The report and the answers, lower-cased (where the client names a queue, a container, a deployment)."""
    return state.material.spoken_text(" ").lower()


def chosen_item(state: SessionState, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The item the client names, else the only one."""
    said = said_in_report(state)
    named = [i for i in items if is_mentioned(str(i.get("name") or ""), said)]
    return named[0] if named else (items[0] if len(items) == 1 else None)


def items_of(state: SessionState, type_pattern: str, key: str) -> list[dict[str, Any]]:
    return [i for data in reads_of_type(state, type_pattern) for i in data.get(key) or [] if isinstance(i, dict)]


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


SITES = r"(?i)^Microsoft\.Web/sites$"


def last_segment(resource_id: Any) -> str:
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def succeeded_events(state: SessionState) -> list[dict[str, Any]]:
    """The activity log's succeeded operations the session read."""
    return [e for r in state.ledger if r.tool == "list_activity_log" and r.status == "success"
            for e in r.data.get("events") or [] if isinstance(e, dict)
            and str(e.get("status") or "").lower() == "succeeded"]


def succeeded_deletes(state: SessionState, operation: str = "") -> list[dict[str, Any]]:
    """The activity log's succeeded deletes the session read, newest first; with `operation`, only that one
    (case-insensitive, e.g. "Microsoft.OperationalInsights/workspaces/delete")."""
    deletes = [e for e in succeeded_events(state) if str(e.get("operation") or "").lower().endswith("/delete")
               and (not operation or str(e.get("operation") or "").lower() == operation.lower())]
    return sorted(deletes, key=lambda e: str(e.get("time") or ""), reverse=True)




def as_instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seconds_between(start: Any, end: Any) -> float | None:
    try:
        began = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        ended = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ended - began).total_seconds()


def denies_by_default(config: dict[str, Any]) -> bool:
    """Whether an app's access restrictions (its config/web read) refuse what no rule allows: the default action
    Deny, or a Deny rule for Any."""
    rules = [r for r in config.get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
    return str(config.get("ipSecurityRestrictionsDefaultAction") or "").lower() == "deny" or any(
        str(r.get("action")).lower() == "deny" and str(r.get("ipAddress")).lower() == "any" for r in rules)


def allowed_by_restrictions(config: dict[str, Any]) -> str:
    """The Allow rules of an app's access restrictions, as "name (address)" (the first five), or "no address"."""
    rules = [r for r in config.get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
    allowed = [f"{r.get('name')} ({r.get('ipAddress')})" for r in rules if str(r.get("action")).lower() == "allow"]
    return ", ".join(allowed[:5]) or "no address"


# Resource Manager's ResourceNotFound for a referenced resource; a child resource's parent is what is looked for
_REFERENCE_NOT_FOUND = re.compile(
    r"The Resource \\?'(?P<type>[A-Za-z][\w.]*\.[\w.]+/[A-Za-z]\w*)/(?P<name>[A-Za-z0-9][-\w.()]{0,79})"
    r"(?:/[^'\\]*)?\\?'"
    r" under resource group \\?'(?P<group>[-\w.()]{1,90})\\?' was not found")


def missing_reference(state: SessionState) -> dict[str, str] | None:
    """The resource (type, name) and group of the first ResourceNotFound reference in the report or the deployment
    operations read."""
    texts = [*state.material.spoken(), *(e.summary for e in state.ledger if e.tool == "list_deployment_operations")]
    return next((found for t in texts if (found := reference_not_found(t)) is not None), None)


def reference_not_found(text: str) -> dict[str, str] | None:
    """The resource (type, name) and group of Resource Manager's ResourceNotFound message in one text."""
    found = _REFERENCE_NOT_FOUND.search(text)
    return {"type": found.group("type"), "name": found.group("name"), "group": found.group("group")} if found else None


def one_edit_apart(a: str, b: str) -> bool:
    """One character inserted, deleted or replaced (the usual typo); a case-only difference is the same name."""
    a, b = a.lower(), b.lower()
    if a == b or re.sub(r"\d", "", a) == re.sub(r"\d", "", b):
        return False  # names that differ in a digit only (app1, app2) are two resources, not a typo
    return Levenshtein.distance(a, b, score_cutoff=1) == 1
