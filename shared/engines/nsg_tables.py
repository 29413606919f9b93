"""Network security group rules pasted as a table (`az network nsg rule list -o table`, PowerShell's
`Get-AzNetworkSecurityRuleConfig | Format-Table`), read into the shape Resource Manager returns (`securityRules`), so
the report's own rules can be judged by the same code as the rules Azure returns (`nsg_rules`).

A table is recognised by its header line: single-word column names that include Priority, Access, Direction and a
destination port column. Each following line whose priority cell is a number is a rule; a blank line or any other
line ends the table. The group's name is the one the command before the table names (`--nsg-name`,
`-NetworkSecurityGroupName`); without one the table is not read (the rules of a group nobody named cannot be cited)."""

from __future__ import annotations

import re
from typing import Any

_HEADER_NEEDS = ("priority", "access", "direction")
_PORT_COLUMN = re.compile(r"(?i)^destinationportranges?$")
_DASHES = re.compile(r"^[\s-]+$")
_NAMED = re.compile(r"(?i)(?:--nsg-name|-NetworkSecurityGroupName)[ =]+[\"']?([A-Za-z0-9][\w.-]*)")
_EMPTY = {"", "none", "null", "{}", "[]"}


def pasted_groups(texts: list[str]) -> list[dict[str, Any]]:
    """The groups whose rules the texts paste as a table: {"name": ..., "securityRules": [...]}, one per table."""
    groups: list[dict[str, Any]] = []
    for text in texts:
        lines = text.splitlines()
        offset = 0
        for index, line in enumerate(lines):
            columns = _header(line)
            if columns is not None:
                named = list(_NAMED.finditer(text[:offset]))
                rules = _rows(lines[index + 1:], columns)
                if named and rules:
                    groups.append({"name": named[-1].group(1), "securityRules": rules})
            offset += len(line) + 1
    return groups


def _header(line: str) -> list[tuple[int, str]] | None:
    """(start, lower-case name) of each column when the line is an NSG rule table's header."""
    columns = [(m.start(), m.group(0).lower()) for m in re.finditer(r"\S+", line)]
    names = {name for _, name in columns}
    if all(n in names for n in _HEADER_NEEDS) and any(_PORT_COLUMN.match(n) for n in names):
        return columns
    return None


def _rows(lines: list[str], columns: list[tuple[int, str]]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for line in lines:
        if _DASHES.match(line) and line.strip():
            continue
        cells = _cells(line, columns)
        priority = cells.get("priority", "")
        if not priority.isdigit():
            break
        rules.append(_rule(cells))
    return rules


def _cells(line: str, columns: list[tuple[int, str]]) -> dict[str, str]:
    """A row's cells by column name: split on whitespace when that gives one cell per column, else cut at the
    header's column positions (a cell left empty, a list printed with spaces)."""
    words = line.split()
    if len(words) == len(columns):
        return {name: word for (_, name), word in zip(columns, words, strict=True)}
    starts = [start for start, _ in columns] + [len(line) + 1]
    return {name: line[starts[i]:starts[i + 1]].strip() for i, (_, name) in enumerate(columns)}


def _listed(value: str) -> list[str]:
    """A cell's items: `22,3389`, `{22, 3389}`, `["10.0.0.0/24"]`; empty for None/blank."""
    items = [v.strip().strip("\"'") for v in re.split(r"[,\s]+", value.strip().strip("{}[]"))]
    return [v for v in items if v.lower() not in _EMPTY]


def _rule(cells: dict[str, str]) -> dict[str, Any]:
    def column(pattern: str) -> str:
        return next((v for k, v in cells.items() if re.fullmatch(pattern, k)), "")

    rule: dict[str, Any] = {"name": cells.get("name", ""), "priority": int(cells["priority"]),
                            "direction": cells.get("direction", ""), "access": cells.get("access", ""),
                            "protocol": cells.get("protocol", "*") or "*",
                            "destinationPortRanges": _listed(column(r"destinationportranges?"))}
    for side in ("source", "destination"):
        prefixes = _listed(column(side + r"addressprefix(?:es)?"))
        if prefixes:
            rule[f"{side}AddressPrefixes"] = prefixes
        groups = _listed(column(side + r"(?:asgs?|applicationsecuritygroups?)"))
        if groups:
            rule[f"{side}ApplicationSecurityGroups"] = [{"id": g} for g in groups]
    return rule
