"""The prompt: built only from the session's redacted material, and redacted again as a whole.

Sizes are estimated at four characters per token (no tokenizer dependency); the files get what is left
of FILE_TOKEN_BUDGET, ranked by relevance, each cut head and tail."""

from __future__ import annotations

import json
from typing import Any

from shared.security.redaction import redact_text
from shared.session.material import RELEVANCE_ORDER
from shared.session.state import FileExcerpt, SessionState

CHARS_PER_TOKEN = 4
FILE_TOKEN_BUDGET = 6_000
ERROR_TOKEN_BUDGET = 2_000
PER_FILE_CHARS = 8_000
LEDGER_ENTRIES = 25

SYSTEM_PROMPT = """You investigate Azure errors for a debugging service.
Each reply is exactly one function call:
- a tool from the list, to gather evidence you do not have yet (never repeat a call already in the ledger), or
- submit_conclusion: status "done" when the evidence states the root cause (give the fix as actions),
  "request" when only the client can provide a fact (ask one precise question, with the az command that shows it),
  "fail" when the limits are spent or nothing settles it; fail_reason "out_of_scope" when the problem is not Azure.
Rules: use only facts from the error, the files, the answers and the evidence; never invent resource names
(write <placeholder> instead); confidence "high" only when the evidence states the cause. Azure tools answer with
an error when the service has no Azure access: then ask the client to run the equivalent az command.
When a tool that would help does not exist, name it in suggested_tools."""


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


def _cut(text: str, limit: int) -> str:
    """Head and tail: the top of a file and the end of a stack trace both matter."""
    if len(text) <= limit:
        return text
    half = max(limit // 2 - 20, 0)
    return f"{text[:half]}\n[... {len(text) - 2 * half} characters cut ...]\n{text[-half:]}"


def rank_files(files: list[FileExcerpt], error_text: str) -> list[FileExcerpt]:
    """Primary, then config, then secondary; within each, files the error names first."""
    def key(item: tuple[int, FileExcerpt]) -> tuple[int, int, int]:
        index, excerpt = item
        name = excerpt.path.replace("\\", "/").rsplit("/", 1)[-1]
        named = 0 if name and name in error_text else 1
        return RELEVANCE_ORDER.get(excerpt.relevance, 3), named, index
    return [f for _, f in sorted(enumerate(files), key=key)]


def files_section(state: SessionState, token_budget: int = FILE_TOKEN_BUDGET) -> str:
    budget = token_budget * CHARS_PER_TOKEN
    parts, left_out = [], []
    for excerpt in rank_files(state.material.files, state.material.error_description):
        room = min(PER_FILE_CHARS, budget)
        if room < 200:
            left_out.append(excerpt.path)
            continue
        body = _cut(excerpt.content, room)
        budget -= len(body)
        parts.append(f"--- {excerpt.path} ({excerpt.relevance}) ---\n{body}")
    left_out += state.material.omitted_files
    if left_out:
        parts.append(f"(files not shown: {', '.join(left_out[:20])})")
    return "\n".join(parts) or "(no files sent)"


def ledger_section(state: SessionState) -> str:
    lines = []
    for entry in state.ledger[-LEDGER_ENTRIES:]:
        data = json.dumps(entry.data, default=str)[:1_000] if entry.data else ""
        arguments = json.dumps(entry.arguments, default=str)
        lines.append(f"- {entry.tool}({arguments}) -> {entry.status}: {entry.summary}" + (f" | data: {data}"
                                                                                           if data else ""))
    asked = [f"- asked the client: {r.question}" for r in state.requests_asked]
    return "\n".join(lines + asked) or "(nothing yet)"


def build_messages(state: SessionState, findings: list[str], limits: list[str]) -> list[dict[str, Any]]:
    """The chat messages for one decision; the whole user message is redacted once more before it leaves."""
    material = state.material
    answers = "\n".join(f"- {_cut(a, 2_000)}" for a in material.answers[-5:]) or "(none)"
    sections = [
        ("Error", _cut(material.error_description, ERROR_TOKEN_BUDGET * CHARS_PER_TOKEN)),
        ("Environment", json.dumps(material.environment, default=str)[:2_000] or "{}"),
        ("Azure access", "yes: Azure tools can run" if state.azure_access else
         "none: Azure tools will fail; ask the client for the az command output instead"),
        ("Files (by relevance)", files_section(state)),
        ("Client answers", answers),
        ("Evidence ledger so far", ledger_section(state)),
        ("Rules engine findings", "\n".join(f"- {f}" for f in findings) or "(none)"),
        ("Limits left", "\n".join(f"- {line}" for line in limits)),
    ]
    user = "\n\n".join(f"## {title}\n{body}" for title, body in sections)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": redact_text(user)}]


def repair_messages(message: Any, problem: str) -> list[dict[str, Any]]:
    """The invalid reply echoed back with what was wrong, so the one repair call can fix it.

    Chat APIs require every assistant tool call to be answered by a `tool` message with its id."""
    note = redact_text(f"That reply could not be used: {problem}. Reply with exactly one valid function call.")
    calls = getattr(message, "tool_calls", None) or []
    if not calls:
        content = redact_text(str(getattr(message, "content", None) or ""))[:4_000]
        return [{"role": "assistant", "content": content}, {"role": "user", "content": note}]
    echoed = [{"id": c.id, "type": "function",
               "function": {"name": c.function.name, "arguments": redact_text(c.function.arguments or "")[:4_000]}}
              for c in calls]
    return [{"role": "assistant", "content": None, "tool_calls": echoed},
            *({"role": "tool", "tool_call_id": c.id, "content": note} for c in calls)]
