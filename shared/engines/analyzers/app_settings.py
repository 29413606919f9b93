"""config.missing_app_setting: the code or a binding reads an app setting the running app does not define.

Classic cause: local.settings.json holds the setting, but that file is never deployed, so the Function App
in Azure lacks it. The list_app_settings tool reads what the files and answers say; when the error does
not name the setting, the client is asked once for the deployed setting names, which settles it."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers import stated_connection_read
from shared.engines.analyzers.common import (
    delegate,
    facts_for,
    fill,
    grounded,
    quotes,
    regex,
    report,
    specific_hit,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once, since_last_answer
from shared.engines.base import Decision
from shared.engines.session_reads import WORKS_LOCALLY
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.report import partial_report
from shared.session.state import Conclude, Evidence, GiveUp, RunTool, SessionState
from shared.tools.text_tools import setting_defined

TOOL = "list_app_settings"
# A KeyError names a missing setting only when the failing read is an environment read.
_ENV_READ = r"os\.environ\[|<frozen os>|[/\\]os\.py\"|GetEnvironmentVariable|process\.env"
# What says a setting is missing; code that merely reads one (os.environ["X"]) says nothing of the kind.
_SAYS_MISSING = (r"KeyError|does not exist|Missing value for|defined App Setting|Value cannot be null|__getitem__|"
                 r"(?i:field required)")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    settings = since_last_answer(state, TOOL)
    if settings is None:
        return RunTool(tool=TOOL, purpose="finding the settings the code reads and those defined locally and in Azure")
    data = settings.data if settings.status == "success" else {}
    named = hit.facts.get("setting")
    said = " ".join(hit.quotes)
    if named and ("KeyError" in said and not any(regex(_ENV_READ).search(t) for t in texts(state))
                  or not regex(_SAYS_MISSING).search(said)):
        other = specific_hit(state, exclude_analyzers={"app_settings"})
        return delegate(state, other) if other else unknown(state)
    if named and _defined_as_key_vault_reference(state, named):
        return _reference_unresolved(state, hit, named)
    if named:
        return _judge(state, hit, [named], settings, data, stated=True)
    candidates = [c["name"] for c in data.get("connections") or []] or [r["name"] for r in data.get("reads") or []]
    if data.get("deployed") is not None and candidates:
        return _judge(state, hit, candidates, settings, data, stated=False)
    return stated_connection_read.decide(state, hit) or _ask_for_settings(state, hit, candidates)


_NO_IDENTITY = (r"(?i)no (?:managed )?identity|identity (?:is )?(?:not|never) (?:enabled|turned on|assigned)|"
                r"no identity blade|cannot (?:enable|turn on) (?:a |the )?(?:managed )?identity|MSINotEnabled")


def _defined_as_key_vault_reference(state: SessionState, name: str) -> bool:
    """The report shows the setting defined as a Key Vault reference: it exists, its value did not resolve."""
    shown = rf"(?i)\b{re.escape(name)}\b[\"']?\s*[=:]\s*[\"']?@Microsoft\.KeyVault\("
    return any(re.search(shown, t) for t in texts(state, files=True))


def _reference_unresolved(state: SessionState, hit: Hit, name: str) -> Conclude:
    """A setting defined as a Key Vault reference that the code cannot read: the platform did not resolve the
    reference, for want of an identity or of its access to the secret."""
    facts = facts_for(state, hit, {"setting": name})
    no_identity = any(regex(_NO_IDENTITY).search(t) for t in texts(state))
    category = "auth.managed_identity_missing" if no_identity else "auth.keyvault_access_denied"
    why = ("the app has no managed identity to fetch the secret with" if no_identity else
           "the app's identity could not read the secret (no access policy or Key Vault Secrets User role, or the "
           "vault's firewall refuses the platform)")
    cause = (f"The setting '{name}' is defined as a Key Vault reference, but App Service did not resolve it: {why}. "
             "An unresolved reference is not given to the app as the secret, so reading it fails (KeyError, null).")
    actions = [fill(a, facts) for a in (
        "Enable a managed identity on the app (`az functionapp identity assign --name {function_app} "
        "--resource-group {resource_group}`; on a plan that offers none, move to one that does) and grant it read "
        "access to the secret (Key Vault Secrets User, or an access policy with get).",
        "Check the reference's status: `az rest --method get --url \"https://management.azure.com<app-id>/config/"
        "configreferences/appsettings?api-version=2023-12-01\"`, then restart the app.")]
    return Conclude(message=cause.split(": ")[0] + ".",
                    report=report(state, category=category, confidence="medium", root_cause=cause, actions=actions,
                                  evidence=quotes(hit)))


def _judge(state: SessionState, hit: Hit, names: list[str], settings: Evidence, data: dict[str, Any],
           stated: bool) -> Decision:
    deployed = data.get("deployed")
    missing = [n for n in dict.fromkeys(names) if deployed is None or not setting_defined(n, deployed)]
    if not missing:
        return GiveUp(reason="exhausted", message=f"The deployed app defines {', '.join(names)}; a missing setting is "
                                                  "ruled out and nothing else was confirmed.",
                      report=partial_report(state, root_cause="Missing app setting ruled out: the deployed app "
                                                              f"defines {', '.join(names)}."))
    confidence = "high" if stated or deployed is not None else "medium"
    return _conclude(state, hit, missing[0], settings, data, confidence)


def _conclude(state: SessionState, hit: Hit, name: str, settings: Evidence, data: dict[str, Any],
              confidence: str) -> Conclude:
    facts = facts_for(state, hit, {"setting": name})
    local = (data.get("local") or {}).get(name)
    where = [r["file"] for r in (data.get("reads") or []) + (data.get("connections") or []) if r["name"] == name]
    deployed = data.get("deployed")
    cause = f"The app reads the setting '{name}'" + (f" (in {', '.join(dict.fromkeys(where))})" if where else "")
    cause += ", but the running Function App has no app setting with that name"
    cause += " (the deployed settings the client listed do not include it)" if deployed is not None else ""
    cause += (f". local.settings.json defines it ({local}), and that file is only used by local runs: it is never "
              "deployed to Azure." if local else ".")
    if not local and _works_locally_in_functions(state):
        cause += (" The app works when run locally: a local run (func start) reads its settings from "
                  "local.settings.json, which is never published, so a setting defined only there is missing in Azure.")
    actions = [fill(a, facts) for a in (
        "Add the setting to the Function App: `az functionapp config appsettings set --name {function_app} "
        "--resource-group {resource_group} --settings {setting}=<value>` (for a secret, a Key Vault reference "
        "`@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<secret>/)`).",
        "For an identity-based connection instead of a connection string, define `{setting}__fullyQualifiedNamespace`"
        " (Service Bus, Event Hubs) or `{setting}__serviceUri` / `{setting}__accountName` (Storage) and grant the "
        "app's identity a data role.",
        "Check the names the app now has: `az functionapp config appsettings list --name {function_app} "
        "--resource-group {resource_group} --query \"[].name\" -o tsv`; keep the setting in the deployment template "
        "(siteConfig.appSettings) so a redeploy keeps it.")]
    # a read that found nothing (no files, no answer listing the settings) confirms nothing: cited, it would pass
    # for a check of the deployed app and spare the conclusion the Azure reads that can confirm or refine it
    read = [EvidenceItem(source=TOOL, summary=settings.summary)] if settings.status == "success" else []
    evidence = quotes(hit) + read
    return Conclude(message=f"The app setting '{name}' is missing from the Function App.",
                    report=report(state, category=hit.signature.category, confidence=confidence, root_cause=cause,
                                  actions=actions, evidence=evidence))


def _works_locally_in_functions(state: SessionState) -> bool:
    """The report says the function app works when run locally (func start, the local host)."""
    said = state.material.spoken_text()
    functions = " ".join([said, *map(str, state.material.environment.values())])
    return bool(WORKS_LOCALLY.search(said)) and bool(re.search(r"(?i)\bfunctions?\b|\bfunc start\b", functions))


def _ask_for_settings(state: SessionState, hit: Hit, candidates: list[str]) -> Decision:
    facts = facts_for(state, hit)
    named = f" The code's bindings name {', '.join(dict.fromkeys(candidates))}." if candidates else ""
    return ask_once(state, ClientRequest(
        question="Please run this command and paste its output: the names of the app settings the Function App has "
                 f"in Azure.{named}",
        why="A connection setting the code or a binding names but the app does not define is the cause; if every "
            "name is defined, a missing setting is ruled out.",
        suggested_commands=[fill("az functionapp config appsettings list --name {function_app} --resource-group "
                                 "{resource_group} --query \"[].name\" -o tsv", facts)]),
        "The deployed app settings are still unknown, so the missing setting could not be confirmed.",
        hit.signature.category)
