"""Memory pressure: the worker's resident memory, measured at every invocation, and graceful degradation above a
high-water mark of the instance's size, with recovery below a low-water mark (hysteresis, so that the app does
not flap around one value).

While shedding: new sessions whose request body is over `DEBUG_SHED_START_MAX_BYTES` get 503 with `Retry-After`
(small ones still start), every registered in-process cache is cleared (once, on entering), `decide` uses the
rules engine instead of a model engine, and a log line and the metric `debug.memory.pressure` (state shedding,
then recovered) say so; `debug.memory.rss` records the measured size. infra/modules/monitoring.bicep alerts on
the shedding state.

Settings (read with the app's other settings, shared/settings.py):
- `DEBUG_INSTANCE_MEMORY_MB` (default 2048, Flex Consumption's default instance size; infra sets the deployed one)
- `DEBUG_MEMORY_HIGH_WATER_PERCENT` (default 80) and `DEBUG_MEMORY_LOW_WATER_PERCENT` (default 70, below high)
- `DEBUG_SHED_START_MAX_BYTES` (default 65536): the largest start body accepted while shedding."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from shared.settings import load_settings
from shared.telemetry.metrics import record_memory

_CACHES: list[Callable[[], None]] = []


def register_cache(cache_clear: Callable[[], None]) -> None:
    """A cache that shedding empties (each is also bounded by entries and age: cachetools)."""
    _CACHES.append(cache_clear)


def clear_registered_caches() -> None:
    for cache_clear in _CACHES:
        cache_clear()


def resident_bytes() -> int:
    """The worker process's resident set size."""
    return int(psutil.Process().memory_info().rss)


@dataclass
class MemoryGuard:
    """Whether this worker sheds load, from its resident memory against the settings' marks."""

    read_rss: Callable[[], int] = resident_bytes
    shedding: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def observe(self) -> bool:
        """Measure, move between normal and shedding at the marks, and say whether this worker sheds load."""
        limits = load_settings().memory
        rss = self.read_rss()
        megabytes = rss / 2**20
        with self._lock:
            entering = not self.shedding and megabytes >= limits.high_water_mb
            leaving = self.shedding and megabytes <= limits.low_water_mb
            if entering or leaving:
                self.shedding = entering
        record_memory(megabytes, "shedding" if entering else "recovered" if leaving else None)
        if entering:
            logging.warning("memory pressure: %.0f MB resident >= high-water mark %.0f MB; shedding load (large "
                            "starts refused, caches cleared, rules engine only)", megabytes, limits.high_water_mb)
            clear_registered_caches()
        elif leaving:
            logging.info("memory pressure over: %.0f MB resident <= low-water mark %.0f MB", megabytes,
                         limits.low_water_mb)
        return self.shedding


GUARD = MemoryGuard()
