"""Computed findings: a name the app's configuration or the report's manifest uses that Azure's own listing spells
another way.

An app setting whose host names 'redis-shopprod-we' while the group holds the cache 'redis-shop-prod-we'; a pod's
nodeSelector `agentpool: gpu` while the cluster's node pools are system, user01 and gpunc6. The error only says the
host cannot be reached or no node matches; the deciding fact is the pair of names, which no phrase carries. A name
that differs from a listed one only by separators or by one letter (never a digit: sb-orders-01 and sb-orders-02
are two namespaces) is a misspelling; a name that differs by an environment word is another environment's resource
(app_service.setting_points_at_sibling answers that)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rapidfuzz.distance import OSA

from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.session_reads import Facts, said_in_report
from shared.session.state import SessionState

# The resource type an Azure host names, by the host's domain (a setting's target: list_app_setting_names "targets")
_HOST_TYPES = (
    (r"\.servicebus\.windows\.net$", r"(?i)^Microsoft\.(?:ServiceBus|EventHub)/namespaces$", "namespace"),
    (r"\.database\.windows\.net$", r"(?i)^Microsoft\.Sql/servers$", "SQL server"),
    (r"\.postgres\.database\.azure\.com$", r"(?i)^Microsoft\.DBforPostgreSQL/", "PostgreSQL server"),
    (r"\.mysql\.database\.azure\.com$", r"(?i)^Microsoft\.DBforMySQL/", "MySQL server"),
    (r"\.documents\.azure\.com$", r"(?i)^Microsoft\.DocumentDB/databaseAccounts$", "Cosmos DB account"),
    (r"\.(?:blob|queue|table|file|dfs)\.core\.windows\.net$", r"(?i)^Microsoft\.Storage/storageAccounts$",
     "storage account"),
    (r"\.redis\.cache\.windows\.net$|\.redis\.azure\.net$", r"(?i)^Microsoft\.Cache/", "cache"),
    (r"\.(?:openai|cognitiveservices)\.azure\.com$", r"(?i)^Microsoft\.CognitiveServices/accounts$", "AI account"),
    (r"\.azconfig\.io$", r"(?i)^Microsoft\.AppConfiguration/configurationStores$", "App Configuration store"),
    (r"\.search\.windows\.net$", r"(?i)^Microsoft\.Search/searchServices$", "search service"),
)
_SEPARATORS = re.compile(r"[-_.]")
_MIN = 6  # shorter names one letter apart are two names by chance, not a typo


def misspelt(sought: str, listed: str) -> bool:
    """Whether `sought` is `listed` written another way: the same once separators are dropped, or (both at least
    six characters) one letter added, dropped, changed or two neighbours swapped, where no digit differs."""
    a, b = sought.lower(), listed.lower()
    if a == b:
        return False
    if _SEPARATORS.sub("", a) == _SEPARATORS.sub("", b):
        return True
    if min(len(a), len(b)) < _MIN or OSA.distance(a, b) != 1:
        return False
    return re.sub(r"\D", "", a) == re.sub(r"\D", "", b)  # a digit that differs is another resource (01 / 02)


def _group_resources(state: SessionState) -> list[dict[str, Any]]:
    return [r for e in state.ledger if e.tool == "list_resources_in_group" and e.status == "success"
            for r in e.data.get("resources") or [] if isinstance(r, dict) and r.get("name")]


def setting_host_misspelt(state: SessionState) -> Facts:
    """An app setting whose Azure host names a resource the app's resource group does not hold, while the group holds
    exactly one resource of that type whose name is the same but for a separator or one letter."""
    listed = latest(state, "list_app_setting_names")
    targets = (listed.data.get("targets") or {}) if listed is not None and listed.status == "success" else {}
    group = _group_resources(state)
    for setting, target in sorted(targets.items()):
        if "/secrets/" in str(target):
            continue  # a Key Vault reference: app-keyvault-reference-names-replaced-vault answers it
        address = re.sub(r":\d+$", "", str(target))  # a Redis or SQL target keeps its port: host:6380
        pointed = re.split(r"[. ]", address, maxsplit=1)[0].lower()
        kind = next(((t, label) for host, t, label in _HOST_TYPES if re.search(host, address)), None)
        if kind is None or not pointed:
            continue
        same_type = [str(r["name"]) for r in group if re.search(kind[0], str(r.get("type") or ""))]
        if any(n.lower() == pointed for n in same_type):
            continue
        near = [n for n in same_type if misspelt(pointed, n)]
        if len(near) == 1:
            return {"setting": str(setting), "pointed": pointed, "listed": near[0], "kind": kind[1],
                    "target": str(target)}
    return None


# a manifest's node pool selector: `agentpool: gpu`, `kubernetes.azure.com/agentpool: gpu`, "agentpool": "gpu"
_POOL_SELECTOR = re.compile(r"""(?im)^\s*["']?(?:kubernetes\.azure\.com/)?agentpool["']?\s*[:=]\s*["']?"""
                            r"""(?P<pool>[a-z][a-z0-9]{0,11})["']?\s*,?\s*$""")
_NO_NODE_MATCHES = re.compile(r"(?i)didn't match (?:Pod's )?node (?:affinity|selector)|"
                              r"node\(s\) didn't match|did not match (?:Pod's )?node (?:affinity|selector)|"
                              r"NotTriggerScaleUp|FailedScheduling")


def node_selector_pool_missing(state: SessionState) -> Facts:
    """A pod that no node matches (FailedScheduling: didn't match Pod's node affinity/selector) whose manifest selects
    a node pool by its agentpool label while the cluster read has no pool of that name: AKS labels each node with
    agentpool=<its pool's name>, so the selector names a pool that does not exist."""
    said = said_in_report(state)
    if not _NO_NODE_MATCHES.search(said):
        return None
    selected = [m.group("pool") for m in _POOL_SELECTOR.finditer(said)]
    if not selected:
        return None
    for cluster in reads_of_type(state, r"(?i)^Microsoft\.ContainerService/managedClusters$"):
        pools = [str(p.get("name")) for p in cluster.get("agentPoolProfiles") or [] if p.get("name")]
        if not pools:
            continue
        missing = [s for s in selected if s.lower() not in {p.lower() for p in pools}]
        if missing:
            user_pools = [str(p.get("name")) for p in cluster.get("agentPoolProfiles") or []
                          if p.get("name") and str(p.get("mode") or "").lower() != "system"]
            return {"selected": missing[0], "pools": ", ".join(pools),
                    "candidates": ", ".join(user_pools or pools), "cluster": str(cluster.get("name") or "")}
    return None


# the slot a deployment names: a pipeline task's slotName, a workflow's slot-name, the CLI's --slot, PowerShell's -Slot
_SLOT_NAMED = re.compile(r"""(?im)(?:\bslot[_-]?name\b["']?\s*[:=]|(?<![\w-])--?slot\b)\s*["']?"""
                         r"""(?P<slot>[A-Za-z0-9][A-Za-z0-9-]{0,58})["']?""")
_NOT_FOUND = re.compile(r"(?i)\b404\b|not found|doesn't exist|does not exist|could not be found|ResourceNotFound")
_SLOTS = re.compile(r"(?i)^Microsoft\.Web/sites/slots$")


def deploy_slot_missing(state: SessionState) -> Facts:
    """A deployment to a slot that fails as not found (404, "Resource not found") whose slot name the report's
    pipeline, workflow or command gives, while the resource group listing shows the app's slots and none by that
    name: the deployment names a slot the app does not have."""
    said = said_in_report(state)
    if not _NOT_FOUND.search(said):
        return None
    named = {m.group("slot").lower() for m in _SLOT_NAMED.finditer(said)}
    if not named:
        return None
    slots: dict[str, list[str]] = {}
    for resource in _group_resources(state):
        if _SLOTS.search(str(resource.get("type") or "")) and "/" in str(resource["name"]):
            app, slot = str(resource["name"]).split("/", 1)
            slots.setdefault(app, []).append(slot)
    for app, existing in sorted(slots.items()):
        if app.lower() not in said.lower() or any(n in {e.lower() for e in existing} for n in named):
            continue
        return {"slot": sorted(named)[0], "app": app, "slots": ", ".join(sorted(existing))}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "deploy-slot-missing": deploy_slot_missing,
    "app-setting-host-misspelt": setting_host_misspelt,
    "aks-node-selector-pool-missing": node_selector_pool_missing,
}
