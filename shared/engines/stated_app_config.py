"""Application and identity configuration the report pastes, read like the session's own Azure reads.

(Addresses, Front Door ids, DNS zone links and storage data roles: shared/engines/stated_config.py.)

Reports often paste what the writer already checked (an `az ... show` output, a role assignment list, a template's
containers, a pipeline's service connection, a workflow's env block) and the deciding fact sits in one value of it: an
IP rule one digit off, a header filter with another Front Door's id, a variable on the wrong container, a connection
scoped to another resource group, a subnet rule for the old subnet, a secret referenced under another name, a role on
another namespace, a variable name with two letters swapped. The engine compares Azure reads with what the error
needs; these readers make the same comparison with the stated configuration, so a stated fact decides like a read
one, and the conclusion names the value it read. Each reader is silent when the stated configuration agrees with
what the error needs (the cause lies elsewhere) or when it cannot read the configuration."""

from __future__ import annotations

import ipaddress
import re
import textwrap
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz.distance import Levenshtein

from shared.engines.analyzers.common import report
from shared.engines.analyzers.storage_azure import covered
from shared.engines.base import Decision
from shared.engines.listed_names import name_ratio
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, SessionState

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge" / "tool_env_names.yaml"
_MAX = 60_000  # characters of the report each reader looks at


def _text(state: SessionState) -> str:
    material = state.material
    return "\n".join([*material.spoken(), *(f.content for f in material.files)])[:_MAX]


_QUOTED_ERROR = re.compile(r"\([^()':\n]{1,80}: '.*?'\)", re.DOTALL)  # "(Service: '<the error's words>')"


def _said(decision: Conclude) -> str:
    """What the conclusion says in its own words: the root cause without its quotation of the error, and the evidence
    that is not a quotation of the report."""
    report_ = decision.report
    own = [e.summary for e in report_.evidence if e.source not in ("error", "catalog")]
    return " ".join([_QUOTED_ERROR.sub("", report_.root_cause), *own]).lower()


def _append(decision: Conclude, said: str) -> Conclude:
    decision.report.root_cause = decision.report.root_cause.rstrip() + " " + said
    decision.report.evidence.append(EvidenceItem(source="error", summary=("stated configuration: " + said)[:300]))
    return decision


def _open(decision: Decision, state: SessionState) -> bool:
    """A question before anything was asked: a stated fact may answer it."""
    return isinstance(decision, AskClient) and not state.requests_asked


def _block_after(text: str, start: int, limit: int = 4000) -> str:
    """The bracketed block (`[...]`) that opens after `start`, or the next `limit` characters when none closes."""
    opening = text.find("[", start, start + 200)
    if opening < 0:
        return text[start:start + limit]
    depth = 0
    for i in range(opening, min(len(text), opening + limit)):
        depth += {"[": 1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return text[opening:i + 1]
    return text[opening:opening + limit]


# ---------------------------------------------------------------- an IP rule list that does not cover the refused IP
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_REFUSED_IP = re.compile(
    rf"(?i)\b(?:client|caller|source|requesting|your)\s+(?:with\s+)?(?:public\s+)?(?:ip(?:\s+address)?|address)"
    rf"(?:\s+of\s+the\s+client)?\s*(?:is\s+|:\s*|=\s*)?['\"(]?(?P<ip>{_IPV4})(?![\d/])")
_IP_RULES = re.compile(r"(?i)\"?ip_?(?:rules|range_?filter|_ranges|Restrictions|SecurityRestrictions)\"?\s*[:=]")
_CIDR = re.compile(rf"(?<![\d.]){_IPV4}(?:/\d{{1,2}})?(?![\d.])")


def stated_ip_rules(text: str) -> list[str]:
    """The addresses and ranges of the IP rule lists the report pastes (`"ipRules": [...]`, `ipRangeFilter`)."""
    rules: list[str] = []
    for found in _IP_RULES.finditer(text):
        rules += [r for r in _CIDR.findall(_block_after(text, found.end(), 3000)) if _valid(r)]
    return list(dict.fromkeys(rules))


def _valid(rule: str) -> bool:
    try:
        ipaddress.ip_network(rule, strict=False)
    except ValueError:
        return False
    return True


def _ip_rule_misses(state: SessionState, decision: Decision) -> Decision | None:
    if not isinstance(decision, Conclude) or not str(decision.report.category or "").startswith("network."):
        return None
    text = _text(state)
    refused = [m.group("ip") for m in _REFUSED_IP.finditer(text) if _valid(m.group("ip"))]
    rules = stated_ip_rules(text)
    if not refused or not rules or any(covered(ip, rules) for ip in refused):
        return None
    ip = refused[0]
    if ip in _said(decision) and any(r in _said(decision) for r in rules):
        return None
    nearest = max(rules, key=lambda r: SequenceMatcher(None, r.split("/")[0], ip).ratio())
    near = (f"; the nearest rule, {nearest}, is close to {ip} but does not hold it"
            if SequenceMatcher(None, nearest.split("/")[0], ip).ratio() >= 0.8 else "")
    return _append(decision, f"The IP rules the report shows ({', '.join(rules[:6])}) do not cover the refused client"
                             f" address {ip}{near}: add {ip} (or a range that holds it) to the rules.")


# ------------------------------------------------------- a Front Door header filter with another profile's id
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_FDID_FILTER = re.compile(rf"(?i)x-azure-fdid[\"'\s:=\[]{{0,12}}(?P<ids>{_GUID}(?:[\"'\s,]{{1,6}}{_GUID})*)")
_FDID_PROFILE = re.compile(rf"(?i)(?<!azure-)(?:front\s?door\s?id|frontDoorId|\bfdid)[\"'\s:=]{{0,6}}(?P<id>{_GUID})")


def _front_door_id_mismatch(state: SessionState, decision: Decision) -> Decision | None:
    if not isinstance(decision, Conclude) or not str(decision.report.category or "").startswith("network."):
        return None
    text = _text(state)
    allowed = {g.lower() for m in _FDID_FILTER.finditer(text) for g in re.findall(_GUID, m.group("ids"))}
    profile = [m.group("id").lower() for m in _FDID_PROFILE.finditer(text)]
    if not allowed or not profile or any(p in allowed for p in profile) or "x-azure-fdid" in _said(decision):
        return None
    return _append(decision, f"The access restriction admits Front Door traffic only with the header X-Azure-FDID ="
                             f" {', '.join(sorted(allowed))}, while the Front Door profile in front of the app has the"
                             f" Front Door ID {profile[0]}: every request it forwards carries that ID and is refused."
                             f" Set the rule's X-Azure-FDID header value to {profile[0]}.")


# --------------------------------------------------------------- an environment variable on another container
_MISSING_VAR = re.compile(
    r"KeyError: ['\"](?P<a>[A-Z][A-Z0-9_]{2,})['\"]|"
    r"(?i:environment variable|env var|setting)s?\s+['\"`]?(?P<b>[A-Z][A-Z0-9_]{2,})['\"`]?\s+"
    r"(?i:is\s+(?:not\s+set|missing|not\s+defined|undefined|required))|"
    r"(?i:missing|required|undefined|not\s+set)[^\n]{0,30}?(?i:environment\s+variable|env\s+var)s?:?\s+['\"`]?"
    r"(?P<c>[A-Z][A-Z0-9_]{2,})")
_STRUCTURE_START = re.compile(r"(?m)^(?P<indent>[ \t]*)(?:containers\s*:|[\[{]\s*$)")


def _parsed_blocks(text: str) -> list[Any]:
    """The YAML or JSON documents the report pastes as indented blocks (a template's `containers:`, a JSON array)."""
    found: list[Any] = []
    lines = text.split("\n")
    starts = {text.count("\n", 0, m.start()) for m in _STRUCTURE_START.finditer(text)}
    for start in sorted(starts)[:20]:
        indent = len(lines[start]) - len(lines[start].lstrip())
        block = [lines[start]]
        for line in lines[start + 1:start + 400]:
            if line.strip() and len(line) - len(line.lstrip()) < indent:
                break
            if not line.strip() and block and block[-1].strip() in ("]", "}"):
                break
            block.append(line)
        try:
            found.append(yaml.safe_load(textwrap.dedent("\n".join(block))))
        except yaml.YAMLError:
            continue
    return found


def _containers(value: Any) -> list[dict[str, Any]]:
    """The containers (dicts with a `name` and an `env`) anywhere in a parsed document."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and "env" in value and ("image" in value or "resources" in value):
            return [value]
        return [c for v in value.values() for c in _containers(v)]
    if isinstance(value, list):
        return [c for v in value for c in _containers(v)]
    return []


def _env_names(container: dict[str, Any]) -> set[str]:
    env = container.get("env")
    if isinstance(env, dict):
        return {str(k) for k in env}
    return {str(e.get("name")) for e in env or [] if isinstance(e, dict)}


def _variable_on_other_container(state: SessionState, decision: Decision) -> Decision | None:
    if not (isinstance(decision, Conclude) and decision.report.category == "config.missing_app_setting") \
            and not _open(decision, state):
        return None
    text = _text(state)
    wanted = [m.group("a") or m.group("b") or m.group("c") for m in _MISSING_VAR.finditer(text)]
    if not wanted:
        return None
    containers = {str(c["name"]): c for block in _parsed_blocks(text) for c in _containers(block)}
    for name in dict.fromkeys(wanted):
        holding = [c for c, v in containers.items() if name in _env_names(v)]
        lacking = [c for c, v in containers.items() if name not in _env_names(v)]
        if not holding or not lacking:
            continue
        said = (f"The template the report shows defines {name} only on container(s) {', '.join(map(repr, holding))}; "
                f"environment variables are set per container, so container(s) {', '.join(map(repr, lacking))} "
                f"(the one that fails) do not have it. Add {name} to the env of the container that reads it.")
        if isinstance(decision, Conclude) and holding[0].lower() in _said(decision):
            return None
        found = report(state, category="config.missing_app_setting", confidence="medium", root_cause=said,
                       actions=[f"Add {name} under the env of container {lacking[0]!r} (template.containers[].env), "
                                "then deploy a new revision."],
                       evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])])
        return Conclude(message=said[:300], report=found)
    return None


# -------------------------------------------------------- a service connection scoped to another resource group
_DEPLOY_NOT_FOUND = re.compile(r"(?i)resource\s+'[^'\n]{1,100}'\s+(?:doesn't|does not)\s+exist")
_CONNECTION = re.compile(r"(?i)service\s+connection")
_CONNECTION_GROUP = re.compile(r"(?i)\bresource\s+group(?:\s+scope)?\s*[:=]?\s*['\"`]?(?P<group>[\w.()-]{2,90}?)"
                               r"['\"`]?(?=[\s,.;)]|$)")
_GROUP_LIKE = re.compile(r"[-_.\d]|^rg", re.IGNORECASE)  # a resource group's name, not a word of the sentence
_TARGET_GROUP = re.compile(r"(?i)(?:resourceGroupName|--resource-group|\s-g)\s*[:=]?\s*['\"]?(?P<group>[\w.()-]{2,90})")


def _connection_scoped_elsewhere(state: SessionState, decision: Decision) -> Decision | None:
    if isinstance(decision, Conclude) and (decision.report.confidence == "high" or decision.report.category not in (
            "config.wrong_resource_name", "auth.rbac_missing", "deployment.resource_not_found")):
        return None
    if not isinstance(decision, Conclude) and not _open(decision, state):
        return None
    text = _text(state)
    if not _DEPLOY_NOT_FOUND.search(text):
        return None
    targets = {m.group("group").lower() for m in _TARGET_GROUP.finditer(text)}
    scoped = None
    for found in _CONNECTION.finditer(text):
        after = text[found.end():found.end() + 600]
        group = _CONNECTION_GROUP.search(after)
        if group and _GROUP_LIKE.search(group.group("group")):
            scoped = group.group("group")
            break
    if scoped is None or not targets or scoped.lower() in targets:
        return None
    target = sorted(targets)[0]
    said = (f"The service connection the deploy step uses is scoped to resource group '{scoped}': its principal gets a"
            f" role on that group only, so it cannot see the app in '{target}', and the task reports the resource as"
            f" not existing. Give the connection's principal a role (Contributor or Website Contributor) on"
            f" '{target}', or use a service connection scoped to it (or to the subscription).")
    found_report = report(state, category="auth.rbac_missing", confidence="medium", root_cause=said,
                          actions=[f"az role assignment create --assignee <service-connection-app-id> --role "
                                   f"Contributor --scope /subscriptions/<subscription>/resourceGroups/{target}"],
                          evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])])
    return Conclude(message=said[:300], report=found_report)


# -------------------------------------------------- a virtual network rule for another subnet than the caller's
_SUBNET_ID = re.compile(r"(?i)/subscriptions/[\w-]+/resourceGroups/[\w.()-]+/providers/Microsoft\.Network/"
                        r"virtualNetworks/[\w.-]+/subnets/[\w.-]+")
_VNET_RULES = re.compile(r"(?i)\"?virtualNetworkRules\"?\s*[:=]")
_CALLER_SUBNET = re.compile(r"(?i)virtualNetworkSubnetId|vnet-integration|VnetResourceId|integrated with|"
                            r"vnet integration")
# the writer's own words for the app's subnet, by a subnet-like name: "the app is integrated with snet-apps-v2"
_CALLER_SUBNET_NAME = re.compile(r"(?i)(?:integrated (?:with|into)|integration subnet(?: is)?|vnet integration "
                                 r"(?:uses|with|on|subnet))\s+(?:the\s+)?(?:subnet\s+)?['\"`]?(?:[\w.-]+/)?"
                                 r"(?P<name>[\w.-]{0,40}s(?:ub)?net[\w.-]{0,40})")
_NETWORK_OR_HOST = ("network.", "functions.host", "functions.storage")


def _subnet_rule_misses(state: SessionState, decision: Decision) -> Decision | None:
    category = str(decision.report.category or "") if isinstance(decision, Conclude) else ""
    if isinstance(decision, Conclude) and (decision.report.confidence == "high"
                                           or not category.startswith(_NETWORK_OR_HOST)):
        return None
    if not isinstance(decision, Conclude) and not _open(decision, state):
        return None
    text = _text(state)
    rules: list[str] = []
    spans: list[tuple[int, int]] = []
    for found in _VNET_RULES.finditer(text):
        block = _block_after(text, found.end(), 4000)
        start = text.find(block, found.end())
        spans.append((start, start + len(block)))
        rules += _SUBNET_ID.findall(block)
    callers = []
    for found in _CALLER_SUBNET.finditer(text):
        for subnet in _SUBNET_ID.finditer(text, found.end(), min(len(text), found.end() + 600)):
            if not any(a <= subnet.start() < b for a, b in spans):
                callers.append(subnet.group(0))
                break
    if rules and not callers:  # the app's subnet said by its name only: compared with the rules' subnet names
        callers = [m.group("name") for m in _CALLER_SUBNET_NAME.finditer(text)
                   if not any(a <= m.start() < b for a, b in spans)][:1]
        have = {r.rsplit("/", 1)[-1].lower() for r in rules}
    else:
        have = {r.lower() for r in rules}
    if not rules or not callers or callers[0].lower() in have:
        return None
    caller = callers[0]
    name, listed = caller.rsplit("/", 1)[-1], ", ".join(repr(r.rsplit("/", 1)[-1]) for r in rules[:4])
    if isinstance(decision, Conclude) and category.startswith("network.") and name.lower() in _said(decision):
        return None
    storage = bool(re.search(r"(?i)storage account|az storage|AzureWebJobsStorage|\.core\.windows\.net", text))
    said = (f"The {'storage account' if storage else 'resource'}'s virtual network rules the report shows allow only "
            f"subnet(s) {listed}, while the app reaches it from its integration subnet '{name}'"
            f"{f' ({caller})' if caller != name else ''}, which is "
            f"not among them: add a virtual network rule for '{name}' (with the service endpoint on that subnet), or "
            f"remove the stale one.")
    if isinstance(decision, Conclude) and category.startswith("network."):
        return _append(decision, said)
    found_report = report(state, category="network.storage_firewall" if storage else "network.nsg_blocked",
                          confidence="medium", root_cause=said,
                          actions=[f"az storage account network-rule add --account-name <account> --subnet {caller}"
                                   if storage else f"Add a virtual network rule for {caller} on the resource."],
                          evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])])
    return Conclude(message=said[:300], report=found_report)


# ----------------------------------------------------------------- a workflow secret the repository does not hold
_SECRET_REF = re.compile(r"\$\{\{\s*(?P<kind>secrets|vars)\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECRET_LIST_COMMAND = re.compile(r"(?i)gh\s+(?:secret|variable)\s+list")
_SECRET_PROSE = re.compile(r"(?i)\bsecrets\b[^\n:]{0,80}:\s*(?P<items>[A-Z][A-Z0-9_]+(?:\s*,\s*[A-Z][A-Z0-9_]+)+)")
_BUILT_IN_SECRETS = frozenset({"GITHUB_TOKEN"})


def listed_secrets(text: str) -> list[str]:
    """The secret names a `gh secret list` output or a written list of the repository's secrets shows."""
    names: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _SECRET_LIST_COMMAND.search(line):
            for row in lines[i + 1:i + 200]:
                first = row.split()[0] if row.split() else ""
                if not first:
                    break
                if re.fullmatch(r"[A-Z][A-Z0-9_]+", first) and first != "NAME":
                    names.append(first)
    for found in _SECRET_PROSE.finditer(text):
        names += [n.strip() for n in found.group("items").split(",")]
    return list(dict.fromkeys(names))


def _secret_not_listed(state: SessionState, decision: Decision) -> Decision | None:
    if not isinstance(decision, Conclude) or decision.report.category != "config.missing_app_setting":
        return None
    text = _text(state)
    listed = listed_secrets(text)
    if not listed:
        return None
    have = {n.upper() for n in listed}
    missing = [(m.group("kind"), m.group("name")) for m in _SECRET_REF.finditer(text)
               if m.group("name").upper() not in have and m.group("name").upper() not in _BUILT_IN_SECRETS]
    if not missing or "not among the secrets or variables" in _said(decision):
        return None
    kind, name = missing[0]
    nearest, likeness = max(((n, name_ratio(n, name)) for n in listed), key=lambda pair: pair[1])
    near = f"; the secret that exists is '{nearest}'" if likeness >= 0.75 else ""
    if decision.report.confidence == "low":  # the listing decides what the error's own words could only guess
        decision.report.confidence = "medium"
    return _append(decision, f"The workflow reads {kind}.{name}, which is not among the secrets or variables the "
                             f"report lists ({', '.join(listed[:6])}){near}: a secret that does not exist evaluates to "
                             f"an empty string, so the step gets no value. Reference the secret by its exact name.")


# -------------------------------------------------------------- a stated role that sits on another resource
_JSON_OBJECT = re.compile(r"\{[^{}]{0,1200}\}")
_ROLE_KEY = re.compile(r"(?i)\"(?:role|roleDefinitionName|roleName)\"\s*:\s*\"(?P<role>[^\"]{2,120})\"")
_SCOPE_KEY = re.compile(r"(?i)\"scope\"\s*:\s*\"(?P<scope>/[^\"]{1,600})\"")
_COLUMNS = re.compile(r"\s{2,}")
_HOST = re.compile(r"(?i)\b(?P<name>[a-z0-9][a-z0-9-]{1,62})\.(?:servicebus\.windows\.net|vault\.azure\.net|"
                   r"(?:blob|queue|table|file|dfs)\.core\.windows\.net|documents\.azure\.com|azurecr\.io|"
                   r"azconfig\.io|openai\.azure\.com|cognitiveservices\.azure\.com|search\.windows\.net|"
                   r"database\.windows\.net|redis\.cache\.windows\.net)(?P<path>/[\w.-]+)?")


def stated_assignments(text: str) -> list[tuple[str, str]]:
    """(role, scope) of the role assignments the report pastes as JSON objects or as a table with Role and Scope
    columns."""
    found: list[tuple[str, str]] = []
    for obj in _JSON_OBJECT.finditer(text):
        role, scope = _ROLE_KEY.search(obj.group(0)), _SCOPE_KEY.search(obj.group(0))
        if role and scope:
            found.append((role.group("role"), scope.group("scope")))
    lines = text.split("\n")
    for i, line in enumerate(lines):
        header = [c.lower() for c in _COLUMNS.split(line.strip())]
        if "scope" not in header or not ({"role", "roledefinitionname"} & set(header)):
            continue
        role_at = header.index("role") if "role" in header else header.index("roledefinitionname")
        for row in lines[i + 1:i + 100]:
            cells = _COLUMNS.split(row.strip())
            if not row.strip():
                break
            if len(cells) == len(header) and cells[header.index("scope")].startswith("/"):
                found.append((cells[role_at], cells[header.index("scope")]))
    return found


def _resource_names(scope: str) -> list[str]:
    """The names of the resources a scope's id walks through after its resource group (none for a group or
    a subscription)."""
    parts = scope.strip("/").split("/")
    if "providers" not in [p.lower() for p in parts]:
        return []
    tail = parts[[p.lower() for p in parts].index("providers") + 1:]
    return [tail[i] for i in range(2, len(tail), 2)]


def _role_elsewhere(state: SessionState, decision: Decision) -> Decision | None:
    if not isinstance(decision, Conclude) or decision.report.category != "auth.rbac_missing":
        return None
    text = _text(state)
    assignments = stated_assignments(text)
    refused = {n.lower() for m in _HOST.finditer(state.material.error_description)
               for n in (m.group("name"), (m.group("path") or "/").strip("/")) if n}
    if not assignments or not refused:
        return None
    needed = " ".join([decision.report.root_cause, *decision.report.actions]).lower()
    fitting = [(role, scope) for role, scope in assignments if role.lower() in needed]

    def covers(scope: str) -> bool:
        names = [n.lower() for n in _resource_names(scope)]
        return not names or all(n in refused for n in names)

    if not fitting or any(covers(scope) for _, scope in fitting):
        return None
    elsewhere = [(role, scope) for role, scope in fitting if not covers(scope)]
    if any(n.lower() in _said(decision) for _, scope in elsewhere for n in _resource_names(scope)
           if n.lower() not in refused):
        return None
    listed = "; ".join(f"{role} at {scope}" for role, scope in elsewhere[:3])
    resource = next(n for n in _resource_names(elsewhere[0][1]) if n.lower() not in refused)
    host = next(iter(m.group("name") for m in _HOST.finditer(state.material.error_description)))
    return _append(decision, f"The role assignments the report shows hold the fitting role only on another resource: "
                             f"{listed}; '{resource}' is not '{host}', the resource that refused the call, so the "
                             f"grant does not apply there. Assign the role on '{host}' (or the entity).")


# -------------------------------------------------------------- a tool's variable defined under a misspelled name
@cache
def _tool_names() -> tuple[tuple[str, frozenset[str]], ...]:
    found = yaml.safe_load(_KNOWLEDGE.read_text(encoding="utf-8")) if _KNOWLEDGE.exists() else {}
    return tuple((g["tool"], frozenset(g["names"])) for g in (found or {}).get("groups", ()))


_DEFINED = re.compile(r"(?m)^[ \t]*(?:-[ \t]*)?(?:export[ \t]+|set[ \t]+|\$env:)?(?P<name>[A-Z][A-Z0-9_]{3,})"
                      r"[ \t]*(?::[ \t]|=)")


def misspelled_variables(text: str) -> list[tuple[str, str, str]]:
    """(defined name, the name a tool reads, the tool) for each variable the report defines under a name one or two
    letters away from a tool's variable that the report does not define."""
    defined = list(dict.fromkeys(m.group("name") for m in _DEFINED.finditer(text)))
    found = []
    for tool, names in _tool_names():
        for name in defined:
            if name in names:
                continue
            near = [k for k in names if k not in defined and k.split("_")[0] == name.split("_")[0]
                    and Levenshtein.distance(k, name, score_cutoff=2) <= 2]
            if len(near) == 1:
                found.append((name, near[0], tool))
    return found


_SIGN_IN = re.compile(r"(?i)credential|log ?in|authenticat|\btoken\b|azure cli|sign(?:ing)? in|AADSTS|unauthori[sz]ed|"
                      r"\b401\b")
_MISSPELT_OVER = ("runtime.dependency_missing", "auth.credential_invalid", "auth.", "config.")


def _misspelled_variable(state: SessionState, decision: Decision) -> Decision | None:
    if isinstance(decision, Conclude) and (decision.report.confidence == "high"
                                           or not str(decision.report.category or "").startswith(_MISSPELT_OVER)):
        return None
    if not isinstance(decision, Conclude) and not _open(decision, state):
        return None
    text = _text(state)
    found = misspelled_variables(text)
    if not found:
        return None
    if not (isinstance(decision, Conclude) and decision.report.category == "config.missing_app_setting") \
            and not _SIGN_IN.search(text):
        return None  # a misspelled credential variable answers only a sign-in that failed
    defined, meant, tool = found[0]
    said = (f"The configuration the report shows defines '{defined}', a name {tool} does not read; it reads "
            f"'{meant}', which is not defined. With '{meant}' absent the tool does not see that value and falls "
            f"back to another way of signing in (or reports its credential unavailable). Rename '{defined}' to "
            f"'{meant}'.")
    if isinstance(decision, Conclude) and decision.report.category == "config.missing_app_setting":
        return None if defined.lower() in _said(decision) else _append(decision, said)
    found_report = report(state, category="config.missing_app_setting", confidence="medium", root_cause=said,
                          actions=[f"Rename the variable {defined} to {meant} where it is defined, then rerun."],
                          evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])])
    return Conclude(message=said[:300], report=found_report)


_READERS: tuple[Callable[[SessionState, Decision], Decision | None], ...] = (
    _connection_scoped_elsewhere, _subnet_rule_misses, _misspelled_variable, _variable_on_other_container,
    _ip_rule_misses, _front_door_id_mismatch, _secret_not_listed, _role_elsewhere)


def with_stated_app_config(state: SessionState, decision: Decision) -> Decision:
    """The decision, answered or completed by the first reader whose stated configuration decides it."""
    for reader in _READERS:
        found = reader(state, decision)
        if found is not None:
            return found
    return decision


__all__ = ["listed_secrets", "misspelled_variables", "stated_assignments", "stated_ip_rules",
           "with_stated_app_config"]
