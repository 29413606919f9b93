"""What the benchmark scripts share: how a percentile is read off the measured values."""

from __future__ import annotations


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (no interpolation: a figure printed is a value measured); nan when empty."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")
