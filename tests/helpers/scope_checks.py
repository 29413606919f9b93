"""Run the rules engine on one report and check whether it ends out of scope (the out-of-scope rounds' tests)."""

from __future__ import annotations

from typing import Any

from shared.session.state import GiveUp
from tests.helpers.engine_loop import run_engine


def final_decision(text: str, technologies: list[str] | None = None) -> Any:
    """The engine's final decision for a report, with environment_info's technologies when given."""
    start: dict[str, Any] = {"error_description": text}
    if technologies:
        start["context"] = {"environment_info": {"technologies": technologies}}
    return run_engine(start).final


def out_of_scope(text: str, technologies: list[str] | None = None) -> str:
    """Assert the report ends out of scope; its root cause."""
    final = final_decision(text, technologies)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope", final
    return final.report.root_cause


def in_scope(text: str, technologies: list[str] | None = None) -> None:
    """Assert the report does not end out of scope."""
    report = getattr(final_decision(text, technologies), "report", None)
    assert report is None or report.category != "out_of_scope", report
