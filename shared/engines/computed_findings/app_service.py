"""Computed findings for App Service and Functions: certificates, Key Vault references, identity-based
connections, access restrictions, app settings the code or the platform needs, functions and their keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.engines.analyzers.common import picked, table_entry
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.session_reads import (
    FINDINGS,
    LISTENING,
    SITES,
    WORKS_LOCALLY,
    Facts,
    allowed_by_restrictions,
    as_instant,
    chosen_item,
    denies_by_default,
    is_mentioned,
    items_of,
    last_segment,
    one_edit_apart,
    read_setting_names,
    said_by_client,
    said_in_report,
    said_or_logged,
    succeeded_events,
)
from shared.session.state import SessionState
from shared.tools.text_tools import code_setting_names, local_setting_names, setting_defined


def certificate_expired(state: SessionState) -> dict[str, str] | None:
    """An App Service certificate in the app's group whose expirationDate has passed (computed against now)."""
    for cert in reads_of_type(state, r"(?i)^Microsoft\.Web/certificates$"):
        try:
            expires = datetime.fromisoformat(str(cert.get("expirationDate") or "").replace("Z", "+00:00"))
        except ValueError:
            continue
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):  # decided in the decide activity, never in the orchestrator
            hosts = ", ".join(str(h) for h in (cert.get("hostNames") or [cert.get("subjectName")]) if h)
            return {"name": str(cert.get("name")), "hosts": hosts or "its host names",
                    "expired": expires.date().isoformat()}
    return None


def reference_identity_not_chosen(state: SessionState) -> dict[str, str] | None:
    """An app whose identities are user-assigned only while its Key Vault references still use the system identity
    (keyVaultReferenceIdentity unset or SystemAssigned), and a reference that does not resolve."""
    failed = _key_vault_reference(state, ("AccessToKeyVaultDenied", "MSINotEnabled", "ManagedIdentityNotFound"))
    for site in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$") if failed else []:
        kinds = str((site.get("identity") or {}).get("type") or "")
        chosen = str(site.get("keyVaultReferenceIdentity") or "SystemAssigned")
        if "UserAssigned" in kinds and "SystemAssigned" not in kinds and chosen == "SystemAssigned":
            return {**(failed or {}), "app": str(site.get("name")), "chosen": chosen}
    return None


_DISABLED_FUNCTION = re.compile(r"(?i)^AzureWebJobs\.(?P<function>[^.]+)\.Disabled$")


def function_disabled_by_setting(state: SessionState) -> dict[str, str] | None:
    """An AzureWebJobs.<function>.Disabled setting among the app's setting names: the one whose function the report
    names, else the only one (its value is not read: the finding says so)."""
    found = [m for n in read_setting_names(state) or [] if (m := _DISABLED_FUNCTION.match(n))]
    said = said_by_client(state)
    named = [m for m in found if is_mentioned(m.group("function"), said)]
    chosen = named or (found if len(found) == 1 else [])
    return {"function": chosen[0].group("function"), "setting": chosen[0].group(0)} if chosen else None


# an identity-based connection's settings (<CONNECTION>__fullyQualifiedNamespace and the like), and the settings that
# give it a credential of its own (a service principal's secret or certificate needs no managed identity)
# (not a bare __endpoint: ASP.NET configuration sections nest with __ too, "OpenAI__Endpoint" next to its key)
_IDENTITY_CONNECTION = re.compile(r"(?i)^(?P<connection>[\w.:-]+?)__(?:accountName|fullyQualifiedNamespace|serviceUri|"
                                  r"blobServiceUri|queueServiceUri|tableServiceUri|accountEndpoint)$")


_OWN_CREDENTIAL = r"(?i)^{connection}__(?:clientSecret|certificate|tenantId)$"


def identity_connection_without_identity(state: SessionState) -> dict[str, str] | None:
    """An app whose settings make an identity-based connection (a name ending in __fullyQualifiedNamespace,
    __accountName, __serviceUri...) while the app read has no managed identity at all."""
    names = read_setting_names(state) or []
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$")
    if not names or not sites:
        return None
    identity = sites[0].get("identity")
    kind = str(identity.get("type") or "") if isinstance(identity, dict) else ""
    if kind and kind.lower() != "none":
        return None
    for name in names:
        found = _IDENTITY_CONNECTION.match(name)
        if found and not any(re.match(_OWN_CREDENTIAL.format(connection=re.escape(found.group("connection"))), n)
                             for n in names):
            return {"app": str(sites[0].get("name")), "setting": name, "connection": found.group("connection")}
    return None


# the client id is then an app registration's, used with its own secret, certificate or federated token
_APP_REGISTRATION = {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"}


def client_id_not_assigned(state: SessionState) -> dict[str, str] | None:
    """An app setting that names the user-assigned identity to ask tokens for (AZURE_CLIENT_ID, <connection>__clientId)
    by a client id that none of the app's user-assigned identities has: the platform has no such identity to give
    (App Service answers 400 "Unable to load the proper Managed Identity"), typically after the identity was swapped."""
    listed = latest(state, "list_app_setting_names")
    ids = listed.data.get("client_ids") or {} if listed is not None and listed.status == "success" else {}
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$")
    identity = sites[0].get("identity") if sites else None
    assigned = [u for u in (identity or {}).get("userAssigned") or [] if isinstance(u, dict)]
    known = {str(u.get("clientId") or "").lower() for u in assigned}
    names = [str(n) for n in (listed.data.get("names") if listed is not None else None) or []]
    if not ids or not assigned or "" in known or {n.upper() for n in names} & _APP_REGISTRATION:
        return None  # no client id named, the app's identities read without their client ids, or an app registration
    for name, guid in ids.items():
        if guid not in known and not _own_secret(name, names):
            return {"app": str(sites[0].get("name")), "setting": name, "client_id": guid,
                    "assigned": ", ".join(f"{str(u.get('id')).rsplit('/', 1)[-1]} (client id {u.get('clientId')})"
                                          for u in assigned)}
    return None


# a setting that names the user-assigned identity to use (AZURE_CLIENT_ID, <connection>__clientId, *_CLIENT_ID)
_CLIENT_ID_NAME = re.compile(r"(?i)(?:^|_)CLIENT_?ID$")
# code that picks a user-assigned identity itself (its client id, object id or resource id in the credential's
# options), so no setting is needed for it
_CODE_PICKS_IDENTITY = re.compile(
    r"(?i)managed_?identity_?client_?id|ManagedIdentityId\.|FromUserAssigned|\.clientId\(|\bclient_id\s*=|"
    r"ManagedIdentityCredential\(\s*(?:\{\s*)?(?:clientId|resourceId|objectId|client_id|[\"'][0-9a-f]{8}-)|"
    r"\b(?:clientId|resourceId|objectId)\s*:")


def user_assigned_without_client_id(state: SessionState) -> dict[str, str] | None:
    """An app whose only identities are user-assigned, while no app setting names one of them (no AZURE_CLIENT_ID,
    no <connection>__clientId) and the code does not pick one: a credential given no client id asks the platform
    for the system-assigned identity, which the app does not have, so no token is issued."""
    found = _user_assigned_only(state)
    if found is None:
        return None
    app, assigned, names = found
    code = "\n".join([*state.material.spoken(), *(f.content for f in state.material.files)])
    if any(_CLIENT_ID_NAME.search(n) for n in names) or _CODE_PICKS_IDENTITY.search(code):
        return None
    return {"app": app, **_identities(assigned)}


def _user_assigned_only(state: SessionState) -> tuple[str, list[dict[str, Any]], list[str]] | None:
    """(app name, its user-assigned identities, its setting names) when the app read has only user-assigned
    identities and its setting names were read; else None."""
    names = read_setting_names(state)
    sites = reads_of_type(state, SITES)
    identity = (sites[0].get("identity") if sites else None) or {}
    if names is None or str(identity.get("type") or "").replace(" ", "").lower() != "userassigned":
        return None
    assigned = [u for u in identity.get("userAssigned") or [] if isinstance(u, dict)]
    return (str(sites[0].get("name")), assigned, list(names)) if assigned else None


def _identities(assigned: list[dict[str, Any]]) -> dict[str, str]:
    """The first user-assigned identity's name and client id, and the names of all of them."""
    first = assigned[0]
    return {"identity": str(first.get("id") or "").rsplit("/", 1)[-1],
            "client_id": str(first.get("clientId") or "<client-id>"),
            "assigned": ", ".join(str(u.get("id") or "").rsplit("/", 1)[-1] for u in assigned)}


def connection_without_client_id(state: SessionState) -> dict[str, str] | None:
    """An app whose only identities are user-assigned and whose identity-based connection (AzureWebJobsStorage__
    accountName, X__serviceUri...) names no client id of its own (no X__clientId or X__managedIdentityResourceId)
    while another connection does: the Functions host builds that connection with the system-assigned identity,
    which the app does not have. (An app where no setting names any client id is user_assigned_without_client_id.)"""
    found = _user_assigned_only(state)
    if found is None:
        return None
    app, assigned, names = found
    if any(n.upper() == "AZURE_CLIENT_ID" for n in names):
        return None
    lowered = {n.lower() for n in names}
    connections = [m.group("connection") for m in map(_IDENTITY_CONNECTION.match, names) if m]
    lacking = [c for c in dict.fromkeys(connections) if not {f"{c}__clientid".lower(),
               f"{c}__managedidentityresourceid".lower()} & lowered and not _own_secret(f"{c}__clientId", names)]
    named = [n for n in names if re.match(r"(?i)^[\w.:-]+__clientId$", n)]
    if not lacking or not named:
        return None
    connection = next((c for c in lacking if c.lower() == "azurewebjobsstorage"), lacking[0])
    return {"app": app, "connection": connection, "named": named[0], **_identities(assigned)}


_OPENED_THUMBPRINT = re.compile(r"(?i)/var/ssl/private/(?P<path>[0-9a-f]{40})\.p12|"
                                r"thumbprint[^\n]{0,40}?\b(?P<said>[0-9a-f]{40})\b")


def certificate_not_in_load_list(state: SessionState) -> dict[str, str] | None:
    """The certificate the code opens (a /var/ssl/private/<thumbprint>.p12 path, a thumbprint it looks up) is not
    among the thumbprints WEBSITE_LOAD_CERTIFICATES lists (and the list is not *): App Service does not make that
    certificate available to the code, typically after a renewal changed the thumbprint."""
    listed = latest(state, "list_app_setting_names")
    loaded = [str(t).upper() for t in (listed.data.get("loaded_certificates") or [])] if listed is not None else []
    if not loaded or "*" in loaded:
        return None
    for found in _OPENED_THUMBPRINT.finditer("\n".join(state.material.spoken())):
        thumbprint = (found.group("path") or found.group("said")).upper()
        if thumbprint not in loaded:
            sites = reads_of_type(state, SITES)
            return {"app": str(sites[0].get("name")) if sites else "the app", "thumbprint": thumbprint,
                    "loaded": ", ".join(loaded)}
    return None


def _own_secret(setting: str, names: list[str]) -> bool:
    """A <connection>__clientId whose connection also has a client secret or certificate: an app registration's id."""
    connection = setting.rsplit("__", 1)[0] if "__" in setting else None
    return connection is not None and any(re.match(_OWN_CREDENTIAL.format(connection=re.escape(connection)), n)
                                          for n in names)


def _key_vault_reference(state: SessionState, statuses: tuple[str, ...]) -> dict[str, str] | None:
    """The first of the app's Key Vault references (config/configreferences/appsettings) whose status is one of
    `statuses`: App Service's own verdict on why the reference did not resolve."""
    for evidence in reversed(state.ledger):
        if evidence.tool != "get_resource" or evidence.status != "success":
            continue
        for reference in evidence.data.get("references") or []:
            if isinstance(reference, dict) and str(reference.get("status") or "") in statuses:
                identity = reference.get("identityType") or {}
                return {"setting": str(reference.get("name") or ""), "status": str(reference.get("status")),
                        "vault": str(reference.get("vaultName") or "the vault"),
                        "secret": str(reference.get("secretName") or "the secret"),
                        "identity": str(identity.get("type") if isinstance(identity, dict) else identity or ""),
                        **_slot_of(str(evidence.arguments.get("resource_id") or ""))}
    return None


_SLOT = re.compile(r"(?i)/sites/(?P<app>[^/]+)/slots/(?P<slot>[^/]+)/")


def _slot_of(resource_id: str) -> dict[str, str]:
    """The deployment slot whose references were read, if the read was a slot's: a slot has its own managed
    identity, so a vault that admits the production app's identity does not admit the slot's."""
    found = _SLOT.search(resource_id)
    return {"slot": found.group("slot"), "slot_app": found.group("app")} if found else {}


_FORBIDDEN = re.compile(r"(?i)\b403\b|forbidden")


def access_restrictions_deny(state: SessionState) -> dict[str, str] | None:
    """The app's access restrictions deny by default (config/web), and the report or the app's logs show 403s."""
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config$"):
        if not denies_by_default(config):
            continue
        if not any(_FORBIDDEN.search(text) for text in said_or_logged(state)):
            return None
        return {"name": _site_of_config(config), "allowed": allowed_by_restrictions(config)}
    return None


def _site_of_config(config: dict[str, Any]) -> str:
    """The app a sites/config read belongs to: its id names the site; its own name is the config's ("web")."""
    site = re.search(r"(?i)/sites/([^/]+)/config\b", str(config.get("id") or ""))
    return site.group(1) if site else str(config.get("name") or "the app")


_PINGED = re.compile(r"(?i)didn'?t respond to HTTP pings on port:?\s*(\d{2,5})")
# a docker run line of one of App Service's own Linux images: code deployed to a built-in stack
_BUILT_IN_IMAGE = re.compile(r"(?i)docker run [^\n]*?\s(?:mcr\.microsoft\.com/)?(?:appsvc|oryx)/|"
                             # or the client's words: a built-in stack named (Node 20 LTS built-in stack, NODE|20-lts),
                             # or no container of their own ("no docker", "we don't use docker")
                             r"\bbuilt-?in (?:[\w.|-]+ ){0,4}(?:stack|image|runtime)\b|"
                             r"\b(?:NODE|PYTHON|PHP|DOTNETCORE|JAVA|TOMCAT|RUBY)\|\d|"
                             r"\b(?:no|not (?:a|in a|using)|without|(?:don'?t|do not|never) use) "
                             r"(?:docker|(?:custom )?containers?)\b")
# a custom container named by the site's stack, the image's registry or the client's words
_CUSTOM_IMAGE = re.compile(r"(?i)\b(?:DOCKER|COMPOSE)\||docker run [^\n]*?\s[\w-]+\.azurecr\.io/|web app for "
                           r"containers|custom[ -]containers?\b|docker[ -]compose|\bDockerfile\b|"
                           r"\bdocker\b(?! logs?\b)")

# the port a custom image serves on when no log line says it: the Dockerfile's EXPOSE, or the container port of the
# client's own docker run -p (App Service's docker run line, with its WEBSITE_ variables, maps the pinged port)
_IMAGE_PORT = re.compile(r"(?m)\bEXPOSE\s+(\d{2,5})\b|"  # the Dockerfile instruction, upper case as written
                         r"^(?!.*WEBSITE_).*?\b[Dd]ocker run\b[^\n]*?\s-p\s*(?:[\d.]+:)?\d{2,5}:(\d{2,5})\b")


_PACKAGE_MAIN = re.compile(r'"main"\s*:\s*"(?P<main>[^"]+)"')
_TS_OUT_DIR = re.compile(r'"outDir"\s*:\s*"(?P<out>[^"]+)"')


def _top_folder(path: str) -> str:
    """The first folder of a relative path ("./dist/src/x.js" gives dist), lower-cased; empty for a bare file."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    return parts[0].lower() if len(parts) > 1 else ""


def node_main_outside_out_dir(state: SessionState) -> dict[str, str] | None:
    """A Node.js (v4 model) TypeScript app whose package.json `main` names files under one folder while tsconfig
    compiles into another (outDir): the host loads the functions from `main`, where no compiled file exists. The
    folders are compared, so `dist/src/functions/*.js` under an outDir of `dist` is consistent."""
    text = "\n".join(said_or_logged(state))
    main, out = _PACKAGE_MAIN.search(text), _TS_OUT_DIR.search(text)
    if main is None or out is None or not main.group("main").lower().endswith((".js", ".mjs", ".cjs")):
        return None
    main_folder = _top_folder(main.group("main"))
    out_folder = _top_folder(out.group("out").rstrip("/") + "/x.js")
    if not main_folder or not out_folder or main_folder == out_folder:
        return None
    return {"main": main.group("main"), "out_dir": out.group("out"), "main_folder": main_folder,
            "out_folder": out_folder}


def app_port_not_listened(state: SessionState) -> dict[str, str] | None:
    """An app on a built-in Linux stack that App Service pinged on one port while its code says it listens on
    another: the code must listen on the PORT it is given."""
    found = _pinged_port_not_listened(state)
    return found[0] if found is not None and not found[1] else None


def container_port_not_set(state: SessionState) -> dict[str, str] | None:
    """A custom container that App Service pinged on one port while its log says it listens on another: the app
    lacks WEBSITES_PORT (or it names another port)."""
    found = _pinged_port_not_listened(state)
    return found[0] if found is not None and found[1] else None


def _pinged_port_not_listened(state: SessionState) -> tuple[dict[str, str], bool] | None:
    """The port App Service pinged and the other port the app's own lines say it listens on, and whether the app is
    a custom container (the site's stack when read, else the docker run line's image, else the client's words)."""
    said = said_or_logged(state)
    pinged = next((m.group(1) for text in said for m in [_PINGED.search(text)] if m), None)
    if pinged is None:
        return None
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), {})
    stack = str((site.get("siteConfig") or {}).get("linuxFxVersion") or "")
    if stack:
        custom = stack.upper().startswith(("DOCKER|", "COMPOSE|"))
    else:
        stated = [*said, " ".join(state.material.technologies()), str(state.material.environment.get("stack") or "")]
        custom = not any(_BUILT_IN_IMAGE.search(t) for t in stated) and any(_CUSTOM_IMAGE.search(t) for t in stated)
    ports = _ports_of(said, LISTENING) or (_ports_of(said, _IMAGE_PORT) if custom else [])
    if not ports or pinged in ports:
        return None
    return {"pinged": pinged, "listening": ports[0], "app": str(site.get("name") or "<app>"),
            "stack": stack or "its runtime stack"}, custom


def _ports_of(texts: list[str], pattern: re.Pattern[str]) -> list[str]:
    return sorted({g for text in texts for m in pattern.finditer(text) for g in m.groups() if g})


def scale_monitoring_off(state: SessionState) -> dict[str, str] | None:
    """An Elastic Premium function app with runtime scale monitoring off whose trigger source (a Service Bus, Event
    Hubs or storage account it reads) accepts only private traffic: the scale controller cannot see its backlog."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/config)?$")
    flags = [(s.get("siteConfig") or s).get("functionsRuntimeScaleMonitoringEnabled") for s in sites]
    app = next((a for a in sites if str(a.get("type")).lower() == "microsoft.web/sites"
                and (re.search(r"(?i)elastic", str(a.get("sku") or ""))
                     or int((a.get("siteConfig") or {}).get("minimumElasticInstanceCount") or 0) >= 1)), None)
    source = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.(?:ServiceBus|EventHub|Storage)/")
                   if str(r.get("publicNetworkAccess")) == "Disabled"
                   or str((r.get("networkAcls") or {}).get("defaultAction")) == "Deny"), None)
    if False not in flags or True in flags or app is None or source is None:
        return None
    return {"app": str(app.get("name")), "source": str(source.get("name"))}


_HOST_STORAGE_KEYED = ("azurewebjobsstorage", "website_contentazurefileconnectionstring")


def host_storage_needs_shared_key(state: SessionState) -> dict[str, str] | None:
    """A function app whose host storage is a connection string (AzureWebJobsStorage, or the content share's
    WEBSITE_CONTENTAZUREFILECONNECTIONSTRING, which takes no identity) while a storage account read refuses Shared
    Key: the one the report names, else the first."""
    listed = latest(state, "list_app_setting_names")
    names = {str(n).lower(): str(n) for n in (listed.data.get("names") or [] if listed is not None else [])}
    keyed = [names[n] for n in _HOST_STORAGE_KEYED if n in names]
    refusing = [a for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")
                if a.get("allowSharedKeyAccess") is False and a.get("name")]
    named = [a for a in refusing if is_mentioned(str(a["name"]), said_by_client(state))]
    chosen = (named or refusing)[:1]
    return {"name": str(chosen[0]["name"]), "setting": keyed[0]} if keyed and chosen else None


_CONTENT_SHARE = ("website_contentshare", "website_contentazurefileconnectionstring")


def content_share_not_over_vnet(state: SessionState) -> dict[str, str] | None:
    """A VNet-integrated function app with a content share (Consumption / Elastic Premium) that is not mounted through
    the virtual network (vnetContentShareEnabled off, no WEBSITE_CONTENTOVERVNET setting), while a storage account read
    denies by default: the share is mounted from outside the VNet, so the account's subnet rules never admit it."""
    listed = latest(state, "list_app_setting_names")
    names = {str(n).lower() for n in (listed.data.get("names") or [] if listed is not None else [])}
    if not names & set(_CONTENT_SHARE) or "website_contentovervnet" in names:
        return None
    apps = [a for a in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
            if "functionapp" in str(a.get("kind") or "").lower() and a.get("virtualNetworkSubnetId")
            and a.get("vnetContentShareEnabled") is not True]
    denying = [a for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")
               if str((a.get("networkAcls") or {}).get("defaultAction") or "").lower() == "deny" and a.get("name")]
    named = [a for a in denying if is_mentioned(str(a["name"]), said_by_client(state))]
    chosen = (named or denying)[:1]
    if not apps or not chosen:
        return None
    return {"name": str(chosen[0]["name"]), "app": str(apps[0].get("name")),
            "subnet": last_segment(str(apps[0]["virtualNetworkSubnetId"]))}


_SLOT_CONFIG_NAMES = re.compile(
    r"(?i)^(?P<site>/subscriptions/.+/providers/Microsoft\.Web/sites/[^/]+)/config/slotConfigNames/?$")


def _sticky_setting_names(state: SessionState) -> tuple[str, list[str]] | None:
    """The production app's config/slotConfigNames read: its id and the app settings marked as deployment slot
    settings (they stay with their slot on a swap: production keeps its own value, or none)."""
    for entry in reversed(state.ledger):
        if entry.tool != "get_resource" or entry.status != "success":
            continue
        match = _SLOT_CONFIG_NAMES.match(str(entry.arguments.get("resource_id") or ""))
        names = entry.data.get("slotAppSettingNames")
        if match and isinstance(names, list):
            return match.group("site"), [str(n) for n in names if n]
    return None


def sticky_content_share(state: SessionState) -> Facts:
    """A function app whose content-share settings (WEBSITE_CONTENTSHARE, WEBSITE_CONTENTAZUREFILECONNECTIONSTRING)
    are marked as deployment slot settings: the Functions guidance forbids it, a swap then breaks the app."""
    found = _sticky_setting_names(state)
    if found is None:
        return None
    site, names = found
    content = [n for n in names if n.lower() in _CONTENT_SHARE]
    apps = [a for a in reads_of_type(state, SITES) if str(a.get("id") or "").lower() == site.lower()
            and "functionapp" in str(a.get("kind") or "").lower()]
    if not content or not apps:
        return None
    return {"app": last_segment(site), "settings": ", ".join(content)}


def sticky_setting_missing(state: SessionState) -> Facts:
    """A setting marked as a deployment slot setting that the production app's own settings (read whole) lack: it
    was added to the other slot only, and being sticky it stayed there when the code was swapped in."""
    found = _sticky_setting_names(state)
    if found is None:
        return None
    site, names = found
    listed = next((e for e in reversed(state.ledger) if e.tool == "list_app_setting_names"
                   and str(e.arguments.get("site_id") or "").lower() == site.lower()), None)
    if listed is None or listed.status != "success" or listed.data.get("truncated") or "names" not in listed.data:
        return None
    present = {str(n).lower() for n in listed.data.get("names") or []}
    missing = [n for n in names if n.lower() not in present and n.lower() not in _CONTENT_SHARE]
    if not missing:
        return None
    named = [n for n in missing if is_mentioned(n, said_by_client(state))]
    return {"app": last_segment(site), "setting": (named or missing)[0], "sticky": ", ".join(names)}


def plan_at_max_instances(state: SessionState) -> dict[str, str] | None:
    """An App Service plan read whose current instance count has reached the most its tier allows."""
    for plan in reads_of_type(state, r"(?i)^Microsoft\.Web/serverFarms$"):
        workers, most = plan.get("numberOfWorkers"), plan.get("maximumNumberOfWorkers")
        if isinstance(workers, int) and isinstance(most, int) and most > 0 and workers >= most:
            sku = plan.get("sku")
            tier = (sku.get("tier") or sku.get("name")) if isinstance(sku, dict) else None
            return {"plan": str(plan.get("name")), "workers": str(workers), "most": str(most),
                    "tier": str(tier or "its")}
    return None


_HOSTNAME_TAKEN = re.compile(r"(?i)\bhost ?name '?(?P<host>[a-z0-9][a-z0-9.-]*\.[a-z]{2,})'? "
                             r"(?:already exists|is already (?:bound|assigned|in use|used))")


def hostname_bound_to_other_app(state: SessionState) -> dict[str, str] | None:
    """The custom host name the report says already exists (App Service refused to add it) is among the host names of
    another app read in Azure (a site or slot other than the one the client adds it to): that app still holds the
    binding. A host name that no other app read holds says nothing."""
    said = said_in_report(state)
    hosts = {m.group("host").lower().rstrip(".") for m in _HOSTNAME_TAKEN.finditer(said)}
    if not hosts:
        return None
    for site in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$"):
        names = {str(h).lower() for h in (site.get("hostNames") or []) if isinstance(h, str)}
        held = sorted(hosts & names)
        name = str(site.get("name") or "")
        if held and name and not is_mentioned(name, _adding_to(said)):
            return {"holder": name, "hostname": held[0], "holder_state": str(site.get("state") or "unknown"),
                    "holder_id": str(site.get("id") or "")}
    return None


def _adding_to(said: str) -> str:
    """The words that name the app the client adds the host name to (`--webapp-name X`, `-n X`, "onto the new app
    X"): an app so named is the target, not the holder."""
    named = re.findall(r"(?i)(?:--(?:webapp-)?name|--app|-n)\s+([\w-]+)", said)
    return " ".join(named)


_CORS_BLOCKED = re.compile(r"(?i)from origin '(?P<origin>https?://[^'\s]+)' has been blocked by CORS policy")


def cors_origin_not_allowed(state: SessionState) -> dict[str, str] | None:
    """A browser origin that the report says CORS blocked, missing from the platform CORS allow-list of the app
    read (App Service config/web cors, or a container app's ingress corsPolicy), which is not a wildcard."""
    origins = [m.group("origin").rstrip("/").lower() for text in said_or_logged(state)
               for m in _CORS_BLOCKED.finditer(text)]
    if not origins:
        return None
    configs = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$")
    lists = [(str(c.get("name") or "the app"), (c.get("cors") or {}).get("allowedOrigins"))
             for c in configs if isinstance(c.get("cors"), dict)]
    lists += [(str(a.get("name")), ((a.get("ingress") or {}).get("corsPolicy") or {}).get("allowedOrigins"))
              for a in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$")]
    for name, allowed in lists:
        entries = [str(o).rstrip("/").lower() for o in allowed or []]
        if entries and "*" not in entries and origins[0] not in entries:
            return {"name": name, "origin": origins[0], "allowed": ", ".join(entries[:6])}
    return None


_FRAMEWORK_WANTED = re.compile(
    r"(?i)framework[: ]+'?Microsoft\.(?:NETCore|AspNetCore|WindowsDesktop)\.App'?,?\s+version[: ]+'?(\d+)\.\d+"
    r"|(?:install|update) \.NET[^\n]{0,80}?\bversion[: ]+'?(\d+)\.\d+")


_STACK = re.compile(r"(?i)^(?:DOTNETCORE|DOTNET)\|(\d+)(?:\.\d+)?$|^v(\d+)\.\d+$")


def dotnet_runtime_older(state: SessionState) -> Facts:
    """The .NET major version a start-up error asks for, above the one the app's runtime stack gives it
    (linuxFxVersion DOTNETCORE|x on Linux, netFrameworkVersion vx.0 on Windows)."""
    texts = state.material.spoken()
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


# the calling application's id as a decoded token (jwt.ms, a log line) shows it: appid (v1 tokens) or azp (v2)
_TOKEN_APP_ID = re.compile(r"(?i)\b(?:appid|azp)\b\W{0,4}"
                           r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b")


def easy_auth_caller_not_allowed(state: SessionState) -> Facts:
    """App Service authentication's built-in policy admits only the client applications it lists (allowedApplications),
    and the calling token the report decodes carries an application id that is not among them."""
    auth = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$")
                 if isinstance(r.get("authAllowedApplications"), list) and r.get("authAllowedApplications")), None)
    if auth is None or auth.get("authEnabled") is False:
        return None
    allowed = [str(a).lower() for a in auth["authAllowedApplications"]]
    callers = {m.group(1).lower() for t in state.material.spoken() for m in _TOKEN_APP_ID.finditer(t)}
    refused = sorted(callers - set(allowed))
    if len(callers) != 1 or not refused:  # no decoded caller, several (which one failed?), or the caller is listed
        return None
    site = re.search(r"(?i)/sites/([^/]+)", str(auth.get("id") or ""))
    return {"app": site.group(1) if site else str(auth.get("name")), "appid": refused[0], "allowed": ", ".join(allowed)}


_SLOTS = r"(?i)^Microsoft\.Web/sites/slots$"


def reference_identity_not_assigned(state: SessionState) -> Facts:
    """An app whose keyVaultReferenceIdentity names a user-assigned identity the app does not have (removed from the
    app, or deleted and created again under another id)."""
    for site in reads_of_type(state, SITES):
        chosen = str(site.get("keyVaultReferenceIdentity") or "")
        if "/userassignedidentities/" not in chosen.lower():
            continue
        identity: dict[str, Any] = site["identity"] if isinstance(site.get("identity"), dict) else {}
        assigned = [str(u.get("id") or "") for u in identity.get("userAssigned") or [] if isinstance(u, dict)]
        if chosen.lower() not in {a.lower() for a in assigned}:
            return {"app": str(site.get("name")), "chosen": last_segment(chosen),
                    "assigned": ", ".join(last_segment(a) for a in assigned) or "none"}
    return None


def slot_without_identity(state: SessionState) -> Facts:
    """A deployment slot without the managed identity the production app has (identities are not swapped or copied
    to slots: each slot has its own)."""
    production = next((s for s in reads_of_type(state, SITES)
                       if str((s.get("identity") or {}).get("type") or "None") != "None"), None)
    if production is None:
        return None
    slots = [{**slot, "name": last_segment(slot.get("name"))} for slot in items_of(state, _SLOTS, "slots")]
    bare = [s for s in slots if str(s.get("identity.type") or "None") == "None"]
    chosen = chosen_item(state, bare)
    if chosen is None:
        return None
    return {"app": str(production.get("name")), "slot": str(chosen.get("name")),
            "kind": str((production.get("identity") or {}).get("type"))}


def slot_identity_not_in_access_policies(state: SessionState) -> Facts:
    """A deployment slot with its own managed identity, and a Key Vault read in the access-policy model whose policies
    name the production app's identity but not the slot's (a slot's principal id is its own: granting production does
    not grant the slot)."""
    production = {str((s.get("identity") or {}).get("principalId") or "").lower(): str(s.get("name"))
                  for s in reads_of_type(state, SITES)}
    production.pop("", None)
    slots = [{**slot, "name": last_segment(slot.get("name"))} for slot in items_of(state, _SLOTS, "slots")]
    slots += [{**slot, "name": last_segment(slot.get("name"))} for slot in reads_of_type(state, _SLOTS)]
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        if vault.get("enableRbacAuthorization") is True:
            continue
        granted = {str(p.get("objectId") or "").lower() for p in vault.get("accessPolicies") or []
                   if isinstance(p, dict)}
        apps = [production[g] for g in granted if g in production]
        if not apps:
            continue
        lacking = [s for s in slots if (principal := str(s.get("identity.principalId")
                                                          or (s.get("identity") or {}).get("principalId") or ""))
                   and principal.lower() not in granted]
        chosen = chosen_item(state, lacking)
        if chosen is not None:
            principal = str(chosen.get("identity.principalId") or (chosen.get("identity") or {}).get("principalId"))
            return {"app": apps[0], "slot": str(chosen.get("name")), "principal": principal,
                    "vault": str(vault.get("name"))}
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
    said = said_in_report(state)
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


# The resource type an Azure host names, by the host's domain (a setting's target: list_app_setting_names "targets")
_HOST_TYPES = (
    (r"\.servicebus\.windows\.net$", r"(?i)^Microsoft\.(?:ServiceBus|EventHub)/namespaces$", "namespace"),
    (r"\.vault\.azure\.net(?:/|$)", r"(?i)^Microsoft\.KeyVault/vaults$", "key vault"),
    (r"\.database\.windows\.net$", r"(?i)^Microsoft\.Sql/servers$", "SQL server"),
    (r"\.postgres\.database\.azure\.com$", r"(?i)^Microsoft\.DBforPostgreSQL/", "PostgreSQL server"),
    (r"\.mysql\.database\.azure\.com$", r"(?i)^Microsoft\.DBforMySQL/", "MySQL server"),
    (r"\.documents\.azure\.com$", r"(?i)^Microsoft\.DocumentDB/databaseAccounts$", "Cosmos DB account"),
    (r"\.(?:blob|queue|table|file|dfs)\.core\.windows\.net$| \(storage account\)$",
     r"(?i)^Microsoft\.Storage/storageAccounts$", "storage account"),
    (r"\.redis\.cache\.windows\.net$|\.redis\.azure\.net$", r"(?i)^Microsoft\.Cache/", "cache"),
    (r"\.(?:openai|cognitiveservices)\.azure\.com$", r"(?i)^Microsoft\.CognitiveServices/accounts$", "AI account"),
    (r"\.azconfig\.io$", r"(?i)^Microsoft\.AppConfiguration/configurationStores$", "App Configuration store"),
    (r"\.search\.windows\.net$", r"(?i)^Microsoft\.Search/searchServices$", "search service"),
)
# words that tell environments or generations of one resource apart (sb-orders-dev, sb-orders-prod, kv-app-02)
_ENVIRONMENT_WORD = re.compile(r"(?i)(?<![a-z])(?:dev|devel|test|tst|qa|uat|stg|stage|staging|prod|prd|production|"
                               r"preprod|sandbox|sbx|old|new|legacy|demo|perf|dr|primary|secondary)(?![a-z])|\d+")


def _stem(name: str) -> str:
    return re.sub(r"[-_.]", "", _ENVIRONMENT_WORD.sub("", name.lower()))


def _siblings(pointed: str, names: list[str], misspelt_too: bool) -> list[str]:
    """The names that differ from the pointed one only by an environment or generation word or, where a name that
    is not found cannot be another environment's resource (a vault reference), by one mistyped character."""
    same = [n for n in names if _stem(n) == _stem(pointed)]
    if same or not misspelt_too or len(pointed) < 6:  # a short name one edit from another is chance, not a typo
        return same
    return [n for n in names if one_edit_apart(n, pointed)]


def setting_points_at_sibling(state: SessionState, vault_reference: bool) -> Facts:
    """A setting that points at a resource which is not in the app's resource group, while the group holds one
    resource of the same type whose name differs only by an environment or generation word (sb-orders-dev where the
    group has sb-orders-prod; kv-billing where it has kv-billing-02): the app reaches the other environment's
    resource, or one that was replaced."""
    listed = latest(state, "list_app_setting_names")
    targets = (listed.data.get("targets") or {}) if listed is not None and listed.status == "success" else {}
    group = [r for e in state.ledger if e.tool == "list_resources_in_group" and e.status == "success"
             for r in e.data.get("resources") or [] if isinstance(r, dict) and r.get("name")]
    for setting, target in sorted(targets.items()):
        if ("/secrets/" in str(target)) != vault_reference:
            continue
        pointed = re.split(r"[. ]", str(target), maxsplit=1)[0]
        kind = next(((t, label) for host, t, label in _HOST_TYPES if re.search(host, str(target))), None)
        if kind is None or not _stem(pointed):
            continue
        same_type = [r for r in group if re.search(kind[0], str(r.get("type") or ""))]
        if any(str(r["name"]).lower() == pointed for r in same_type):
            continue
        siblings = _siblings(pointed, [str(r["name"]) for r in same_type], misspelt_too=vault_reference)
        if len(siblings) == 1:
            secret = str(target).split("/secrets/", 1)[1] if vault_reference else ""
            status = _key_vault_reference(state, ("VaultNotFound", "SecretNotFound", "AccessToKeyVaultDenied",
                                                  "OtherReasons")) if vault_reference else None
            return {"setting": str(setting), "pointed": pointed, "sibling": siblings[0], "kind": kind[1],
                    "target": str(target), "secret": secret, **({"status": status["status"]} if status else {})}
    return None


def setting_points_at_deleted(state: SessionState) -> Facts:
    """A setting that points at a resource the activity log shows deleted (a successful delete of that type and name)
    while the group holds its replacement (the same name but for an environment or generation word, st-app-01 for
    st-app-02): the app still names the removed one instead of the one that exists. Without a replacement,
    function-host-storage-deleted and the deleted-entity findings answer."""
    listed = latest(state, "list_app_setting_names")
    targets = (listed.data.get("targets") or {}) if listed is not None and listed.status == "success" else {}
    group = [r for e in state.ledger if e.tool == "list_resources_in_group" and e.status == "success"
             for r in e.data.get("resources") or [] if isinstance(r, dict) and r.get("name")]
    deletes = [e for e in succeeded_events(state) if str(e.get("operation") or "").lower().endswith("/delete")]
    for setting, target in sorted(targets.items()):
        pointed = re.split(r"[. ]", str(target), maxsplit=1)[0].lower()
        kind = next(((t, label) for host, t, label in _HOST_TYPES if re.search(host, str(target))), None)
        if kind is None or not pointed or "/secrets/" in str(target):
            continue  # a Key Vault reference is answered with App Service's own status of it (VaultNotFound...)
        for event in deletes:
            resource_id = str(event.get("resource_id") or "")
            parts = resource_id.split("/providers/")[-1].split("/")
            if len(parts) != 3 or last_segment(resource_id).lower() != pointed or \
                    not re.search(kind[0], "/".join(parts[:2])):
                continue
            same_type = sorted(str(r["name"]) for r in group if re.search(kind[0], str(r.get("type") or ""))
                               and str(r["name"]).lower() != pointed)
            others = _siblings(pointed, same_type, False)
            if not others:
                continue  # nothing replaced it: the deleted resource is the answer (function-host-storage-deleted)
            return {"setting": str(setting), "pointed": last_segment(resource_id), "kind": kind[1],
                    "existing": ", ".join(others[:3]),
                    "target": str(target), "time": str(event.get("time") or event.get("timestamp") or ""),
                    "caller": str(event.get("caller") or "someone")}
    return None


def colon_setting_on_linux(state: SessionState) -> Facts:
    """A setting whose name holds ':' (an ASP.NET Core nested key) on a Linux app, where such names do not reach the
    app: Linux app settings take letters, digits and '_' only, nested keys are written with '__'."""
    names = read_setting_names(state) or []
    colon = [n for n in names if ":" in n]
    linux = any("linux" in str(site.get("kind") or "").lower() for site in reads_of_type(state, SITES))
    if not colon or not linux:
        return None
    mentioned = [n for n in colon if is_mentioned(n.split(":")[-1], said_in_report(state))]
    name = (mentioned or colon)[0]
    return {"setting": name, "fixed": name.replace(":", "__"), "others": ", ".join(n for n in colon if n != name)}


# a setting the report names as unresolved or missing: @appsetting('X') of a Logic Apps parameter, "the app setting
# 'X' ... not found / could not be resolved / is missing", "environment variable 'X' is not set"
_NAMED_SETTING = re.compile(
    r"(?i)@appsetting\('(?P<a>[\w.:-]{2,80})'\)"
    r"|\bapp ?setting '(?P<b>[\w.:-]{2,80})'[^.\n]{0,80}(?:not (?:be )?(?:found|resolved|defined|set|exist)|could not"
    r"|missing|empty)|\benvironment variable '(?P<c>[\w.:-]{2,80})'[^.\n]{0,40}(?:not (?:set|found|defined)|missing"
    r"|is empty)")


def setting_named_missing(state: SessionState) -> Facts:
    """A setting the report names as unresolved or missing, which the app's settings read in Azure indeed lack."""
    names = read_setting_names(state)
    if names is None:
        return None
    for match in _NAMED_SETTING.finditer(state.material.spoken_text(" ")):
        name = next(g for g in match.groups() if g)
        if not setting_defined(name, names):
            return {"setting": name, "count": str(len(names))}
    return None


def setting_sas_expired(state: SessionState) -> Facts:
    """An app setting holding a shared access signature whose expiry (se=, read with the settings' names) has passed:
    every request signed with it is refused, whatever the key, role or network."""
    listed = latest(state, "list_app_setting_names")
    expiries = (listed.data.get("sas_expiries") or {}) if listed is not None and listed.status == "success" else {}
    now = datetime.now(UTC)
    past = sorted((instant, name) for name, value in expiries.items()
                  if (instant := as_instant(value)) is not None and instant < now)
    if not past:
        return None
    instant, name = past[-1]
    return {"setting": name, "expiry": expiries[name], "others": ", ".join(n for _, n in past[:-1]) or "none"}


_PLATFORM_SETTING = re.compile(r"^(?:WEBSITE_|FUNCTIONS_|AzureWebJobs|APPSETTING_)")


def setting_only_in_local_settings(state: SessionState) -> Facts:
    """Text alone, no settings read in Azure: the code reads a setting that only the sent local.settings.json
    defines, the report names it nowhere else and says the app works locally. local.settings.json is never deployed,
    so the app in Azure runs without it."""
    said = state.material.spoken_text(" ")
    if read_setting_names(state) is not None or not WORKS_LOCALLY.search(said):
        return None
    local = local_setting_names(state.material.files)
    missing = [n for n in code_setting_names(state.material) if n in local and not _PLATFORM_SETTING.match(n)
               and not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", said)]
    return {"setting": missing[0], "others": ", ".join(missing[1:4])} if missing else None


# the managed API's runtime as staticwebapp.config.json gives it ("apiRuntime": "dotnet-isolated:7.0")
_API_RUNTIME = re.compile(r"(?i)\bapiRuntime\W{1,6}(?P<value>[a-z-]+:\d+(?:\.\d+)?)")
SWA_RUNTIME_RETIRED = "swa-api-runtime-past-end-of-support"


def swa_api_runtime_retired(state: SessionState) -> Facts:
    """The apiRuntime the report or its files give a Static Web Apps managed API, when that runtime's end of support
    (the finding's own `runtimes` table, from the Static Web Apps runtime list) has passed: the deploy step no longer
    takes it, whatever the configuration file says."""
    texts = [*state.material.spoken(), *(f.content for f in state.material.files)]
    named = next((m.group("value").lower() for text in texts for m in [_API_RUNTIME.search(text)] if m), None)
    runtimes = table_entry(FINDINGS, SWA_RUNTIME_RETIRED)["runtimes"]
    runtime = next((r for r in runtimes if r["value"] == named), None)
    ended = as_instant(runtime.get("ended")) if runtime is not None else None
    if runtime is None or ended is None or ended > datetime.now(UTC):
        return None
    return {"api_runtime": runtime["value"], "runtime_name": runtime["name"], "ended": str(runtime["ended"]),
            "supported": ", ".join(r["value"] for r in runtimes if not r.get("ended"))}


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "app-setting-named-in-report-missing": setting_named_missing,
    "functions-node-main-outside-out-dir": node_main_outside_out_dir,
    "app-setting-sas-expired": setting_sas_expired,
    "app-setting-colon-on-linux": colon_setting_on_linux,
    "app-setting-points-at-deleted-resource": setting_points_at_deleted,
    "app-setting-points-at-other-environment": lambda s: setting_points_at_sibling(s, vault_reference=False),
    "app-keyvault-reference-names-replaced-vault": lambda s: setting_points_at_sibling(s, vault_reference=True),
    "app-service-port-not-listened": app_port_not_listened,
    "app-service-container-port-not-set": container_port_not_set,
    "setting-only-in-local-settings": setting_only_in_local_settings,
    SWA_RUNTIME_RETIRED: swa_api_runtime_retired,
    "app-service-certificate-expired": certificate_expired,
    "keyvault-reference-access-denied": lambda s: _key_vault_reference(s, ("AccessToKeyVaultDenied",)),
    "keyvault-reference-identity-not-enabled": lambda s: _key_vault_reference(
        s, ("MSINotEnabled", "ManagedIdentityNotFound", "UserAssignedManagedIdentityNotFound")),
    "keyvault-reference-secret-not-found": lambda s: _key_vault_reference(
        s, ("SecretNotFound", "SecretVersionNotFound", "VaultNotFound")),
    "keyvault-reference-invalid-syntax": lambda s: _key_vault_reference(s, ("InvalidSyntax",)),
    "app-access-restrictions-deny": access_restrictions_deny,
    "function-host-storage-shared-key-disabled": host_storage_needs_shared_key,
    "function-content-share-over-vnet-setting-dropped": content_share_not_over_vnet,
    "function-content-share-not-over-vnet": content_share_not_over_vnet,
    "premium-scale-monitoring-off-for-private-trigger": scale_monitoring_off,
    "keyvault-reference-identity-not-chosen": reference_identity_not_chosen,
    "function-disabled-by-app-setting": function_disabled_by_setting,
    "identity-connection-without-managed-identity": identity_connection_without_identity,
    "app-client-id-setting-not-assigned": client_id_not_assigned,
    "app-user-assigned-identity-without-client-id": user_assigned_without_client_id,
    "identity-connection-user-assigned-without-client-id": connection_without_client_id,
    "app-certificate-not-in-load-list": certificate_not_in_load_list,
    "app-service-plan-at-max-instances": plan_at_max_instances,
    "app-custom-hostname-held-by-other-app": hostname_bound_to_other_app,
    "platform-cors-origin-not-allowed": cors_origin_not_allowed,
    "keyvault-reference-secret-version-disabled": reference_secret_version_disabled,
    "event-subscription-function-missing": event_subscription_function_missing,
    "http-function-requires-key": http_function_requires_key,
    "app-easy-auth-secret-setting-missing": easy_auth_secret_setting_missing,
    "app-easy-auth-caller-not-in-allowed-applications": easy_auth_caller_not_allowed,
    "app-dotnet-runtime-older-than-app": dotnet_runtime_older,
    "keyvault-reference-identity-not-assigned": reference_identity_not_assigned,
    "app-slot-without-identity": slot_without_identity,
    "app-slot-swap-content-share-sticky": sticky_content_share,
    "app-slot-swap-sticky-setting-missing": sticky_setting_missing,
    "app-slot-identity-not-in-vault-access-policies": slot_identity_not_in_access_policies,
}
