"""Computed findings for Container Apps, Container Registry and AKS: ports a revision listens on against its
ingress and probes, registry credentials and tokens, scale limits, node pools."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from shared.engines.analyzers.common import picked
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.analyzers.storage_azure import covered
from shared.engines.session_reads import (
    IPV4,
    LISTENING,
    Facts,
    as_instant,
    as_number,
    is_mentioned,
    logged_lines,
    read_setting_names,
    said_in_report,
    said_or_logged,
    seconds_between,
)
from shared.session.state import SessionState


def registry_password_without_admin_user(state: SessionState) -> dict[str, str] | None:
    """A container app that pulls from a registry with a username and password (no identity) while that registry,
    read in the same session, has its admin user disabled: the admin credentials the app holds no longer work."""
    registries = {str(r.get("loginServer") or "").lower(): r
                  for r in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries$")}
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        for entry in app.get("registries") or []:
            if not isinstance(entry, dict) or entry.get("identity") or not entry.get("username"):
                continue
            registry = registries.get(str(entry.get("server") or "").lower())
            if registry is not None and registry.get("adminUserEnabled") is False:
                return {"app": str(app.get("name")), "registry": str(registry.get("name")),
                        "server": str(entry.get("server")), "user": str(entry.get("username"))}
    return None


_REGISTRY_IMAGE = re.compile(r"(?i)^DOCKER\|(?P<server>[a-z0-9-]+\.azurecr\.(?:io|cn|us))/(?P<image>\S+)")


def registry_pull_without_credentials(state: SessionState) -> dict[str, str] | None:
    """A web app whose container image comes from Azure Container Registry while it neither pulls with its managed
    identity (config/web acrUseManagedIdentityCreds) nor has the registry user and password settings."""
    listed = read_setting_names(state)
    names = {n.upper() for n in listed or []}
    if listed is None or names & {"DOCKER_REGISTRY_SERVER_PASSWORD", "DOCKER_REGISTRY_SERVER_USERNAME"}:
        return None  # the names were not read, or the app pulls with the registry's user and password
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$"):
        image = _REGISTRY_IMAGE.match(str(config.get("linuxFxVersion") or config.get("windowsFxVersion") or ""))
        if image and config.get("acrUseManagedIdentityCreds") is not True:
            return {"server": image.group("server").lower(), "image": image.group("image"),
                    "registry": image.group("server").split(".")[0].lower()}
    return None


def registry_pull_identity_not_named(state: SessionState) -> dict[str, str] | None:
    """A web app that pulls its ACR image with a managed identity (acrUseManagedIdentityCreds true) but names no
    user-assigned identity for it (acrUserManagedIdentityID empty) while it has no system-assigned identity: App
    Service then pulls as the system-assigned identity, which does not exist."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$")
    identity = sites[0].get("identity") if sites else None
    kind = str(identity.get("type") or "") if isinstance(identity, dict) else ""
    if not sites or "userassigned" not in kind.lower() or "systemassigned" in kind.lower():
        return None
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$"):
        image = _REGISTRY_IMAGE.match(str(config.get("linuxFxVersion") or config.get("windowsFxVersion") or ""))
        if image and config.get("acrUseManagedIdentityCreds") is True and not config.get("acrUserManagedIdentityID"):
            return {"server": image.group("server").lower(), "app": str(sites[0].get("name")),
                    "registry": image.group("server").split(".")[0].lower()}
    return None


def keyvault_secret_identity_missing(state: SessionState) -> dict[str, str] | None:
    """A container app secret that references Key Vault (keyVaultUrl) with an identity the app does not have: no
    identity named, 'system' without a system-assigned identity, or a user-assigned one not assigned to the app."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        identity = app.get("identity")
        identity = identity if isinstance(identity, dict) else {}
        kinds = str(identity.get("type") or "")
        assigned = {str(u.get("id") or "").lower() for u in identity.get("userAssigned") or [] if isinstance(u, dict)}
        for secret in app.get("secrets") or []:
            if not isinstance(secret, dict) or not secret.get("keyVaultUrl"):
                continue
            who = str(secret.get("identity") or "")
            has = ("SystemAssigned" in kinds) if who.lower() == "system" else bool(who) and who.lower() in assigned
            if not has:
                vault = re.sub(r"^https?://([^./]+).*$", r"\1", str(secret["keyVaultUrl"]))
                return {"name": str(app.get("name")), "secret": str(secret.get("name")), "vault": vault,
                        "identity": who or "none", "identities": kinds or "None"}
    return None


def registry_identity_not_on_app(state: SessionState) -> dict[str, str] | None:
    """A container app whose registry entry pulls with a managed identity the app does not have: a user-assigned
    identity (named by resource ID) missing from the app's identity block, or 'system' without a system-assigned
    identity. Container Apps then pulls without a credential and the registry answers unauthorized, whatever roles
    the identity holds."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        identity = app.get("identity")
        if not isinstance(identity, dict) or not identity.get("type"):
            continue  # the read does not show the app's identities (not even type None): nothing to compare
        kinds = str(identity.get("type") or "")
        assigned = {str(u.get("id") or "").lower() for u in identity.get("userAssigned") or [] if isinstance(u, dict)}
        for entry in app.get("registries") or []:
            who = str(entry.get("identity") or "") if isinstance(entry, dict) else ""
            if not who:
                continue
            has = ("systemassigned" in kinds.lower()) if who.lower() == "system" else who.lower() in assigned
            if not has and (who.lower() == "system" or "/userassignedidentities/" in who.lower()):
                held = ", ".join(sorted(a.rsplit("/", 1)[-1] for a in assigned)) or "none"
                return {"name": str(app.get("name")), "server": str(entry.get("server")),
                        "identity": who.rsplit("/", 1)[-1], "identities": f"{kinds or 'None'} (user-assigned: {held})"}
    return None


def target_port_not_listened(state: SessionState) -> dict[str, str] | None:
    """A container app whose ingress targetPort is not the port its container says it listens on (console logs or
    the report: "Uvicorn running on http://0.0.0.0:8000", "Now listening on: http://[::]:8080")."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        target = str((app.get("ingress") or {}).get("targetPort") or "")
        if not target:
            continue
        ports = {g for text in _of_latest_revision(app, said_or_logged(state)) for m in LISTENING.finditer(text)
                 for g in m.groups() if g}
        if ports and target not in ports:
            return {"name": str(app.get("name")), "target": target, "listening": ", ".join(sorted(ports))}
    return None


# settings that choose the port ASP.NET Core listens on; without one, the .NET 8+ images listen on 8080 (they
# listened on 80 up to .NET 7)
_ASPNET_PORT_SETTINGS = {"ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_URLS", "DOTNET_URLS",
                         "HTTP_PORTS", "ASPNETCORE_URLS__0", "KESTREL__ENDPOINTS__HTTP__URL"}
_ASPNET = re.compile(r"(?i)Microsoft\.Hosting\.Lifetime|\bnet[89]\.0\b|\bnet1\d\.0\b|dotnet/aspnet:(?:[89]|1\d)\b|"
                     r"\.NET (?:[89]|1\d)\b|asp\.?net ?core")


def aspnet_default_port_not_target(state: SessionState) -> dict[str, str] | None:
    """The target-port mismatch of an ASP.NET Core container that listens on 8080 while its container sets no port
    setting (ASPNETCORE_HTTP_PORTS, ASPNETCORE_URLS): the .NET 8 images' default port, not a port the app chose."""
    found = target_port_not_listened(state)
    if found is None or found["listening"] != "8080" or not any(_ASPNET.search(t) for t in said_or_logged(state)):
        return None
    apps = reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$")
    names = {str(n).upper() for a in apps if str(a.get("name")) == found["name"] for n in a.get("envNames") or []}
    return None if names & _ASPNET_PORT_SETTINGS else found


def _of_latest_revision(app: dict, lines: list[str]) -> list[str]:
    """The lines that are not log rows of another revision of the app: the revision that worked listened on the old
    port, and its rows ('ca-x--r0041 ... listening on :80') say nothing of the port the new revision listens on."""
    latest_revision = str(app.get("latestRevisionName") or "").lower()
    prefix = f"{str(app.get('name') or '').lower()}--"
    if not latest_revision or prefix == "--":
        return lines
    return [line for line in lines if prefix not in line.lower() or latest_revision in line.lower()]


def job_hit_replica_timeout(state: SessionState) -> dict[str, str] | None:
    """A Container Apps job whose failed executions lasted at least its replicaTimeout (computed from their times)."""
    jobs = reads_of_type(state, r"(?i)^Microsoft\.App/jobs$")
    timeout = next((int(j["replicaTimeout"]) for j in jobs if str(j.get("replicaTimeout") or "").isdigit()), 0)
    executions = [x for e in state.ledger if e.tool == "get_resource" and e.status == "success"
                  for x in e.data.get("executions") or [] if isinstance(x, dict)]
    ran = [seconds_between(x.get("startTime"), x.get("endTime")) for x in executions
           if str(x.get("status") or "").lower() == "failed"]
    timed_out = [r for r in ran if timeout and r is not None and r >= timeout - 30]
    if not timed_out:
        return None
    return {"name": str(jobs[0].get("name") or ""), "timeout": str(timeout), "failed": str(len(timed_out)),
            "ran": str(int(max(timed_out)))}


# the message of Azure Policy's allowed-images constraint for Kubernetes (k8sazurev2containerallowedimages)
_IMAGE_NOT_ALLOWED = re.compile(r"Container image (?P<image>[^\s'\"]+) for (?:init |ephemeral )?container \S+ has not "
                                r"been allowed")


def image_outside_allowed_images_regex(state: SessionState) -> dict[str, str] | None:
    """An image the cluster's Gatekeeper refused as not allowed, and a policy assignment read from Azure whose
    allowedContainerImagesRegex parameter does not match it (computed with the regex itself): the assignment that
    refuses it and what it admits. An image the regex matches is not this assignment's refusal."""
    images = list(dict.fromkeys(m.group("image") for t in said_or_logged(state)
                                 for m in _IMAGE_NOT_ALLOWED.finditer(t)))
    if not images:
        return None
    for read in reads_of_type(state, r"(?i)^Microsoft\.Authorization/policyAssignments$"):
        for assignment in read.get("assignments") or []:
            if not isinstance(assignment, dict):
                continue
            parameters = assignment.get("parameters") or {}
            value = next((v.get("value") for k, v in parameters.items()
                          if str(k).lower() == "allowedcontainerimagesregex" and isinstance(v, dict)), None)
            if not isinstance(value, str) or not value:
                continue
            try:
                allowed = re.compile(value)
            except re.error:
                continue
            refused = [image for image in images if not allowed.search(image)]
            if refused:
                return {"assignment": str(assignment.get("name") or ""),
                        "display": str(assignment.get("displayName") or assignment.get("name") or ""),
                        "scope": str(assignment.get("scope") or ""), "regex": value, "image": refused[0]}
    return None


_OOM_KILLED = re.compile(r"(?i)\bOOMKilled\b|exit(?:ed)? (?:with )?code:? '?137\b|exit code '?137\b|"
                         r"out of memory|OutOfMemory|memory limit")


def container_app_memory_size(state: SessionState) -> dict[str, str] | None:
    """A container app read while the report, an answer or the logs show a container killed for memory (OOMKilled,
    exit code 137): the memory each of its containers is given (template.containers[].resources), which is the
    limit the kernel enforced. The container the report names comes first, else the first one with a size."""
    texts = said_or_logged(state)
    if not any(_OOM_KILLED.search(text) for text in texts):
        return None
    said = "\n".join(texts).lower()
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        sized = [c for c in app.get("containers") or [] if isinstance(c, dict)
                 and isinstance(c.get("resources"), dict) and c["resources"].get("memory")]
        named = [c for c in sized if c.get("name") and is_mentioned(str(c["name"]), said)]
        for container in (named or sized)[:1]:
            resources = container["resources"]
            facts = {"name": str(app.get("name")), "container": str(container.get("name") or ""),
                     "memory": str(resources.get("memory"))}
            return facts | ({"cpu": str(resources["cpu"])} if resources.get("cpu") else {})
    return None


def probe_port_not_target(state: SessionState) -> dict[str, str] | None:
    """A container app whose health probe checks a port other than its ingress target port."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        target = str((app.get("ingress") or {}).get("targetPort") or "")
        probes = [p for c in app.get("containers") or [] if isinstance(c, dict)
                  for p in c.get("probes") or [] if isinstance(p, dict)]
        for probe in probes:
            port = str((probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port") or "")
            if target and port and port != target:
                return {"name": str(app.get("name")), "probe": str(probe.get("type") or "health"), "port": port,
                        "target": target}
    return None


def container_app_ip_rules_exclude_caller(state: SessionState) -> dict[str, str] | None:
    """A container app whose ingress IP restrictions allow a list of ranges (then every other address is denied)
    or deny some: the caller addresses in the report are outside the allowed ranges (or inside a denied one); with
    no address in the report, the allow-list alone is named."""
    callers = [ip for text in said_or_logged(state) for ip in IPV4.findall(text)]
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        rules = [r for r in (app.get("ingress") or {}).get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
        allowed = [str(r.get("ipAddressRange")) for r in rules if str(r.get("action")).lower() == "allow"]
        denied = [str(r.get("ipAddressRange")) for r in rules if str(r.get("action")).lower() == "deny"]
        outside = [ip for ip in callers if (allowed and not covered(ip, allowed)) or covered(ip, denied)]
        if outside or (allowed and not callers):
            return {"name": str(app.get("name")), "rules": ", ".join(f"{r.get('name')} {r.get('action')} "
                                                                   f"{r.get('ipAddressRange')}" for r in rules[:6]),
                    "callers": ", ".join(dict.fromkeys(outside)) or "callers outside those ranges"}
    return None


_AKS = r"(?i)^Microsoft\.ContainerService/managedClusters$"


def aks_autoscaler_at_max(state: SessionState) -> Facts:
    """A node pool whose cluster autoscaler is on and already runs its maximum node count."""
    for cluster in reads_of_type(state, _AKS):
        for pool in cluster.get("agentPoolProfiles") or []:
            if not isinstance(pool, dict) or picked(pool, "enableAutoScaling") is not True:
                continue
            count, most = as_number(pool.get("count")), as_number(pool.get("maxCount"))
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


_CONTAINER_APPS = r"(?i)^Microsoft\.App/containerApps$"


_NEEDS_NO_AUTH = re.compile(r"(?i)^(?:cron|cpu|memory|http|tcp)?$")


def container_app_cannot_wake(state: SessionState) -> Facts:
    """A container app without ingress, without a minimum replica and without a scale rule: the default rule
    scales on HTTP traffic, which it cannot receive, so once at zero it never starts again."""
    for app in reads_of_type(state, _CONTAINER_APPS):
        if app.get("ingress") or app.get("scaleRules"):
            continue
        least = as_number((app.get("scale") or {}).get("minReplicas"))
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
        served = [r for r in rules if (as_number(r.get("weight")) or 0) > 0]
        if not served or any(r.get("latestRevision") is True or (latest and r.get("revisionName") == latest)
                             for r in served):
            continue
        return {"name": str(app.get("name")), "latest": latest or "the latest revision",
                "served": ", ".join(f"{r.get('revisionName')} {r.get('weight')}%" for r in served)}
    return None


_FAILING_REVISION = {"failed", "degraded", "unhealthy", "activationfailed"}


def revision_dropped_env(state: SessionState) -> Facts:
    """The latest revision of a container app fails while the last ready one runs, and a container of the failing
    revision lacks environment variables that the same container of the ready revision had: a template rewrite (a
    move to Bicep, a copied YAML) dropped configuration the code needs at start-up."""
    revisions = {str(r.get("name")): r for read in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps/revisions$")
                 for r in read.get("revisions") or [] if isinstance(r, dict)}
    for app in reads_of_type(state, _CONTAINER_APPS):
        latest = revisions.get(str(app.get("latestRevisionName") or ""))
        ready = revisions.get(str(app.get("latestReadyRevisionName") or ""))
        if latest is None or ready is None or latest is ready or not _failing(latest):
            continue
        before = _env_names(ready)
        for container, names in _env_names(latest).items():
            dropped = sorted(before.get(container, set()) - names)
            if dropped:
                return {"name": str(app.get("name")), "latest": str(latest.get("name")),
                        "ready": str(ready.get("name")), "container": container, "dropped": ", ".join(dropped),
                        "setting": dropped[0]}
    return None


def _failing(revision: dict) -> bool:
    states = {str(revision.get(k) or "").lower() for k in ("runningState", "healthState", "provisioningState")}
    return bool(states & _FAILING_REVISION)


def _env_names(revision: dict) -> dict[str, set[str]]:
    """The environment variable names of each container of a revision read, for the containers whose env was read."""
    return {str(c.get("name")): {str(e.get("name")) for e in c.get("env") or [] if isinstance(e, dict)}
            for c in revision.get("template.containers") or [] if isinstance(c, dict) and "env" in c}


def container_app_at_max_replicas(state: SessionState) -> Facts:
    """A container app whose Replicas metric reached its scale maximum (maxReplicas, 10 when unset)."""
    apps = [a for a in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$") if isinstance(a.get("scale"), dict)]
    if not apps:
        return None
    most = as_number(apps[0]["scale"].get("maxReplicas")) or 10.0
    for evidence in reversed(state.ledger):
        if evidence.tool != "query_metrics" or evidence.status != "success":
            continue
        for metric in evidence.data.get("metrics") or []:
            if isinstance(metric, dict) and str(metric.get("name")) == "Replicas":
                peak = as_number(metric.get("max"))
                if peak is not None and peak >= most:
                    return {"name": str(apps[0].get("name")), "max": f"{most:g}", "peak": f"{peak:g}"}
    return None


def aks_max_pods_low(state: SessionState) -> Facts:
    """A node pool whose maxPods is low (50 or fewer pods per node)."""
    for cluster in reads_of_type(state, _AKS):
        pools = [p for p in cluster.get("agentPoolProfiles") or []
                 if isinstance(p, dict) and (as_number(p.get("maxPods")) or 999) <= 50]
        if pools:
            pool = min(pools, key=lambda p: as_number(p.get("maxPods")) or 0)
            return {"name": str(cluster.get("name")), "pool": str(pool.get("name")),
                    "pods": f"{as_number(pool.get('maxPods')):g}"}
    return None


_SECRET_REF = re.compile(r"SecretRef '(?P<secret>[^']+)' defined for container '(?P<container>[^']+)' not found|"
                         r"secret\(s\) with name\(s\) '(?P<secret2>[^']+)' are not found, referenced by container "
                         r"'?(?P<container2>[\w.-]+)")


def container_app_secret_ref_undefined(state: SessionState) -> Facts:
    """A deployment refused because a container's secretRef names a secret the container app does not define: the
    secret the error names, against the app's own secret names (read from Azure, names only)."""
    read = [e.summary + " " + json.dumps(e.data, default=str) for e in state.ledger if e.status == "success"]
    said = " ".join([*state.material.spoken(), *read])
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


def scale_rule_secret_undefined(state: SessionState) -> Facts:
    """An event-driven scale rule (a container app's or an event-driven job's KEDA rule) whose auth maps a trigger
    parameter to a secretRef the app or job does not define: the scaler gets no connection and never scales."""
    for res in reads_of_type(state, r"(?i)^Microsoft\.App/(?:containerApps|jobs)$"):
        if "secretNames" not in res:
            continue  # the read did not show the secrets: no verdict
        names = [str(n) for n in res.get("secretNames") or []]
        for rule in res.get("scaleRules") or []:
            if not isinstance(rule, dict):
                continue
            auths = [picked(rule, k) for k in ("auth", "custom.auth", "azureQueue.auth")]
            for auth in (a for group in auths if isinstance(group, list) for a in group):
                secret = str((auth or {}).get("secretRef") or "") if isinstance(auth, dict) else ""
                if secret and secret not in names:
                    return {"name": str(res.get("name")), "rule": str(rule.get("name")), "secret": secret,
                            "parameter": str(auth.get("triggerParameter") or "connection"),
                            "defined": ", ".join(names[:10]) or "none"}
    return None


_IMAGE_TAG = re.compile(r"(?i)(?P<registry>[a-z0-9]+\.azurecr\.io)/(?P<repository>[a-z0-9._/-]+)"
                        r":(?P<tag>[\w.-]{1,128})")


def registry_build_for_tag_failed(state: SessionState) -> Facts:
    """A pulled tag that no successful ACR Tasks run of the registry pushed, while the newest run failed after the
    last one that pushed an image: the build that was to push the tag failed, so the tag was never pushed."""
    wanted = {(m.group("repository").lower(), m.group("tag")) for m in _IMAGE_TAG.finditer(said_in_report(state))}
    for data in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries/runs$"):
        runs = sorted((r for r in data.get("runs") or [] if isinstance(r, dict)),
                      key=lambda r: str(r.get("finishTime") or ""), reverse=True)
        pushed = {(str(i.get("repository") or "").lower(), str(i.get("tag") or "")) for r in runs
                  for i in r.get("outputImages") or [] if isinstance(i, dict)}
        missing = sorted(w for w in wanted if w not in pushed)
        if not runs or not missing or str(runs[0].get("status") or "").lower() not in ("failed", "error", "timeout"):
            continue
        failed = runs[0]
        last = next((f"{i.get('repository')}:{i.get('tag')}" for r in runs for i in r.get("outputImages") or []
                     if isinstance(i, dict)), "none")
        return {"registry": str(data.get("id") or "").split("/registries/")[-1].split("/")[0],
                "image": f"{missing[0][0]}:{missing[0][1]}", "run": str(failed.get("name") or ""),
                "task": str(failed.get("task") or "a quick run"), "finished": str(failed.get("finishTime") or ""),
                "run_error": str(failed.get("runErrorMessage") or "no message"), "last_pushed": last}
    return None


def registry_token_expired(state: SessionState) -> Facts:
    """An enabled repository-scoped token of a registry whose every password has expired (against now: decided in
    the decide activity, never in the orchestrator); the one the client names when several have."""
    now = datetime.now(UTC)
    expired = []
    for data in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries/tokens$"):
        for token in data.get("tokens") or []:
            ends = [m for m in (as_instant(e) for e in token.get("credentials.passwords[].expiry") or []) if m]
            if str(token.get("status") or "").lower() == "enabled" and ends and max(ends) < now:
                registry = str(data.get("id") or "").split("/registries/")[-1].split("/")[0]
                expired.append({"token": str(token.get("name") or ""), "registry": registry,
                                "expired": max(ends).date().isoformat()})
    said = said_in_report(state)
    return next((t for t in expired if is_mentioned(t["token"], said)), expired[0] if expired else None)


# `az acr token show` pasted as JSON: each password's expiry, the token's status, its name and registry as the command
# line names them (-n/--name, -r/--registry)
_TOKEN_SHOW = re.compile(r"(?i)\baz acr token show\b(?P<args>[^\n]*)")
_TOKEN_ARG = re.compile(r"(?:^|\s)(?:-n|--name)[ =](?P<token>[\w-]+)")
_REGISTRY_ARG = re.compile(r"(?:^|\s)(?:-r|--registry)[ =](?P<registry>[\w-]+)")
# the expiry as -o json prints it, or a password row of -o table / -o tsv ("password1  2026-11-30T00:00:00+00:00")
_PASSWORD_EXPIRY = re.compile(r'(?im)"expiry"\s*:\s*"(?P<at>[^"]+)"|^[ \t]*password[12][ \t]+'
                              r'(?P<row>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)[ \t]*$')
# a password without an expiry (JSON null, or a table row with the expiry column empty) never expires
_PASSWORD_NO_EXPIRY = re.compile(r'(?im)"expiry"\s*:\s*null|^[ \t]*password[12][ \t]*$')
_TOKEN_DISABLED = re.compile(r'(?i)"status"\s*:\s*"disabled"')
# the registry refused the sign-in itself (docker login pings /v2/), not the pull of an image reference
_LOGIN_REFUSED = re.compile(r'(?i)\b(?:docker|podman|oras|helm registry) login\b|/v2/"?:? unauthorized')
_IMAGE_PULLED = re.compile(r"(?i)/v2/[\w.-]+/[\w./-]*(?:manifests|blobs)/|\bdocker pull\b|ImagePull|ErrImagePull|"
                           r"Failed to pull")


def registry_token_expired_at_login(state: SessionState) -> Facts:
    """A docker login (not an image pull) refused while the token it signs in with has only expired passwords: read
    from Azure, or from the `az acr token show` output the report pastes. A login refusal is the credential's own
    failure; a refused pull stays the pull family's (registry-token-password-expired)."""
    said = state.material.spoken_text("\n")
    if not _LOGIN_REFUSED.search(said) or _IMAGE_PULLED.search(said):
        return None
    return registry_token_expired(state) or _pasted_token_expired(said)


def _pasted_token_expired(said: str) -> Facts:
    shown = _TOKEN_SHOW.search(said)
    if shown is None or _TOKEN_DISABLED.search(said[shown.end():]):
        return None
    if _PASSWORD_NO_EXPIRY.search(said, shown.end()):
        return None
    found = _PASSWORD_EXPIRY.finditer(said, shown.end())
    ends = [m for m in (as_instant(e.group("at") or e.group("row")) for e in found) if m]
    if not ends or max(ends) >= datetime.now(UTC):
        return None  # a password still valid (or none with an expiry): the expiry does not explain the refusal
    token, registry = _TOKEN_ARG.search(shown.group("args")), _REGISTRY_ARG.search(shown.group("args"))
    return {"token": token.group("token") if token else "<token>",
            "registry": registry.group("registry") if registry else "<registry>",
            "expired": max(ends).date().isoformat()}


_THROTTLED = re.compile(r"(?i)\b429\b|too ?many ?requests")


_REGISTRY_READS_PER_MINUTE = {"basic": "1,000", "standard": "3,000", "premium": "10,000"}


def registry_throttled(state: SessionState) -> Facts:
    """A registry read in the session whose login server the report or the logs show answering 429: pulls beyond
    the ReadOps its service tier allows per minute (a scale-out of many nodes pulling at once)."""
    lines = [line for text in state.material.spoken() for line in
             text.splitlines()] + logged_lines(state, succeeded_only=True)
    for registry in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries$"):
        server = str(registry.get("loginServer") or f"{registry.get('name')}.azurecr.io").lower()
        if any(server in line.lower() and _THROTTLED.search(line) for line in lines):
            sku = str(registry.get("sku") or "")
            sku = str(sku.get("name") if isinstance(sku, dict) else sku)
            return {"registry": str(registry.get("name")), "sku": sku or "its tier",
                    "reads": _REGISTRY_READS_PER_MINUTE.get(sku.lower(), "a fixed number of")}
    return None


def container_client_id_not_assigned(state: SessionState) -> Facts:
    """A container app (or job) whose containers name, in AZURE_CLIENT_ID or another client-id env variable, a client
    id that none of its user-assigned identities has: the platform issues tokens only for identities the app carries,
    so the credential finds no identity for that client id (typically after the identities were swapped)."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/(?:containerApps|jobs)$"):
        ids = app.get("envClientIds") or {}
        assigned = [u for u in (app.get("identity") or {}).get("userAssigned") or [] if isinstance(u, dict)]
        known = {str(u.get("clientId") or "").lower() for u in assigned}
        if not ids or not assigned or "" in known:
            continue
        for name, guid in ids.items():
            if str(guid).lower() not in known:
                return {"app": str(app.get("name")), "setting": str(name), "client_id": str(guid),
                        "assigned": ", ".join(f"{str(u.get('id')).rsplit('/', 1)[-1]} (client id {u.get('clientId')})"
                                              for u in assigned)}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "registry-build-for-tag-failed": registry_build_for_tag_failed,
    "container-app-killed-at-its-memory-size": container_app_memory_size,
    "container-app-client-id-env-not-assigned": container_client_id_not_assigned,
    "container-job-replica-timeout": job_hit_replica_timeout,
    "aks-image-outside-allowed-images-regex": image_outside_allowed_images_regex,
    "container-app-aspnet-default-port-8080": aspnet_default_port_not_target,
    "container-app-target-port-mismatch": target_port_not_listened,
    "app-container-registry-identity-not-named": registry_pull_identity_not_named,
    "container-app-probe-port-not-target": probe_port_not_target,
    "container-app-registry-admin-user-disabled": registry_password_without_admin_user,
    "app-container-registry-pull-without-credentials": registry_pull_without_credentials,
    "container-app-keyvault-secret-identity-missing": keyvault_secret_identity_missing,
    "container-app-registry-identity-not-on-app": registry_identity_not_on_app,
    "container-app-ip-restrictions-exclude-caller": container_app_ip_rules_exclude_caller,
    "container-registry-throttled-by-tier": registry_throttled,
    "registry-token-password-expired": registry_token_expired,
    "registry-token-password-expired-at-login": registry_token_expired_at_login,
    "container-app-secret-ref-undefined": container_app_secret_ref_undefined,
    "container-scale-rule-secret-undefined": scale_rule_secret_undefined,
    "aks-autoscaler-at-max-count": aks_autoscaler_at_max,
    "aks-node-pool-stopped": aks_node_pool_stopped,
    "container-app-no-ingress-cannot-wake": container_app_cannot_wake,
    "container-app-scale-rule-without-credentials": scale_rule_without_auth,
    "container-app-latest-revision-without-traffic": revision_without_traffic,
    "container-app-at-max-replicas": container_app_at_max_replicas,
    "container-app-revision-dropped-env-var": revision_dropped_env,
    "aks-node-pool-max-pods-low": aks_max_pods_low,
}
