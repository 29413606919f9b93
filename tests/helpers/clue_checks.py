"""Checks the symptom-clue tests share: the final decision on a bare report, whether it asks a question with given
words, whether it concludes a category at medium confidence (a clue whose deciding fact the report states)."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import run_engine


def final_of(text: str) -> Decision:
    return run_engine({"error_description": text}).final


def asks(text: str, words: str) -> bool:
    final = final_of(text)
    return isinstance(final, AskClient) and words in final.request.question


def concludes(text: str, category: str) -> bool:
    final = final_of(text)
    return isinstance(final, Conclude) and final.report.category == category and final.report.confidence == "medium"
