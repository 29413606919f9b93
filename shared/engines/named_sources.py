"""A template error that quotes an endpoint URL as a resource's name names the variable that holds the URL.

Resource Manager reads a name with '/' as a child path, so "The template resource 'https://<x>.openai.azure.com/'
... has incorrect segment lengths" means an endpoint was given where a name belongs. The template is rarely at
fault: the name comes from an azd .env value, a parameters file or a tfvars entry that holds the endpoint. When a
file the client sent sets a variable to exactly that URL, the variable is what to change, so the conclusion says so."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, FileExcerpt, SessionState

_TEMPLATE_INVALID = "deployment.template_invalid"
_URL_AS_NAME = re.compile(r"(?i)The template resource '(?P<url>https?://(?P<host>[^'/]+)/?[^']*)'")
# KEY=value (.env, azd), KEY: value (YAML) and "key": {"value": "..."} (ARM parameters files)
_ASSIGNMENTS = (re.compile(r"(?m)^\s*(?:export\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*[=:]\s*[\"']?(?P<value>https?://[^\s\"']+)"),
                re.compile(r"\"(?P<key>[A-Za-z_][\w-]*)\"\s*:\s*\{\s*\"value\"\s*:\s*\"(?P<value>https?://[^\"]+)\""))
# the same value set by a command the report quotes: `azd env set KEY VALUE` (or KEY=VALUE) and PowerShell's $env:KEY
_SET_COMMANDS = re.compile(r"(?i)(?:\bazd env set\s+|\$env:)(?P<key>[A-Za-z_][\w.-]*)(?:\s*=\s*|\s+)[\"']?"
                           r"(?P<value>https?://[^\s\"'`]+)")


def with_url_name_source(state: SessionState, decision: Decision) -> Decision:
    """The template-invalid conclusion, with the file variable whose value is the URL quoted as a name."""
    if not isinstance(decision, Conclude) or decision.report.category != _TEMPLATE_INVALID:
        return decision
    quoted = _URL_AS_NAME.search(state.material.spoken_text())
    source = (_assigned(state.material.files, quoted.group("url"))
              or _set_in_text(state.material.spoken_text(), quoted.group("url"))) if quoted else None
    if quoted is None or source is None or source[0] in decision.report.root_cause:
        return decision
    key, path = source
    name = quoted.group("host").split(".")[0]
    decision.report.root_cause = decision.report.root_cause.rstrip() + (
        f" The name comes from {key} in {path}, which holds the endpoint URL '{quoted.group('url')}' instead of the"
        f" resource's name: every '/' of the URL counts as one more name segment.")
    decision.report.actions.insert(0, f"Set {key} to the resource's name alone ('{name}'), not its endpoint URL,"
                                      " and deploy again.")
    return decision


def _assigned(files: list[FileExcerpt], url: str) -> tuple[str, str] | None:
    """(variable, file) of the first assignment whose value is the URL (a trailing '/' aside), or None."""
    wanted = url.rstrip("/").lower()
    for excerpt in files:
        for pattern in _ASSIGNMENTS:
            for found in pattern.finditer(excerpt.content):
                if found.group("value").rstrip("/").lower() == wanted:
                    return found.group("key"), excerpt.path
    return None


def _set_in_text(text: str, url: str) -> tuple[str, str] | None:
    """(variable, where) of a quoted `azd env set` / $env: command that sets the variable to the URL, or None."""
    wanted = url.rstrip("/").lower()
    for found in _SET_COMMANDS.finditer(text):
        if found.group("value").rstrip("/").lower() == wanted:
            return found.group("key"), ("the azd environment" if "azd" in found.group(0).lower() else "the shell")
    return None
