"""Round 42, helper S5 (session 35's list of cases whose category a competing entry or analyzer won): one error code
or message shared by several cases, the case decided by the report's own context (`requires`): AADSTS9002313 while
redeeming a refresh token, AADSTS90014 for a missing scope, MessageLockLost with lock renewal switched off, an
unrecognized OpenAI argument beside a pinned old api-version, the OpenAI 401 "audience is incorrect" for OPENAI_*
settings without api_type, WorkerConfig not found for an isolated project with in-process packages, the runtime
unreachable with settings listed and no AzureWebJobsStorage, Core Tools acting as a hosted container, AADSTS700054
when the registration shown has ID tokens on; and a change refused with an exact deployment code is not overruled
by a finding about the running app. Each shows the mechanism and a near miss that stays silent."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines import rules
from shared.models import Report
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id


def test_malformed_request_redeeming_a_refresh_token_is_the_token() -> None:
    text = ("POST /common/oauth2/v2.0/token grant_type=refresh_token&refresh_token=<stored>\n"
            "invalid_grant AADSTS9002313: Invalid request. Request is malformed or invalid.")
    assert best_entry_id(text) == "entra-aadsts9002313-refresh-token-malformed"
    near = "grant_type=authorization_code\nAADSTS9002313: Invalid request. Request is malformed or invalid."
    assert best_entry_id(near) == "entra-aadsts9002313-malformed-request"


def test_missing_scope_field_is_a_client_setting() -> None:
    text = "AADSTS90014: The required field 'scope' is missing from the credential."
    assert best_entry_id(text) == "entra-aadsts90014-scope-missing-client-setting"
    near = "AADSTS90014: The required field 'client_id' is missing from the credential."
    assert best_entry_id(near) == "entra-aadsts90014-missing-required-field"


def test_lock_lost_with_renewal_switched_off_is_a_timeout() -> None:
    text = ('MessageLockLostException: The lock supplied is invalid. (MessageLockLost)\n'
            'host.json: "serviceBus": {"maxAutoLockRenewalDuration": "00:00:00"}')
    assert best_entry_id(text) == "messaging-sb-lock-lost-auto-renewal-off"
    near = ('MessageLockLostException: The lock supplied is invalid. (MessageLockLost)\n'
            'host.json: "serviceBus": {"maxAutoLockRenewalDuration": "00:10:00"}')
    assert best_entry_id(near) != "messaging-sb-lock-lost-auto-renewal-off"


def test_unrecognized_argument_beside_a_pinned_api_version_is_the_setting() -> None:
    text = "Unrecognized request argument supplied: response_format\nOPENAI_API_VERSION=2023-05-15"
    assert best_entry_id(text) == "openai-unrecognized-argument-configured-api-version-too-old"
    near = "Unrecognized request argument supplied: response_format"
    assert best_entry_id(near) == "openai-unrecognized-request-argument"


def test_audience_reply_to_openai_env_without_api_type_is_a_missing_setting() -> None:
    reply = "401 Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com)"
    text = reply + "\nOPENAI_API_BASE=https://x.openai.azure.com/\nOPENAI_API_KEY=***"
    assert best_entry_id(text) == "openai-audience-incorrect-api-type-not-azure"
    near = text + "\nOPENAI_API_TYPE=azure"
    assert best_entry_id(near) == "openai-token-invalid-audience"


def test_worker_config_not_found_with_in_process_packages_is_a_dependency() -> None:
    text = ("WorkerConfig for runtime: dotnet-isolated not found.\n"
            '<PackageReference Include="Microsoft.Azure.WebJobs.Extensions.ServiceBus" Version="5.0.0" />')
    assert best_entry_id(text) == "functions-worker-config-not-found-isolated-with-webjobs-packages"
    near = "WorkerConfig for runtime: dotnet-isolated not found.\nFUNCTIONS_WORKER_RUNTIME=dotnet"
    assert best_entry_id(near) == "functions-worker-config-not-found"


def test_runtime_unreachable_with_settings_listed_without_storage_is_the_setting() -> None:
    text = ("Azure Functions runtime is unreachable. Settings: FUNCTIONS_EXTENSION_VERSION=~4, "
            "FUNCTIONS_WORKER_RUNTIME=java, SQL_CONN")
    assert best_entry_id(text) == "functions-runtime-unreachable-storage-setting-absent"
    near = text + ", AzureWebJobsStorage"
    assert best_entry_id(near) == "functions-runtime-unreachable"


def test_core_tools_publishing_activity_status_acts_as_a_hosted_container() -> None:
    text = ("func start\nFailed to publish status to /memoryactivity\n"
            "System.Private.Uri: Invalid URI: The hostname could not be parsed.")
    assert best_entry_id(text) == "functions-core-tools-acts-as-hosted-container"
    near = "Log stream of the app:\nFailed to publish status to /memoryactivity"
    assert best_entry_id(near) == "functions-failed-to-publish-status-activity"


def test_id_token_refusal_with_id_tokens_shown_enabled_is_the_redirect() -> None:
    text = ("AADSTS700054: response_type 'id_token' is not enabled for the application.\n"
            '"implicitGrantSettings": {"enableIdTokenIssuance": true}')
    assert best_entry_id(text) == "entra-aadsts700054-id-tokens-shown-enabled"
    near = ("AADSTS700054: response_type 'id_token' is not enabled for the application.\n"
            '"implicitGrantSettings": {"enableIdTokenIssuance": false}')
    assert best_entry_id(near) == "entra-aadsts700054-id-token-not-enabled"


class _Hit:
    def __init__(self, exact: bool, category: str) -> None:
        self.exact, self.origins = exact, {"error"}
        self.entry = type("E", (), {"conclusive": True, "category": category})()


def _done(category: str) -> Conclude:
    return Conclude(message="", report=Report(category=category, root_cause="x", confidence="medium"))


@pytest.mark.parametrize(("exact", "expected"), [(True, True), (False, False)])
def test_refused_change_keeps_its_code_over_a_runtime_finding(monkeypatch: Any, exact: bool, expected: bool) -> None:
    monkeypatch.setattr(rules, "decisive", lambda state: _Hit(exact, "deployment.template_invalid"))
    refused = _done("deployment.template_invalid")
    assert rules._change_refused_by_code(None, refused, _done("runtime.out_of_memory")) is expected  # type: ignore[arg-type]
    # a finding of another kind (a setting) is not the running app's trouble: the usual rules decide
    assert rules._change_refused_by_code(None, refused, _done("config.missing_app_setting")) is False  # type: ignore[arg-type]


class _Material:
    def __init__(self, text: str) -> None:
        self.text = text

    def spoken_text(self) -> str:
        return self.text


class _Read:
    def __init__(self, data: dict[str, Any]) -> None:
        self.tool, self.status, self.data = "get_resource", "success", data


def _app_state(text: str, containers: list[dict[str, Any]]) -> Any:
    app = {"type": "Microsoft.App/containerApps", "name": "ca-web", "containers": containers}
    return type("S", (), {"material": _Material(text), "ledger": [_Read(app)]})()


def test_refused_container_app_total_names_each_container() -> None:
    from shared.engines.container_sizes import with_container_sizes
    text = "ca-web: resources for this application (CPU: 1.5, memory: 3.0Gi) is invalid"
    two = [{"name": "web", "resources": {"cpu": 1.0, "memory": "2Gi"}},
           {"name": "envoy", "resources": {"cpu": 0.25, "memory": "0.5Gi"}}]
    done = with_container_sizes(_app_state(text, two), _done("deployment.template_invalid"))
    assert isinstance(done, Conclude) and "envoy (0.25 CPU / 0.5Gi)" in done.report.root_cause
    # near miss: one container is the total itself, nothing to add
    alone = with_container_sizes(_app_state(text, two[:1]), _done("deployment.template_invalid"))
    assert isinstance(alone, Conclude) and alone.report.root_cause == "x"
