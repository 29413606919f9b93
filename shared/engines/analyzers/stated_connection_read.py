"""A .NET connection string that is null in Azure, decided by what the report already states.

`Value cannot be null. (Parameter 'connectionString')` says the configuration key the code reads had no value. The
app-settings analyzer asks for the deployed setting names; three statements make that question moot:

- the report lists the app's settings and the key is there as `ConnectionStrings:<name>` on a Linux app: Linux
  environment variable names cannot hold a colon, so the .NET provider only sees `ConnectionStrings__<name>`;
- the report says the app reads its configuration from Azure App Configuration: the key is missing from the store
  (or under another label), not from the app settings;
- the code's own read names the key (`GetConnectionString("<name>")`) and the report says it works locally (user
  secrets, appsettings.Development.json, a local file): the value exists only on the developer's machine.

Sources: MicrosoftDocs/azure-docs articles/app-service/configure-common.md (app settings and connection strings are
environment variables; on Linux a colon in a name is replaced by a double underscore, `__`), and
articles/azure-app-configuration/quickstart-aspnet-core-app.md (keys the app loads from the store)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import fill, quotes, report, texts
from shared.engines.signatures import Hit
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

_NULL_CONNECTION = re.compile(r"Value cannot be null\.?\s*(?:\(Parameter .(?:\w*)connectionString.\)|"
                              r"Parameter name: \w*connectionString)", re.I)
_READ = re.compile(r"GetConnectionString\(\s*\"(?P<name>[A-Za-z0-9_.\-]+)\"\s*\)|"
                   r"Configuration\[\s*\"ConnectionStrings[:_]{1,2}(?P<name2>[A-Za-z0-9_.\-]+)\"\s*\]")
_LOCAL = re.compile(r"(?i)works? (?:fine |perfectly |well )?(?:locally|on my (?:machine|laptop|pc))|"
                    r"runs? (?:fine |ok |well )?(?:locally|on my (?:machine|laptop|pc))|"
                    r"locally (?:it |everything )?(?:works|runs)|(?:dotnet|func) run\b[^\n]{0,40}\bworks|"
                    r"\buser[- ]secrets\b|secrets\.json|appsettings\.Development\.json")
_LINUX = re.compile(r"(?i)\bLinux (?:plan|app|web ?app|container|App Service)|\bon Linux\b|to a Linux\b|"
                    r"\bDOTNETCORE\|")
_APP_CONFIGURATION = re.compile(r"(?i)(?:reads?|loads?|gets?|pulls?|takes?) (?:its |the |all )?"
                                r"(?:configuration|config|settings)"
                                r"[^.\n]{0,40}\bfrom (?:Azure )?App Configuration|"
                                r"(?:configuration|settings) (?:comes?|come) from (?:Azure )?App Configuration")


def decide(state: SessionState, hit: Hit) -> Conclude | None:
    """A conclusion when the report states what makes the connection string null; None otherwise."""
    said = " ".join(hit.quotes)
    if not _NULL_CONNECTION.search(said):
        return None
    text = "\n".join(texts(state, files=True))
    name = next((m.group("name") or m.group("name2") for m in _READ.finditer(text)), None)
    if name:
        colon = re.search(rf"[\"']ConnectionStrings:{re.escape(name)}[\"']", text)
        underscored = re.search(rf"ConnectionStrings__{re.escape(name)}\b", text)
        if colon and not underscored and _LINUX.search(text):
            return _conclude(state, hit, name, _colon_on_linux(name), [
                f"Rename the app setting to ConnectionStrings__{name} (double underscore), or add it under "
                f"Connection strings as '{name}' with type Custom or SQLAzure, then restart the app.",
                "Fix the name in the deployment template (Bicep/ARM appSettings) too, so the next deployment "
                "keeps it."])
    listed = _listed_connection_strings(text)
    if name and listed and name.lower() not in {n.lower() for n in listed}:
        return _conclude(state, hit, name, _other_name(name, listed), [
            f"Name the connection string the way the code reads it: rename '{listed[0]}' to '{name}' under Settings > "
            f"Environment variables > Connection strings (or change GetConnectionString(\"{name}\") to the defined "
            "name), then restart the app.",
            "Keep the name in the deployment template (Bicep/ARM connectionStrings) so the next deployment keeps it."])
    if _APP_CONFIGURATION.search(text):
        key = f"ConnectionStrings:{name}" if name else "the connection string's key"
        cause = (f"The code reads a connection string that has no value in Azure: there the app loads its "
                 f"configuration from Azure App Configuration, and {key} is not registered in the App Configuration "
                 "store (or not under the label the app selects), so the client is built from null. Locally the value "
                 "comes from a local secrets file, which hides the gap.")
        return _conclude(state, hit, name or "connectionString", cause, [
            f"Add {key} to the App Configuration store the app uses (as a Key Vault reference when it is a secret) "
            "with the label the app selects, then restart the app.",
            "List the store's keys to compare with what the code reads: `az appconfig kv list --name <store> "
            "--query \"[].key\" -o tsv`."])
    if name and _LOCAL.search(text):
        cause = (f"The code reads the connection string '{name}' (GetConnectionString(\"{name}\")), and in Azure it "
                 f"has no value: the app defines neither a connection string named '{name}' nor an app setting "
                 f"ConnectionStrings__{name}. Locally it comes from the developer's own configuration (user secrets, "
                 "appsettings.Development.json or a local file), which is not deployed, so the client is built from "
                 "null and the app fails at start-up.")
        return _conclude(state, hit, name, cause, [
            f"Add the connection string '{name}' to the app (Settings > Environment variables > Connection strings), "
            f"or an app setting ConnectionStrings__{name}; for a secret, a Key Vault reference. Then restart the app.",
            "Keep it in the deployment template (Bicep/ARM connectionStrings or appSettings) so the next deployment "
            "keeps it."])
    return None


# The listing command, then its output until a blank line or the next prompt: table rows or JSON "name" fields.
_LISTING = re.compile(r"connection-string list\b[^\n]*\n(?P<out>(?:[ \t]*(?![$>#] )\S[^\n]*\n?){1,40})", re.I)
_TABLE_ROW = re.compile(r"^\s*(?P<name>[A-Za-z_][\w.\-]*)\s{2,}\S", re.M)
_JSON_NAME = re.compile(r"\"name\"\s*:\s*\"(?P<name>[^\"]+)\"")


def _listed_connection_strings(text: str) -> list[str]:
    """The connection-string names a pasted `az webapp config connection-string list` shows (header row excluded)."""
    names: list[str] = []
    for listing in _LISTING.finditer(text):
        out = listing.group("out")
        found = [m.group("name") for m in _JSON_NAME.finditer(out)] or [
            m.group("name") for m in _TABLE_ROW.finditer(out) if m.group("name") != "Name"]
        names += [n for n in found if n not in names]
    return names


def _other_name(name: str, listed: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in listed[:5])
    return (f"The code reads the connection string '{name}' (GetConnectionString(\"{name}\")), but the app in Azure "
            f"defines its connection strings under other names ({shown}), as the pasted listing shows: no "
            f"connection string '{name}' and so no ConnectionStrings:{name} key reaches the configuration, "
            "GetConnectionString returns null and the app fails at start-up.")


def _colon_on_linux(name: str) -> str:
    return (f"The app's settings define 'ConnectionStrings:{name}', but the app runs on Linux, where an environment "
            f"variable name cannot hold a colon: the .NET configuration provider finds the key only as "
            f"ConnectionStrings__{name} (double underscore), so GetConnectionString(\"{name}\") returns null. On "
            "Windows the colon name worked, which is why the same settings broke only after the move.")


def _conclude(state: SessionState, hit: Hit, name: str, cause: str, actions: list[str]) -> Conclude:
    evidence = quotes(hit) + [EvidenceItem(source="error", summary=f"the code reads the connection string '{name}'")]
    return Conclude(message=cause.split(": ")[0].split(", ")[0] + ".",
                    report=report(state, category="config.missing_app_setting", confidence="medium",
                                  root_cause=cause, actions=[fill(a, {}) for a in actions], evidence=evidence))
