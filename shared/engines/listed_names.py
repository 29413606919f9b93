"""A not-found conclusion names what the report shows to exist instead of the name sought.

Reports of a missing container, queue, hub, deployment or app often show what does exist: an `az ... list` output,
a portal's list ("containers: orders, invoices"), a sentence saying where the resource lives. The name the error or
a setting seeks that is not in that list and the listed name nearest to it, or the resource group the resource is
shown in when the call looked in another one, are what the client has to change; the catalog's entry can only say
"the name the code uses". The comparison is computed here because no single phrase says it."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher

from shared.engines.base import Decision
from shared.engines.session_reads import reference_not_found
from shared.session.state import Conclude, SessionState

_NOT_FOUND = "config.wrong_resource_name"
_MISSING_SETTING = "config.missing_app_setting"  # a setting the host seeks: only a listed name near it is told
_NOT_FOUND_CATEGORIES = frozenset({_NOT_FOUND, "deployment.parent_not_found", _MISSING_SETTING})
_NAME = r"[A-Za-z0-9][\w.:/-]{0,126}"
_SINGLE_NAME = re.compile(rf"\s*\"?({_NAME})\"?,?\s*")
# a command that lists what exists, on its prompt line: `$ az eventhubs eventhub list ...`, `> az webapp list`,
# `PS> Get-AzWebApp`, `kubectl get deployments`
_LIST_COMMAND = re.compile(r"(?i)^\s*(?:[$>#]|PS[^>\n]{0,60}>)?\s*(?:az|azd)\s[^\n]*\blist\b|"
                           r"^\s*(?:[$>#]|PS[^>\n]{0,60}>)?\s*(?:kubectl\s+get|Get-Az\w+)\b")
_PROMPT = re.compile(r"^\s*(?:[$>#]|PS[^>\n]{0,60}>)\s*\S")
# a portal's or a person's list after the kind of resource: "shows database X with containers: a, b, c"
_PROSE_LIST = re.compile(
    r"(?i)\b(?:containers?|databases?|queues?|topics?|subscriptions?|(?:event )?hubs?|deployments?|apps?|tables?|"
    r"file ?systems?|shares?|models?|indexe?s|collections?|secrets?|repositories|images?|tags?|slots?|entities)"
    r"\b[^:\n.]{0,40}:\s*(?P<items>[\w.-]+(?:\s*,\s*[\w.-]+)+(?:,?\s+and\s+[\w.-]+)?)")
# what the error or the configuration seeks: a quoted name on a not-found line, a setting's value, a --name argument
_NOT_FOUND_LINE = re.compile(r"(?i)not (?:be )?found|does not exist|doesn't exist|could not be found|no such")
_QUOTED = re.compile(r"'([^'\s]{1,200})'|\"([^\"\s]{1,200})\"")
_SETTING = re.compile(r"(?m)^\s*[\w:.-]*[A-Za-z][\w:.-]*\s*[=:]\s*[\"']?([A-Za-z0-9][\w.-]{0,62})[\"']?\s*$")
_NAME_ARGUMENT = re.compile(r"(?:--name|-n)\s+[\"']?([\w.-]+)")
# a name given inline to a tool: `-backend-config=container_name=tfstate`, `--queue-name=orders`
_NAME_ASSIGNED = re.compile(r"(?<![\w-])-{0,2}(?:[a-z]+[_-])+name=[\"']?([A-Za-z0-9][\w.-]{0,62})")
_RULER = re.compile(r"-{3,}(?:\s+-{3,})*")  # the dashes under a table's header
_NAME_CELL = re.compile(r"[A-Za-z0-9][\w.-]{0,126}")
# Key Vault's not-found wording names the item unquoted: "A secret with (name/id) tenant-id was not found"
_KEY_VAULT_SOUGHT = re.compile(r"(?i)\(name/id\)\s+([A-Za-z0-9][\w.-]{0,126})\s+was not found")
# the writer's own word for the name that exists: `it's called "lz-tenant-id"`, `the queue is named 'orders-v2'`
_SAID_NAME = re.compile(r"(?i)\b(?:it's|it is|which is|that is|is|exists|shows up|appears)\s+"
                        r"(?:called|named|listed as|as)\s+[\"'`](?P<name>[A-Za-z0-9][\w.-]{0,126})[\"'`]")
_SIBLING = 0.6  # difflib ratio from which a sought name reads as one of the listed kind (chatmemorysources)
MEANT = 0.75  # and from which the listed name reads as the one meant (a suffix, a typo, a renamed part)
_SHOWN = 6
_COMPARED = 60  # names of each side compared, at most


def with_listed_names(state: SessionState, decision: Decision) -> Decision:
    """The not-found conclusion, with the resource group the report shows the resource in when the call looked in
    another, else the sought name missing from the listed ones and the nearest listed name."""
    if not isinstance(decision, Conclude) or decision.report.category not in _NOT_FOUND_CATEGORIES:
        return decision
    text = state.material.spoken_text()
    moved = other_group(text) if decision.report.category != _MISSING_SETTING else None
    if moved is not None:
        name, sought_in, shown_in = moved
        decision.report.root_cause = (decision.report.root_cause.rstrip() + f" The report shows '{name}' in resource"
                                      f" group '{shown_in}', not in '{sought_in}': point the command or the"
                                      f" template's scope at '{shown_in}'.")
        return decision
    if decision.report.category == "deployment.parent_not_found":
        return decision
    listed = listed_names(text)
    found = nearest_unlisted(sought_names(text), listed)
    if found is None or (decision.report.category == _MISSING_SETTING and found[0] < MEANT):
        return decision
    ratio, sought, nearest = found
    shown = ", ".join(listed[:_SHOWN]) + (", ..." if len(listed) > _SHOWN else "")
    meant = f"; the nearest existing name is '{nearest}'{affix(sought, nearest)}" if ratio >= MEANT else ""
    decision.report.root_cause = (decision.report.root_cause.rstrip() + f" '{sought}' is not among the names the"
                                  f" report shows as existing ({shown}){meant}: create it or correct the name.")
    return decision


def listed_names(text: str) -> list[str]:
    """The names a listing command's output or a written list shows, in order, each once."""
    names: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _LIST_COMMAND.search(line):
            names += _command_output(lines[i + 1:])
    for found in _PROSE_LIST.finditer(text):
        names += [n.strip().rstrip(".") for n in re.split(r",|\band\b", found.group("items")) if n.strip(" .")]
    names += [m.group("name") for m in _SAID_NAME.finditer(text)]
    return list(dict.fromkeys(names))


def affix(sought: str, existing: str) -> str:
    """What the existing name adds around the sought one, when it is the sought name with a prefix or a suffix
    (a naming convention the code left out: `lz-tenant-id` for `tenant-id`)."""
    low, have = sought.lower(), existing.lower()
    if low == have or low not in have:
        return ""
    if have.endswith(low):
        return f" (the same name with the prefix '{existing[:len(existing) - len(sought)]}')"
    if have.startswith(low):
        return f" (the same name with the suffix '{existing[len(sought):]}')"
    return ""


def _command_output(lines: list[str]) -> list[str]:
    """The names of a listing's output: one per line (tsv) or a JSON array of strings, up to a blank or prompt."""
    block: list[str] = []
    for line in lines:
        if not line.strip() or _PROMPT.match(line):
            break
        block.append(line)
    try:
        parsed = json.loads("\n".join(block))
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        return [item for item in parsed if isinstance(item, str)]
    table = _table_names(block)
    if table is not None:
        return table
    singles = [_SINGLE_NAME.fullmatch(line) for line in block]
    return [m.group(1) for m in singles if m and m.group(1) not in "[]"] if all(singles) else []


def _table_names(block: list[str]) -> list[str] | None:
    """The Name column of a table output (`az ... -o table`: a header row, a row of dashes, the rows), or None when
    the block is no such table."""
    if len(block) < 3 or not _RULER.fullmatch(block[1].strip()):
        return None
    header = [c.lower() for c in _TABLE_SPLIT.split(block[0].strip())]
    if "name" not in header:
        return None
    column = header.index("name")
    rows = [_TABLE_SPLIT.split(row.strip()) for row in block[2:]]
    return [cells[column] for cells in rows if len(cells) > column and _NAME_CELL.fullmatch(cells[column])]


def sought_names(text: str) -> list[str]:
    """The names the error says it did not find (a path's last part), the setting values and --name arguments."""
    names: list[str] = []
    for line in text.split("\n"):
        if _NOT_FOUND_LINE.search(line):
            names += [(a or b).rstrip("/").rsplit("/", 1)[-1] for a, b in _QUOTED.findall(line)]
            names += _KEY_VAULT_SOUGHT.findall(line)
    names += _SETTING.findall(text) + _NAME_ARGUMENT.findall(text) + _NAME_ASSIGNED.findall(text)
    return [n for n in dict.fromkeys(names) if n]


def nearest_unlisted(sought: list[str], listed: list[str]) -> tuple[float, str, str] | None:
    """The sought name not in the list, the listed name nearest to it and their ratio, when one is near enough."""
    have = {n.lower() for n in listed}
    # bounded: a pasted listing or configuration of thousands of names must not cost a million comparisons
    pairs = [(name_ratio(s, n), s, n) for s in sought[:_COMPARED] if s.lower() not in have for n in listed[:_COMPARED]]
    best = max(pairs, default=None)
    return best if best and best[0] >= _SIBLING else None


def name_ratio(sought: str, listed: str) -> float:
    """How alike two resource names read, whatever their letter case (difflib's ratio, 0 to 1)."""
    return SequenceMatcher(None, sought.lower(), listed.lower()).ratio()


# "The vnet lives in rg-net-hub-ne", "the cluster is in resource group RG-AKS-01": where the writer says it is
_LIVES_IN = re.compile(r"(?i)\b(?:lives?|is|are|sits?|exists?|(?:was|were) (?:created|deployed)|located)\s+in\s+"
                       r"(?:the\s+)?(?P<said>resource group\s+)?['\"`]?(?P<group>[\w.()-]{1,90}?)['\"`]?(?=[\s.,;)]|$)")
_GROUP_LIKE = re.compile(r"(?i)^rg[-_.]|[-_.]rg$|[-_.]rg[-_.]")
_TABLE_SPLIT = re.compile(r"\s{2,}")


def other_group(text: str) -> tuple[str, str, str] | None:
    """(name, the group the call looked in, the group the report shows it in) when the report's listing or its
    own words put the missing resource in another resource group."""
    missing = reference_not_found(" ".join(text.split()))  # a paste may wrap Resource Manager's message anywhere
    if missing is None:
        return None
    name, group = missing["name"], missing["group"]
    shown = [*_groups_in_tables(text, name), *_groups_said(text)]
    other = next((g for g in shown if g.lower() != group.lower()), None)
    return (name, group, other) if other else None


def _groups_in_tables(text: str, name: str) -> list[str]:
    """The ResourceGroup cell of a table row (az ... -o table) or a JSON object whose name is the resource's."""
    found: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        header = [c.lower().replace(" ", "") for c in _TABLE_SPLIT.split(line.strip())]
        if "resourcegroup" not in header or len(header) < 2:
            continue
        column = header.index("resourcegroup")
        for row in lines[i + 1:]:
            cells = _TABLE_SPLIT.split(row.strip())
            if len(cells) == len(header) and any(c.lower() == name.lower() for c in cells):
                found.append(cells[column])
    found += re.findall(rf'(?is)"name"\s*:\s*"{re.escape(name)}"[^{{}}]*?"resourceGroup"\s*:\s*"([^"]+)"', text)
    return found


def _groups_said(text: str) -> list[str]:
    """Resource groups the writer says something lives in (a resource-group-like name, or one called so)."""
    return [m.group("group") for m in _LIVES_IN.finditer(text)
            if m.group("said") or _GROUP_LIKE.search(m.group("group"))]
