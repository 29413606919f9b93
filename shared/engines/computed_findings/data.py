"""Computed findings for Storage, SQL Database and Cosmos DB: a named database, container, queue or share
against the ones read, storage limits, immutability, time to live, unique keys, outbound rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.common import picked
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.session_reads import (
    Facts,
    as_number,
    chosen_item,
    is_mentioned,
    items_of,
    last_segment,
    logged_lines,
    read_setting_names,
    said_by_client,
    said_in_report,
)
from shared.session.state import Evidence, SessionState


def storage_nearly_full(state: SessionState) -> dict[str, str] | None:
    """A server whose storage_percent metric reached 95% (computed from query_metrics), with its auto-grow setting."""
    peaks = [float(m["max"]) for e in _server_metrics(state)
             for m in e.data.get("metrics") or [] if isinstance(m, dict) and m.get("name") == "storage_percent"
             and isinstance(m.get("max"), int | float)]
    if not peaks or max(peaks) < 95:
        return None
    servers = reads_of_type(state, r"(?i)^Microsoft\.DBfor(?:MySQL|PostgreSQL)/flexibleServers$")
    grow = next((str(r["storage"]["autoGrow"]) for r in servers
                 if isinstance(r.get("storage"), dict) and r["storage"].get("autoGrow")), "")
    found = {"percent": f"{max(peaks):g}", "grow": f", storage auto-grow {grow}" if grow else ""}
    logs, used = _metric_peak(state, "txlogs_storage_used"), _metric_peak(state, "storage_used")
    if logs and used and logs >= 0.4 * used:  # the logs, not the data, fill it: something keeps them
        found["logs_gb"], found["used_gb"] = f"{logs / 1e9:.0f}", f"{used / 1e9:.0f}"
    return found


_SQL_DATABASE = re.compile(r"(?i)/providers/Microsoft\.Sql/")


def _server_metrics(state: SessionState) -> list[Evidence]:
    """The metric reads of database servers other than Azure SQL's (whose storage_percent is another limit: a
    database's max size, which its own error names, not a flexible server turning read-only)."""
    return [e for e in state.ledger if e.tool == "query_metrics" and e.status == "success"
            and not _SQL_DATABASE.search(str(e.arguments.get("resource_id") or ""))]


def _metric_peak(state: SessionState, name: str) -> float | None:
    peaks = [float(m["max"]) for e in _server_metrics(state)
             for m in e.data.get("metrics") or [] if isinstance(m, dict) and m.get("name") == name
             and isinstance(m.get("max"), int | float)]
    return max(peaks) if peaks else None


def sql_database_paused(state: SessionState) -> dict[str, str] | None:
    """A database of the SQL server read whose status is Paused (a serverless database that auto-paused): the one
    the report names, else the first."""
    found = [d for data in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/databases$")
             for d in data.get("databases") or [] if isinstance(d, dict)
             and str(d.get("status") or "") in ("Paused", "Pausing", "Resuming")]
    said = said_by_client(state)
    chosen = [d for d in found if is_mentioned(str(d.get("name") or ""), said)] or found
    if not chosen:
        return None
    delay = str(chosen[0].get("autoPauseDelay") or "")
    return {"database": str(chosen[0].get("name")), "status": str(chosen[0].get("status")),
            "delay": f" after {delay} minutes without activity" if delay and delay != "-1" else ""}


_CONTAINERS = r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases/containers$"


def cosmos_ttl(state: SessionState) -> Facts:
    """A container whose default time to live deletes items that many seconds after their last write."""
    expiring = [c for c in items_of(state, _CONTAINERS, "containers")
                if (as_number(picked(c, "resource.defaultTtl")) or 0) > 0]
    chosen = chosen_item(state, expiring) or (expiring[0] if len(expiring) == 1 else None)
    if chosen is None:
        return None
    return {"container": str(chosen.get("name")), "ttl": f"{as_number(picked(chosen, 'resource.defaultTtl')):g}"}


def cosmos_unique_keys(state: SessionState) -> Facts:
    """A container with a unique key policy (paths whose values must be unique within a logical partition)."""
    keyed = []
    for container in items_of(state, _CONTAINERS, "containers"):
        policy = picked(container, "resource.uniqueKeyPolicy")
        keys = policy.get("uniqueKeys") if isinstance(policy, dict) else None
        paths = [p for k in keys or [] if isinstance(k, dict) for p in k.get("paths") or []]
        if paths:
            keyed.append({**container, "_paths": paths})
    chosen = chosen_item(state, keyed)
    return {"container": str(chosen.get("name")), "paths": ", ".join(chosen["_paths"])} if chosen else None


def _policy_terms(container: dict[str, Any]) -> str:
    """The time-based policy's state and period as the list shows them: " (Locked, 3653 days from each blob's
    creation)"; "" when the read does not carry them."""
    policy = container.get("immutabilityPolicy")
    policy = policy.get("properties", policy) if isinstance(policy, dict) else None
    if not isinstance(policy, dict):
        return ""
    state, days = policy.get("state"), policy.get("immutabilityPeriodSinceCreationInDays")
    terms = [f"state {state}" + (" - it can no longer be shortened or removed" if str(state) == "Locked" else "")
             if state else "", f"{days} days from each blob's creation" if days not in (None, "") else ""]
    shown = ", ".join(t for t in terms if t)
    return f" ({shown})" if shown else ""


def blob_container_immutable(state: SessionState) -> Facts:
    """A blob container under a legal hold or an immutability policy (container or version level)."""
    held = []
    for container in items_of(state, r"(?i)^Microsoft\.Storage/storageAccounts/blobServices/containers$", "containers"):
        timed = "a time-based retention policy" + _policy_terms(container)
        kinds = [label for key, label in (("hasLegalHold", "a legal hold"), ("hasImmutabilityPolicy", timed))
                 if container.get(key) is True]
        versioned = container.get("immutableStorageWithVersioning")
        if isinstance(versioned, dict) and versioned.get("enabled") is True:
            kinds.append("version-level immutability")
        if kinds:
            held.append({**container, "_kinds": " and ".join(kinds)})
    chosen = chosen_item(state, held)
    return {"container": str(chosen.get("name")), "hold": chosen["_kinds"]} if chosen else None


def sql_database_inaccessible(state: SessionState) -> Facts:
    found = [d for d in items_of(state, r"(?i)^Microsoft\.Sql/servers/databases$", "databases")
             if str(d.get("status") or "") == "Inaccessible"]
    chosen = chosen_item(state, found) or (found[0] if found else None)
    return {"database": str(chosen.get("name"))} if chosen else None


_STORAGE_CHILD = re.compile(r"(?i)\.(queue|file)\.core\.windows\.net/([a-z0-9][a-z0-9-]{2,62})"
                            r"|(queue|share)(?: name)?[ :]+['\"`]([a-z0-9][a-z0-9-]{2,62})['\"`]")


def storage_child_missing(state: SessionState) -> Facts:
    """The queue or file share the client's error names, absent from the account's queues or shares read."""
    texts = state.material.spoken()
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
                return {"kind": label, "entity": name, "account": _account_of(reads[0]),
                        "existing": ", ".join(existing[:8]) or "none"}
    return None


def _account_of(read: dict[str, Any]) -> str:
    """The storage account a read of one of its child collections (queues, shares, blob containers) belongs to."""
    return str(read.get("id") or "").split("/storageAccounts/")[-1].split("/")[0]


_BLOB_CONTAINER = re.compile(r"(?i)\.blob\.core\.windows\.net/([a-z0-9][a-z0-9-]{2,62})(?![\w-])"
                             r"|container(?: name)?[ :]+['\"`]([a-z0-9][a-z0-9-]{2,62})['\"`]")


def blob_container_missing(state: SessionState) -> Facts:
    """The account's blob containers (read) beside a ContainerNotFound error: the container the error names when it
    is absent from them, or, when the error names none, the names that do exist (the name the app uses is then in a
    setting whose value the service does not read)."""
    reads = reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts/blobServices/containers$")
    if not reads:
        return None
    existing = [str(c.get("name")) for data in reads for c in data.get("containers") or [] if isinstance(c, dict)]
    named = next((m.group(1) or m.group(2) for t in state.material.spoken() for m in _BLOB_CONTAINER.finditer(t)), None)
    if named and named.lower() in {e.lower() for e in existing}:
        return None  # the container the error names is there: another account, or it was just created
    return {"account": _account_of(reads[0]), "existing": ", ".join(existing[:8]) or "none",
            **({"entity": named.lower()} if named else {})}


_COSMOS_PATH = re.compile(r"(?i)dbs/([^/\s'\"]+)(?:/colls/([^/\s'\"]+))?")


def cosmos_resource_missing(state: SessionState) -> Facts:
    """The database or container of a Cosmos DB request path the error shows (dbs/<db>/colls/<container>) that the
    account's databases or that database's containers (read) do not hold."""
    texts = state.material.spoken()
    found = next((m for t in texts for m in _COSMOS_PATH.finditer(t)), None)
    databases = reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases$")
    if found is None or not databases:
        return None
    database, container = found.group(1), found.group(2)
    names = [str(n) for data in databases for n in data.get("databases") or []]
    names += [last_segment(i) for data in databases for i in data.get("ids") or []]
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


# a setting that holds a Cosmos DB database or container name the code uses (COSMOS_DATABASE, CosmosDb__ContainerName)
_COSMOS_NAME_SETTING = re.compile(r"(?i)(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9_]*(?:DATABASE|CONTAINER|COLLECTION)"
                                  r"(?:_?NAME|_?ID)?)(?![A-Za-z0-9_])")
_OWNER_MISSING = re.compile(r"(?i)Owner resource does not exist|\b1003\b")


def cosmos_names_from_settings(state: SessionState) -> Facts:
    """A 404 / 1003 (the database or container of the request does not exist) whose text shows no dbs/ path, from an
    app whose database and container names come from settings: the account's databases and containers read are the
    names those settings may hold."""
    texts = state.material.spoken()
    if any(_COSMOS_PATH.search(t) for t in texts) or not any(_OWNER_MISSING.search(t) for t in texts):
        return None
    databases = reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases$")
    listed = read_setting_names(state) or []
    settings = [n for n in listed if _COSMOS_NAME_SETTING.fullmatch(n)]
    if not databases or not settings:
        return None
    names = sorted({last_segment(i) for data in databases for i in data.get("ids") or []}
                   | {str(n) for data in databases for n in data.get("databases") or []})
    held = []
    for data in reads_of_type(state, r"(?i)^Microsoft\.DocumentDB/databaseAccounts/sqlDatabases/containers$"):
        database = re.search(r"(?i)/sqlDatabases/([^/]+)/", str(data.get("id") or "") + "/")
        inside = [str(c.get("name")) for c in data.get("containers") or [] if isinstance(c, dict)]
        if database and inside:
            held.append(f"{database.group(1)}: {', '.join(inside[:8])}")
    return {"settings": ", ".join(settings[:4]), "databases": ", ".join(names[:8]) or "none",
            "containers": "; ".join(held[:4]) or "not read"}


_SQL_DATABASE_NAMED = re.compile(r"Cannot open database \\?[\"'](?P<database>[^\"'\\]{1,128})\\?[\"']")


def sql_database_missing(state: SessionState) -> Facts:
    """The database a SQL error says it cannot open (4060) that the server's databases (read) do not hold: a name
    that was renamed, deleted or misspelt, whatever the login."""
    texts = [*state.material.spoken(), *logged_lines(state, succeeded_only=True)]
    found = next((m.group("database") for t in texts for m in _SQL_DATABASE_NAMED.finditer(t)), None)
    collections = [data for data in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/databases$")
                   if data.get("ids") is not None or data.get("databases") is not None]
    if found is None or not collections:
        return None
    names = {last_segment(i) for data in collections for i in data.get("ids") or []}
    names |= {str(d.get("name")) for data in collections for d in data.get("databases") or [] if isinstance(d, dict)}
    names.discard("master")
    if not names or found.lower() in {n.lower() for n in names}:
        return None
    return {"database": found, "existing": ", ".join(sorted(names)[:8])}


def cosmos_region_removed(state: SessionState) -> Facts:
    """A regional endpoint (<account>-<region>.documents.azure.com) the client uses for a region the account is no
    longer replicated to."""
    said = said_in_report(state)
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


def sql_outbound_excludes_storage(state: SessionState) -> Facts:
    """A logical server with outbound access restricted whose outbound rules leave out a storage account of its
    group (the data source of a BULK INSERT or OPENROWSET, an export or an audit target)."""
    server = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers$")
                   if str(r.get("restrictOutboundNetworkAccess") or "").lower() == "enabled"), None)
    rules = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/outboundFirewallRules$")), None)
    if server is None or rules is None:
        return None
    allowed = [str(f).lower() for f in rules.get("allowedFqdns") or []]
    said = said_in_report(state)
    accounts = [str(a.get("name") or "") for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")]
    outside = [a for a in accounts if a and not any(f.startswith(f"{a.lower()}.") for f in allowed)]
    named = [a for a in outside if is_mentioned(a, said)]
    if not (named or outside):
        return None
    return {"server": str(server.get("name") or ""), "account": (named or outside)[0],
            "allowed": ", ".join(allowed) or "none"}


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
    said = state.material.spoken_text(" ")
    named = _TRUSTED_WRITER.search(said)
    if named is None:
        return None
    for account in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$"):
        acls = account.get("networkAcls") or {}
        bypass = str(acls.get("bypass") or "None")
        if str(acls.get("defaultAction")) == "Deny" and "azureservices" not in bypass.lower().replace(" ", ""):
            return {"account": str(account.get("name")), "bypass": bypass, "writer": named.group(0)}
    return None


def lifecycle_prefix_without_container(state: SessionState) -> Facts:
    """An enabled lifecycle rule whose prefixMatch does not begin with a container of the account (a folder inside a
    container given alone): the rule matches no blob. The rule the report names, else the first such."""
    containers = {str(c.get("name")).lower() for c in items_of(
        state, r"(?i)^Microsoft\.Storage/storageAccounts/blobServices/containers$", "containers")}
    rules = items_of(state, r"(?i)^Microsoft\.Storage/storageAccounts/managementPolicies$", "rules")
    said = said_in_report(state)
    found = []
    for rule in rules:
        prefixes = picked(rule, "definition.filters.prefixMatch") or []
        bad = [p for p in prefixes if isinstance(p, str) and p.split("/", 1)[0].lower() not in containers]
        if containers and rule.get("enabled") is not False and bad:
            found.append((is_mentioned(str(rule.get("name") or ""), said), rule, bad[0]))
    if not found:
        return None
    _, rule, prefix = max(found, key=lambda f: f[0])
    # the container the report shows the folder in ("exports/daily/"), else the container's placeholder
    shown = re.search(rf"(?<![\w-])([a-z0-9][a-z0-9-]{{2,62}})/{re.escape(prefix.lower())}", said)
    container = shown.group(1) if shown and shown.group(1) in containers else "<container>"
    return {"rule": str(rule.get("name")), "prefix": prefix, "containers": ", ".join(sorted(containers)[:8]),
            "suggested": f"{container}/{prefix}"}


_BLOB_MISSING = re.compile(r"BlobNotFound|specified blob does not exist", re.IGNORECASE)
_DELETE_AFTER = {"daysAfterModificationGreaterThan": "its last modification",
                 "daysAfterCreationGreaterThan": "its creation",
                 "daysAfterLastAccessTimeGreaterThan": "its last access"}


def lifecycle_deletes_blobs(state: SessionState) -> Facts:
    """A blob reported missing, and an enabled lifecycle rule that deletes base blobs some days after they were
    written: the rule over the container the report names (or one without a prefix filter), else none."""
    if not any(_BLOB_MISSING.search(text) for text in state.material.spoken()):
        return None
    said = said_by_client(state)
    for rule in items_of(state, r"(?i)^Microsoft\.Storage/storageAccounts/managementPolicies$", "rules"):
        delete = picked(rule, "definition.actions.baseBlob.delete")
        prefixes = [p for p in picked(rule, "definition.filters.prefixMatch") or [] if isinstance(p, str)]
        covers = not prefixes or any(is_mentioned(p.split("/", 1)[0], said) for p in prefixes)
        basis = next((k for k in _DELETE_AFTER if isinstance(delete, dict) and k in delete), None)
        days = as_number(delete[basis]) if basis is not None else None
        if rule.get("enabled") is not False and covers and basis is not None and days is not None:
            return {"rule": str(rule.get("name")), "days": f"{days:g}", "after": _DELETE_AFTER[basis],
                    "prefix": ", ".join(prefixes) or "every blob of the account"}
    return None


# a file share's quota (GiB) and its usage (bytes) as az (JSON) and Az PowerShell (a table) print them
_QUOTA_KEYS = ("sharequota", "quota", "quotagib")
_USAGE_KEYS = ("shareusagebytes", "usagebytes", "usedbytes", "shareusage")
_PAIR = re.compile(r'(?i)"?(?P<key>shareQuota|quotaGiB|quota|shareUsageBytes|usageBytes|usedBytes)"?'
                   r'\s*[:=]\s*"?(?P<value>\d+)')


def _share_numbers(text: str) -> tuple[float, float] | None:
    """(quota GiB, usage bytes) of a file share's stats pasted in the text: key/value pairs (az ... --expand stats,
    JSON or YAML) or a table whose header names both columns (Get-AzRmStorageShare -GetShareUsage)."""
    pairs = {m.group("key").lower(): float(m.group("value")) for m in _PAIR.finditer(text)}
    quota = next((pairs[k] for k in _QUOTA_KEYS if k in pairs), None)
    usage = next((pairs[k] for k in _USAGE_KEYS if k in pairs), None)
    if quota and usage is not None:
        return quota, usage
    lines = [line.split() for line in text.splitlines()]
    for i, header in enumerate(lines):
        keys = [h.lower() for h in header]
        q = next((keys.index(k) for k in _QUOTA_KEYS if k in keys), None)
        u = next((keys.index(k) for k in _USAGE_KEYS if k in keys), None)
        if q is None or u is None:
            continue
        rows = [r for r in lines[i + 1:i + 4] if r and not set("".join(r)) <= {"-"}]
        if rows and len(rows[0]) == len(header) and rows[0][q].isdigit() and rows[0][u].isdigit():
            return float(rows[0][q]), float(rows[0][u])
    return None


def file_share_at_quota(state: SessionState) -> Facts:
    """A file share whose pasted stats (the client's own text or answer) show its usage at 99% or more of its quota:
    the share is full, whatever message the tool that stopped shows."""
    for text in state.material.spoken():
        numbers = _share_numbers(text)
        if numbers is None:
            continue
        quota, usage = numbers
        if quota > 0 and usage >= 0.99 * quota * 1024 ** 3:
            return {"quota": f"{quota:g}", "usage": f"{usage:.0f}", "used_gib": f"{usage / 1024 ** 3:.1f}",
                    "percent": f"{100 * usage / (quota * 1024 ** 3):.1f}"}
    return None


# the share-level roles of Azure Files identity-based access that only read, and those that also write
_SMB_READ_ONLY = re.compile(r"(?i)^Storage File Data SMB Share Reader$")
_SMB_WRITES = re.compile(r"(?i)^Storage File Data (?:SMB Share (?:Contributor|Elevated Contributor)|SMB Admin"
                         r"|Privileged Contributor)$")


def files_share_read_only_role(state: SessionState) -> Facts:
    """The share-level role assignments read on a storage account with identity-based Azure Files access: a principal
    (a group, a user) that holds only SMB Share Reader there, while the report says opening works and saving is
    refused. Names the principals that may write, for contrast."""
    accounts = [r for r in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")
                if str(picked(r, "azureFilesIdentityBasedAuthentication.directoryServiceOptions") or "None")
                not in ("None", "")]
    for account in accounts:
        scope = str(account.get("id") or "").lower()
        rows = [a for e in state.ledger if e.tool == "list_role_assignments" and e.status == "success"
                and str(e.arguments.get("scope") or "").lower() == scope and not e.arguments.get("principal_id")
                for a in e.data.get("assignments") or [] if isinstance(a, dict)]
        by_principal: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_principal.setdefault(str(row.get("principal_id") or ""), []).append(row)
        readers = [(p, held) for p, held in by_principal.items() if p
                   and any(_SMB_READ_ONLY.search(str(a.get("role") or "")) for a in held)
                   and not any(_SMB_WRITES.search(str(a.get("role") or "")) for a in held)]
        if not readers:
            continue
        principal, held = readers[0]
        reader = next(a for a in held if _SMB_READ_ONLY.search(str(a.get("role") or "")))
        writers = [f"{a.get('role')} for {a.get('principal_type') or 'principal'} {p}"
                   for p, h in by_principal.items() if p != principal for a in h
                   if _SMB_WRITES.search(str(a.get("role") or ""))]
        return {"account": str(account.get("name")), "principal": principal,
                "principal_type": str(reader.get("principal_type") or "principal").lower(),
                "scope": last_segment(str(reader.get("scope") or "")) or str(account.get("name")),
                "writers": "; ".join(writers[:3])}
    return None


# the data services an account kind offers (MicrosoftDocs storage/common/storage-account-overview.md): a premium
# file-share account serves Azure Files only, a premium block-blob account and a legacy BlobStorage one blobs only
_KIND_SERVICES = {"filestorage": {"file"}, "blockblobstorage": {"blob"}, "blobstorage": {"blob"}}
# the service a refused call used, by its SDK package, client class or endpoint
_CALLED_SERVICE = (("blob", re.compile(r"(?i)Azure\.Storage\.Blobs|azure\.storage\.blob|Blob(?:Service|Container)?"
                                       r"Client|\.blob\.core\.windows\.net|com\.azure\.storage\.blob|"
                                       r"@azure/storage-blob")),
                   ("queue", re.compile(r"(?i)Azure\.Storage\.Queues|azure\.storage\.queue|QueueClient|"
                                        r"\.queue\.core\.windows\.net|@azure/storage-queue")),
                   ("table", re.compile(r"(?i)Azure\.Data\.Tables|azure\.data\.tables|TableClient|"
                                        r"\.table\.core\.windows\.net|@azure/data-tables")))


def setting_account_kind_lacks_service(state: SessionState) -> Facts:
    """A connection setting of the app that names a storage account whose kind does not offer the service the refused
    call uses (a Blob client against a FileStorage account): the setting points at the wrong account."""
    said = said_in_report(state)
    service = next((name for name, pattern in _CALLED_SERVICE if pattern.search(said)), None)
    listed = latest(state, "list_app_setting_names")
    read = service and listed is not None and listed.status == "success"
    targets = (listed.data.get("targets") or {}) if read and listed is not None else {}
    accounts = {str(a.get("name") or "").lower(): a
                for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")}
    for setting, target in sorted(targets.items()):
        account = accounts.get(re.split(r"[. ]", str(target), maxsplit=1)[0].lower())
        offered = _KIND_SERVICES.get(str((account or {}).get("kind") or "").lower())
        if account is not None and offered is not None and service not in offered:
            others = [str(a.get("name")) for n, a in accounts.items()
                      if str(a.get("kind") or "").lower() not in _KIND_SERVICES]
            return {"setting": str(setting), "account": str(account.get("name")), "kind": str(account.get("kind")),
                    "service": str(service), "offered": ", ".join(sorted(offered)),
                    "others": ", ".join(others[:2]) or "a general-purpose v2 account"}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "storage-setting-account-kind-lacks-service": setting_account_kind_lacks_service,
    "files-share-level-role-read-only": files_share_read_only_role,
    "file-share-at-quota": file_share_at_quota,
    "storage-lifecycle-deletes-blobs": lifecycle_deletes_blobs,
    "database-storage-nearly-full": storage_nearly_full,
    "sql-serverless-database-paused": sql_database_paused,
    "storage-firewall-without-trusted-services-bypass": trusted_services_blocked,
    "storage-lifecycle-prefix-without-container": lifecycle_prefix_without_container,
    "sql-database-named-in-error-missing": sql_database_missing,
    "sql-outbound-firewall-excludes-storage": sql_outbound_excludes_storage,
    "cosmos-container-ttl-expires-items": cosmos_ttl,
    "cosmos-container-unique-key-conflict": cosmos_unique_keys,
    "storage-container-immutability-blocks-change": blob_container_immutable,
    "sql-database-inaccessible-encryption-key": sql_database_inaccessible,
    "storage-queue-or-share-not-found": storage_child_missing,
    "storage-blob-container-not-found": blob_container_missing,
    "cosmos-database-or-container-not-found": cosmos_resource_missing,
    "cosmos-owner-missing-names-from-settings": cosmos_names_from_settings,
    "cosmos-regional-endpoint-region-removed": cosmos_region_removed,
}
