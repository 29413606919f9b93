"""Source paths are refused when they climb, start at a root or hide control characters; text is normalized."""

from __future__ import annotations

import json

import pytest

from shared.errors import ApiError
from shared.http.validation import parse_continue, parse_start
from shared.security.input_hygiene import normalize_text, path_problem
from shared.session.material import material_from_start


@pytest.mark.parametrize("path", ["../etc/passwd", "src/../../x", "a\\..\\b", "/etc/passwd", "\\\\server\\share\\x",
                                  "C:\\Windows\\x.ini", "c:/x", "\\x", "src/a\x00.py", "a\nb.py", "a\x1b[31m.py",
                                  "x\x7f.py", "x\x85.py"])
def test_refused_paths(path: str):
    assert path_problem(path) is not None


@pytest.mark.parametrize("path", ["src/app.py", "function_app.py", "a/b..c/d.txt", "..hidden", "./x.py",
                                  "docs/naïve.md", "host.json"])
def test_plain_relative_paths(path: str):
    assert path_problem(path) is None


def test_the_400_names_each_bad_path():
    context = {"source_files": [{"path": "ok.py", "content": ""}, {"path": "../x.py", "content": ""}]}
    for parse, body in ((parse_start, {"error_description": "boom", "context": context}),
                        (parse_continue, {"context": context})):
        with pytest.raises(ApiError) as raised:
            parse(json.dumps(body).encode())
        assert raised.value.status == 400
        assert [d.field for d in raised.value.details] == ["context.source_files[1].path"]


def test_text_is_normalized_before_redaction():
    assert normalize_text("a\x00b\ud800c") == "ab\ufffdc"
    assert normalize_text("emoji \U0001F600 stays") == "emoji \U0001F600 stays"
    key = "A" * 86 + "=="
    split = f"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={key[:40]}\x00{key[40:]};"
    material = material_from_start(parse_start(json.dumps({"error_description": split}).encode()))
    assert key not in material.error_description and key[40:] not in material.error_description
    assert "\x00" not in material.error_description


def test_an_unpaired_surrogate_in_the_body_is_a_400_not_a_crash():
    # The schema refuses it already (pydantic); normalize_text is the second line for other callers.
    with pytest.raises(ApiError) as raised:
        parse_start(b'{"error_description": "x \\ud800"}')
    assert raised.value.status == 400


def test_the_documented_path_pattern_agrees_with_the_path_check():
    import random
    import re

    from shared.security.input_hygiene import RELATIVE_PATH_PATTERN, path_problem

    pattern = re.compile(RELATIVE_PATH_PATTERN)
    alphabet = ["a", "Z", "é", ".", "..", "/", "\\", ":", "C:", " ", "\x07", "\x7f", "\x85", "\n", "\t", "_"]
    rng = random.Random(7)
    samples = ["a/b.py", "..a", "a..b", ".hidden", "a/.", "/x", "\\\\srv\\x", "C:\\x", "a/../b", "..", "a\\..", "a\n"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for path in samples:
        assert (pattern.fullmatch(path) is not None) == (path_problem(path) is None), repr(path)
