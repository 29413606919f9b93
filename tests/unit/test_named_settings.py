"""A missing-setting conclusion names the settings the material's code and bindings read (function.json's quoted
"connection" key included), the ones the app in Azure lacks first; other conclusions are left alone."""

from __future__ import annotations

from shared.engines.named_settings import with_named_settings
from shared.models import Options
from shared.session.report import partial_report
from shared.session.state import Conclude, Evidence, Material, SessionState
from shared.tools.text_tools import material_setting_references

FUNCTION_JSON = ('Error indexing method. Value cannot be null. Parameter name: receiverConnectionString.\n'
                 '{"bindings": [{"type": "eventHubTrigger", "name": "events", "connection": "HUB_CONN"}]}')


def _state(text: str, setting_names: list[str] | None = None) -> SessionState:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=setting_names is not None,
                         material=Material(error_description=text))
    if setting_names is not None:
        state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="names",
                                    data={"names": setting_names}))
    return state


def _concluded(state: SessionState, category: str) -> Conclude:
    report = partial_report(state, root_cause="The connection string the binding reads was null.")
    report.category, report.confidence = category, "medium"
    return Conclude(message="x", report=report)


def test_a_function_json_pasted_into_the_report_names_its_connection_setting() -> None:
    reads, connections = material_setting_references(Material(error_description=FUNCTION_JSON))
    assert [c["name"] for c in connections] == ["HUB_CONN"] and reads == []


def test_the_missing_setting_conclusion_names_the_setting_the_binding_reads() -> None:
    state = _state(FUNCTION_JSON)
    decision = with_named_settings(state, _concluded(state, "config.missing_app_setting"))
    assert isinstance(decision, Conclude)
    assert decision.report.root_cause.endswith("The code and its bindings read HUB_CONN.")


def test_with_the_apps_setting_names_read_the_absent_one_is_named() -> None:
    text = FUNCTION_JSON + '\nkey = os.environ["API_KEY"]'
    state = _state(text, ["API_KEY", "FUNCTIONS_WORKER_RUNTIME"])
    decision = with_named_settings(state, _concluded(state, "config.missing_app_setting"))
    assert isinstance(decision, Conclude)
    assert "does not define HUB_CONN, which the code reads" in decision.report.root_cause
    assert "API_KEY" not in decision.report.root_cause


def test_other_categories_and_conclusions_that_name_the_setting_are_left_alone() -> None:
    state = _state(FUNCTION_JSON)
    other = with_named_settings(state, _concluded(state, "auth.credential_invalid"))
    assert isinstance(other, Conclude) and "HUB_CONN" not in other.report.root_cause
    named = _concluded(state, "config.missing_app_setting")
    named.report.root_cause = "HUB_CONN is not set."
    kept = with_named_settings(state, named)
    assert isinstance(kept, Conclude) and kept.report.root_cause == "HUB_CONN is not set."
