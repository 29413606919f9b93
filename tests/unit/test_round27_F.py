"""Round 27 (F, the twentieth session's development halves, docs36): the AI services' own "Key based authentication
is disabled" as a refused key, a Service Bus private endpoint on a Standard namespace, a deleted SQL database
restored rather than renamed, and Resource Health's history (a platform event that is over) with StackExchange.Redis's
"Idle/Faulted" state no longer read as an idle connection."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import table_entry
from shared.engines.clues import clue_in
from shared.engines.playbooks import conclude_finding, finding
from shared.engines.session_reads import FINDINGS
from shared.tools import azure_activity
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, reads_state, state_with

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"


def _openai(local_auth_disabled: bool) -> dict[str, Any]:
    body = {"kind": "OpenAI", "properties": {"disableLocalAuth": local_auth_disabled}}
    return {"type": "Microsoft.CognitiveServices/accounts", "name": "oai-bot",
            **extracted("Microsoft.CognitiveServices", "accounts", body)}


KEY_DISABLED = ("openai.AuthenticationError: Error code: 401 - {'error': {'code': 'AuthenticationTypeDisabled', "
                "'message': 'Key based authentication is disabled for this resource.'}}")


def test_the_services_own_key_based_auth_disabled_is_a_refused_key() -> None:
    check_round_finding(reads_state(KEY_DISABLED, [_openai(True)]), "openai-local-auth-disabled",
                        "auth.credential_invalid", "disableLocalAuth")


def test_key_auth_disabled_stays_silent_when_the_account_accepts_keys_or_nothing_was_refused() -> None:
    assert finding_id(reads_state(KEY_DISABLED, [_openai(False)])) != "openai-local-auth-disabled"
    # a report about a disabled feature with no key in it is no refused key
    assert finding_id(reads_state("The content filter is disabled for this deployment; how do I enable it?",
                                  [_openai(True)])) != "openai-local-auth-disabled"


def _namespace(sku: str) -> dict[str, Any]:
    body = {"sku": {"name": sku, "tier": sku}, "properties": {"publicNetworkAccess": "Enabled"}}
    return {"type": "Microsoft.ServiceBus/namespaces", "name": "sb-orders",
            **extracted("Microsoft.ServiceBus", "namespaces", body)}


PE_FAILS = ('Error: creating Private Endpoint "pe-sb-orders": unexpected status 400 (400 Bad Request) with error: '
            "BadRequest: Call to Microsoft.ServiceBus/namespaces failed. Error message: Bad Request.")


def test_a_private_endpoint_for_a_standard_service_bus_namespace_needs_premium() -> None:
    check_round_finding(reads_state(PE_FAILS, [_namespace("Standard")]), "service-bus-private-endpoint-needs-premium",
                        "quota.sku_not_available", "Standard")
    rule = table_entry(FINDINGS, "service-bus-private-endpoint-needs-premium")
    assert any("Premium" in action for action in rule["actions"])


def test_a_premium_namespace_or_a_report_without_a_private_endpoint_is_no_tier_verdict() -> None:
    assert finding_id(reads_state(PE_FAILS, [_namespace("Premium")])) != "service-bus-private-endpoint-needs-premium"
    assert finding_id(reads_state("Sending to the queue fails with MessagingEntityNotFound.",
                                  [_namespace("Standard")])) != "service-bus-private-endpoint-needs-premium"


def test_a_database_missing_from_the_server_can_be_restored_when_deleted() -> None:
    for rule_id in ("sql-database-named-in-error-missing", "messaging-or-data-entity-deleted"):
        actions = table_entry(FINDINGS, rule_id)["actions"]
        assert any("az sql db restore" in a and "--deleted-time" in a for a in actions), rule_id


class _Statuses:
    """Resource Health's availability statuses as the SDK lists them: rest_dict reads plain dicts back."""

    def __init__(self, listed: list[dict[str, Any]] | Exception) -> None:
        self.listed = listed

    def list(self, resource_uri: str, **_: Any) -> list[dict[str, Any]]:
        if isinstance(self.listed, Exception):
            raise self.listed
        return self.listed


class _Health:
    def __init__(self, listed: list[dict[str, Any]] | Exception) -> None:
        self.availability_statuses = _Statuses(listed)


REDIS = f"{SUB}/providers/Microsoft.Cache/redis/redis-sessions"


def _status(name: str, state: str, when: str, resource: str = REDIS, reason: str = "Planned") -> dict[str, Any]:
    return {"id": f"{resource}/providers/Microsoft.ResourceHealth/availabilityStatuses/{name}", "name": name,
            "properties": {"availabilityState": state, "title": "Planned maintenance", "reasonType": reason,
                           "summary": "The cache was updated as part of scheduled platform maintenance.",
                           "occuredTime": when}}


def _recently(hours: int) -> str:
    return azure_activity.iso_utc(azure_activity.time_window(hours)[0])


def test_the_health_history_keeps_the_newest_recent_time_this_resource_was_not_available() -> None:
    listed = [_status("current", "Available", _recently(0)), _status("a1", "Degraded", _recently(20)),
              _status("a0", "Unavailable", _recently(24 * 30)),          # too old to explain anything now
              _status("b1", "Unavailable", _recently(2), resource=f"{SUB}/providers/Microsoft.Web/sites/app")]
    past = azure_activity._past_event(azure_activity._listed_statuses(_Health(listed), REDIS), REDIS)
    assert past["past_state"] == "Degraded" and past["past_title"] == "Planned maintenance"
    assert past["past_reason_type"] == "Planned"


def test_no_past_event_when_the_history_is_all_available_or_cannot_be_read() -> None:
    assert azure_activity._past_event(azure_activity._listed_statuses(
        _Health([_status("current", "Available", _recently(0))]), REDIS), REDIS) == {}
    assert azure_activity._past_event(azure_activity._listed_statuses(
        _Health(RuntimeError("404 not found")), REDIS), REDIS) == {}


OVER = ("StackExchange.Redis.RedisConnectionException: SocketFailure (ReadSocketError/ConnectionReset) on "
        "redis-sessions.redis.cache.windows.net:6380/Interactive, Idle/Faulted, last: PING ---> System.IO.IOException:"
        " Unable to read data from the transport connection: Connection reset by peer. It recovered by itself "
        "at 02:25.")


def _health(reason: str = "Planned") -> dict[str, Any]:
    return {"availabilityState": "Available", "summary": "There aren't any known Azure platform problems.",
            "past_state": "Degraded", "past_title": "Planned maintenance", "past_reason_type": reason,
            "past_summary": "The cache was updated as part of scheduled platform maintenance.",
            "past_time": "2026-12-05T02:09:00Z"}


def test_a_past_platform_event_explains_a_failure_that_is_over() -> None:
    state = state_with(OVER, [("get_resource_health", _health())])
    found = finding(state)
    assert found is not None and found[0]["id"] == "resource-health-past-platform-event"
    report = conclude_finding(state, *found).report
    assert report.category == "platform.service_incident" and "maintenance" in report.root_cause
    assert "{" not in report.root_cause and "[[" not in report.root_cause


def test_a_past_event_stays_silent_for_a_failure_still_going_on_or_one_the_user_caused() -> None:
    ongoing = OVER.replace(" It recovered by itself at 02:25.", " It fails on every request since this morning.")
    assert finding_id(state_with(ongoing, [("get_resource_health", _health())])
                      ) != "resource-health-past-platform-event"
    assert finding_id(state_with(OVER, [("get_resource_health", _health("UserInitiated"))])
                      ) != "resource-health-past-platform-event"


def test_stackexchange_redis_idle_faulted_state_is_no_idle_connection() -> None:
    found = clue_in([OVER])
    assert found is None or found["id"] != "redis-idle-connection-closed"
    idle = OVER.replace(" It recovered by itself at 02:25.", " It happens when the connection was idle overnight.")
    found = clue_in([idle])
    assert found is not None and found["id"] == "redis-idle-connection-closed"
