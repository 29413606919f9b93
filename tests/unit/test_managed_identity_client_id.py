"""The client id that DefaultAzureCredential is told to use decides which managed identity it asks for."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine

_FAILURE = ("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
            "    EnvironmentCredential: EnvironmentCredential authentication unavailable.\n"
            "    ManagedIdentityCredential: (invalid_request) Unable to load the proper Managed Identity.\n")


def _report(text: str) -> dict:
    return run_engine({"error_description": text}).envelope().get("report") or {}


def test_a_placeholder_client_id_setting_is_the_identity_the_endpoint_cannot_find() -> None:
    report = _report(_FAILURE + "App settings:\nAZURE_CLIENT_ID=PLACEHOLDER\nWEBSITES_PORT=8000\n")
    assert report["category"] == "auth.managed_identity_missing"
    assert "'PLACEHOLDER'" in report["root_cause"]


def test_a_client_id_left_after_moving_to_the_system_assigned_identity_is_named() -> None:
    text = ("We switched the web app from a user-assigned identity to the system-assigned one.\n" + _FAILURE
            + "AZURE_CLIENT_ID=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c\n")
    report = _report(text)
    assert (report["category"], report["confidence"]) == ("auth.managed_identity_missing", "medium")
    assert "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c" in report["root_cause"]


def test_a_real_client_id_without_a_switch_is_not_called_a_placeholder() -> None:
    report = _report(_FAILURE + "AZURE_CLIENT_ID=3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c\n")
    assert "not the client id of any managed identity" not in str(report.get("root_cause"))
