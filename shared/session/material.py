"""Builds the session's Material from a validated request: redact everything, then cut to budget.

Redaction happens here, in the HTTP layer, before `start_new` and `raise_event`: orchestration input
and events are stored by Durable in plain text. The budget keeps the session small, because the
material travels with every `decide` step; files are kept by relevance (primary, config, secondary)
and long texts keep their head and tail, where errors and their causes usually are."""

from __future__ import annotations

import re
from typing import Any

from shared.models import Context, StartRequest
from shared.security.input_hygiene import normalize_text
from shared.security.redaction import Numbering, redact_text, redact_value
from shared.session.readable import readable_paste
from shared.session.state import Evidence, FileExcerpt, Material, MaterialDelta, SessionState

MAX_ERROR_CHARS = 20_000
MAX_FILE_CHARS = 12_000
MAX_FILES_CHARS = 48_000
MAX_ANSWER_CHARS = 8_000
MAX_ANSWERS = 10
MAX_ENV_VALUE_CHARS = 300
RELEVANCE_ORDER = {"primary": 0, "config": 1, "secondary": 2}  # the order files are kept and shown in


def clip(text: str, limit: int) -> str:
    """Keep the head and the tail of a long text, marking the cut."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    head = limit - tail
    return f"{text[:head]}\n[... {len(text) - limit} characters cut ...]\n{text[-tail:]}"


def material_from_start(request: StartRequest, numbering: Numbering | None = None) -> Material:
    material = Material(error_description=clip(_clean_said(request.error_description, numbering), MAX_ERROR_CHARS))
    apply_delta(material, delta_from_continue(0, None, request.context, numbering), from_client_turn=False)
    return material


def delta_from_continue(turn: int, answer: str | None, context: Context,
                        numbering: Numbering | None = None) -> MaterialDelta:
    """Redact and clip what a client sends, before it goes anywhere near Durable.

    `numbering` (the session's, shared/security/redaction_numbers.py) numbers the placeholders; the caller stores
    its map with the session."""
    env = context.environment_info.model_dump(exclude_none=True) if context.environment_info else {}
    files = [FileExcerpt(path=_clean(source.path, numbering), relevance=source.relevance,
                         content=clip(_clean(source.content, numbering), MAX_FILE_CHARS),
                         size_bytes=len(source.content.encode("utf-8", "surrogatepass")),
                         truncated=len(source.content) > MAX_FILE_CHARS)
             for source in context.source_files]
    kept_answer = clip(_clean_said(answer, numbering), MAX_ANSWER_CHARS) if answer else None
    return MaterialDelta(turn=turn, answer=kept_answer, files=files, environment=_clean_environment(env, numbering))


def _clean(text: str, numbering: Numbering | None) -> str:
    """Normalized first (NUL bytes, unpaired surrogates: input_hygiene.py), then redacted."""
    return redact_text(normalize_text(text), numbering)


def _clean_said(text: str, numbering: Numbering | None) -> str:
    """What the client says (the error text, an answer): a pasted JSON answer made readable before redaction, so
    that a secret inside an escaped string is found too."""
    return redact_text(readable_paste(normalize_text(text)), numbering)


def apply_reopen(state: SessionState, delta: MaterialDelta, numbers: dict[str, int], earlier: str | None,
                 delegation: dict[str, Any] | None) -> None:
    """A finished session's state made ready for a new round (contract v1.1 re-opening): the client's answer
    merged, the earlier conclusion's category ruled out, the evidence kept, a new round and turn."""
    apply_delta(state.material, delta)
    state.redaction_numbers.update(numbers)
    if earlier and earlier not in state.ruled_out:
        state.ruled_out.append(earlier)
    said = f"re-opened: the earlier conclusion ({earlier or 'none'}) did not fix it"  # itself news, answer or not
    state.add_evidence(Evidence(tool="client", status="success", summary=said))
    if delegation is not None:
        state.delegation = delegation
    state.turn += 1
    state.round += 1
    state.round_steps = 0
    state.waiting = None
    state.round_started_at = None


def apply_delta(material: Material, delta: MaterialDelta, from_client_turn: bool = True) -> None:
    """Merge redacted material (pure: the orchestrator calls it). The newest file of a path wins."""
    material.environment.update(delta.environment)
    reply = _reply(delta, from_client_turn)
    if reply:
        material.answers = (material.answers + [reply])[-MAX_ANSWERS:]
    for excerpt in delta.files:
        material.files = [f for f in material.files if f.path != excerpt.path] + [excerpt]
    _fit_files(material)


def _reply(delta: MaterialDelta, from_client_turn: bool) -> str | None:
    """What the client replied on a turn: its answer text and the files it attached then.

    A command's output is as often attached as pasted (`az ... > rules.json`), so the analyzers that read
    the answers must see it either way; the files of the start are material, not a reply."""
    parts = [delta.answer] if delta.answer else []
    if from_client_turn:
        parts += [f"(attached {excerpt.path})\n{excerpt.content}" for excerpt in delta.files]
    return clip("\n\n".join(parts), MAX_ANSWER_CHARS) if parts else None


def _fit_files(material: Material) -> None:
    files = sorted(material.files, key=lambda f: RELEVANCE_ORDER.get(f.relevance, 2))
    kept: list[FileExcerpt] = []
    used = 0
    for excerpt in files:
        if used + len(excerpt.content) > MAX_FILES_CHARS:
            material.omitted_files = (material.omitted_files + [excerpt.path])[-50:]
            continue
        kept.append(excerpt)
        used += len(excerpt.content)
    material.files = kept


def _clean_environment(env: dict[str, Any], numbering: Numbering | None) -> dict[str, Any]:
    cleaned = redact_value(_normalized(env), numbering)
    assert isinstance(cleaned, dict)
    result: dict[str, Any] = {}
    for key, value in list(cleaned.items())[:30]:
        if isinstance(value, list):
            result[str(key)[:100]] = [str(v)[:MAX_ENV_VALUE_CHARS] for v in value[:50]]
        else:
            result[str(key)[:100]] = str(value)[:MAX_ENV_VALUE_CHARS]
    return _groups_split_off(result)


# "afd-shop-prod (rg-shop-edge)", "kv-certs (resource group: rg-secrets)": a resource and the group that holds it
_NAME_IN_GROUP = re.compile(r"(?i)^(?P<name>[a-z0-9][-\w.]{0,89})\s*\((?:(?:in )?resource group:?\s*|rg:\s*|in\s+)?"
                            r"(?P<group>[-\w.]{1,90})\)$")
_GROUP_LIKE = re.compile(r"(?i)(?:^|[-_.])rg(?:[-_.]|$)|resource ?group")


def _groups_split_off(environment: dict[str, Any]) -> dict[str, Any]:
    """A value naming a resource with its group in parentheses becomes the name, and the group under
    `<key>_resource_group` (the key that pairs a resource with its group), so that both are read as such."""
    split: dict[str, Any] = {}
    for key, value in environment.items():
        found = _NAME_IN_GROUP.match(value.strip()) if isinstance(value, str) else None
        group_key = f"{key}_resource_group"
        if found and _GROUP_LIKE.search(found.group(0).split("(", 1)[1]) and group_key not in environment:
            split[key], split[group_key] = found.group("name"), found.group("group")
        else:
            split[key] = value
    return split


def _normalized(value: Any) -> Any:
    """normalize_text over every str of a JSON-like value (keys too: they are stored as well)."""
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, dict):
        return {normalize_text(str(k)): _normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value
