"""Placeholders numbered per session: same secret, same number; other secret, other number; no secret kept."""

from __future__ import annotations

import json

from shared.http.validation import parse_start
from shared.models import Context
from shared.security.redaction import redact_text
from shared.security.redaction_numbers import Numbering, session_numbering
from shared.session.material import delta_from_continue, material_from_start

KEY_1 = "Ab3" * 29 + "a=="  # 88 characters, like a storage account key
KEY_2 = "Zx9" * 29 + "z=="


def _conn(key: str) -> str:
    return f"DefaultEndpointsProtocol=https;AccountName=stx;AccountKey={key};EndpointSuffix=core.windows.net"


def test_same_value_same_number_other_value_next_number():
    numbering = Numbering(b"k", "trace")
    text = redact_text(f"{_conn(KEY_1)}\n{_conn(KEY_2)}\n{_conn(KEY_1)}", numbering)
    assert text.count("[REDACTED:storage-key#1]") == 2 and text.count("[REDACTED:storage-key#2]") == 1
    assert redact_text(text, numbering) == text  # numbered placeholders are left alone
    assert KEY_1[:20] not in json.dumps(numbering.known)


def test_plain_redact_text_is_unchanged():
    assert redact_text(_conn(KEY_1)).count("[REDACTED:storage-key]") == 1


def test_numbers_hold_across_error_files_environment_and_later_answers():
    body = {"error_description": _conn(KEY_1),
            "context": {"source_files": [{"path": "local.settings.json",
                                          "content": json.dumps({"Values": {"Storage": _conn(KEY_2)}})}],
                        "environment_info": {"storage_key": KEY_1}}}
    numbering = session_numbering("a" * 32)
    material = material_from_start(parse_start(json.dumps(body).encode()), numbering)
    assert "[REDACTED:storage-key#1]" in material.error_description
    assert "[REDACTED:storage-key#2]" in material.files[0].content
    # later: a fresh Numbering from the stored map, as the HTTP layer builds it on continue
    later = session_numbering("a" * 32, json.loads(json.dumps(numbering.known)))
    delta = delta_from_continue(1, f"rotated, old one was {_conn(KEY_2)}", Context(), later)
    assert delta.answer is not None and "[REDACTED:storage-key#2]" in delta.answer
    other_session = session_numbering("b" * 32)
    redact_text(_conn(KEY_2), other_session)
    assert set(other_session.known).isdisjoint(numbering.known)  # no correlation across sessions
