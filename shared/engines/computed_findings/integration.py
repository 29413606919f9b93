"""Computed findings for Logic Apps, Data Factory, API Management, Automation and Azure OpenAI deployments:
connections, timeouts, managed private endpoints, subscriptions, named values, deployment names and capacity."""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.engines.analyzers.common import picked
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.durations import timespan_seconds
from shared.engines.session_reads import (
    Facts,
    as_instant,
    as_number,
    chosen_item,
    is_mentioned,
    items_of,
    last_segment,
    read_setting_names,
    said_by_client,
    said_in_report,
    seconds_between,
    succeeded_events,
)
from shared.session.state import SessionState

_FAIR_SHARE_SECONDS = 3 * 3600  # Azure sandboxes stop (or unload) a job that has run this long


def automation_fair_share_stop(state: SessionState) -> dict[str, str] | None:
    """An Automation job that ran in an Azure sandbox (no Hybrid Runbook Worker group in runOn) and ended Stopped,
    Suspended or Failed after about three hours: the fair-share limit, not the runbook, ended it. The runbook the
    report names first, else any."""
    jobs = [j for data in reads_of_type(state, r"(?i)^Microsoft\.Automation/automationAccounts/jobs$")
            for j in data.get("jobs") or [] if isinstance(j, dict)]
    hit = []
    for job in jobs:
        ran = seconds_between(job.get("startTime"), job.get("endTime"))
        if (str(job.get("status") or "") in ("Stopped", "Suspended", "Failed") and not job.get("runOn")
                and ran is not None and _FAIR_SHARE_SECONDS - 600 <= ran <= _FAIR_SHARE_SECONDS + 1800):
            hit.append((job, ran))
    said = said_by_client(state)
    named = [(j, r) for j, r in hit if is_mentioned(str(picked(j, "runbook.name") or ""), said)]
    chosen = named or hit
    if not chosen:
        return None
    job, ran = chosen[0]
    runbook = str(picked(job, "runbook.name") or "the runbook")
    same = [j for j, _ in chosen if picked(j, "runbook.name") == picked(job, "runbook.name")]
    return {"runbook": runbook, "status": str(job.get("status")), "jobs": str(len(same)),
            "ran": f"{int(ran // 3600)} h {int(ran % 3600 // 60):02d} min", "job": str(job.get("name") or "")}


def apim_named_value_unresolved(state: SessionState) -> dict[str, str] | None:
    """An API Management named value kept in Key Vault whose last refresh did not succeed (keyVault.lastStatus)."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service/namedValues$"):
        for item in data.get("namedValues") or []:
            status = picked(item, "keyVault.lastStatus") if isinstance(item, dict) else None
            if isinstance(status, dict) and status.get("code") and str(status["code"]).lower() != "success":
                secret = str(picked(item, "keyVault.secretIdentifier") or "")
                return {"named_value": str(item.get("displayName") or item.get("name")), "code": str(status["code"]),
                        "message": str(status.get("message") or "no message")[:200],
                        "vault": re.sub(r"^https?://([^./]+).*$", r"\1", secret) or "the vault",
                        "secret": secret or "its secret"}
    return None


_DEPLOYMENTS = r"(?i)^Microsoft\.CognitiveServices/accounts/deployments$"


_CALLED = re.compile(r"(?i)/openai/deployments/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/|deployment(?: name)?[ =:]+['\"`]"
                     r"([A-Za-z0-9][A-Za-z0-9._-]{0,63})['\"`]")


def openai_deployment_capacity(state: SessionState) -> Facts:
    """The model deployment the report names (else the only one) with a small tokens-per-minute capacity."""
    chosen = chosen_item(state, items_of(state, _DEPLOYMENTS, "deployments"))
    capacity = as_number(picked(chosen, "sku.capacity")) if chosen else None
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
    names = [str(d.get("name")) for d in items_of(state, _DEPLOYMENTS, "deployments")]
    texts = state.material.spoken()
    called = next((m.group(1) or m.group(2) for t in texts for m in _CALLED.finditer(t)), None)
    if not called or called.lower() in {n.lower() for n in names}:
        return None
    return {"deployment": called, "existing": ", ".join(names[:8]) or "none"}


# a setting that holds the deployment name the code sends (AZURE_OPENAI_DEPLOYMENT, OPENAI_CHAT_DEPLOYMENT_NAME)
_DEPLOYMENT_SETTING = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]*DEPLOYMENT[A-Z0-9_]*)(?![A-Za-z0-9_])")


def openai_deployment_from_setting(state: SessionState) -> Facts:
    """The report names no deployment, but the code takes it from a setting (named in the report or among the app's
    settings read): the account's deployments read are the names that setting may hold."""
    reads = reads_of_type(state, _DEPLOYMENTS)
    texts = state.material.spoken()
    if not reads or any(m.group(1) or m.group(2) for t in texts for m in _CALLED.finditer(t)):
        return None
    named = [m.group(1) for t in texts for m in _DEPLOYMENT_SETTING.finditer(t)]
    listed = read_setting_names(state) or []
    setting = next((n for n in named if n in listed), None) or (named[0] if named else None) or next(
        (n for n in listed if _DEPLOYMENT_SETTING.fullmatch(n)), None)
    if setting is None:
        return None
    deployments = items_of(state, _DEPLOYMENTS, "deployments")
    existing = [f"{d.get('name')} (model {picked(d, 'model.name')})" if picked(d, "model.name") else str(d.get("name"))
                for d in deployments]
    return {"setting": setting, "existing": ", ".join(existing[:8]) or "none"}


_DEPLOYMENT_EVENT = re.compile(r"(?i)/accounts/([^/]+)/deployments/([^/]+)$")


def openai_deployment_recreated(state: SessionState) -> Facts:
    """A model deployment the activity log shows deleted and then written again under the same name (the delete
    first), which the account's deployments read now shows serving a model: a client that calls it by name gets
    that model, whatever it was before."""
    changes = latest(state, "list_activity_log")
    events = (changes.data.get("events") or []) if changes is not None and changes.status == "success" else []
    done = [e for e in events if not str(e.get("status") or "").lower().startswith("fail")]
    deployments = {str(d.get("name") or "").lower(): d for d in items_of(state, _DEPLOYMENTS, "deployments")}
    for deleted in done:
        if not str(deleted.get("operation") or "").lower().endswith("/accounts/deployments/delete"):
            continue
        where = _DEPLOYMENT_EVENT.search(str(deleted.get("resource_id") or ""))
        if where is None:
            continue
        written = [e for e in done if str(e.get("operation") or "").lower().endswith("/accounts/deployments/write")
                   and str(e.get("resource_id") or "").lower() == str(deleted.get("resource_id") or "").lower()
                   and str(e.get("time") or "") > str(deleted.get("time") or "")]
        now = deployments.get(where.group(2).lower())
        model = str(picked(now, "model.name") or "") if now else ""
        if written and now is not None and model:
            version = str(picked(now, "model.version") or "")
            return {"account": where.group(1), "deployment": where.group(2), "model": model,
                    "version": version or "its default version", "deleted_at": str(deleted.get("time") or ""),
                    "time": str(written[0].get("time") or ""), "caller": str(written[0].get("caller") or "")}
    return None


# an Azure OpenAI / AI services endpoint host: its first label is the account's custom subdomain
_AI_HOST = re.compile(r"(?i)\b([a-z0-9][a-z0-9-]{1,62})\.(?:openai|cognitiveservices)\.azure\.com\b")


def _deployments_by_account(state: SessionState) -> dict[str, list[str]]:
    """The deployment names of each account whose deployments were read, by account name (lower case)."""
    held: dict[str, list[str]] = {}
    for data in reads_of_type(state, _DEPLOYMENTS):
        account = re.search(r"(?i)/accounts/([^/]+)/deployments", str(data.get("id") or ""))
        if account:
            held.setdefault(account.group(1).lower(), []).extend(
                str(d.get("name")) for d in data.get("deployments") or [] if isinstance(d, dict))
    return held


def _endpoint_accounts(state: SessionState) -> list[tuple[str, str]]:
    """(setting, account) for each AI endpoint the app's settings point at, else the endpoint URLs the report quotes."""
    listed = latest(state, "list_app_setting_names")
    targets = (listed.data.get("targets") or {}) if listed is not None and listed.status == "success" else {}
    pointed = [(str(n), m.group(1).lower()) for n, t in sorted(targets.items()) if (m := _AI_HOST.search(str(t)))]
    return pointed or [("the endpoint", m.group(1).lower()) for t in state.material.spoken()
                       for m in _AI_HOST.finditer(t)]


def openai_endpoint_account_lacks_deployment(state: SessionState) -> Facts:
    """The deployment the client calls exists, but on another account than the one its endpoint setting points at:
    a deployment belongs to one account, so the request reaches an account that has no deployment of that name."""
    held = _deployments_by_account(state)
    if len(held) < 2:
        return None  # one account read: whether the name exists elsewhere is not known
    texts, said = state.material.spoken(), said_by_client(state)
    called = next((m.group(1) or m.group(2) for t in texts for m in _CALLED.finditer(t)), None)
    names = {n for names in held.values() for n in names}
    deployment = called or next((n for n in sorted(names, key=len, reverse=True) if is_mentioned(n, said)), None)
    if deployment is None:
        return None
    for setting, account in _endpoint_accounts(state):
        own = held.get(account)
        holders = [a for a, names in held.items() if a != account and deployment.lower() in map(str.lower, names)]
        if own is not None and deployment.lower() not in map(str.lower, own) and holders:
            return {"setting": setting, "account": account, "deployment": deployment, "holder": holders[0],
                    "existing": ", ".join(own[:8]) or "none"}
    return None


def activity_stopped_by_timeout(state: SessionState) -> Facts:
    """A failed Data Factory activity of the newest failed run that ran as long as its policy timeout (within 2%):
    the timeout stopped it, whatever it was waiting for."""
    for evidence in reversed(state.ledger):
        if evidence.tool != "list_failed_pipeline_runs" or evidence.status != "success":
            continue
        for activity in evidence.data.get("activities") or []:
            limit = timespan_seconds(activity.get("timeout"))
            ran = as_number(activity.get("duration_ms"))
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


_LOGIC_APPS_OUTBOUND_SECONDS = 120  # multitenant (Consumption) outbound request timeout


def logic_app_action_hit_request_limit(state: SessionState) -> Facts:
    """A failed action of a Consumption workflow's run that ended with GatewayTimeout after about two minutes: the
    outbound request limit cut the synchronous call, whatever the endpoint answers later."""
    for action in items_of(state, r"(?i)^Microsoft\.Logic/workflows/runs/actions$", "actions"):
        code = str(action.get("code") or (action.get("error") or {}).get("code") or "")
        start, end = as_instant(action.get("startTime")), as_instant(action.get("endTime"))
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


_INACTIVE_SUBSCRIPTION = frozenset({"expired", "suspended", "cancelled", "rejected", "submitted"})


def apim_subscription_not_active(state: SessionState) -> Facts:
    """An API Management subscription (the owner of a key) that is not active: expired at its expiration date,
    suspended, cancelled, rejected or still awaiting approval. The one the report names (by name or display name),
    else the only such one: the gateway refuses its keys as invalid."""
    items = items_of(state, r"(?i)^Microsoft\.ApiManagement/service/subscriptions$", "subscriptions")
    inactive = [i for i in items if str(i.get("state") or "").lower() in _INACTIVE_SUBSCRIPTION]
    said = said_in_report(state)
    named = [i for i in inactive if is_mentioned(str(i.get("name") or ""), said)
             or is_mentioned(str(i.get("displayName") or ""), said)]
    chosen = named[0] if named else (inactive[0] if len(inactive) == 1 else None)
    if chosen is None:
        return None
    return {"apim_subscription": str(chosen.get("displayName") or chosen.get("name")),
            "state": str(chosen.get("state")).lower(),
            "expiration": str(chosen.get("expirationDate") or "none set")}


_DEFAULT_KEY_NAMES = ("ocp-apim-subscription-key", "subscription-key")  # the gateway's names unless an API renames them


def _sends_key_name(name: str) -> re.Pattern[str]:
    """The name given a value the way clients write it: curl's `-H "name: v"`, a query `name=v`, a quoted key of a
    PowerShell hashtable or a JSON / Python dict (`"name" = v`, `"name": v`), or a C# `Headers.Add("name", v)`."""
    return re.compile(rf"(?<![\w-]){name}(?:[\"']?\s*[:=]|[\"']\s*,)")


def apim_key_name_renamed(state: SessionState) -> Facts:
    """The client sends its key under the default header or query name, but the API it calls (named in the report, or
    whose path its URL holds) reads the key from other names: the gateway sees no key and says it is missing."""
    said = said_by_client(state)
    sent = next((n for n in _DEFAULT_KEY_NAMES if _sends_key_name(n).search(said)), None)
    if sent is None:
        return None
    apis = items_of(state, r"(?i)^Microsoft\.ApiManagement/service/apis$", "apis")
    called = [a for a in apis if is_mentioned(str(a.get("name") or ""), said)
              or (a.get("path") and f"/{str(a['path']).lower().strip('/')}" in said)]
    for api in called:
        header, query = (str(picked(api, f"subscriptionKeyParameterNames.{k}") or "") for k in ("header", "query"))
        if header and header.lower() not in _DEFAULT_KEY_NAMES and not is_mentioned(header.lower(), said):
            return {"api": str(api.get("name")), "header": header, "query": query or "subscription-key",
                    "sent": "Ocp-Apim-Subscription-Key header" if sent == _DEFAULT_KEY_NAMES[0]
                    else "subscription-key query parameter"}
    return None


_QUOTA = re.compile(r"(?is)<quota(?:-by-key)?\b(?P<attrs>[^>]*)>")
_ATTRIBUTE = re.compile(r'(?i)\b(calls|bandwidth|renewal-period)\s*=\s*"(\d+)"')


def apim_product_quota(state: SessionState) -> Facts:
    """The quota (or quota-by-key) policy of the API Management product read whose calls or bandwidth per renewal
    period the caller used up: the product of the subscription the report names, else the only product read with
    a quota. A renewal period in days says how long the gateway keeps refusing."""
    quotas: dict[str, dict[str, str]] = {}
    for evidence in state.ledger:
        policy = str(evidence.data.get("policy") or "") if evidence.status == "success" else ""
        match = _QUOTA.search(policy) if "/products/" in str(evidence.arguments.get("resource_id") or "") else None
        if match:
            held = str(evidence.arguments["resource_id"]).split("/products/")[1].split("/")[0]
            quotas[held] = {k.lower(): v for k, v in _ATTRIBUTE.findall(match.group("attrs"))}
            quotas[held]["read"] = evidence.summary
    owner = _named_subscription_product(state)
    product = owner if owner in quotas else (next(iter(quotas)) if len(quotas) == 1 else None)
    if product is None or not ({"calls", "bandwidth"} & set(quotas[product])):
        return None
    quota = quotas[product]
    limit = f"{quota['calls']} calls" if "calls" in quota else f"{quota['bandwidth']} KB"
    seconds = as_number(quota.get("renewal-period"))
    period = (f"{seconds / 86400:g} days" if seconds and seconds >= 86400 else f"{seconds:g} seconds") \
        if seconds else "its renewal period"
    return {"product": product, "limit": limit, "period": period, "read": quota["read"]}


def apim_subscription_scope_lacks_api(state: SessionState) -> Facts:
    """The API Management subscription the report names (by name or display name; else the only active one scoped to
    a product) is scoped to a product whose APIs, read in Azure, do not include the API the report calls (its path in
    the gateway URL): the gateway refuses that key for this API as an invalid subscription key. An API found in the
    product, or a product whose APIs were not read, says nothing."""
    said = said_by_client(state)
    listed = items_of(state, r"(?i)^Microsoft\.ApiManagement/service/subscriptions$", "subscriptions")
    subscriptions = [i for i in listed
                     if "/products/" in str(i.get("scope") or "") and str(i.get("state") or "").lower() == "active"]
    named = [i for i in subscriptions if is_mentioned(str(i.get("name") or ""), said)
             or is_mentioned(str(i.get("displayName") or ""), said)]
    chosen = named[0] if named else (subscriptions[0] if len(subscriptions) == 1 else None)
    if chosen is None:
        return None
    product = last_segment(str(chosen["scope"]))
    contained = _product_apis(state, product)
    if contained is None:
        return None
    apis = items_of(state, r"(?i)^Microsoft\.ApiManagement/service/apis$", "apis")
    called = [a for a in apis if a.get("path") and re.search(
        rf"\.azure-api\.net/{re.escape(str(a['path']).lower().strip('/'))}(?:[/?'\"\s]|$)", said)]
    for api in called:
        name, path = str(api.get("name") or ""), str(api.get("path") or "").lower().strip("/")
        if name.lower() not in contained and path not in contained:
            return {"apim_subscription": str(chosen.get("name")), "product": product, "api": name,
                    "contained": ", ".join(sorted(contained)) or "none"}
    return None


def _product_apis(state: SessionState, product: str) -> set[str] | None:
    """The names and paths of the APIs the product's `/apis` read lists (lower case), or None when it was not read."""
    for evidence in reversed(state.ledger):
        resource = str(evidence.arguments.get("resource_id") or "").lower()
        if evidence.tool == "get_resource" and evidence.status == "success" \
                and resource.endswith(f"/products/{product.lower()}/apis"):
            items = [i for key in ("apis", "value") for i in evidence.data.get(key) or [] if isinstance(i, dict)]
            return {str(v).lower().strip("/") for i in items for v in (i.get("name"), i.get("path")) if v}
    return None


def _named_subscription_product(state: SessionState) -> str | None:
    """The product whose scope holds the API Management subscription the report names (read in Azure)."""
    said = said_by_client(state)
    for item in items_of(state, r"(?i)^Microsoft\.ApiManagement/service/subscriptions$", "subscriptions"):
        scope = str(item.get("scope") or "")
        if "/products/" in scope and is_mentioned(str(item.get("name") or ""), said):
            return last_segment(scope)
    return None


def system_topic_of_named_source(state: SessionState) -> Facts:
    """An Event Grid system topic read in Azure whose source is a resource the client names (the storage account
    the template subscribes to): the one system topic that source may have, which the new one collides with. A
    topic for a source the report does not name says nothing about this deployment. The topic's read is the
    evidence (`read`), not the newest get_resource."""
    said = said_by_client(state)
    for evidence in reversed(state.ledger):
        topic = evidence.data
        if evidence.tool != "get_resource" or evidence.status != "success" \
                or str(topic.get("type") or "").lower() != "microsoft.eventgrid/systemtopics":
            continue
        source = str(topic.get("source") or "")
        if source and is_mentioned(last_segment(source), said):
            held = re.search(r"(?i)/resourceGroups/([^/]+)/", str(topic.get("id") or ""))
            return {"topic": str(topic.get("name") or ""), "source_name": last_segment(source),
                    "topic_type": str(topic.get("topicType") or "its source's type"),
                    "topic_group": held.group(1) if held else "<its-resource-group>", "read": evidence.summary}
    return None


_VERSIONED_SECRET = re.compile(r"(?i)^https://(?P<vault>[\w-]+)\.vault\.[\w.]+/secrets/(?P<secret>[\w-]+)/(?P<version>[0-9a-f]{32})/?$")


def apim_hostname_certificate_version_pinned(state: SessionState) -> Facts:
    """An API Management host name whose certificate comes from Key Vault through a keyVaultId that names one
    secret version: API Management follows new versions only of a versionless secret identifier, so a renewal in
    the vault never reaches the gateway."""
    for service in reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service$"):
        for host in service.get("hostnameConfigurations") or []:
            if not isinstance(host, dict):
                continue
            found = _VERSIONED_SECRET.match(str(host.get("keyVaultId") or ""))
            if found:
                expiry = str(picked(host, "certificate.expiry") or "")
                return {"name": str(service.get("name")), "host": str(host.get("hostName") or ""),
                        "vault": found.group("vault"), "secret": found.group("secret"),
                        "version": found.group("version"), "expiry": expiry or "unknown"}
    return None


def ai_endpoint_host_not_subdomain(state: SessionState) -> Facts:
    """An AI endpoint (a setting's, else the one the report quotes) whose host is an account's resource name while the
    account read in Azure answers on another host (its custom subdomain): <name>.openai.azure.com does not exist, so
    the name does not resolve anywhere, private network or not."""
    accounts = {str(a.get("name") or "").lower(): a
                for a in reads_of_type(state, r"(?i)^Microsoft\.CognitiveServices/accounts$")}
    for setting, label in _endpoint_accounts(state):
        account = accounts.get(label)
        own = _AI_HOST.search(str((account or {}).get("endpoint") or ""))
        if account is not None and own is not None and own.group(1).lower() != label:
            return {"setting": setting, "account": str(account.get("name")), "host": f"{label}.openai.azure.com",
                    "endpoint": str(account.get("endpoint")), "subdomain": own.group(1).lower()}
    return None


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")  # an address may end a sentence
_MOVED = re.compile(r"(?i)migrateToStv2|/applynetworkconfigurationupdates")  # operations that change the address
_ALLOW_LIST = re.compile(r"(?i)allow(?:s|ed|-?list(?:ed)?)?\b|whitelist|firewall|permit")


def apim_address_not_the_allowed_one(state: SessionState) -> Facts:
    """An API Management instance whose public address (read) is not the address the report says the backend's
    firewall allows: the backend drops the gateway's calls from the new address (a migration to stv2 or into a
    virtual network gives the instance another one), so they time out."""
    said = said_in_report(state)
    for service in reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service$"):
        current = [str(a) for a in service.get("publicIPAddresses") or [] if _IPV4.fullmatch(str(a))]
        stated = [m.group(0) for line in re.split(r"(?<=[.!?])\s|\n", said) if _ALLOW_LIST.search(line)
                  for m in _IPV4.finditer(line) if m.group(0) not in current]
        if current and stated:
            moved = [e for e in succeeded_events(state) if _MOVED.search(str(e.get("operation") or ""))]
            change = (f" The instance was migrated ({moved[0].get('time')}, by {moved[0].get('caller') or 'someone'}), "
                      f"which gave it the new address.") if moved else ""
            return {"service": str(service.get("name") or ""), "current": ", ".join(current), "stated": stated[0],
                    "platform": str(service.get("platformVersion") or "its platform"), "change": change}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "apim-public-address-not-the-allowed-one": apim_address_not_the_allowed_one,
    "apim-hostname-keyvault-certificate-version-pinned": apim_hostname_certificate_version_pinned,
    "ai-endpoint-host-is-resource-name-not-subdomain": ai_endpoint_host_not_subdomain,
    "automation-job-stopped-by-fair-share": automation_fair_share_stop,
    "apim-named-value-keyvault-refresh-failed": apim_named_value_unresolved,
    "apim-subscription-not-active": apim_subscription_not_active,
    "apim-subscription-key-name-renamed": apim_key_name_renamed,
    "apim-product-quota-used-up": apim_product_quota,
    "apim-subscription-scope-lacks-api": apim_subscription_scope_lacks_api,
    "logic-app-api-connection-in-error": api_connection_in_error,
    "logic-app-action-cut-at-outbound-request-limit": logic_app_action_hit_request_limit,
    "data-factory-activity-stopped-by-timeout": activity_stopped_by_timeout,
    "data-factory-managed-private-endpoint-not-approved": managed_private_endpoint_not_approved,
    "openai-deployment-capacity-small": openai_deployment_capacity,
    "openai-deployment-recreated-with-another-model": openai_deployment_recreated,
    "openai-endpoint-account-lacks-deployment": openai_endpoint_account_lacks_deployment,
    "openai-deployment-name-not-found": openai_deployment_missing,
    "openai-deployment-setting-not-a-deployment": openai_deployment_from_setting,
    "eventgrid-system-topic-already-exists-for-source": system_topic_of_named_source,
}
