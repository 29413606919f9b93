"""Tools that parse what the client sent (error text, stack traces, files, pasted command output).

They need no Azure access and know nothing about causes: they turn text into facts (error codes, stack
frames, app setting names, DNS answers, identity settings) that the analyzers reason over, and each run
is recorded in the session's ledger, so `report.checked` shows what was read."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.session.state import Evidence, FileExcerpt, Material
from shared.tools.catalog import tool


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HostArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = Field(pattern=r"^[A-Za-z0-9.-]{1,253}$", description="the host name to look up in the answers")


class FieldsArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[str] = Field(min_length=1, max_length=10, description="property names to read from the answers")


def _texts(material: Material) -> list[tuple[str, str]]:
    """(origin, text): the error text, then the answers, newest first."""
    answers = [(f"answer {i + 1}", a) for i, a in enumerate(material.answers)]
    return [("error", material.error_description), *reversed(answers)]


def _json_values(text: str) -> Iterator[Any]:
    """Every JSON object or array embedded in a text (outermost ones)."""
    decoder, position = json.JSONDecoder(), 0
    while True:
        match = re.compile(r"[\[{]").search(text, position)
        if match is None:
            return
        try:
            value, end = decoder.raw_decode(text, match.start())
        except ValueError:
            position = match.start() + 1
            continue
        yield value
        position = end


def _name(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).name


# ---------------------------------------------------------------------------------------------- error codes

_CODE_PATTERNS = [
    re.compile(r'\\*"code\\*"\s*:\s*\\*"(?P<code>[A-Za-z][A-Za-z0-9]{2,60})\\*"', re.IGNORECASE),  # JSON
    re.compile(r"\((?P<code>[A-Z][A-Za-z0-9]{2,60})\)\s"),  # az CLI: (StorageAccountAlreadyTaken) The storage...
    re.compile(r"\b(?:Error)?Code\s*[=:]\s*\\*\"?(?P<code>[A-Z][A-Za-z0-9]{2,60})"),  # Code=X, Code: X, ErrorCode:X
    re.compile(r"x-ms-error-code:\s*(?P<code>[A-Z][A-Za-z0-9]{2,60})", re.IGNORECASE),
]


# Parenthesised words that are not codes: "(Minimum) New Limit Required", "(Preview)"
_NOT_CODES = {"Minimum", "Maximum", "Optional", "Preview", "Deprecated", "Required", "Default", "None", "Parameter"}


@tool(NoArguments)
def list_error_codes(args: NoArguments, material: Material) -> Evidence:
    """List the error codes (ARM, REST, SDK) in the error text and the answers, in order, with the words after each."""
    found: dict[str, dict[str, str]] = {}
    for origin, text in _texts(material):
        hits = sorted(((m.start(), m) for p in _CODE_PATTERNS for m in p.finditer(text)), key=lambda h: h[0])
        for _, match in hits:
            code = match.group("code")
            if code not in found and code not in _NOT_CODES:
                after = re.sub(r'[\\"{}]+', " ", text[match.end():match.end() + 300])
                found[code] = {"code": code, "where": origin, "message": " ".join(after.split())[:240]}
    if not found:
        return Evidence(tool="list_error_codes", status="no_data", summary="no error code in the error text or answers")
    codes = list(found.values())[:20]
    return Evidence(tool="list_error_codes", status="success", data={"codes": codes},
                    summary="error codes found, in order: " + " > ".join(c["code"] for c in codes))


# ---------------------------------------------------------------------------------------------- stack frames

_PY_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)[^\n]*\n'
                       r'(?:(?P<code>[ \t]+(?!File ")\S[^\n]*)\n)?', re.MULTILINE)
_PY_EXCEPTION = re.compile(r"^(?:Exception: )?(?P<type>(?:[A-Za-z_][\w]*\.)*[A-Z][\w]*(?:Error|Exception|Exit))"
                           r"(?::[ \t]*(?P<message>[^\n]*))?$", re.MULTILINE)
_DOTNET_FRAME = re.compile(r"^\s*at (?P<function>[\w.<>`+|$]+)\([^)\n]*\)(?: in (?P<file>[^\n]+?):line (?P<line>\d+))?",
                           re.MULTILINE)
_DOTNET_EXCEPTION = re.compile(r"(?P<type>(?:[A-Z][\w]*\.)+[A-Z]\w*Exception)(?::[ \t]*(?P<message>[^\n]*))?")
_NODE_FRAME = re.compile(r"^\s*at (?:(?P<function>[^\s(]+) )?\(?(?P<file>[^\s():]+\.[cm]?[jt]s):(?P<line>\d+):\d+\)?",
                         re.MULTILINE)
_NODE_EXCEPTION = re.compile(r"^(?:Uncaught )?(?P<type>[A-Z]\w*Error): (?P<message>[^\n]*)$", re.MULTILINE)
_LIBRARY_PATH = re.compile(r"site-packages|dist-packages|/usr/(?:local/)?lib/python|<frozen|azure_functions_worker|"
                           r"azure-functions-host|node_modules|node:internal|/lib/node|\\Lib\\", re.IGNORECASE)
_LIBRARY_FUNCTION = re.compile(r"^(?:System|Microsoft|Azure|Newtonsoft|java|javax|sun|com\.microsoft)\.")
_AZURE_SDK = re.compile(r"[/\\]azure[/\\]|^Azure\.|^Microsoft\.Azure\.|@azure[/\\]|com\.azure\.", re.IGNORECASE)


def _frames(text: str) -> list[dict[str, Any]]:
    """Frames outermost first, as the runtime printed them (Python order; .NET and Node are reversed)."""
    python = [{"file": m["file"], "line": int(m["line"]), "function": m["function"],
               "code": (m["code"] or "").strip()} for m in _PY_FRAME.finditer(text)]
    if python:
        return python
    dotnet = [{"file": m["file"] or "", "line": int(m["line"] or 0), "function": m["function"], "code": ""}
              for m in _DOTNET_FRAME.finditer(text)]
    node = [{"file": m["file"], "line": int(m["line"]), "function": m["function"] or "", "code": ""}
            for m in _NODE_FRAME.finditer(text)]
    return list(reversed(dotnet or node))


def _exception(text: str, python: bool) -> tuple[str, str]:
    patterns = [_PY_EXCEPTION] if python else [_DOTNET_EXCEPTION, _NODE_EXCEPTION]
    for pattern in patterns:
        found = list(pattern.finditer(text))
        if found:
            match = found[-1] if python else found[0]
            return match["type"], (match["message"] or "").strip()
    return "", ""


def _classify_frame(frame: dict[str, Any]) -> dict[str, Any]:
    library = bool(_LIBRARY_PATH.search(frame["file"]) or _LIBRARY_FUNCTION.search(frame["function"]))
    # file and function apart: a .NET frame without a file name starts its function at the text's start (^Azure.)
    sdk = any(_AZURE_SDK.search(part) for part in (frame["file"], frame["function"]))
    return {**frame, "user": not library, "azure_sdk": sdk and library}


def _source_line(frame: dict[str, Any], files: list[FileExcerpt]) -> str:
    """The failing line, from the trace or from a sent file with the same name."""
    if frame.get("code"):
        return str(frame["code"])
    for excerpt in files:
        if frame["file"] and _name(excerpt.path) == _name(frame["file"]):
            lines = excerpt.content.splitlines()
            if 0 < frame["line"] <= len(lines):
                return lines[frame["line"] - 1].strip()
    return ""


@tool(NoArguments)
def get_stack_frames(args: NoArguments, material: Material) -> Evidence:
    """Parse the stack trace in the error text: exception type and message, frames, and which are the app's own code."""
    text = material.error_description
    frames = [_classify_frame(f) for f in _frames(text)]
    kind, message = _exception(text, python=bool(_PY_FRAME.search(text)))
    if not frames or not kind:
        return Evidence(tool="get_stack_frames", status="no_data", summary="no stack trace with an exception found")
    user = [f for f in frames if f["user"]]
    deepest = frames[-1]
    first_user = frames.index(user[0]) if user else len(frames)
    data = {"exception": kind, "message": message[:300], "frames": frames[-12:],
            "origin_in_user_code": deepest["user"],
            "library_frames_below_user_code": sum(1 for f in frames[first_user:] if not f["user"]),
            "azure_sdk_frames": sum(1 for f in frames if f["azure_sdk"]),
            "failing_frame": {**deepest, "code": _source_line(deepest, material.files)}}
    where = f"{deepest['file']} line {deepest['line']} in {deepest['function']}"
    summary = (f"{kind}: {message[:120]} raised at {where}; {len(frames)} frames, {len(user)} in the app's code, "
               f"{data['azure_sdk_frames']} in Azure SDKs")
    return Evidence(tool="get_stack_frames", status="success", summary=summary, data=data)


# ---------------------------------------------------------------------------------------------- app settings

_ENV_READS = [
    re.compile(r"os\.environ\[\s*['\"](?P<name>[A-Za-z_][\w:]*)['\"]\s*\]"),
    re.compile(r"os\.(?:environ\.get|getenv)\(\s*['\"](?P<name>[A-Za-z_][\w:]*)['\"]"),
    re.compile(r"GetEnvironmentVariable\(\s*\"(?P<name>[A-Za-z_][\w:]*)\""),
    re.compile(r"process\.env(?:\.(?P<name>[A-Za-z_]\w*)|\[\s*['\"](?P<quoted>[A-Za-z_][\w:]*)['\"]\s*\])"),
    # .NET IConfiguration, also under the short names cfg / conf (a key's ':' is '__' in an app setting) and Java
    re.compile(r"\b\w*(?:[Cc]onfig(?:uration)?|[Cc]fg|[Cc]onf)\s*\[\s*\"(?P<name>[A-Za-z_][\w:.]*)\"\s*\]"),
    re.compile(r"\.GetValue<[^>]{1,40}>\(\s*\"(?P<name>[A-Za-z_][\w:.]*)\""),
    re.compile(r"System\.getenv\(\s*\"(?P<name>[A-Za-z_][\w.]*)\""),
    # Logic Apps Standard (workflow.json, connections.json), Go, PowerShell
    re.compile(r"@?\{?appsetting\(\s*'(?P<name>[A-Za-z_][\w:.]*)'\s*\)"),
    re.compile(r"\bos\.(?:Getenv|LookupEnv)\(\s*\"(?P<name>[A-Za-z_]\w*)\""),
    re.compile(r"\$env:(?P<name>[A-Za-z_]\w*)"),
    # a configuration that names the app setting holding a value (staticwebapp.config.json's custom providers,
    # App Service authentication's authsettingsV2: "clientIdSettingName": "X", "clientSecretSettingName": "X")
    re.compile(r"[\"']?\b(?:clientId|clientSecret|appSecret|consumerSecret|clientSecretCertificate\w*)SettingName[\"']?"
               r"\s*[:=]\s*[\"'](?P<name>[A-Za-z_][\w:.-]*)[\"']"),
]
# a binding's connection setting: C# attributes (Connection = "X"), Python decorators (connection="X") and
# function.json ("connection": "X", the key quoted as JSON quotes it)
_CONNECTIONS = re.compile(r"\b[Cc]onnection(?:StringSetting)?[\"']?\s*[=:]\s*\"?['\"](?P<name>[A-Za-z_%][\w:%]*)['\"]")
_WELL_KNOWN = re.compile(r"\b(?:FUNCTIONS_WORKER_RUNTIME|FUNCTIONS_EXTENSION_VERSION|AzureWebJobsStorage|"
                         r"WEBSITE_[A-Z_]+|APPLICATIONINSIGHTS_CONNECTION_STRING|SCM_DO_BUILD_DURING_DEPLOYMENT)\b")


def _value_shape(value: Any) -> str:
    shape = _bare_value_shape(value)
    raw = str(value or "")
    # a storage connection string's parts padded with spaces ("UseDevelopmentStorage=true ;", "; AccountName=x") no
    # longer parse as the keywords the storage client looks for (SQL's "; " separators are fine, so only storage's);
    # the shape says so, the value itself stays unshown
    if _STORAGE_STRING.search(raw) and (raw != raw.strip() or _PADDED_PART.search(raw)):
        return f"{shape}, with spaces around its parts"
    return shape


_STORAGE_STRING = re.compile(r"(?i)UseDevelopmentStorage\s*=|DefaultEndpointsProtocol\s*=|AccountName\s*=|"
                             r"(?:Blob|Queue|Table|File)Endpoint\s*=")
_PADDED_PART = re.compile(r"\s[;=]|[;=]\s")


def _bare_value_shape(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return "empty"
    if "UseDevelopmentStorage=true" in text:
        return "UseDevelopmentStorage=true (the local storage emulator)"
    if text.startswith("@Microsoft.KeyVault("):
        return "a Key Vault reference"
    account = re.search(r"AccountName=([a-z0-9]{3,24})", text)
    if account:
        return f"a storage connection string for account '{account.group(1)}'"
    if "Endpoint=sb://" in text:
        return "a Service Bus / Event Hubs connection string"
    if "AccountEndpoint=" in text:
        return "a Cosmos DB connection string"
    if re.match(r"https?://", text):
        return "a URL"
    return "a value"


def _local_settings(files: list[FileExcerpt]) -> dict[str, str]:
    for excerpt in files:
        if _name(excerpt.path) == "local.settings.json":
            for value in _json_values(excerpt.content):
                if isinstance(value, dict) and isinstance(value.get("Values"), dict):
                    return {str(k): _value_shape(v) for k, v in value["Values"].items()}
    return {}


# a settings object pasted into the report is local.settings.json when it says so: its IsEncrypted flag, or the
# file named in the same text ("my local.settings.json is the one from the article: {...}")
_LOCAL_SETTINGS_NAMED = re.compile(r"(?i)\blocal\.settings\.json\b")


def _pasted_local_settings(texts: list[str]) -> dict[str, str]:
    """local.settings.json pasted into the report or an answer rather than sent as a file (value shapes only)."""
    for text in texts:
        for value in _json_values(text or ""):
            if (isinstance(value, dict) and isinstance(value.get("Values"), dict)
                    and ("IsEncrypted" in value or _LOCAL_SETTINGS_NAMED.search(text))):
                return {str(k): _value_shape(v) for k, v in value["Values"].items()}
    return {}


def local_setting_names(files: list[FileExcerpt]) -> list[str]:
    """The setting names local.settings.json defines under Values (names only)."""
    return list(_local_settings(files))


def _deployed_settings(answers: list[str]) -> list[str] | None:
    """Setting names from a pasted `az functionapp config appsettings list` (JSON, table or tsv)."""
    for answer in reversed(answers):
        for value in _json_values(answer):
            if isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
                return [str(v["name"]) for v in value]
        listed = _SETTINGS_LIST.search(answer)
        if listed:  # "Application settings: A, B, C" as people type them
            return [n.strip() for n in re.split(r"[,;]\s*", listed.group("names")) if _SETTING_NAME.fullmatch(
                n.strip())]
        if _WELL_KNOWN.search(answer):
            names = [line.split()[0] for line in answer.splitlines()
                     if line.strip() and re.match(r"^\s*[A-Za-z_][\w:.-]*(?:\s|$)", line) and not line.startswith("$")
                     and not _CODE_LINE.match(line)]
            return [n for n in names if n.lower() not in {"name", "----", "az"}]
    return None


# a comma-separated list of setting names after a label (the portal's Configuration > Application settings)
_SETTINGS_LIST = re.compile(r"(?im)(?:application|app) settings\s*(?:\([^)\n]*\))?\s*:\s*(?P<names>[A-Za-z_][\w:.-]*"
                            r"(?:\s*[,;]\s*[A-Za-z_][\w:.-]*){2,})")
_SETTING_NAME = re.compile(r"[A-Za-z_][\w:.-]*")
# a line of code or of a traceback (an assignment, a call, "KeyError: ..."), not a row of a settings listing
_CODE_LINE = re.compile(r"^\s*[A-Za-z_][\w.]*(?::(?:\s|$)|\s*[=(\[]|\s+(?:in|import|from|def|if)\b)")


def material_setting_references(material: Material) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """setting_references over the files and the code pasted into the report or an answer (a function.json or a
    `os.environ["X"]` line quoted in the error description)."""
    pasted = [FileExcerpt(path=f"(pasted text {at})", relevance="primary", content=text, size_bytes=len(text))
              for at, text in enumerate(material.spoken()) if text]
    return setting_references([*material.files, *pasted])


def code_setting_names(material: Material) -> list[str]:
    """The names of the settings the material's code reads and its bindings name, bindings first, each once."""
    reads, connections = material_setting_references(material)
    return [n for n in dict.fromkeys(c["name"] for c in [*connections, *reads]) if n]


def setting_references(files: list[FileExcerpt]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The settings the code reads (environment reads) and the connection settings its bindings name."""
    reads, connections = [], []
    for excerpt in files:
        if _name(excerpt.path) == "local.settings.json":
            continue
        for pattern in _ENV_READS:
            for match in pattern.finditer(excerpt.content):
                reads.append({"name": match.group("name") or match.groupdict().get("quoted") or "",
                              "file": excerpt.path})
        for match in _CONNECTIONS.finditer(excerpt.content):
            connections.append({"name": match.group("name").strip("%"), "file": excerpt.path})
    unique = {(r["name"], r["file"]): r for r in reads if r["name"]}
    return list(unique.values())[:30], list({(c["name"], c["file"]): c for c in connections}.values())[:30]


@tool(NoArguments)
def list_app_settings(args: NoArguments, material: Material) -> Evidence:
    """List app settings: those in local.settings.json (value shapes only), those the client's answers list as
    deployed, the settings the code reads and the connection settings its bindings name."""
    local = _local_settings(material.files) or _pasted_local_settings(material.spoken())
    deployed = _deployed_settings(material.answers)
    reads, connections = setting_references(material.files)
    if not (local or deployed is not None or reads or connections):
        return Evidence(tool="list_app_settings", status="no_data",
                        summary="no app settings, setting reads or binding connections in the files or answers")
    parts = []
    if local:
        parts.append("local.settings.json defines " + ", ".join(f"{k} ({v})" for k, v in list(local.items())[:12]))
    if deployed is not None:
        parts.append("the deployed app lists " + (", ".join(deployed[:25]) or "no settings"))
    if reads:
        parts.append("the code reads " + ", ".join(sorted({r["name"] for r in reads})[:12]))
    if connections:
        parts.append("bindings use connection " + ", ".join(sorted({c["name"] for c in connections})[:12]))
    return Evidence(tool="list_app_settings", status="success", summary="; ".join(parts),
                    data={"local": local, "deployed": deployed, "reads": reads, "connections": connections})


def setting_defined(name: str, names: list[str]) -> bool:
    """A connection named X is also satisfied by identity-based X__fullyQualifiedNamespace-style settings; a .NET
    configuration key's ':' is written '__' in an app setting (Linux allows no ':' in a variable name)."""
    wanted = name.lower().replace(":", "__")
    return any(n.lower().replace(":", "__") in (wanted, ) or n.lower().replace(":", "__").startswith(wanted + "__")
               for n in names)


# ---------------------------------------------------------------------------------------------- host config

@tool(NoArguments)
def read_host_config(args: NoArguments, material: Material) -> Evidence:
    """Read the Functions host configuration sent: host.json (version, extension bundle, functionTimeout) and the
    worker runtime in local.settings.json."""
    data: dict[str, Any] = {}
    for excerpt in material.files:
        if _name(excerpt.path) == "host.json":
            host = next((v for v in _json_values(excerpt.content) if isinstance(v, dict)), {})
            bundle = host.get("extensionBundle") or {}
            data.update({"host_json": excerpt.path, "version": host.get("version"),
                         "bundle_id": bundle.get("id"), "bundle_version": bundle.get("version"),
                         "function_timeout": host.get("functionTimeout")})
    worker = next((v for k, v in _raw_local_values(material.files).items() if k == "FUNCTIONS_WORKER_RUNTIME"), None)
    if worker:
        data["worker_runtime"] = worker
    if not data:
        return Evidence(tool="read_host_config", status="no_data", summary="neither host.json nor local.settings.json "
                                                                           "was sent")
    shown = {k: v for k, v in data.items() if v is not None and k != "host_json"}
    summary = "host configuration: " + (", ".join(f"{k} {v}" for k, v in shown.items()) or "host.json has no settings")
    return Evidence(tool="read_host_config", status="success", summary=summary, data=data)


def _raw_local_values(files: list[FileExcerpt]) -> dict[str, str]:
    for excerpt in files:
        if _name(excerpt.path) == "local.settings.json":
            for value in _json_values(excerpt.content):
                if isinstance(value, dict) and isinstance(value.get("Values"), dict):
                    return {str(k): str(v) for k, v in value["Values"].items()}
    return {}


# ---------------------------------------------------------------------------------------------- DNS answers

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Resolve-DnsName's table puts the TTL and the section between the type and the target ("CNAME  300  Answer  x.net")
_ALIAS = re.compile(r"canonical name = (?P<a>[\w.-]+)|"
                    r"\bCNAME\s+(?:\d+\s+(?:Answer|Authority|Additional)\s+)?(?P<b>(?=[\w.-]*[A-Za-z])[\w.-]+)|"
                    r"^Aliases:\s*(?P<c>[\w.-]+)|"
                    r"^\s+(?P<d>[\w-]+(?:\.[\w-]+)+\.)\s*$", re.MULTILINE)


_ANSWER_START = re.compile(r"(?im)^.*(?:non-authoritative answer|answer section).*$")
_LOOKUP_START = re.compile(r"(?im)^.*\b(?:nslookup|dig|resolve-dnsname)\b.*$")


def _dns_sections(text: str, host: str) -> list[str]:
    """The answers for the host in a pasted nslookup / dig / Resolve-DnsName output, one per lookup (a report often
    pastes one lookup from inside the network and one from outside)."""
    if host.lower() not in text.lower() or not re.search(
            r"nslookup|Non-authoritative|ANSWER SECTION|\bIN\s+A\b|Resolve-DnsName|Address", text, re.IGNORECASE):
        return []
    starts = [m.start() for m in _ANSWER_START.finditer(text)]
    if not starts:
        start = text.lower().find(host.lower())
        return [text[start:]]
    ends = [m.start() for m in _LOOKUP_START.finditer(text)]
    sections = []
    for i, start in enumerate(starts):
        blank = text.find("\n\n", start)  # the tool's output ends at a blank line; prose may follow
        stop = min([e for e in ends if e > start] + starts[i + 1:i + 2] + [blank if blank > 0 else len(text)])
        earlier = [e for e in ends if (starts[i - 1] if i else -1) < e < start]
        # from the lookup command (it names the host) when one precedes this answer
        sections.append(text[earlier[-1] if earlier else start:stop])
    return [section for section in sections if host.lower() in section.lower()] or sections


def _addresses(section: str) -> list[str]:
    found = []
    after_server = False
    for line in section.splitlines():
        if "#53" in line or re.match(r"\s*Server:", line):
            after_server = True
            continue
        if after_server and re.match(r"\s*Address(?:es)?:", line):  # the resolver's own address, not an answer
            after_server = False
            continue
        after_server = False
        for candidate in _IPV4.findall(line):
            try:
                ipaddress.IPv4Address(candidate)
            except ValueError:
                continue
            if candidate not in found:
                found.append(candidate)
    return found


def _all_private(addresses: list[str]) -> bool:
    return bool(addresses) and all(private_address(a) for a in addresses)


# Python counts the documentation ranges (RFC 5737) as private, but in pasted output they stand for public addresses
# (examples and redacted reports use them so); a private endpoint's address is never one of them.
_DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))


def private_address(address: str) -> bool:
    """An address inside a network (RFC 1918, loopback, link-local), not a public or documentation one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:  # four numbers that are no address (999.1.1.1)
        return False
    return parsed.is_private and not any(parsed in net for net in _DOCUMENTATION)


@tool(HostArguments)
def get_dns_answer(args: HostArguments, material: Material) -> Evidence:
    """Read how a host name resolved from pasted nslookup / dig output: addresses (private or public) and aliases.
    When several lookups disagree (private from inside the network, public from elsewhere), the public one is the
    answer that breaks the caller, and `elsewhere_private` says another lookup got a private address."""
    for origin, text in _texts(material):
        answers = [(section, _addresses(section)) for section in _dns_sections(text, args.host)]
        answers = [(section, addresses) for section, addresses in answers if addresses]
        if not answers:
            continue
        public = [answer for answer in answers if not _all_private(answer[1])]
        section, addresses = public[-1] if public else answers[-1]
        aliases = [next(g for g in m.groups() if g).rstrip(".") for m in _ALIAS.finditer(section)]
        data = {"host": args.host, "addresses": addresses[:10], "private": _all_private(addresses),
                "aliases": aliases[:10], "privatelink": any(".privatelink." in a.lower() for a in aliases),
                "where": origin, "elsewhere_private": bool(public) and len(public) < len(answers)}
        kind = "private" if data["private"] else "public"
        summary = (f"{args.host} resolves to {', '.join(addresses[:4])} ({kind}) in {origin}"
                   + (f", via {' -> '.join(aliases[:3])}" if aliases else "")
                   + ("; another lookup in the same text got a private address" if data["elsewhere_private"]
                      else ""))
        return Evidence(tool="get_dns_answer", arguments=args.model_dump(), status="success", summary=summary,
                        data=data)
    return Evidence(tool="get_dns_answer", arguments=args.model_dump(), status="no_data",
                    summary=f"no name resolution output for {args.host} in the error text or the answers")


# ---------------------------------------------------------------------------------------------- answer fields

def _field_value(text: str, field: str) -> str | None:
    """`"field": value` / `field = value`, or the bare value printed under a `--query ...field` command line."""
    name = re.escape(field)
    pattern = re.compile(rf'"?\b{name}"?\s*[:=]\s*(?:"(?P<q>[^"]*)"|(?P<b>[^\s,}}\]]+))', re.IGNORECASE)
    match = pattern.search(text)
    if match is not None:
        return match.group("q") if match.group("q") is not None else match.group("b")
    queried = re.search(rf"--query\s+['\"]?[\w.\[\]]*\b{name}['\"]?[^\n]*\n\s*\"?(?P<v>[^\s\"]+)", text, re.IGNORECASE)
    return queried.group("v") if queried else None


@tool(FieldsArguments)
def read_answer_fields(args: FieldsArguments, material: Material) -> Evidence:
    """Read named properties (e.g. enableRbacAuthorization) from the command output the client pasted, newest first."""
    values: dict[str, str] = {}
    for answer in reversed(material.answers):
        for field in args.fields:
            if field not in values:
                value = _field_value(answer, field)
                if value is not None:
                    values[field] = value
    if not values:
        return Evidence(tool="read_answer_fields", arguments=args.model_dump(), status="no_data",
                        summary=f"none of {', '.join(args.fields)} in the client's answers")
    return Evidence(tool="read_answer_fields", arguments=args.model_dump(), status="success", data={"values": values},
                    summary="from the client's answer: " + ", ".join(f"{k} = {v}" for k, v in values.items()))


# ---------------------------------------------------------------------------------------------- identity

_EMPTY_ANSWER = re.compile(r"^\s*(?:\$[^\n]*\n)?\s*(?:\{\s*\}|null|none|)\s*$|\b(?:empty|no output|nothing|"
                           r"returns? nothing|prints? nothing)\b", re.IGNORECASE)


def _identity_in(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    if "type" in value and ({"principalId", "userAssignedIdentities", "tenantId"} & set(value)):
        return value
    return _identity_in(value.get("identity"))


@tool(NoArguments)
def get_identity_from_answers(args: NoArguments, material: Material) -> Evidence:
    """Read a pasted `az functionapp identity show` / `az webapp identity show`: identity type, principal id and the
    client ids of user-assigned identities (an empty output means no identity)."""
    for answer in reversed(material.answers):
        identity = next((i for v in _json_values(answer) if (i := _identity_in(v)) is not None), None)
        if identity is not None:
            kind = str(identity.get("type") or "None")
            assigned = identity.get("userAssignedIdentities") or {}
            clients = [str(v.get("clientId")) for v in assigned.values() if isinstance(v, dict) and v.get("clientId")]
            data = {"assigned": kind.lower() != "none", "type": kind, "principalId": identity.get("principalId"),
                    "user_assigned_client_ids": clients, "system_assigned": "systemassigned" in kind.lower()}
            summary = (f"identity type {kind}, principal {identity.get('principalId') or 'none'}, user-assigned client "
                       f"ids {', '.join(clients) or 'none'}")
            return Evidence(tool="get_identity_from_answers", status="success", summary=summary, data=data)
        if _EMPTY_ANSWER.search(answer):
            return Evidence(tool="get_identity_from_answers", status="success",
                            data={"assigned": False, "type": "None"},
                            summary="the identity command returned nothing: no managed identity is assigned")
    return Evidence(tool="get_identity_from_answers", status="no_data",
                    summary="no managed identity output in the client's answers")
