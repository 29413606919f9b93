"""Tools that read what the client sent (files and answers); they need no Azure access."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.session.state import Evidence, Material
from shared.tools.catalog import tool

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


class ModuleArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$", description="the Python module imported")


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(pattern=r"^[a-z0-9]{3,24}$", description="the storage account name")


@lru_cache(maxsize=1)
def _package_names() -> dict[str, str]:
    return yaml.safe_load((_KNOWLEDGE / "python_packages.yaml").read_text(encoding="utf-8"))


def distribution_names(module: str) -> set[str]:
    """The PyPI names that can provide a module: `azure.storage.blob` is `azure-storage-blob`."""
    top = module.split(".")[0]
    names = {_normalize(top)}
    for prefix, dist in _package_names().items():
        if module == prefix or module.startswith(prefix + "."):
            names.add(_normalize(dist))
    if top == "azure":
        parts = module.split(".")
        names |= {_normalize("-".join(parts[:n])) for n in (2, 3) if len(parts) >= n}
    return names


def likely_distribution(module: str) -> str:
    """The one name to suggest for requirements.txt: `PIL` is `Pillow`, `azure.cosmos` is `azure-cosmos`."""
    for prefix, dist in _package_names().items():
        if module == prefix or module.startswith(prefix + "."):
            return dist
    parts = module.split(".")
    if parts[0] == "azure" and len(parts) > 1:
        # azure.storage.blob -> azure-storage-blob, azure.cosmos -> azure-cosmos, azure.identity.aio -> azure-identity
        depth = 3 if len(parts) > 2 and parts[1] in {"storage", "mgmt", "monitor", "ai", "data", "keyvault"} else 2
        return "-".join(parts[:depth])
    return parts[0]


def requirement_names(text: str) -> list[str]:
    """Distribution names listed in a requirements.txt (options, comments and versions stripped)."""
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.append(match.group(0))
    return names


@tool(ModuleArguments)
def get_requirement_status(args: ModuleArguments, material: Material) -> Evidence:
    """Tell whether requirements.txt lists the distribution that provides a Python module, and which files import it."""
    wanted = distribution_names(args.module)
    importers = [f.path for f in material.files if _imports(f.content, args.module)]
    requirement_files = [f for f in material.files if PurePosixPath(f.path.replace("\\", "/")).name
                         == "requirements.txt"]
    if not requirement_files:
        return Evidence(tool="get_requirement_status", arguments=args.model_dump(), status="no_data",
                        summary="requirements.txt was not among the files sent",
                        data={"module": args.module, "importers": importers})
    listed = [n for f in requirement_files for n in requirement_names(f.content)]
    found = sorted({n for n in listed if _normalize(n) in wanted})
    where = f" (imported by {', '.join(importers)})" if importers else ""
    if found:
        summary = f"requirements.txt lists {', '.join(found)}, which provides '{args.module}'{where}"
    else:
        summary = (f"requirements.txt does not list a package providing '{args.module}'{where}; "
                   f"it lists: {', '.join(listed) or 'nothing'}")
    return Evidence(tool="get_requirement_status", arguments=args.model_dump(), status="success", summary=summary,
                    data={"module": args.module, "listed": bool(found), "packages": found,
                          "requirements": listed[:50], "importers": importers,
                          "requirements_file": requirement_files[0].path})


_ACCOUNT_PATTERNS = [
    # the error text names it, quoted: "storage account 'mystorageaccount'" (never the next English word)
    ("error text", re.compile(r"(?i:storage account)(?:\s+named)?\s+['\"`]([a-z0-9]{3,24})['\"`]")),
    # a resource id or a command argument
    ("resource id", re.compile(r"/storageAccounts/([a-z0-9]{3,24})\b")),
    ("command", re.compile(r"--account-name[= ]['\"]?([a-z0-9]{3,24})\b")),
    # an endpoint URL: https://name.blob.core.windows.net
    ("endpoint", re.compile(r"\b([a-z0-9]{3,24})\.(?:blob|queue|table|file|dfs)\.core\.windows\.net")),
    # a connection string
    ("connection string", re.compile(r"AccountName=([a-z0-9]{3,24})\b")),
    # a setting with a default: os.environ.get("DEPLOY_STORAGE_ACCOUNT", "mystorageaccount")
    ("setting default", re.compile(
        r"environ\.get\(\s*['\"]\w*STORAGE\w*['\"]\s*,\s*['\"]([a-z0-9]{3,24})['\"]", re.IGNORECASE)),
]


@tool(NoArguments)
def list_storage_account_references(args: NoArguments, material: Material) -> Evidence:
    """List the storage account names that the error text, the files and the answers refer to, and where."""
    texts = [("error", material.error_description)] + [(f.path, f.content) for f in material.files]
    texts += [(f"answer {i + 1}", a) for i, a in enumerate(material.answers)]
    found: dict[str, list[str]] = {}
    for origin, text in texts:
        for kind, pattern in _ACCOUNT_PATTERNS:
            for match in pattern.finditer(text):
                name = match.group(1)
                if name.lower() in {"name", "account", "storage", "the", "for", "privatelink"}:  # privatelink: the zone
                    continue
                found.setdefault(name, [])
                if f"{origin} ({kind})" not in found[name]:
                    found[name].append(f"{origin} ({kind})")
    if not found:
        return Evidence(tool="list_storage_account_references", status="no_data",
                        summary="no storage account name appears in the error, the files or the answers")
    accounts = [{"name": n, "where": w[:5]} for n, w in sorted(found.items(), key=lambda kv: -len(kv[1]))]
    summary = "; ".join(f"'{a['name']}' in {', '.join(a['where'])}" for a in accounts[:5])
    return Evidence(tool="list_storage_account_references", status="success",
                    summary=f"storage accounts referred to: {summary}", data={"accounts": accounts[:10]})


@tool(AccountArguments)
def get_network_rules_from_answers(args: AccountArguments, material: Material) -> Evidence:
    """Read a storage account's network rules (networkRuleSet / networkAcls) from what the client pasted."""
    for answer in reversed(material.answers):
        rules = _find_rules(answer)
        if rules is not None:
            ip_rules = [r.get("ipAddressOrRange") or r.get("value") for r in rules.get("ipRules") or []
                        if isinstance(r, dict)]
            data = {"account": args.account, "defaultAction": rules.get("defaultAction"),
                    "bypass": rules.get("bypass"), "ipRules": ip_rules[:50],
                    "virtualNetworkRules": len(rules.get("virtualNetworkRules") or [])}
            summary = (f"network rules of '{args.account}': defaultAction {data['defaultAction']}, "
                       f"bypass {data['bypass']}, allowed IP ranges {', '.join(map(str, ip_rules)) or 'none'}, "
                       f"{data['virtualNetworkRules']} virtual network rules")
            return Evidence(tool="get_network_rules_from_answers", arguments=args.model_dump(), status="success",
                            summary=summary, data=data)
    return Evidence(tool="get_network_rules_from_answers", arguments=args.model_dump(), status="no_data",
                    summary=f"no network rule set for '{args.account}' in the client's answers")


def _find_rules(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    listed = None  # the rules alone (`az storage account network-rule list` prints no defaultAction)
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        rules = _rules_in(value)
        if rules is not None:
            return rules
        if listed is None and isinstance(value, dict) and ("ipRules" in value or "virtualNetworkRules" in value):
            listed = value
    # the default action in JSON or said in words beside the rules ('defaultAction is "Deny"')
    action = re.search(r"defaultAction(?:\W{1,5}|\W{0,3}\s*(?:is|was|=|:)\s*\W{0,3})(Allow|Deny)\b", text,
                       re.IGNORECASE)
    if action is None:
        return None
    return {**(listed or {}), "defaultAction": action.group(1).capitalize()}


def _rules_in(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    if "defaultAction" in value:
        return value
    for key in ("networkRuleSet", "networkAcls", "properties"):
        found = _rules_in(value.get(key))
        if found is not None:
            return found
    return None


def _imports(content: str, module: str) -> bool:
    top = re.escape(module.split(".")[0])
    return re.search(rf"^\s*(?:import|from)\s+{top}\b", content, re.MULTILINE) is not None


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
