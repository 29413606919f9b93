"""Round 29, helper K (docs-style ARM, networking, messaging, Azure OpenAI and API Management cases, docsK):

- an Event Hubs consumer group the error names (.../telemetry/ConsumerGroups/analytics could not be found) is read
  against the hub's consumer groups, and a finding names the groups that exist; a group that exists stays silent;
- a Service Bus topic's listing keeps its size and maximum size, so the size-limit finding sees a full topic, and
  the finding names the subscription that holds most of its messages; evenly read subscriptions name none;
- out-of-scope words: an AWS CloudFormation resource failure, Google Pub/Sub's PERMISSION_DENIED and a local
  docker compose nginx that cannot reach its upstream; nginx's words in an App Service log stay Azure's."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.playbooks import conclude_finding, finding
from tests.helpers.finding_checks import extracted, finding_id, reads_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups"
NS = f"{SUB}/rg-iot/providers/Microsoft.EventHub/namespaces/evh"
SB = f"{SUB}/rg-t/providers/Microsoft.ServiceBus/namespaces/sb"

GROUPS = {"type": "Microsoft.EventHub/namespaces/eventhubs/consumergroups",
          "id": f"{NS}/eventhubs/telemetry/consumergroups",
          "entities": [{"name": "$Default"}, {"name": "analytics-cg"}]}
MISSING_GROUP = ("Error in listener: Azure.Messaging.EventHubs.EventHubsException(ResourceNotFound): The messaging "
                 "entity 'sb://evh.servicebus.windows.net/telemetry/ConsumerGroups/analytics' could not be found.")


def _report(report: str, reads: list[dict[str, Any]]) -> Any:
    state = reads_state(report, reads)
    found = finding(state)
    assert found is not None
    return found[0]["id"], conclude_finding(state, *found).report


def test_a_consumer_group_the_hub_lacks_is_named_with_the_groups_it_has() -> None:
    rule, report = _report(MISSING_GROUP, [GROUPS])
    assert rule == "event-hub-consumer-group-missing"
    assert report.category == "config.wrong_resource_name"
    assert "'analytics'" in report.root_cause and "analytics-cg" in report.root_cause
    assert "{" not in report.root_cause


def test_a_consumer_group_the_hub_has_is_no_missing_group_verdict() -> None:
    present = {**GROUPS, "entities": [{"name": "$Default"}, {"name": "analytics"}]}
    assert finding_id(reads_state(MISSING_GROUP, [present])) != "event-hub-consumer-group-missing"


def test_consumer_groups_of_another_hub_are_no_missing_group_verdict() -> None:
    other = {**GROUPS, "id": f"{NS}/eventhubs/orders/consumergroups"}
    assert finding_id(reads_state(MISSING_GROUP, [other])) != "event-hub-consumer-group-missing"


def test_the_consumer_groups_and_topic_sizes_are_read_from_their_listings() -> None:
    groups = extracted("Microsoft.EventHub", "namespaces/eventhubs/consumergroups",
                       {"value": [{"id": "x", "name": "$Default", "properties": {"createdAt": "2025-01-01"}}]})
    assert groups["entities"] == [{"name": "$Default"}]
    topics = extracted("Microsoft.ServiceBus", "namespaces/topics", {"value": [
        {"id": f"{SB}/topics/t1", "name": "t1", "properties": {"maxSizeInMegabytes": 1024, "sizeInBytes": 5}}]})
    assert topics["entities"][0]["maxSizeInMegabytes"] == 1024 and topics["entities"][0]["sizeInBytes"] == 5
    hubs = extracted("Microsoft.EventHub", "namespaces/eventhubs",
                     {"value": [{"id": f"{NS}/eventhubs/h", "name": "h"}]})
    assert hubs["ids"] == [f"{NS}/eventhubs/h"]
    subs = extracted("Microsoft.ServiceBus", "namespaces/topics/subscriptions", {"value": [
        {"name": "s", "properties": {"messageCount": 7, "accessedAt": "2026-10-30T09:12:00Z"}}]})
    assert subs["entities"][0]["messageCount"] == 7


TOPIC = {"type": "Microsoft.ServiceBus/namespaces/topics", "id": f"{SB}/topics",
         "entities": [{"name": "device-events", "maxSizeInMegabytes": 1024, "sizeInBytes": 1073742326}]}
FULL = ("ServiceBusQuotaExceededError: The maximum entity size has been reached or exceeded for Topic: "
        "'SB:TOPIC:DEVICE-EVENTS~15'.")


def _subs(counts: dict[str, int]) -> dict[str, Any]:
    return {"type": "Microsoft.ServiceBus/namespaces/topics/subscriptions",
            "id": f"{SB}/topics/device-events/subscriptions",
            "entities": [{"name": n, "messageCount": c, "accessedAt": "2026-10-30T09:12:00Z"}
                         for n, c in counts.items()]}


def test_a_full_topic_names_the_subscription_that_holds_its_messages() -> None:
    rule, report = _report(FULL, [TOPIC, _subs({"alerts": 120, "archive-legacy": 2871402})])
    assert rule == "service-bus-entity-size-limit-reached"
    assert report.category == "quota.exceeded"
    assert "archive-legacy" in report.root_cause and "device-events" in report.root_cause
    assert "{" not in report.root_cause and "[[" not in report.root_cause


def test_a_full_topic_with_evenly_filled_subscriptions_names_none() -> None:
    rule, report = _report(FULL, [TOPIC, _subs({"alerts": 1000, "audit": 900, "billing": 1100})])
    assert rule == "service-bus-entity-size-limit-reached"
    assert "alerts" not in report.root_cause and "billing" not in report.root_cause
    assert "[[" not in report.root_cause and "{" not in report.root_cause


def test_subscriptions_of_another_topic_are_not_named() -> None:
    other = {**_subs({"alerts": 1, "archive-legacy": 99999}), "id": f"{SB}/topics/orders/subscriptions"}
    _, report = _report(FULL, [TOPIC, other])
    assert "archive-legacy" not in report.root_cause


def _entries(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize(("entry_id", "text"), [
    ("other-clouds-aws-cloudformation-resource-failed",
     "AppAlbSecurityGroupIngress AWS::EC2::SecurityGroupIngress CREATE_FAILED Resource handler returned message: "
     "\"The security group 'sg-0a1b' does not exist\""),
    ("other-clouds-gcp-permission-denied", "Error: 7 PERMISSION_DENIED: User not authorized to perform this action."),
    ("outside-platform-local-nginx-upstream-refused",
     "docker compose up: nginx-1 | connect() failed (111: Connection refused) while connecting to upstream, "
     "upstream: \"http://172.19.0.3:8080/\", host: \"localhost:8081\""),
])
def test_an_outside_azure_error_reads_as_out_of_scope(entry_id: str, text: str) -> None:
    assert entry_id in _entries(text)
    assert entry_id not in _entries("The nightly export job writes an empty CSV since Monday.")


def test_nginx_upstream_refused_in_an_app_service_log_stays_azure() -> None:
    text = ("Log stream of myapp.azurewebsites.net (docker compose multi-container app): connect() failed (111: "
            "Connection refused) while connecting to upstream, host: \"localhost:8081\"")
    assert "outside-platform-local-nginx-upstream-refused" not in _entries(text)
