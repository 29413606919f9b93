"""Resource names taken from the material's strong forms only, ranked by how strongly each form names a resource.

A name counts only from a resource id, an endpoint host, a `Key=value` of a connection string, an `--argument` of a
command, or a quoted name right after the resource's kind ("storage account 'stmedia'"). The next English word
after "storage account" ("using", "since") is never a name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# strength: resource id 5 > endpoint 4 > Key=value 3 > --argument 3 > quoted after the kind 2
_FORMS: dict[str, tuple[tuple[int, str], ...]] = {
    "account": (
        (5, r"/storageAccounts/(?P<v>[a-z0-9]{3,24})\b"),
        (4, r"\b(?P<v>[a-z0-9]{3,24})\.(?:blob|queue|table|file|dfs)\.core\.windows\.net\b"),
        (3, r"\bAccountName=(?P<v>[a-z0-9]{3,24})\b"),
        (3, r"--account-name[= ]['\"]?(?P<v>[a-z0-9]{3,24})\b"),
        (2, r"(?i:storage account)(?: named)? ['\"`](?P<v>[a-z0-9]{3,24})['\"`]"),
    ),
    "vault": (
        (5, r"/vaults/(?P<v>[A-Za-z0-9-]{3,24})\b"),
        (4, r"\b(?P<v>[A-Za-z0-9-]{3,24})\.vault\.azure\.net\b"),
        (3, r"--vault-name[= ]['\"]?(?P<v>[A-Za-z0-9-]{3,24})\b"),
        (2, r"(?i:key ?vault)(?: named)? ['\"`](?P<v>[A-Za-z0-9-]{3,24})['\"`]"),
    ),
    "function_app": (
        (5, r"/providers/Microsoft\.Web/sites/(?P<v>[A-Za-z0-9-]{2,60})\b"),
        (4, r"\b(?P<v>[A-Za-z0-9-]{2,60})(?:\.scm)?\.azurewebsites\.net\b"),
        (3, r"\baz (?:functionapp|webapp)\b[^\n]*?(?:--name|-n)[= ]['\"]?(?P<v>[A-Za-z0-9-]{2,60})\b"),
        (2, r"(?i:function app|web app|app service)(?: named)? ['\"`](?P<v>[A-Za-z0-9-]{2,60})['\"`]"),
    ),
    "registry": (
        (5, r"/registries/(?P<v>[A-Za-z0-9]{5,50})\b"),
        (4, r"\b(?P<v>[a-z0-9]{5,50})\.azurecr\.io\b"),
        (3, r"--registry[= ]['\"]?(?P<v>[A-Za-z0-9]{5,50})\b"),
    ),
    "server": (
        (5, r"/servers/(?P<v>[a-z0-9-]{1,63})\b"),
        (4, r"\b(?P<v>[a-z0-9-]{1,63})\.(?:database\.windows\.net|(?:postgres|mysql)\.database\.azure\.com)\b"),
        (3, r"--server[= ]['\"]?(?P<v>[a-z0-9-]{1,63})\b"),
    ),
    "namespace": (
        (5, r"/namespaces/(?P<v>[A-Za-z0-9-]{6,50})\b"),
        (4, r"\b(?P<v>[A-Za-z0-9-]{6,50})\.servicebus\.windows\.net\b"),
        (3, r"--namespace-name[= ]['\"]?(?P<v>[A-Za-z0-9-]{6,50})\b"),
    ),
    "cosmos_account": (
        (5, r"/databaseAccounts/(?P<v>[a-z0-9-]{3,44})\b"),
        (4, r"\b(?P<v>[a-z0-9-]{3,44})\.documents\.azure\.com\b"),
    ),
    "openai_resource": (
        (4, r"\b(?P<v>[A-Za-z0-9-]{2,64})\.(?:openai|cognitiveservices)\.azure\.com\b"),
    ),
    "resource_group": (
        (5, r"/resourceGroups/(?P<v>[\w().-]{1,90})(?=/|\s|$|['\"])"),
        (3, r"(?:--resource-group|-g)[= ]['\"]?(?P<v>[\w().-]{1,90})\b"),
        (2, r"(?i:resource group) ['\"`](?P<v>[\w().-]{1,90})['\"`]"),
    ),
    "subscription": (
        (5, r"/subscriptions/(?P<v>[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\b"),
    ),
    "image": (
        (4, r"\b(?P<v>[a-z0-9.-]+\.azurecr\.io/[a-z0-9._/-]+(?::[\w.-]+)?)"),
    ),
}
_COMPILED = {kind: tuple((strength, re.compile(p)) for strength, p in forms) for kind, forms in _FORMS.items()}
_PLACEHOLDER = re.compile(r"^(?:REDACTED|example|name|myaccount|none|null)$", re.IGNORECASE)
# An operation name (the activity log's "Microsoft.Storage/storageAccounts/write", a role's
# "Microsoft.KeyVault/vaults/delete") has a resource id's shape, but its last segment is a verb, not a name.
_OPERATION_VERB = re.compile(r"^(?:read|write|delete|action|listkeys|regeneratekey|join|move)$", re.IGNORECASE)
# ...and in a longer one ("Microsoft.ContainerRegistry/registries/importImage/action") the segment before the verb is
# the operation's own name, not a resource's
_OPERATION_TAIL = re.compile(r"/(?:read|write|delete|action)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entity:
    kind: str
    name: str
    strength: int


def find_entities(texts: Iterable[str]) -> list[Entity]:
    """Every name in a strong form, strongest first, each (kind, name) once."""
    found: dict[tuple[str, str], int] = {}
    sources = list(texts)
    for kind, forms in _COMPILED.items():
        for strength, pattern in forms:
            for text in sources:
                for match in pattern.finditer(text):
                    name = match.group("v").strip()
                    if name and not _PLACEHOLDER.match(name) and not _OPERATION_VERB.match(name) \
                            and not _OPERATION_TAIL.match(text, match.end()):
                        key = (kind, name)
                        found[key] = max(found.get(key, 0), strength)
    ranked = sorted(found.items(), key=lambda item: -item[1])
    return [Entity(kind, name, strength) for (kind, name), strength in ranked]


def entity_facts(texts: Iterable[str]) -> dict[str, str]:
    """The strongest name of each kind, as template facts."""
    facts: dict[str, str] = {}
    for entity in find_entities(texts):
        facts.setdefault(entity.kind, entity.name)
    return facts


# A key named by its last characters, as people compare keys without pasting them: "ends in ...9f2c", "key1 ...41ad".
_KEY_TAIL = re.compile(r"(?i)(?:\b(?:ends?|ending) (?:in|with)\s*[`'\"]?(?:\.{2,3}|…)?\s*|(?:\.{3}|…))"
                       r"(?P<tail>[A-Za-z0-9]{4,8})\b")
# The resource a key belongs to, named before its ending on the same line ("account infoasst-aoai-w8ilp ... its key1
# ends in", "keys list -n aoai-x gives key1 ..."): a name with a hyphen or digit, so "account keys" names nothing.
_KEY_HOLDER = re.compile(r"(?i)(?:\b(?:account|resource|instance|service|vault)|\s-n|--name)\s+['\"`]?"
                         r"(?P<name>(?=[a-z0-9-]*[-0-9])[a-z][a-z0-9-]{1,62}[a-z0-9])\b")


def key_owner(texts: Iterable[str]) -> str | None:
    """The resource whose key a client sends, where the report compares key endings: the same ending is given once
    for the key in use (a secret, a setting - no resource named before it) and once for a named resource's key."""
    holders: dict[str, set[str | None]] = {}
    for text in texts:
        for line in text.splitlines():
            start = 0
            for match in _KEY_TAIL.finditer(line):
                named = [m.group("name") for m in _KEY_HOLDER.finditer(line[start:match.start()])]
                holders.setdefault(match.group("tail").lower(), set()).add(named[-1] if named else None)
                start = match.end()
    owners = [names - {None} for names in holders.values() if None in names and len(names) == 2]
    return next(iter(owners[0])) if len(owners) == 1 else None
