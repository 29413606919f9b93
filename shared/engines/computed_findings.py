"""Computed evidence findings (knowledge/evidence_findings.yaml, `computed:`) that one field cannot express: conditions
that compare several fields of a read (an AKS node pool's count against its autoscaler maximum), a read against
the report (the .NET version an error asks for against the app's runtime stack), or pick one item of a collection
read (the Service Bus queue, event hub, Cosmos DB container or blob container the report names, else the only
one that matches). Each function takes the session and returns the facts of its template, or None.

Kept apart from shared/engines/playbooks.py, which registers them (_COMPUTED); this module imports nothing of it
(the reads both judge come from analyzers.ledger.reads_of_type)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.engines import private_dns
from shared.engines.analyzers.common import picked, regex, table, table_entry
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.catalog_hits import log_lines
from shared.session.state import SessionState

Facts = dict[str, str] | None


def _said(state: SessionState) -> str:
    """The report and the answers, lower-cased (where the client names a queue, a container, a deployment)."""
    return " ".join([state.material.error_description, *state.material.answers]).lower()


def _mentioned(name: str, said: str) -> bool:
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", said) is not None


def _chosen(state: SessionState, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The item the client names, else the only one."""
    said = _said(state)
    named = [i for i in items if _mentioned(str(i.get("name") or ""), said)]
    return named[0] if named else (items[0] if len(items) == 1 else None)


def _items(state: SessionState, type_pattern: str, key: str) -> list[dict[str, Any]]:
    return [i for data in reads_of_type(state, type_pattern) for i in data.get(key) or [] if isinstance(i, dict)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _iso_seconds(duration: Any) -> float | None:
    """Seconds of an ISO 8601 duration as Service Bus gives it (PT1M, PT30S, PT1M30S, P0DT0H5M0S)."""
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", str(duration or ""))
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


# --- AKS -------------------------------------------------------------------------------------------------------

_AKS = r"(?i)^Microsoft\.ContainerService/managedClusters$"


def aks_autoscaler_at_max(state: SessionState) -> Facts:
    """A node pool whose cluster autoscaler is on and already runs its maximum node count."""
    for cluster in reads_of_type(state, _AKS):
        for pool in cluster.get("agentPoolProfiles") or []:
            if not isinstance(pool, dict) or picked(pool, "enableAutoScaling") is not True:
                continue
            count, most = _number(pool.get("count")), _number(pool.get("maxCount"))
            if count is not None and most and count >= most:
                return {"name": str(cluster.get("name")), "pool": str(pool.get("name")), "count": f"{count:g}",
                        "max": f"{most:g}"}
    return None


def aks_node_pool_stopped(state: SessionState) -> Facts:
    """A node pool that is stopped while its cluster runs (a stopped cluster is aks-cluster-stopped)."""
    for cluster in reads_of_type(state, _AKS):
        if str(cluster.get("powerState") or "") == "Stopped":
            continue
        for pool in cluster.get("agentPoolProfiles") or []:
            if isinstance(pool, dict) and str(picked(pool, "powerState.code") or "") == "Stopped":
                return {"name": str(cluster.get("name")), "pool": str(pool.get("name")),
                        "mode": str(pool.get("mode") or "User")}
    return None


# --- App Service ------------------------------------------------------------------------------------------------

_FRAMEWORK_WANTED = re.compile(
    r"(?i)framework[: ]+'?Microsoft\.(?:NETCore|AspNetCore|WindowsDesktop)\.App'?,?\s+version[: ]+'?(\d+)\.\d+"
    r"|(?:install|update) \.NET[^\n]{0,80}?\bversion[: ]+'?(\d+)\.\d+")
_STACK = re.compile(r"(?i)^(?:DOTNETCORE|DOTNET)\|(\d+)(?:\.\d+)?$|^v(\d+)\.\d+$")


def dotnet_runtime_older(state: SessionState) -> Facts:
    """The .NET major version a start-up error asks for, above the one the app's runtime stack gives it
    (linuxFxVersion DOTNETCORE|x on Linux, netFrameworkVersion vx.0 on Windows)."""
    texts = [state.material.error_description, *state.material.answers]
    texts += [str(e.data) for e in state.ledger if e.tool == "query_logs" and e.status == "success"]
    wanted = next((int(m.group(1) or m.group(2)) for t in texts for m in _FRAMEWORK_WANTED.finditer(t)), None)
    if wanted is None:
        return None
    for data in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?(?:/config)?$"):
        config: dict[str, Any] = data["siteConfig"] if isinstance(data.get("siteConfig"), dict) else data
        for setting in ("linuxFxVersion", "netFrameworkVersion"):
            match = _STACK.match(str(config.get(setting) or ""))
            have = int(match.group(1) or match.group(2)) if match else None
            if have is not None and have >= 5 and have < wanted:  # v4.0 is .NET Framework, not .NET
                return {"name": str(data.get("name")), "wanted": str(wanted), "have": str(have),
                        "setting": setting, "value": str(config.get(setting))}
    return None


# --- Container Apps ---------------------------------------------------------------------------------------------

_CONTAINER_APPS = r"(?i)^Microsoft\.App/containerApps$"
_NEEDS_NO_AUTH = re.compile(r"(?i)^(?:cron|cpu|memory|http|tcp)?$")


def container_app_cannot_wake(state: SessionState) -> Facts:
    """A container app without ingress, without a minimum replica and without a scale rule: the default rule
    scales on HTTP traffic, which it cannot receive, so once at zero it never starts again."""
    for app in reads_of_type(state, _CONTAINER_APPS):
        if app.get("ingress") or app.get("scaleRules"):
            continue
        least = _number((app.get("scale") or {}).get("minReplicas"))
        if "ingress" not in app and "scale" not in app:
            continue  # the read did not show the configuration (an older record): no verdict
        if not least:
            return {"name": str(app.get("name"))}
    return None


def scale_rule_without_auth(state: SessionState) -> Facts:
    """An event-driven (KEDA) scale rule - an Azure queue, Service Bus, Event Hubs or other custom scaler - that
    carries neither secret references nor a managed identity to read its source with."""
    for app in reads_of_type(state, _CONTAINER_APPS):
        for rule in app.get("scaleRules") or []:
            if not isinstance(rule, dict) or rule.get("http") or rule.get("tcp"):
                continue
            kind = str(picked(rule, "custom.type") or ("azure-queue" if any(
                k.startswith("azureQueue") for k in rule) else ""))
            if _NEEDS_NO_AUTH.match(kind):
                continue
            credentials = [picked(rule, k) for k in ("custom.auth", "custom.identity", "azureQueue.auth",
                                                     "azureQueue.identity")]
            if not any(credentials):
                return {"name": str(app.get("name")), "rule": str(rule.get("name")), "kind": kind}
    return None


def revision_without_traffic(state: SessionState) -> Facts:
    """A container app in multiple-revision mode whose traffic rules give the latest revision nothing."""
    for app in reads_of_type(state, _CONTAINER_APPS):
        if str(app.get("activeRevisionsMode") or "").lower() != "multiple":
            continue
        rules = [r for r in app.get("traffic") or [] if isinstance(r, dict)]
        latest = str(app.get("latestRevisionName") or "")
        served = [r for r in rules if (_number(r.get("weight")) or 0) > 0]
        if not served or any(r.get("latestRevision") is True or (latest and r.get("revisionName") == latest)
                             for r in served):
            continue
        return {"name": str(app.get("name")), "latest": latest or "the latest revision",
                "served": ", ".join(f"{r.get('revisionName')} {r.get('weight')}%" for r in served)}
    return None


# --- Azure OpenAI -----------------------------------------------------------------------------------------------

_DEPLOYMENTS = r"(?i)^Microsoft\.CognitiveServices/accounts/deployments$"
_CALLED = re.compile(r"(?i)/openai/deployments/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/|deployment(?: name)?[ =:]+['\"`]"
                     r"([A-Za-z0-9][A-Za-z0-9._-]{0,63})['\"`]")


def openai_deployment_capacity(state: SessionState) -> Facts:
    """The model deployment the report names (else the only one) with a small tokens-per-minute capacity."""
    chosen = _chosen(state, _items(state, _DEPLOYMENTS, "deployments"))
    capacity = _number(picked(chosen, "sku.capacity")) if chosen else None
    if chosen is None or capacity is None or capacity > 30:
        return None
    return {"deployment": str(chosen.get("name")), "capacity": f"{capacity:g}",
            "sku": str(picked(chosen, "sku.name") or "Standard"), "model": str(picked(chosen, "model.name") or "")}


def openai_deployment_missing(state: SessionState) -> Facts:
    """A deployment name the client calls (a /openai/deployments/<name>/ URL, deployment='<name>') that the
    account's deployments read does not hold."""
    reads = reads_of_type(state, _DEPLOYMENTS)
    if not reads:
        return None
    names = [str(d.get("name")) for d in _items(state, _DEPLOYMENTS, "deployments")]
    texts = [state.material.error_description, *state.material.answers]
    called = next((m.group(1) or m.group(2) for t in texts for m in _CALLED.finditer(t)), None)
    if not called or called.lower() in {n.lower() for n in names}:
        return None
    return {"deployment": called, "existing": ", ".join(names[:8]) or "none"}


# --- Service Bus and Event Hubs ---------------------------------------------------------------------------------

_QUEUES = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics)$"
_LOCKED = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics/subscriptions)$"
_HUBS = r"(?i)^Microsoft\.EventHub/namespaces/eventhubs$"


def queue_size_limit(state: SessionState) -> Facts:
    """A queue or topic whose stored messages fill (nearly) all of its maximum size."""
    full = []
    for entity in _items(state, _QUEUES, "entities"):
        size, most = _number(entity.get("sizeInBytes")), _number(entity.get("maxSizeInMegabytes"))
        if size is not None and most and size >= 0.95 * most * 1024 * 1024:
            full.append(entity)
    chosen = _chosen(state, full) or (full[0] if full else None)
    if chosen is None:
        return None
    return {"entity": str(chosen.get("name")), "size": f"{_number(chosen.get('sizeInBytes')) or 0:.0f}",
            "max": f"{_number(chosen.get('maxSizeInMegabytes')) or 0:g}"}


def lock_duration(state: SessionState) -> Facts:
    """The queue or subscription the report names (else the only one) and its lock duration, up to one minute."""
    entities = [e for e in _items(state, _LOCKED, "entities") if _iso_seconds(e.get("lockDuration")) is not None]
    chosen = _chosen(state, entities)
    seconds = _iso_seconds(chosen.get("lockDuration")) if chosen else None
    if chosen is None or seconds is None or seconds > 60:
        return None
    return {"entity": str(chosen.get("name")), "lock": str(chosen.get("lockDuration")), "seconds": f"{seconds:g}"}


def event_hub_not_active(state: SessionState) -> Facts:
    inactive = [h for h in _items(state, _HUBS, "entities")
                if re.fullmatch(r"(?i)Disabled|SendDisabled|ReceiveDisabled", str(h.get("status") or ""))]
    chosen = _chosen(state, inactive)
    return {"hub": str(chosen.get("name")), "value": str(chosen.get("status"))} if chosen else None


_CONSUMERS = re.compile(r"(?i)\b(\d{1,3}) (?:\w+ ){0,2}(?:instances|consumers|replicas|pods|workers|receivers|"
                        r"processors|readers)\b")


def partitions_fewer_than_consumers(state: SessionState) -> Facts:
    """An event hub with fewer partitions than the consumer instances the report counts: in one consumer group a
    partition is read by one consumer at a time, so the others stay idle."""
    counts = [int(m.group(1)) for m in _CONSUMERS.finditer(_said(state))]
    chosen = _chosen(state, _items(state, _HUBS, "entities"))
    partitions = _number(chosen.get("partitionCount")) if chosen else None
    if chosen is None or partitions is None or not counts or max(counts) <= partitions:
        return None
    return {"hub": str(chosen.get("name")), "partitions": f"{partitions:g}", "consumers": str(max(counts))}


# --- Cosmos DB, Storage, SQL ------------------------------------------------------------------------------------

_CONTAINERS = r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases/containers$"


def cosmos_ttl(state: SessionState) -> Facts:
    """A container whose default time to live deletes items that many seconds after their last write."""
    expiring = [c for c in _items(state, _CONTAINERS, "containers")
                if (_number(picked(c, "resource.defaultTtl")) or 0) > 0]
    chosen = _chosen(state, expiring) or (expiring[0] if len(expiring) == 1 else None)
    if chosen is None:
        return None
    return {"container": str(chosen.get("name")), "ttl": f"{_number(picked(chosen, 'resource.defaultTtl')):g}"}


def cosmos_unique_keys(state: SessionState) -> Facts:
    """A container with a unique key policy (paths whose values must be unique within a logical partition)."""
    keyed = []
    for container in _items(state, _CONTAINERS, "containers"):
        policy = picked(container, "resource.uniqueKeyPolicy")
        keys = policy.get("uniqueKeys") if isinstance(policy, dict) else None
        paths = [p for k in keys or [] if isinstance(k, dict) for p in k.get("paths") or []]
        if paths:
            keyed.append({**container, "_paths": paths})
    chosen = _chosen(state, keyed)
    return {"container": str(chosen.get("name")), "paths": ", ".join(chosen["_paths"])} if chosen else None


def blob_container_immutable(state: SessionState) -> Facts:
    """A blob container under a legal hold or an immutability policy (container or version level)."""
    held = []
    for container in _items(state, r"(?i)^Microsoft\.Storage/storageAccounts/blobServices/containers$", "containers"):
        kinds = [label for key, label in (("hasLegalHold", "a legal hold"),
                                          ("hasImmutabilityPolicy", "a time-based retention policy"))
                 if container.get(key) is True]
        versioned = container.get("immutableStorageWithVersioning")
        if isinstance(versioned, dict) and versioned.get("enabled") is True:
            kinds.append("version-level immutability")
        if kinds:
            held.append({**container, "_kinds": " and ".join(kinds)})
    chosen = _chosen(state, held)
    return {"container": str(chosen.get("name")), "hold": chosen["_kinds"]} if chosen else None


def sql_database_inaccessible(state: SessionState) -> Facts:
    found = [d for d in _items(state, r"(?i)^Microsoft\.Sql/servers/databases$", "databases")
             if str(d.get("status") or "") == "Inaccessible"]
    chosen = _chosen(state, found) or (found[0] if found else None)
    return {"database": str(chosen.get("name"))} if chosen else None


def easy_auth_secret_setting_missing(state: SessionState) -> Facts:
    """App Service authentication on, its Entra provider's secret kept in an app setting the app no longer has
    (config/authsettingsV2 names it; list_app_setting_names read whole does not list it)."""
    auth = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$")
                 if r.get("authClientSecretSettingName")), None)
    listed = next((e for e in reversed(state.ledger) if e.tool == "list_app_setting_names"), None)
    if auth is None or auth.get("authEnabled") is False or listed is None or listed.status != "success" \
            or listed.data.get("truncated"):
        return None
    setting = str(auth["authClientSecretSettingName"])
    names = {str(n).lower() for n in listed.data.get("names") or []}
    return {"setting": setting} if setting.lower() not in names else None


# --- round 22: child resources, identities, limits ---------------------------------------------------------------

_SITES = r"(?i)^Microsoft\.Web/sites$"
_SLOTS = r"(?i)^Microsoft\.Web/sites/slots$"


def _last(resource_id: Any) -> str:
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def reference_identity_not_assigned(state: SessionState) -> Facts:
    """An app whose keyVaultReferenceIdentity names a user-assigned identity the app does not have (removed from the
    app, or deleted and created again under another id)."""
    for site in reads_of_type(state, _SITES):
        chosen = str(site.get("keyVaultReferenceIdentity") or "")
        if "/userassignedidentities/" not in chosen.lower():
            continue
        identity: dict[str, Any] = site["identity"] if isinstance(site.get("identity"), dict) else {}
        assigned = [str(u.get("id") or "") for u in identity.get("userAssigned") or [] if isinstance(u, dict)]
        if chosen.lower() not in {a.lower() for a in assigned}:
            return {"app": str(site.get("name")), "chosen": _last(chosen),
                    "assigned": ", ".join(_last(a) for a in assigned) or "none"}
    return None


def slot_without_identity(state: SessionState) -> Facts:
    """A deployment slot without the managed identity the production app has (identities are not swapped or copied
    to slots: each slot has its own)."""
    production = next((s for s in reads_of_type(state, _SITES)
                       if str((s.get("identity") or {}).get("type") or "None") != "None"), None)
    if production is None:
        return None
    slots = [{**slot, "name": _last(slot.get("name"))} for slot in _items(state, _SLOTS, "slots")]
    bare = [s for s in slots if str(s.get("identity.type") or "None") == "None"]
    chosen = _chosen(state, bare)
    if chosen is None:
        return None
    return {"app": str(production.get("name")), "slot": str(chosen.get("name")),
            "kind": str((production.get("identity") or {}).get("type"))}


_SB_ENTITY = re.compile(r"(?i)\.servicebus\.windows\.net/([A-Za-z0-9][\w.-]{0,259})"
                        r"|:(?:queue|topic):([A-Za-z0-9][\w.-]{0,259})"
                        r"|(?:queue|topic|entity)(?: name)?[ :]+['\"`]([A-Za-z0-9][\w.-]{0,259})['\"`]"
                        r"[^\n]{0,80}(?:not found|could not be found|does not exist)")


def service_bus_entity_missing(state: SessionState) -> Facts:
    """The queue or topic the client's error names, absent from the namespace's queues and topics (both read)."""
    queues = reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces/queues$")
    topics = reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces/topics$")
    if not queues or not topics:
        return None
    texts = [state.material.error_description, *state.material.answers]
    named = next((next(g for g in m.groups() if g) for t in texts for m in _SB_ENTITY.finditer(t)), None)
    if not named or named.lower() in ("$management", "$cbs"):
        return None
    existing = [str(e.get("name")) for data in queues + topics for e in data.get("entities") or []
                if isinstance(e, dict)]
    if named.lower() in {e.lower() for e in existing}:
        return None
    return {"entity": named, "existing": ", ".join(existing[:8]) or "none"}


_STORAGE_CHILD = re.compile(r"(?i)\.(queue|file)\.core\.windows\.net/([a-z0-9][a-z0-9-]{2,62})"
                            r"|(queue|share)(?: name)?[ :]+['\"`]([a-z0-9][a-z0-9-]{2,62})['\"`]")


def storage_child_missing(state: SessionState) -> Facts:
    """The queue or file share the client's error names, absent from the account's queues or shares read."""
    texts = [state.material.error_description, *state.material.answers]
    for text in texts:
        for match in _STORAGE_CHILD.finditer(text):
            kind = (match.group(1) or match.group(3) or "").lower()
            name = (match.group(2) or match.group(4) or "").lower()
            key, label = ("queues", "queue") if kind == "queue" else ("shares", "file share")
            child = "queueServices/queues" if key == "queues" else "fileServices/shares"
            reads = reads_of_type(state, rf"(?i)^Microsoft\.Storage/storageAccounts/{child}$")
            if not reads:
                continue
            existing = [str(n) for data in reads for n in data.get(key) or []]
            if name not in {e.lower() for e in existing}:
                account = str(reads[0].get("id") or "").split("/storageAccounts/")[-1].split("/")[0]
                return {"kind": label, "entity": name, "account": account,
                        "existing": ", ".join(existing[:8]) or "none"}
    return None


_COSMOS_PATH = re.compile(r"(?i)dbs/([^/\s'\"]+)(?:/colls/([^/\s'\"]+))?")


def cosmos_resource_missing(state: SessionState) -> Facts:
    """The database or container of a Cosmos DB request path the error shows (dbs/<db>/colls/<container>) that the
    account's databases or that database's containers (read) do not hold."""
    texts = [state.material.error_description, *state.material.answers]
    found = next((m for t in texts for m in _COSMOS_PATH.finditer(t)), None)
    databases = reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases$")
    if found is None or not databases:
        return None
    database, container = found.group(1), found.group(2)
    names = [str(n) for data in databases for n in data.get("databases") or []]
    names += [_last(i) for data in databases for i in data.get("ids") or []]
    if database.lower() not in {n.lower() for n in names}:
        return {"what": "database", "entity": database, "database": database,
                "existing": ", ".join(sorted(set(names))[:8]) or "none"}
    if not container:
        return None
    for data in reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases/containers$"):
        if f"/sqldatabases/{database.lower()}/" not in str(data.get("id") or "").lower() + "/":
            continue
        held = [str(c.get("name")) for c in data.get("containers") or [] if isinstance(c, dict)]
        if container.lower() not in {h.lower() for h in held}:
            return {"what": "container", "entity": container, "database": database,
                    "existing": ", ".join(held[:8]) or "none"}
    return None


_SQL_DATABASE_NAMED = re.compile(r"Cannot open database \\?[\"'](?P<database>[^\"'\\]{1,128})\\?[\"']")


def sql_database_missing(state: SessionState) -> Facts:
    """The database a SQL error says it cannot open (4060) that the server's databases (read) do not hold: a name
    that was renamed, deleted or misspelt, whatever the login."""
    texts = [state.material.error_description, *state.material.answers, *_logged(state)]
    found = next((m.group("database") for t in texts for m in _SQL_DATABASE_NAMED.finditer(t)), None)
    collections = [data for data in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/databases$")
                   if data.get("ids") is not None or data.get("databases") is not None]
    if found is None or not collections:
        return None
    names = {_last(i) for data in collections for i in data.get("ids") or []}
    names |= {str(d.get("name")) for data in collections for d in data.get("databases") or [] if isinstance(d, dict)}
    names.discard("master")
    if not names or found.lower() in {n.lower() for n in names}:
        return None
    return {"database": found, "existing": ", ".join(sorted(names)[:8])}


def cosmos_region_removed(state: SessionState) -> Facts:
    """A regional endpoint (<account>-<region>.documents.azure.com) the client uses for a region the account is no
    longer replicated to."""
    said = _said(state)
    for account in reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts$"):
        name, regions = str(account.get("name") or "").lower(), account.get("locations")
        if not name or not isinstance(regions, list) or not regions:
            continue
        match = re.search(rf"(?<![\w-]){re.escape(name)}-([a-z0-9]+)\.documents\.azure\.com", said)
        if not match:
            continue
        held = {str(r).lower().replace(" ", "") for r in regions}
        if match.group(1) not in held:
            return {"name": str(account.get("name")), "region": match.group(1),
                    "regions": ", ".join(str(r) for r in regions)}
    return None


def app_without_nat_gateway(state: SessionState) -> Facts:
    """An app integrated into a subnet that has no NAT gateway: its outbound address is one of the shared App Service
    addresses, not a fixed one a partner can allow."""
    subnets = {str(d.get("id") or "").lower(): d for d in
               reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks/subnets$")}
    for site in reads_of_type(state, _SITES):
        subnet_id = str(site.get("virtualNetworkSubnetId") or "").lower()
        subnet = subnets.get(subnet_id)
        if subnet is not None and not subnet.get("natGateway"):
            return {"app": str(site.get("name")), "subnet": _last(subnet_id)}
    return None


def container_app_at_max_replicas(state: SessionState) -> Facts:
    """A container app whose Replicas metric reached its scale maximum (maxReplicas, 10 when unset)."""
    apps = [a for a in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$") if isinstance(a.get("scale"), dict)]
    if not apps:
        return None
    most = _number(apps[0]["scale"].get("maxReplicas")) or 10.0
    for evidence in reversed(state.ledger):
        if evidence.tool != "query_metrics" or evidence.status != "success":
            continue
        for metric in evidence.data.get("metrics") or []:
            if isinstance(metric, dict) and str(metric.get("name")) == "Replicas":
                peak = _number(metric.get("max"))
                if peak is not None and peak >= most:
                    return {"name": str(apps[0].get("name")), "max": f"{most:g}", "peak": f"{peak:g}"}
    return None


_RECEIVING = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics/subscriptions)$"


def auto_forward_source(state: SessionState) -> Facts:
    """The queue or subscription the client receives from (named, else the only one forwarding) that forwards every
    message to another entity: nothing stays in it to receive."""
    forwarding = [e for e in _items(state, _RECEIVING, "entities") if e.get("forwardTo")]
    chosen = _chosen(state, forwarding)
    return {"entity": str(chosen.get("name")), "target": str(chosen.get("forwardTo"))} if chosen else None


def message_ttl_short(state: SessionState) -> Facts:
    """The queue or subscription (named, else the only one) whose default message time to live is an hour or less."""
    entities = [e for e in _items(state, _RECEIVING, "entities")
                if (_iso_seconds(e.get("defaultMessageTimeToLive")) or 10**9) <= 3600]
    chosen = _chosen(state, entities)
    if chosen is None:
        return None
    dead = chosen.get("deadLetteringOnMessageExpiration") is True
    return {"entity": str(chosen.get("name")), "ttl": str(chosen.get("defaultMessageTimeToLive")),
            "seconds": f"{_iso_seconds(chosen.get('defaultMessageTimeToLive')):g}",
            "fate": "moved to the dead-letter queue" if dead
            else "dropped without a trace (dead-lettering on expiration is off)"}


def max_delivery_count_low(state: SessionState) -> Facts:
    """The queue or subscription (named, else the only one) that dead-letters a message after three deliveries or
    fewer."""
    entities = [e for e in _items(state, _RECEIVING, "entities")
                if (_number(e.get("maxDeliveryCount")) or 100) <= 3]
    chosen = _chosen(state, entities)
    if chosen is None:
        return None
    return {"entity": str(chosen.get("name")), "count": f"{_number(chosen.get('maxDeliveryCount')):g}"}


def aks_max_pods_low(state: SessionState) -> Facts:
    """A node pool whose maxPods is low (50 or fewer pods per node)."""
    for cluster in reads_of_type(state, _AKS):
        pools = [p for p in cluster.get("agentPoolProfiles") or []
                 if isinstance(p, dict) and (_number(p.get("maxPods")) or 999) <= 50]
        if pools:
            pool = min(pools, key=lambda p: _number(p.get("maxPods")) or 0)
            return {"name": str(cluster.get("name")), "pool": str(pool.get("name")),
                    "pods": f"{_number(pool.get('maxPods')):g}"}
    return None


_CLOUD_EVENTS = re.compile(r"(?i)cloud ?events?|ce-specversion|application/cloudevents|specversion")
_GRID_EVENTS = re.compile(r"(?i)EventGridEvent|event ?grid schema|\beventType\b|\bdataVersion\b")


def event_grid_schema_mismatch(state: SessionState) -> Facts:
    """A custom topic whose input schema is not the one the publisher sends (CloudEvents against the Event Grid
    schema, or the reverse)."""
    said = " ".join([state.material.error_description, *state.material.answers])
    for topic in reads_of_type(state, r"(?i)^Microsoft\.EventGrid/(?:topics|domains)$"):
        schema = str(topic.get("inputSchema") or "")
        if schema == "EventGridSchema" and _CLOUD_EVENTS.search(said):
            return {"name": str(topic.get("name")), "schema": schema, "sent": "CloudEvents 1.0"}
        if schema.startswith("CloudEventSchema") and _GRID_EVENTS.search(said) and not _CLOUD_EVENTS.search(said):
            return {"name": str(topic.get("name")), "schema": schema, "sent": "the Event Grid schema"}
    return None


_SECRET_REF = re.compile(r"SecretRef '(?P<secret>[^']+)' defined for container '(?P<container>[^']+)' not found|"
                         r"secret\(s\) with name\(s\) '(?P<secret2>[^']+)' are not found, referenced by container "
                         r"'?(?P<container2>[\w.-]+)")


def container_app_secret_ref_undefined(state: SessionState) -> Facts:
    """A deployment refused because a container's secretRef names a secret the container app does not define: the
    secret the error names, against the app's own secret names (read from Azure, names only)."""
    read = [e.summary + " " + json.dumps(e.data, default=str) for e in state.ledger if e.status == "success"]
    said = " ".join([state.material.error_description, *state.material.answers, *read])
    found = _SECRET_REF.search(said)
    if found is None:
        return None
    secret = found.group("secret") or found.group("secret2")
    container = found.group("container") or found.group("container2")
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        names = [str(n) for n in app.get("secretNames") or []]
        if names and secret not in names:
            return {"secret": secret, "container": container, "name": str(app.get("name")),
                    "defined": ", ".join(names[:10])}
    return None


_UNRESOLVED = re.compile(
    r"(?i)(?:could not be resolved|failed to resolve|ENOTFOUND|no such host is known|name or service not known|"
    r"NXDOMAIN|could not resolve host|nodename nor servname|name does not resolve|no such host)")
_AZURE_HOST = re.compile(r"(?i)\b([a-z0-9][a-z0-9-]{1,62})\.(?:[a-z0-9-]+\.)*(?:azurewebsites\.net|windows\.net|"
                         r"azure\.net|azure\.com|azurecr\.io|azure-api\.net|azurefd\.net|azurecontainerapps\.io)\b")


def _events(state: SessionState) -> list[dict[str, Any]]:
    """The activity log's succeeded operations the session read."""
    return [e for r in state.ledger if r.tool == "list_activity_log" and r.status == "success"
            for e in r.data.get("events") or [] if isinstance(e, dict)
            and str(e.get("status") or "").lower() == "succeeded"]


def _logged(state: SessionState) -> list[str]:
    """Every log row the session read, one line each."""
    return [line for e in state.ledger if e.tool == "query_logs" and e.status == "success"
            for line in log_lines(e.data)]


def unresolved_host_deleted(state: SessionState) -> Facts:
    """A host name under an Azure service's DNS suffix that the report or the logs could not resolve, whose
    resource the activity log shows deleted: the name fails because the configuration still names that resource."""
    lines = [line for text in [state.material.error_description, *state.material.answers] for line in text.splitlines()]
    names = {m.group(1).lower(): m.group(0) for line in [*lines, *_logged(state)] if _UNRESOLVED.search(line)
             for m in _AZURE_HOST.finditer(line)}
    deletes = [e for e in _events(state) if str(e.get("operation") or "").lower().endswith("/delete")]
    for event in deletes:
        resource_id = str(event.get("resource_id") or "")
        name = resource_id.rsplit("/", 1)[-1].lower()
        if name in names:
            kind = "/".join(resource_id.split("/providers/")[-1].split("/")[:2])
            return {"host": names[name], "name": name, "type": kind, "time": str(event.get("time") or ""),
                    "caller": str(event.get("caller") or "")}
    return None


def sql_outbound_excludes_storage(state: SessionState) -> Facts:
    """A logical server with outbound access restricted whose outbound rules leave out a storage account of its
    group (the data source of a BULK INSERT or OPENROWSET, an export or an audit target)."""
    server = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers$")
                   if str(r.get("restrictOutboundNetworkAccess") or "").lower() == "enabled"), None)
    rules = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/outboundFirewallRules$")), None)
    if server is None or rules is None:
        return None
    allowed = [str(f).lower() for f in rules.get("allowedFqdns") or []]
    said = _said(state)
    accounts = [str(a.get("name") or "") for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")]
    outside = [a for a in accounts if a and not any(f.startswith(f"{a.lower()}.") for f in allowed)]
    named = [a for a in outside if _mentioned(a, said)]
    if not (named or outside):
        return None
    return {"server": str(server.get("name") or ""), "account": (named or outside)[0],
            "allowed": ", ".join(allowed) or "none"}


def _recreated(state: SessionState) -> dict[str, str]:
    """Resource id -> when it was written again after a deletion, per the activity log."""
    events = _events(state)
    deleted = {str(e.get("resource_id") or "").lower(): str(e.get("time") or "") for e in events
               if str(e.get("operation") or "").lower().endswith("/delete")}
    return {str(e.get("resource_id") or "").lower(): str(e.get("time") or "") for e in events
            if str(e.get("operation") or "").lower().endswith("/write")
            and str(e.get("resource_id") or "").lower() in deleted
            and str(e.get("time") or "") > deleted[str(e.get("resource_id") or "").lower()]}


def identity_lost_with_recreated_resource(state: SessionState) -> Facts:
    """A resource deleted and created again under the same name, whose system-assigned identity is therefore a new
    principal: the role assignments its old identity held on the resources it calls are gone with it."""
    recreated = _recreated(state)
    rebuilt = next((r for r in reads_of_type(state, r".") if str(r.get("id") or "").lower() in recreated
                    and (r.get("identity") or {}).get("principalId")), None)
    if rebuilt is None:
        return None
    roles = table("data_access_roles")
    targets = [f"{r.get('name')} ({entry['needed']})" for r in reads_of_type(state, r".") if r is not rebuilt
               for entry in roles
               if regex(f"(?i){entry['type']}").search(str(r.get("type") or ""))][:2]
    if not targets:
        return None
    return {"name": str(rebuilt.get("name") or ""), "time": recreated[str(rebuilt.get("id")).lower()],
            "principal": str(rebuilt["identity"]["principalId"]), "targets": "; ".join(targets)}


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def registry_token_expired(state: SessionState) -> Facts:
    """An enabled repository-scoped token of a registry whose every password has expired (against now: decided in
    the decide activity, never in the orchestrator); the one the client names when several have."""
    now = datetime.now(UTC)
    expired = []
    for data in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries/tokens$"):
        for token in data.get("tokens") or []:
            ends = [m for m in (_instant(e) for e in token.get("credentials.passwords[].expiry") or []) if m]
            if str(token.get("status") or "").lower() == "enabled" and ends and max(ends) < now:
                registry = str(data.get("id") or "").split("/registries/")[-1].split("/")[0]
                expired.append({"token": str(token.get("name") or ""), "registry": registry,
                                "expired": max(ends).date().isoformat()})
    said = _said(state)
    return next((t for t in expired if _mentioned(t["token"], said)), expired[0] if expired else None)


_INVALID_ISSUER = re.compile(r"AKV10032[^\n]{0,40}Expected one of https://sts\.windows\.net/(?P<expected>[0-9a-f-]{36})/"
                             r"[^\n]{0,200}?found https://sts\.windows\.net/(?P<found>[0-9a-f-]{36})/", re.IGNORECASE)
_DIRECTORY_MOVE = re.compile(r"(?i)\b(?:moved|transferr?ed|migrated|changed?)\b[^.\n]{0,80}\b(?:directory|tenant)\b|"
                             r"\b(?:directory|tenant)\b[^.\n]{0,40}\b(?:move|transfer|change|migration)\b|\bmerger\b")


def vault_tenant_left_behind(state: SessionState) -> Facts:
    """A vault that refuses tokens of another tenant (AKV10032, its own tenantId the expected issuer) in a
    subscription the report says moved to another directory: the vault's tenantId was not updated."""
    if not _DIRECTORY_MOVE.search(_said(state)):
        return None
    logged = _logged(state)
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        tenant = str(vault.get("tenantId") or "").lower()
        for line in [*logged, _said(state)]:
            match = _INVALID_ISSUER.search(line)
            if tenant and match and match.group("expected").lower() == tenant != match.group("found").lower():
                return {"vault": str(vault.get("name") or ""), "vault_tenant": tenant,
                        "caller_tenant": match.group("found").lower()}
    return None


def _functions(state: SessionState, site_id: str = "") -> list[dict[str, Any]] | None:
    """The functions a function app has (its functions read: name, isDisabled, config.bindings), or None when they
    were not read; any app's when no site is given."""
    reads = [r for r in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/functions$")
             if str(r.get("id") or "").lower().startswith(site_id.lower() + "/")]
    if not reads:
        return None
    return [f for r in reads for f in r.get("functions") or [] if isinstance(f, dict)]


def _function_names(state: SessionState, site_id: str) -> dict[str, str] | None:
    functions = _functions(state, site_id)
    return None if functions is None else {str(f.get("name") or "").lower(): str(f.get("name") or "")
                                           for f in functions}


_WITHOUT_KEY = re.compile(r"(?i)\b401\b|unauthori[sz]ed")
_NO_KEY_SENT = re.compile(r"(?i)without (?:a |any )?(?:function |host )?key|no (?:function |host )?key|anonymous|"
                          r"(?:don't|do not|never) (?:send|pass|use) (?:a |any )?(?:function |host )?key|bearer token")


def http_function_requires_key(state: SessionState) -> Facts:
    """An HTTP-triggered function whose authLevel asks for a function or admin key, called without one (401)."""
    said = _said(state)
    if not (_WITHOUT_KEY.search(said) and _NO_KEY_SENT.search(said)):
        return None
    for function in _functions(state) or []:
        bindings = picked(function, "config.bindings") or []
        level = next((str(b.get("authLevel")) for b in bindings if isinstance(b, dict)
                      and str(b.get("type") or "").lower() == "httptrigger" and b.get("authLevel")), "")
        if level.lower() in ("function", "admin"):
            return {"function": str(function.get("name") or ""), "level": level}
    return None


def event_subscription_function_missing(state: SessionState) -> Facts:
    """An Event Grid subscription that delivers to an Azure Function the app no longer has (renamed or removed)."""
    for sub in reads_of_type(state, r"(?i)/eventSubscriptions$"):
        target = str(sub.get("destinationResourceId") or "")
        site_id, _, function = target.rpartition("/functions/")
        names = _function_names(state, site_id) if function else None
        if names is not None and function.lower() not in names:
            return {"subscription": str(sub.get("name") or ""), "function": function,
                    "app": site_id.rsplit("/", 1)[-1], "functions": ", ".join(sorted(names.values())) or "none"}
    return None


# --- App Service Key Vault references ------------------------------------------------------------------------

_DISABLED_SECRET = re.compile(r"(?i)not allowed on a disabled secret|\bSecretDisabled\b|"
                              r"secret (?:version )?is disabled")


def reference_secret_version_disabled(state: SessionState) -> Facts:
    """A Key Vault reference of the app that App Service could not resolve because the secret version it names is
    disabled (its status details say so): typically a reference pinned to a version that a rotation disabled."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config/configreferences$"):
        for reference in data.get("references") or []:
            if isinstance(reference, dict) and _DISABLED_SECRET.search(str(reference.get("details") or "")):
                version = str(reference.get("secretVersion") or "")
                return {"setting": str(reference.get("name") or ""), "secret": str(reference.get("secretName") or ""),
                        "vault": str(reference.get("vaultName") or "the vault"),
                        "pinned": f"pinned version {version}" if version else "the current version"}
    return None


# --- Data Factory --------------------------------------------------------------------------------------------

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$")


def _timespan_seconds(value: Any) -> float | None:
    """Seconds of a Data Factory timespan ("0.00:30:00", "12:00:00", "7.00:00:00")."""
    match = _TIMESPAN.match(str(value or "").strip())
    if not match:
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def activity_stopped_by_timeout(state: SessionState) -> Facts:
    """A failed Data Factory activity of the newest failed run that ran as long as its policy timeout (within 2%):
    the timeout stopped it, whatever it was waiting for."""
    for evidence in reversed(state.ledger):
        if evidence.tool != "list_failed_pipeline_runs" or evidence.status != "success":
            continue
        for activity in evidence.data.get("activities") or []:
            limit = _timespan_seconds(activity.get("timeout"))
            ran = _number(activity.get("duration_ms"))
            if limit and ran is not None and ran / 1000 >= limit * 0.98:
                runs = evidence.data.get("runs") or [{}]
                return {"activity": str(activity.get("name")), "timeout": str(activity.get("timeout")),
                        "minutes": f"{ran / 60000:.0f}", "pipeline": str(runs[0].get("pipeline") or "the pipeline")}
    return None


def managed_private_endpoint_not_approved(state: SessionState) -> Facts:
    """A Data Factory managed private endpoint whose connection the target resource has not approved (Pending,
    Rejected): the managed runtime's traffic to that resource has no private path."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.DataFactory/factories/managedVirtualNetworks/"
                                     r"managedPrivateEndpoints$"):
        for endpoint in data.get("endpoints") or []:
            status = str(picked(endpoint, "connectionState.status") or "") if isinstance(endpoint, dict) else ""
            if status.lower() in ("pending", "rejected", "disconnected"):
                target = str(endpoint.get("privateLinkResourceId") or "")
                return {"endpoint": str(endpoint.get("name")), "status": status,
                        "target": target.rsplit("/", 1)[-1] or "the target resource",
                        "group": str(endpoint.get("groupId") or "")}
    return None


# --- Logic Apps ------------------------------------------------------------------------------------------------

_LOGIC_APPS_OUTBOUND_SECONDS = 120  # multitenant (Consumption) outbound request timeout


def logic_app_action_hit_request_limit(state: SessionState) -> Facts:
    """A failed action of a Consumption workflow's run that ended with GatewayTimeout after about two minutes: the
    outbound request limit cut the synchronous call, whatever the endpoint answers later."""
    for action in _items(state, r"(?i)^Microsoft\.Logic/workflows/runs/actions$", "actions"):
        code = str(action.get("code") or (action.get("error") or {}).get("code") or "")
        start, end = _instant(action.get("startTime")), _instant(action.get("endTime"))
        if str(action.get("status")).lower() != "failed" or code.lower() not in ("gatewaytimeout", "requesttimeout") \
                or start is None or end is None:
            continue
        seconds = (end - start).total_seconds()
        if seconds >= _LOGIC_APPS_OUTBOUND_SECONDS * 0.95:
            return {"action": str(action.get("name")), "seconds": f"{seconds:.0f}", "code": code}
    return None


def api_connection_in_error(state: SessionState) -> Facts:
    """A Logic Apps API connection whose status is Error (its token can no longer be refreshed): the connector's
    calls fail whatever the target service allows."""
    for connection in reads_of_type(state, r"(?i)^Microsoft\.Web/connections$"):
        if str(connection.get("overallStatus")).lower() != "error":
            continue
        errors = [s.get("error") or {} for s in connection.get("statuses") or [] if isinstance(s, dict)]
        message = next((str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")), "")
        return {"connection": str(connection.get("name")), "user": str(connection.get("authenticatedUser") or
                                                                       "an account"),
                "error": " ".join(message.split())[:300] or "no message"}
    return None


# --- Container registry throttling ----------------------------------------------------------------------------

_THROTTLED = re.compile(r"(?i)\b429\b|too ?many ?requests")
_REGISTRY_READS_PER_MINUTE = {"basic": "1,000", "standard": "3,000", "premium": "10,000"}


def registry_throttled(state: SessionState) -> Facts:
    """A registry read in the session whose login server the report or the logs show answering 429: pulls beyond
    the ReadOps its service tier allows per minute (a scale-out of many nodes pulling at once)."""
    lines = [line for text in [state.material.error_description, *state.material.answers] for line in
             text.splitlines()] + _logged(state)
    for registry in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries$"):
        server = str(registry.get("loginServer") or f"{registry.get('name')}.azurecr.io").lower()
        if any(server in line.lower() and _THROTTLED.search(line) for line in lines):
            sku = str(registry.get("sku") or "")
            sku = str(sku.get("name") if isinstance(sku, dict) else sku)
            return {"registry": str(registry.get("name")), "sku": sku or "its tier",
                    "reads": _REGISTRY_READS_PER_MINUTE.get(sku.lower(), "a fixed number of")}
    return None


# --- A value the provider refused on a resource of an entry tier -------------------------------------------------

# the provider refused a property value or a feature as out of range or not offered, without saying why
_REFUSED_VALUE = re.compile(
    r"(?i)out of the allowed range|Allowed range:?\s*\d|Invalid value given for parameter|\bInvalidParameterValue\b"
    r"|is not (?:supported|available|allowed|offered) (?:for|on|in|with) (?:the |this |your )?(?:[\w-]+ )?"
    r"(?:tier|sku|pricing tier|edition|service tier|namespace|plan)\b|\bnot supported (?:for|on|in) (?:the )?"
    r"(?:Basic|Burstable|Free|Standard|Developer|Consumption)\b|\bfeature is not (?:available|supported)\b"
    r"|\bcannot be changed for this (?:entity|resource|namespace|tier|sku)\b")


def _tier(read: dict[str, Any]) -> str:
    """A read's service tier as Resource Manager shows it: a `tier` field, or the sku's tier or name."""
    sku = read.get("sku")
    if isinstance(sku, dict):
        return str(read.get("tier") or sku.get("tier") or sku.get("name") or "")
    return str(read.get("tier") or sku or "")


def value_refused_by_tier(state: SessionState) -> Facts:
    """The provider refused a value or a feature (out of range, invalid value) and the resource the report names
    runs on an entry tier of its type (knowledge: entry_tiers): the tier is what does not offer it."""
    said = "\n".join([state.material.error_description, *state.material.answers])
    refused = _REFUSED_VALUE.search(said)
    if refused is None:
        return None
    rule = table_entry("evidence_findings", "value-refused-by-entry-tier")
    reads = [r for r in reads_of_type(state, rule["types"]) if _tier(r)]
    said = _said(state)
    named = [r for r in reads if _mentioned(str(r.get("name") or ""), said)]
    for read in named or (reads if len(reads) == 1 else []):  # the resource the client names, else the only one
        tier = _tier(read)
        entry = regex(rule["entry_tiers"]).search(tier)
        above = regex(rule["premium_above"]).search(str(read.get("type") or ""))
        if entry or (tier.lower() == "standard" and above):
            return {"name": str(read.get("name")), "tier": tier, "refused": refused.group(0),
                    "type": str(read.get("type") or "the resource")}
    return None


# --- Storage firewall and trusted Azure services ----------------------------------------------------------------

# Azure services that write to or read from a customer's storage account as trusted Microsoft services (they reach a
# firewalled account only through the AzureServices bypass), as a report names them
_TRUSTED_WRITER = re.compile(
    r"(?i)\b(?:event ?hubs? capture|capture (?:files|to|into)|diagnostic settings?|dead-?letter|event ?grid"
    r"|azure backup|backup vault|recovery services|stream analytics|iot ?hub (?:routing|routes?|message routing)"
    r"|azure monitor (?:export|data export)|log analytics (?:export|data export)|data export rule|import/export"
    r"|azure machine learning|azure ai search|search indexer|cognitive search"
    r"|(?:sql )?audit(?:ing)? (?:logs?|files|records)|sqldbauditlogs|vulnerability assessment)\b")


def trusted_services_blocked(state: SessionState) -> Facts:
    """A storage account that denies networks by default without the AzureServices bypass, while the report names an
    Azure service that writes to or reads from it as a trusted Microsoft service (Event Hubs Capture, diagnostic
    settings, Event Grid dead-lettering, backup): that service is refused, whatever its role."""
    said = " ".join([state.material.error_description, *state.material.answers])
    named = _TRUSTED_WRITER.search(said)
    if named is None:
        return None
    for account in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$"):
        acls = account.get("networkAcls") or {}
        bypass = str(acls.get("bypass") or "None")
        if str(acls.get("defaultAction")) == "Deny" and "azureservices" not in bypass.lower().replace(" ", ""):
            return {"account": str(account.get("name")), "bypass": bypass, "writer": named.group(0)}
    return None


# --- Storage lifecycle management ----------------------------------------------------------------------------

def lifecycle_prefix_without_container(state: SessionState) -> Facts:
    """An enabled lifecycle rule whose prefixMatch does not begin with a container of the account (a folder inside a
    container given alone): the rule matches no blob. The rule the report names, else the first such."""
    containers = {str(c.get("name")).lower() for c in _items(
        state, r"(?i)^Microsoft\.Storage/storageAccounts/blobServices/containers$", "containers")}
    rules = _items(state, r"(?i)^Microsoft\.Storage/storageAccounts/managementPolicies$", "rules")
    said = _said(state)
    found = []
    for rule in rules:
        prefixes = picked(rule, "definition.filters.prefixMatch") or []
        bad = [p for p in prefixes if isinstance(p, str) and p.split("/", 1)[0].lower() not in containers]
        if containers and rule.get("enabled") is not False and bad:
            found.append((_mentioned(str(rule.get("name") or ""), said), rule, bad[0]))
    if not found:
        return None
    _, rule, prefix = max(found, key=lambda f: f[0])
    # the container the report shows the folder in ("exports/daily/"), else the container's placeholder
    shown = re.search(rf"(?<![\w-])([a-z0-9][a-z0-9-]{{2,62}})/{re.escape(prefix.lower())}", said)
    container = shown.group(1) if shown and shown.group(1) in containers else "<container>"
    return {"rule": str(rule.get("name")), "prefix": prefix, "containers": ", ".join(sorted(containers)[:8]),
            "suggested": f"{container}/{prefix}"}


# --- Application Gateway -------------------------------------------------------------------------------------

def gateway_subnet_default_route_not_internet(state: SessionState) -> Facts:
    """A v2 Application Gateway whose subnet's route table sends 0.0.0.0/0 to anything but Internet: the gateway's
    own management and health traffic no longer goes out directly, which v2 does not support."""
    tables = reads_of_type(state, r"(?i)^Microsoft\.Network/routeTables$")
    for gateway in reads_of_type(state, r"(?i)^Microsoft\.Network/applicationGateways$"):
        tier = str(picked(gateway, "sku.tier") or (gateway.get("sku") or {}).get("tier") or "")
        subnets = {str(s).lower() for s in gateway.get("gatewaySubnet") or []}
        if not subnets or "v2" not in tier.lower():
            continue
        for route_table in tables:
            if not subnets & {str(s).lower() for s in route_table.get("subnets") or []}:
                continue
            for route in route_table.get("routes") or []:
                if isinstance(route, dict) and str(route.get("addressPrefix")) == "0.0.0.0/0" \
                        and str(route.get("nextHopType")).lower() != "internet":
                    return {"gateway": str(gateway.get("name")), "route_table": str(route_table.get("name")),
                            "route": str(route.get("name")), "next_hop": str(route.get("nextHopType")),
                            "subnet": next(iter(subnets)).rsplit("/", 1)[-1]}
    return None


# --- API Management ------------------------------------------------------------------------------------------

_INACTIVE_SUBSCRIPTION = frozenset({"expired", "suspended", "cancelled", "rejected", "submitted"})


def apim_subscription_not_active(state: SessionState) -> Facts:
    """An API Management subscription (the owner of a key) that is not active: expired at its expiration date,
    suspended, cancelled, rejected or still awaiting approval. The one the report names (by name or display name),
    else the only such one: the gateway refuses its keys as invalid."""
    items = _items(state, r"(?i)^Microsoft\.ApiManagement/service/subscriptions$", "subscriptions")
    inactive = [i for i in items if str(i.get("state") or "").lower() in _INACTIVE_SUBSCRIPTION]
    said = _said(state)
    named = [i for i in inactive if _mentioned(str(i.get("name") or ""), said)
             or _mentioned(str(i.get("displayName") or ""), said)]
    chosen = named[0] if named else (inactive[0] if len(inactive) == 1 else None)
    if chosen is None:
        return None
    return {"apim_subscription": str(chosen.get("displayName") or chosen.get("name")),
            "state": str(chosen.get("state")).lower(),
            "expiration": str(chosen.get("expirationDate") or "none set")}


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "private-dns-zone-not-linked-to-caller-network": private_dns.zone_not_linked_to_caller,
    "private-dns-zone-not-linked-to-named-network": private_dns.zone_not_linked_to_named_network,
    "private-endpoint-name-without-dns-record": private_dns.endpoint_name_without_record,
    "private-dns-record-points-elsewhere": private_dns.record_points_elsewhere,
    "apim-subscription-not-active": apim_subscription_not_active,
    "logic-app-api-connection-in-error": api_connection_in_error,
    "logic-app-action-cut-at-outbound-request-limit": logic_app_action_hit_request_limit,
    "container-registry-throttled-by-tier": registry_throttled,
    "value-refused-by-entry-tier": value_refused_by_tier,
    "storage-firewall-without-trusted-services-bypass": trusted_services_blocked,
    "storage-lifecycle-prefix-without-container": lifecycle_prefix_without_container,
    "app-gateway-v2-subnet-default-route-not-internet": gateway_subnet_default_route_not_internet,
    "sql-database-named-in-error-missing": sql_database_missing,
    "data-factory-activity-stopped-by-timeout": activity_stopped_by_timeout,
    "data-factory-managed-private-endpoint-not-approved": managed_private_endpoint_not_approved,
    "keyvault-reference-secret-version-disabled": reference_secret_version_disabled,
    "event-subscription-function-missing": event_subscription_function_missing,
    "http-function-requires-key": http_function_requires_key,
    "keyvault-tenant-left-after-directory-move": vault_tenant_left_behind,
    "registry-token-password-expired": registry_token_expired,
    "identity-lost-with-recreated-resource": identity_lost_with_recreated_resource,
    "sql-outbound-firewall-excludes-storage": sql_outbound_excludes_storage,
    "unresolved-host-resource-deleted": unresolved_host_deleted,
    "container-app-secret-ref-undefined": container_app_secret_ref_undefined,
    "app-easy-auth-secret-setting-missing": easy_auth_secret_setting_missing,
    "aks-autoscaler-at-max-count": aks_autoscaler_at_max,
    "aks-node-pool-stopped": aks_node_pool_stopped,
    "app-dotnet-runtime-older-than-app": dotnet_runtime_older,
    "container-app-no-ingress-cannot-wake": container_app_cannot_wake,
    "container-app-scale-rule-without-credentials": scale_rule_without_auth,
    "container-app-latest-revision-without-traffic": revision_without_traffic,
    "openai-deployment-capacity-small": openai_deployment_capacity,
    "openai-deployment-name-not-found": openai_deployment_missing,
    "service-bus-entity-size-limit-reached": queue_size_limit,
    "service-bus-lock-shorter-than-processing": lock_duration,
    "event-hub-not-active": event_hub_not_active,
    "event-hub-partitions-fewer-than-consumers": partitions_fewer_than_consumers,
    "cosmos-container-ttl-expires-items": cosmos_ttl,
    "cosmos-container-unique-key-conflict": cosmos_unique_keys,
    "storage-container-immutability-blocks-change": blob_container_immutable,
    "sql-database-inaccessible-encryption-key": sql_database_inaccessible,
    "keyvault-reference-identity-not-assigned": reference_identity_not_assigned,
    "app-slot-without-identity": slot_without_identity,
    "service-bus-entity-not-in-namespace": service_bus_entity_missing,
    "storage-queue-or-share-not-found": storage_child_missing,
    "cosmos-database-or-container-not-found": cosmos_resource_missing,
    "cosmos-regional-endpoint-region-removed": cosmos_region_removed,
    "app-outbound-without-nat-gateway": app_without_nat_gateway,
    "container-app-at-max-replicas": container_app_at_max_replicas,
    "service-bus-auto-forward-source-empty": auto_forward_source,
    "service-bus-message-ttl-expires-unprocessed": message_ttl_short,
    "service-bus-max-delivery-count-low": max_delivery_count_low,
    "aks-node-pool-max-pods-low": aks_max_pods_low,
    "event-grid-topic-input-schema-mismatch": event_grid_schema_mismatch,
}
