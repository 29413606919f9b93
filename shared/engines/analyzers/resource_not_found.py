"""config.wrong_resource_name (and deployment.parent_not_found inside a deployment): the named resource does not
exist where the code or template looks for it.

The not-found errors of each service are data (knowledge/config_not_found_errors.yaml). Resource Manager's
ResourceNotFound during a deployment usually means a referenced resource is deployed in parallel or
elsewhere (a missing dependency), so there it is a deployment.parent_not_found. A Service Bus entity the report
itself shows as a topic's subscription is a subscription name passed where a queue or topic belongs."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    matched_entry,
    regex,
    table_entry,
    texts,
)
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

TABLE = "config_not_found_errors"
_DEPLOYMENT = (r"\bDeploymentFailed\b|\bInvalidTemplateDeployment\b|az deployment|New-AzResourceGroupDeployment|"
               r"dependsOn")
# where a report shows a name as a subscription: a setting named for it, or the CLI's subscription listing
_AS_SUBSCRIPTION = (r'(?i)subscription_?name["\']?\s*[:=]\s*["\']{name}["\']',
                    r'(?is)topic subscription list\b[^\n]*\n(?:[^\n]*\n){{0,30}}?[\s\[]*["\']?{name}["\']?,?[ \t]*$')
_TOPIC = (r'(?i)topic[_ -]?name["\']?\s*[:=]\s*["\'](?P<topic>[\w.~-]+)["\']',
          r'(?i)--topic-name[ =]["\']?(?P<topic>[\w.~-]+)')


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    found = matched_entry(state, hit, TABLE)
    if not isinstance(found, tuple):
        return found
    entry, facts = found
    if entry.get("in_deployment") and any(regex(_DEPLOYMENT).search(t) for t in texts(state)):
        entry = {**entry, **entry["in_deployment"]}
    topic = _subscription_named(state, facts.get("entity", "")) if entry["id"] == "messaging-entity-not-found" \
        else None
    if topic is not None:
        entry, facts = table_entry(TABLE, "messaging-entity-is-a-subscription"), {**facts, **topic}
    variant = _case_variant(state, entry, facts)
    if variant is not None:  # the name exists in another letter case, and the service compares names exactly
        entry, facts = {**entry, "root_cause": entry["case_root_cause"],
                        "actions": entry.get("case_actions", entry["actions"])}, {**facts, **variant}
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))


def _case_variant(state: SessionState, entry: dict, facts: dict[str, str]) -> dict[str, str] | None:
    """A name the code uses (an entry's `case_sensitive` fact) that the report also quotes in another letter case
    ('Shipments' in the portal for the code's "shipments"): for a service whose names are case-sensitive, that is the
    resource that exists. Only a quoted name counts: a capitalised word at the start of a sentence is not a name."""
    for key in entry.get("case_sensitive") or []:
        name = facts.get(key) or ""
        if not name:
            continue
        quoted = re.compile(rf"[\"'`‘’“”]({re.escape(name)})[\"'`‘’“”]", re.IGNORECASE)
        for text in texts(state):
            for match in quoted.finditer(text):
                if match.group(1) != name:
                    return {"case_of": key, "case_code": name, "case_variant": match.group(1)}
    return None


def _subscription_named(state: SessionState, entity: str) -> dict[str, str] | None:
    """The topic facts when the report shows the missing entity as a subscription's name (None otherwise); a path
    with a slash (topic/Subscriptions/name) already addresses a subscription correctly."""
    if not entity or "/" in entity:
        return None
    sources = texts(state, files=True)
    name = re.escape(entity)
    if not any(re.search(form.format(name=name), text, re.MULTILINE) for form in _AS_SUBSCRIPTION for text in sources):
        return None
    topic = next((m.group("topic") for form in _TOPIC for text in sources for m in [re.search(form, text)]
                  if m and m.group("topic") != entity), None)
    return {"topic": topic} if topic else {}
