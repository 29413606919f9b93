"""One analyzer per error family: every module of this package with an `analyze` function, by module name.

signatures.yaml entries name their analyzer by module name, so adding a family is adding a module and
its knowledge entries; nothing here changes."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import lru_cache

from shared.engines import analyzers
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

Analyzer = Callable[[SessionState, Hit | None], Decision]


@lru_cache(maxsize=1)
def analyzers_by_name() -> dict[str, Analyzer]:
    found: dict[str, Analyzer] = {}
    for module_info in pkgutil.iter_modules(analyzers.__path__):
        module = importlib.import_module(f"{analyzers.__name__}.{module_info.name}")
        analyze = getattr(module, "analyze", None)
        if callable(analyze):
            found[module_info.name] = analyze
    return found


def analyzer_for(name: str) -> Analyzer:
    known = analyzers_by_name()
    return known.get(name, known["unknown"])
