"""An image pull refused while the report's own configuration shows which registry entry the pull could not use.

A container app's (or job's) `registries` list says which login server gets which credential or identity. Two facts
the report pastes decide a refused pull without any read, and no catalog phrase carries them, so they are computed:

- the registry entry names another login server than the image's host (crbillingdev.azurecr.io configured, the
  image pulled from crbillingprod.azurecr.io): no credential applies to the pull, whatever roles the identity holds;
- the entry pulls with a user-assigned identity while the AcrPull role assignment the template creates goes to the
  app's system-assigned identity (`<app>.identity.principalId`, `identity[0].principal_id`): the identity that pulls
  holds no role on the registry.

Each only adds its sentence to an image-pull conclusion, and stays silent when the configured server is the image's
host, or when the role goes to the user-assigned identity."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_PULL = "container.image_pull_failed"
_HOST = r"[a-z0-9][a-z0-9-]{3,49}\.azurecr\.(?:io|cn|us)"
# the login server of a registry entry: `server: x`, `"server": "x"`, `server = "x"`, `--registry-server x`
_SERVER = re.compile(rf"(?i)(?:\bserver|registryServer|login_server|--registry-server)[\"']?\s*[:=]?\s*[\"']?"
                     rf"({_HOST})\b")
# an image reference: the host, a repository and a tag or digest
_IMAGE = re.compile(rf"(?i)\b({_HOST})/[a-z0-9][\w./-]*[:@][\w.:-]+")
# a registry entry whose identity is a user-assigned one (its resource id, or a reference to one in a template)
_ENTRY_UAMI = re.compile(
    r"(?is)registr\w*[^\n]{0,200}?\bidentity[\"']?\s*[:=]\s*[\"']?(?:/subscriptions/[^\s\"']*/userAssignedIdentities/"
    r"(?P<id>[\w-]+)|(?P<ref>(?:azurerm_user_assigned_identity\.)?[A-Za-z_][\w]*)\.id\b)")
# the AcrPull assignment given to the app's own (system-assigned) identity
_ACRPULL_TO_SYSTEM = re.compile(
    r"(?is)AcrPull.{0,300}?\bprincipal_?id[\"']?\s*[:=(]\s*[\"']?[\w.\[\]]*identity(?:\[0\])?\.principal_?id\b|"
    r"principal_?id[\"']?\s*[:=]\s*[\w.\[\]]*identity(?:\[0\])?\.principal_?id\b.{0,300}?AcrPull")
# the user-assigned identity's name: a userAssignedIdentities resource id, an operation's resourceName beside the
# type, a Terraform block's name
_UAMI_NAME = (
    re.compile(r"(?i)/userAssignedIdentities/([\w-]{3,128})"),
    re.compile(r"(?is)\"resourceName\"\s*:\s*\"([\w-]{3,128})\"\s*,\s*\"resourceType\"\s*:\s*"
               r"\"Microsoft\.ManagedIdentity/userAssignedIdentities\""),
    re.compile(r"(?is)azurerm_user_assigned_identity\"?\s+\"?\w+\"?\s*\{[^}]{0,200}?\bname\s*=\s*\"([\w-]{3,128})\""),
)


def with_registry_identity(state: SessionState, decision: Decision) -> Decision:
    """An image-pull conclusion, with what the pasted registry configuration shows the pull could not use."""
    if not isinstance(decision, Conclude) or decision.report.category != _PULL:
        return decision
    material = state.material
    text = "\n".join([material.error_description, *material.answers, *(f.content for f in material.files)])
    said = registry_mismatch(text) or pull_identity_without_role(text)
    if said is None or said[0].lower() in decision.report.root_cause.lower():
        return decision
    decision.report.root_cause = decision.report.root_cause.rstrip() + " " + said[1]
    return decision


def registry_mismatch(text: str) -> tuple[str, str] | None:
    """(the configured server, the sentence) when every registry entry names another server than the image's host."""
    servers = list(dict.fromkeys(m.lower() for m in _SERVER.findall(text)))
    hosts = list(dict.fromkeys(m.lower() for m in _IMAGE.findall(text)))
    if not servers or not hosts or any(h in servers for h in hosts):
        return None
    listed = ", ".join(servers)
    return servers[0], (f"The app's registry configuration names {listed}, but the image is pulled from {hosts[0]}: "
                        f"no registry entry (credential or identity) applies to {hosts[0]}, so the pull goes without "
                        f"one and is refused. The entry's server must be the image's login server {hosts[0]}.")


def pull_identity_without_role(text: str) -> tuple[str, str] | None:
    """(the identity, the sentence) when the registry entry pulls with a user-assigned identity and the AcrPull role
    assignment goes to the app's system-assigned identity."""
    entry = _ENTRY_UAMI.search(text)
    if entry is None or not _ACRPULL_TO_SYSTEM.search(text):
        return None
    name = entry.group("id") or next((m.group(1) for p in _UAMI_NAME if (m := p.search(text))), None)
    if not name and entry.group("ref"):
        name = entry.group("ref").rsplit(".", 1)[-1]
    if not name:
        return None
    return name, (f"The registry entry pulls with the user-assigned identity '{name}', but the AcrPull role "
                  f"assignment the configuration creates goes to the app's system-assigned identity "
                  f"(identity.principalId): the identity that pulls holds no role on the registry. Assign AcrPull to "
                  f"'{name}' (its principalId) or let the registry entry use the system identity.")
