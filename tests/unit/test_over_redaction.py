"""Over-redaction on ordinary code: the clean corpus plus the installed libraries' sources.

The clean corpus (tests/unit/redaction_corpus/clean) is small and every file must stay unchanged
(test_redaction.py). This measures the rate on thousands of files nobody tuned the patterns on: the
Python sources of libraries the app already installs. A few of them do hold literal example passwords
in docstrings (`password='password1'`), which are right to redact; the target is under 1% of files."""

from __future__ import annotations

import importlib
from pathlib import Path

from shared.security.redaction import find_secrets

CLEAN = Path(__file__).parent / "redaction_corpus" / "clean"
LIBRARIES = ("aiohttp", "pydantic", "httpx", "azure.functions", "azure.durable_functions", "azure.core", "yaml",
             "multidict", "openai")


def _library_files() -> list[Path]:
    files: list[Path] = []
    for name in LIBRARIES:
        module = importlib.import_module(name)
        assert module.__file__ is not None
        files += sorted(Path(module.__file__).parent.rglob("*.py"))
    return [f for f in files if f.stat().st_size < 200_000]


def test_under_one_percent_of_ordinary_files_change():
    files = sorted(p for p in CLEAN.iterdir() if p.is_file()) + _library_files()
    assert len(files) >= 1000
    changed = [f for f in files if find_secrets(f.read_text(encoding="utf-8", errors="replace"))]
    assert len(changed) / len(files) < 0.01, [str(f) for f in changed]
