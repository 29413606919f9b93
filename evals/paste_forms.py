"""The same report pasted the way other tools print it: `python -m evals run --paste-form NAME` re-renders every
scenario's error text in that form before playing it, so a scorer can tell whether the engine reads an error it
knows when it arrives inside Terraform's diagnostic box, an escaped Resource Manager body or a sign-in redirect URL.

Each form is what a real tool prints (our own renderings; the scenario's words are kept, only their layout changes)."""

from __future__ import annotations

import copy
import json
import re
import textwrap
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

Form = Callable[[str], str]


def terraform_box(text: str) -> str:
    """Terraform's diagnostic: every line behind a '│ ' gutter between '╷' and '╵', wrapped at 78 columns (its
    width when the output is not a terminal, as in a CI log)."""
    return "╷\n" + "\n".join(f"│ {line}".rstrip() for line in wrapped(text).splitlines()) + "\n╵"


def arm_escaped(text: str) -> str:
    """Resource Manager's JSON escaping of apostrophes and angle brackets (\\u0027, \\u003c, \\u003e), as a message
    copied out of a raw response body shows it."""
    return text.replace("'", "\\u0027").replace("<", "\\u003c").replace(">", "\\u003e")


def oauth_redirect(text: str) -> str:
    """The error as a sign-in redirect's error_description, form-encoded in the browser's address bar."""
    return ("https://localhost:5001/signin-oidc#error=invalid_request&error_description="
            f"{quote_plus(text)}&state=7f3c2a")


def wrapped(text: str) -> str:
    """Hard-wrapped at 76 columns between words, as an e-mail or a narrow console copies it."""
    return "\n".join(part for line in text.splitlines()
                     for part in (textwrap.wrap(line, 76, break_long_words=False, break_on_hyphens=False) or [""]))


def one_line(text: str) -> str:
    """Every line joined with spaces, as a portal notification or a chat message shows a multi-line error."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def json_string(text: str) -> str:
    """The error as a JSON string's escaped body, copied out of a Logic App's output or a deployment operation's
    statusMessage (line breaks as \\n, quotes as \\")."""
    return json.dumps(text)[1:-1]


def word_processor(text: str) -> str:
    """The error passed through a chat client or word processor: curly quotes, non-breaking spaces, an en dash for a
    command's double hyphen."""
    curly = re.sub(r"(?<=\w)'", "\u2019", text).replace("'", "\u2018")
    curly = re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", curly)
    return curly.replace(" --", " \u2013").replace(" ", "\u00a0")


def compose_log(text: str) -> str:
    """Every line behind the service prefix docker compose logs print ("api-1  | ")."""
    return "\n".join(f"api-1  | {line}" for line in text.splitlines())


def powershell_error(text: str) -> str:
    """PowerShell 7's concise error view: the failing line under a "Line |" header, the message behind a gutter."""
    return ("New-AzResourceGroupDeployment:\nLine |\n   4 |  New-AzResourceGroupDeployment -ResourceGroupName rg "
            "-TemplateFile main.bicep\n     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            + "\n".join(f"     | {line}" for line in text.splitlines()))


def json_log(text: str) -> str:
    """A structured log (pino, Serilog, a JSON logger): the error is one record's message, escapes and all."""
    return (json.dumps({"time": "2026-12-06T10:01:00Z", "level": "info", "msg": "request started"}) + "\n"
            + json.dumps({"time": "2026-12-06T10:01:02Z", "level": "error", "msg": text}))


def github_issue(text: str) -> str:
    """The error inside a GitHub issue template: what was run, what was expected, and an Environment section that
    names the CI runner and package versions, as most real reports carry."""
    return (f"### Describe the bug\n\n{text}\n\n### To Reproduce\n1. Deploy the app with the pipeline\n2. Call the "
            "endpoint or run the command again\n\n### Expected behavior\nIt should work as it did last week.\n\n"
            "### Environment\n- OS: Windows 11 / ubuntu-latest runner\n- Python 3.11, Node 20\n- azure-identity "
            "1.15.0, azure-storage-blob 12.19.0, @azure/identity 4.0.1\n- Azure CLI 2.58.0\n\n### Additional "
            "context\nNothing else changed on our side as far as we know.\n")


def pipeline_annotations(text: str) -> str:
    """Every line marked as an Azure Pipelines / GitHub Actions error annotation."""
    return "\n".join(f"##[error]{line}" if line.strip() else line for line in text.splitlines())


FORMS: dict[str, Form] = {
    "terraform-box": terraform_box,
    "arm-escaped": arm_escaped,
    "oauth-redirect": oauth_redirect,
    "wrapped": wrapped,
    "one-line": one_line,
    "pipeline-annotations": pipeline_annotations,
    "json-string": json_string,
    "word-processor": word_processor,
    "compose-log": compose_log,
    "powershell-error": powershell_error,
    "json-log": json_log,
    "github-issue": github_issue,
}


def in_form(scenarios: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Copies of the scenarios whose error text is rendered in the named form (nothing else changes)."""
    render = FORMS[name]
    rendered = []
    for scenario in scenarios:
        copied = copy.deepcopy(scenario)
        copied["request"]["error_description"] = render(str(copied["request"].get("error_description", "")))
        rendered.append(copied)
    return rendered
