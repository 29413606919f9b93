"""Tests score scenarios with the evaluation runner's own scoring."""

from evals.scenarios import score

__all__ = ["score"]
