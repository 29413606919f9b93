"""Which engine answers a session, by name (settings DEBUG_ENGINE). Kept apart from base.py, the interface the
engines implement: a base that imports its implementations closes an import cycle through all of them."""

from __future__ import annotations

from shared.engines.base import Engine
from shared.engines.hybrid import HybridEngine
from shared.engines.llm import LlmEngine
from shared.engines.rules import RulesEngine

ENGINES: dict[str, type[Engine]] = {"rules": RulesEngine, "hybrid": HybridEngine, "llm": LlmEngine}


def get_engine(name: str) -> Engine:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(sorted(ENGINES))}")
    return ENGINES[name]()
