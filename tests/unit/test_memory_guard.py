"""Memory pressure (shared/resilience/memory_guard.py): the marks with hysteresis, what shedding does, and what
it logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from shared.errors import ApiError
from shared.http.api import shed_start
from shared.orchestration import activities
from shared.resilience import memory_guard
from shared.resilience.memory_guard import GUARD, MemoryGuard, register_cache
from shared.settings import load_settings
from tests.helpers.llm_session import llm_settings, new_state
from tests.helpers.openai_stub import OpenAIStub, final

MB = 2**20


@pytest.fixture
def marks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A 100 MB instance: shed at 80 MB, recover at 70 MB."""
    monkeypatch.setenv("DEBUG_INSTANCE_MEMORY_MB", "100")
    load_settings.cache_clear()
    yield
    load_settings.cache_clear()


def test_shedding_starts_at_the_high_mark_and_ends_only_below_the_low_one(marks: None, monkeypatch: pytest.MonkeyPatch,
                                                                          caplog: pytest.LogCaptureFixture):
    monkeypatch.setattr(memory_guard, "_CACHES", [])
    sizes = iter([50, 81, 75, 71, 69, 79])
    guard = MemoryGuard(read_rss=lambda: next(sizes) * MB)
    cleared: list[str] = []
    register_cache(lambda: cleared.append("cleared"))
    with caplog.at_level(logging.INFO):
        assert [guard.observe() for _ in range(6)] == [False, True, True, True, False, False]
    assert cleared == ["cleared"]  # once, on entering
    messages = [r.getMessage() for r in caplog.records]
    assert any("shedding load" in m and "81 MB" in m for m in messages)
    assert any("memory pressure over" in m and "69 MB" in m for m in messages)


def test_marks_are_settings_and_low_must_stay_below_high(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBUG_INSTANCE_MEMORY_MB", "4096")
    monkeypatch.setenv("DEBUG_MEMORY_HIGH_WATER_PERCENT", "90")
    load_settings.cache_clear()
    try:
        assert (load_settings().memory.high_water_mb, load_settings().memory.low_water_mb) == (4096 * 0.9, 4096 * 0.7)
        monkeypatch.setenv("DEBUG_MEMORY_LOW_WATER_PERCENT", "95")
        load_settings.cache_clear()
        with pytest.raises(ValueError, match="LOW_WATER"):
            load_settings()
    finally:
        load_settings.cache_clear()


def test_while_shedding_only_large_starts_are_refused_naming_the_body(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(GUARD, "shedding", True)
    shed_start(1_000, 65_536, 2)  # a small start still starts
    with pytest.raises(ApiError) as refused:
        shed_start(200_000, 65_536, 2)
    error = refused.value
    assert (error.status, error.code, error.headers["Retry-After"]) == (503, "service_unavailable", "30")
    assert error.details[0].field == "body"
    monkeypatch.setattr(GUARD, "shedding", False)
    shed_start(200_000, 65_536, 2)  # not shedding: no size bound here (the contract's own limits apply)


def test_while_shedding_the_model_engine_gives_way_to_the_rules(monkeypatch: pytest.MonkeyPatch):
    with OpenAIStub() as stub, llm_settings(monkeypatch, DEBUG_ENGINE="llm", AZURE_OPENAI_ENDPOINT=stub.base_url,
                                             DEBUG_OPENAI_COMPATIBLE="true"):
        stub.script = [final("fail", "scripted", root_cause="unknown")] * 2
        state = new_state({"error_description": "ModuleNotFoundError: No module named 'requests'"})
        monkeypatch.setattr(GUARD, "shedding", True)
        activities.decide_state(state)
        assert stub.requests == []
        monkeypatch.setattr(GUARD, "shedding", False)
        activities.decide_state(state)
        assert len(stub.requests) == 1
