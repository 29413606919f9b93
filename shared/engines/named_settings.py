"""A missing-setting conclusion names the settings the code and its bindings read.

A catalog entry for "the connection string was null" or "the setting is not defined" speaks of "the setting the
code reads"; the material often says which (a function.json's `"connection": "X"`, an `os.environ["X"]` line, a
`%X%` binding expression). Naming them is what the client needs to act; when the session read the app's setting
names, the ones the app lacks are named first."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.engines.playbooks import missing_code_settings
from shared.session.state import Conclude, SessionState
from shared.tools.text_tools import code_setting_names

_MISSING_SETTING = "config.missing_app_setting"
_LISTED = 6


def with_named_settings(state: SessionState, decision: Decision) -> Decision:
    """The conclusion, with the settings the material's code and bindings read appended when it names none."""
    if not isinstance(decision, Conclude) or decision.report.category != _MISSING_SETTING:
        return decision
    wanted = code_setting_names(state.material)
    said = " ".join([decision.report.root_cause, *(e.summary for e in decision.report.evidence)]).lower()
    if not wanted or any(name.lower() in said for name in wanted):
        return decision
    absent = missing_code_settings(state)  # the ones the app's setting names, as read, lack
    if absent:
        named = f" The app in Azure does not define {', '.join(absent[:_LISTED])}, which the code reads."
    else:
        named = f" The code and its bindings read {', '.join(wanted[:_LISTED])}."
    decision.report.root_cause = decision.report.root_cause.rstrip() + named
    return decision
