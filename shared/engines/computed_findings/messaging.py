"""Computed findings for Service Bus, Event Hubs and Event Grid: entity state, sizes, locks, time to live,
delivery counts, partitions against consumers, schemas and subscriptions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.common import picked, regex
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.durations import UNIT_SECONDS, iso_seconds, span_seconds
from shared.engines.session_reads import (
    Facts,
    as_number,
    as_text,
    chosen_item,
    is_mentioned,
    items_of,
    said_by_client,
    said_in_report,
)
from shared.session.state import SessionState

_SERVICE_BUS_ENTITIES = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics|topics/subscriptions)$"


def service_bus_entity(state: SessionState, field: str, pattern: str) -> dict[str, str] | None:
    """The Service Bus queue, topic or subscription (from the collections read) whose `field` matches: the one the
    report names, else the only one that matches."""
    said = said_by_client(state)
    found = [x for data in reads_of_type(state, _SERVICE_BUS_ENTITIES) for x in data.get("entities") or []
             if isinstance(x, dict) and x.get("name") and regex(pattern).search(as_text(x.get(field)))]
    named = [x for x in found if is_mentioned(str(x["name"]), said)]
    chosen = named or (found if len(found) == 1 else [])
    return {"entity": str(chosen[0]["name"]), "value": as_text(chosen[0].get(field)),
            "window": str(chosen[0].get("duplicateDetectionHistoryTimeWindow") or "")} if chosen else None


def event_subscription_not_validated(state: SessionState) -> dict[str, str] | None:
    """An Event Grid event subscription to a webhook that is waiting for manual validation or failed to provision:
    the endpoint did not complete the validation handshake."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.EventGrid/(?:system)?topics/eventSubscriptions$"):
        for sub in data.get("subscriptions") or []:
            if isinstance(sub, dict) and str(sub.get("provisioningState")) in ("AwaitingManualAction", "Failed") \
                    and str(picked(sub, "destination.endpointType") or "WebHook") == "WebHook":
                return {"subscription": str(sub.get("name")), "state": str(sub.get("provisioningState"))}
    return None


_QUEUES = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics)$"


_LOCKED = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics/subscriptions)$"


_HUBS = r"(?i)^Microsoft\.EventHub/namespaces/eventhubs$"


def queue_size_limit(state: SessionState) -> Facts:
    """A queue or topic whose stored messages fill (nearly) all of its maximum size; for a topic, also the
    subscription (of those read) that holds most of them, when it holds at least half."""
    full = []
    for entity in items_of(state, _QUEUES, "entities"):
        size, most = as_number(entity.get("sizeInBytes")), as_number(entity.get("maxSizeInMegabytes"))
        if size is not None and most and size >= 0.95 * most * 1024 * 1024:
            full.append(entity)
    chosen = chosen_item(state, full) or (full[0] if full else None)
    if chosen is None:
        return None
    facts = {"entity": str(chosen.get("name")), "size": f"{as_number(chosen.get('sizeInBytes')) or 0:.0f}",
             "max": f"{as_number(chosen.get('maxSizeInMegabytes')) or 0:g}"}
    if re.fullmatch(r"(?i)ReceiveDisabled|Disabled", str(chosen.get("status") or "")):
        facts["status"] = str(chosen.get("status"))  # nothing can receive: why it filled
    return facts | _dead_lettered(chosen) | _backlogged_subscription(state, str(chosen.get("name")))


def _dead_lettered(entity: dict[str, Any]) -> dict[str, str]:
    """{dead, messages} when most of a full entity's messages are dead-lettered: the dead-letter subqueue counts
    towards the entity's size, and receivers of the entity never drain it, so the backlog is there, not in the
    active messages the portal's overview shows."""
    dead, total = as_number(entity.get("countDetails.deadLetterMessageCount")), as_number(entity.get("messageCount"))
    if dead is None or not total or dead < 0.5 * total:
        return {}
    return {"dead": f"{dead:.0f}", "messages": f"{total:.0f}"}


def _backlogged_subscription(state: SessionState, topic: str) -> dict[str, str]:
    """The subscription of `topic` that holds at least half of the messages of all its subscriptions read: a topic
    keeps a message until every subscription has it, so one subscription nobody receives from fills the topic."""
    subs = [e for data in reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces/topics/subscriptions$")
            if f"/topics/{topic.lower()}/" in str(data.get("id") or "").lower() + "/"
            for e in data.get("entities") or [] if isinstance(e, dict)]
    counts = [(as_number(e.get("messageCount")) or 0, e) for e in subs]
    total = sum(c for c, _ in counts)
    if len(counts) < 2 or total <= 0:
        return {}
    most, sub = max(counts, key=lambda pair: pair[0])
    if most < 0.5 * total:
        return {}
    return {"subscription": str(sub.get("name")), "backlog": f"{most:.0f}",
            "accessed": str(sub.get("accessedAt") or "unknown")}


_CONSUMER_GROUP = re.compile(r"(?i)servicebus\.windows\.net/(?P<hub>[\w.-]{1,256})/ConsumerGroups/"
                             r"(?P<group>[\w.$-]{1,50})"
                             r"|:eventhub:(?P<hub3>[\w.-]{1,256})(?:~\d+)?\|(?P<group3>[\w.$-]{1,50})"
                             r"|consumer ?group ['\"`](?P<group2>[\w.$-]{1,50})['\"`][^\n]{0,80}"
                             r"(?:not found|could not be found|does not exist)")


def event_hub_consumer_group_missing(state: SessionState) -> Facts:
    """The consumer group the error names, absent from the consumer groups read for its event hub."""
    named = next((m for t in state.material.spoken() for m in _CONSUMER_GROUP.finditer(t)), None)
    if named is None:
        return None
    group = named.group("group") or named.group("group2") or named.group("group3")
    hub = named.group("hub") or named.group("hub3")
    reads = [d for d in reads_of_type(state, r"(?i)^Microsoft\.EventHub/namespaces/eventhubs/consumergroups$")
             if not hub or f"/eventhubs/{hub.lower()}/" in str(d.get("id") or "").lower()]
    existing = [str(e.get("name")) for d in reads for e in d.get("entities") or [] if isinstance(e, dict)]
    if not reads or not existing or group.lower() in {e.lower() for e in existing}:
        return None
    return {"group": group, "hub": hub or "the event hub", "existing": ", ".join(existing[:8])}


def lock_duration(state: SessionState) -> Facts:
    """The queue or subscription the report names (else the only one) and its lock duration, up to one minute."""
    entities = [e for e in items_of(state, _LOCKED, "entities") if iso_seconds(e.get("lockDuration")) is not None]
    chosen = chosen_item(state, entities)
    seconds = iso_seconds(chosen.get("lockDuration")) if chosen else None
    if chosen is None or seconds is None or seconds > 60:
        return None
    return {"entity": str(chosen.get("name")), "lock": str(chosen.get("lockDuration")), "seconds": f"{seconds:g}"}


def event_hub_not_active(state: SessionState) -> Facts:
    inactive = [h for h in items_of(state, _HUBS, "entities")
                if re.fullmatch(r"(?i)Disabled|SendDisabled|ReceiveDisabled", str(h.get("status") or ""))]
    chosen = chosen_item(state, inactive)
    return {"hub": str(chosen.get("name")), "value": str(chosen.get("status"))} if chosen else None


_APPLICATION_GROUPS = r"(?i)^Microsoft\.EventHub/namespaces/applicationGroups$"
_THROTTLED = re.compile(r"(?i)throttl|server-?busy|ServerBusy|\b50002\b")


def application_group_throttles(state: SessionState) -> Facts:
    """An enabled application group of the namespace with a throttling policy, while the report says the client is
    throttled: the group caps what the clients it matches (a SAS key name or an Entra application id) may send or
    receive, whatever the namespace's capacity. The group the report names wins, else the one whose policy is the
    lowest message-rate cap."""
    said = said_in_report(state)
    if not _THROTTLED.search(said):
        return None
    capped = [(g, p) for g in items_of(state, _APPLICATION_GROUPS, "entities") if str(g.get("isEnabled")) != "False"
              for p in g.get("policies") or [] if isinstance(p, dict)
              and str(p.get("type") or "").lower() == "throttlingpolicy" and as_number(p.get("rateLimitThreshold"))]
    if not capped:
        return None
    named = [(g, p) for g, p in capped if is_mentioned(str(g.get("name") or ""), said)]
    group, policy = (named or sorted(capped, key=lambda c: (str(c[1].get("metricId")) != "IncomingMessages",
                                                              as_number(c[1].get("rateLimitThreshold")) or 0)))[0]
    return {"group": str(group.get("name")), "client": str(group.get("clientAppGroupIdentifier") or ""),
            "policy": str(policy.get("name") or ""), "metric": str(policy.get("metricId") or ""),
            "threshold": f"{as_number(policy.get('rateLimitThreshold')) or 0:.0f}"}


_CONSUMERS = re.compile(r"(?i)\b(\d{1,3}) (?:\w+ ){0,2}(?:instances|consumers|replicas|pods|workers|receivers|"
                        r"processors|readers)\b")


def partitions_fewer_than_consumers(state: SessionState) -> Facts:
    """An event hub with fewer partitions than the consumer instances the report counts: in one consumer group a
    partition is read by one consumer at a time, so the others stay idle."""
    counts = [int(m.group(1)) for m in _CONSUMERS.finditer(said_in_report(state))]
    chosen = chosen_item(state, items_of(state, _HUBS, "entities"))
    partitions = as_number(chosen.get("partitionCount")) if chosen else None
    if chosen is None or partitions is None or not counts or max(counts) <= partitions:
        return None
    return {"hub": str(chosen.get("name")), "partitions": f"{partitions:g}", "consumers": str(max(counts))}



def partition_id_beyond_count(state: SessionState) -> Facts:
    """The event hub a refused partition ID was sent to (the one the report names, else the only one read), with
    its partition count: the IDs that exist run 0..count-1."""
    chosen = chosen_item(state, items_of(state, _HUBS, "entities"))
    partitions = as_number(chosen.get("partitionCount")) if chosen else None
    if chosen is None or partitions is None or partitions < 1:
        return None
    return {"hub": str(chosen.get("name")), "partitions": f"{partitions:g}", "last_id": f"{partitions - 1:g}"}

_SB_ENTITY = re.compile(r"(?i)\.servicebus\.windows\.net/([A-Za-z0-9][\w.-]{0,259})"
                        r"|:(?:queue|topic):([A-Za-z0-9][\w.-]{0,259})"
                        r"|(?:queue|topic|entity)(?: name)?[ :]+['\"`]([A-Za-z0-9][\w.-]{0,259})['\"`]"
                        r"[^\n]{0,80}(?:not found|could not be found|does not exist)")


def _entity_named(state: SessionState) -> str | None:
    named = next((next(g for g in m.groups() if g) for t in state.material.spoken() for m in _SB_ENTITY.finditer(t)),
                 None)
    return None if not named or named.lower() in ("$management", "$cbs") else named


def _nearest(named: str, existing: list[str]) -> str:
    """The existing name that differs from `named` only slightly (a hyphen, a plural, a typo), else ''."""
    def bare(name: str) -> str:
        return re.sub(r"[-_.]", "", name.lower())
    same = [e for e in existing if bare(e) == bare(named)]
    close = same or difflib.get_close_matches(named.lower(), [e.lower() for e in existing], n=1, cutoff=0.8)
    return next((e for e in existing if e.lower() == close[0].lower()), "") if close else ""


def _absent(named: str, existing: list[str]) -> dict[str, str]:
    nearest = _nearest(named, existing)
    return {"entity": named, "existing": ", ".join(existing[:8]) or "none", "nearest": nearest,
            "nearest_note": f" - the nearest existing name is '{nearest}', so the setting or code most likely "
                            f"misspells it" if nearest else ""}


def service_bus_entity_missing(state: SessionState) -> Facts:
    """The queue or topic the client's error names, absent from the namespace's queues and topics: both read, or
    only one of them read when it holds a name that differs from the named one only slightly (a typo)."""
    queues = reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces/queues$")
    topics = reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces/topics$")
    named = _entity_named(state)
    if not named or not (queues or topics):
        return None
    existing = [str(e.get("name")) for data in queues + topics for e in data.get("entities") or []
                if isinstance(e, dict)]
    if named.lower() in {e.lower() for e in existing}:
        return None
    facts = _absent(named, existing)
    return facts if (queues and topics) or facts["nearest"] else None


def event_hub_missing(state: SessionState) -> Facts:
    """The event hub the client's error names (its entity path), absent from the namespace's event hubs read."""
    hubs = reads_of_type(state, _HUBS)
    named = _entity_named(state)
    if not named or not hubs:
        return None
    existing = [str(e.get("name")) for data in hubs for e in data.get("entities") or [] if isinstance(e, dict)]
    if named.lower() in {e.lower() for e in existing}:
        return None
    return _absent(named, existing)


_RECEIVING = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics/subscriptions)$"


def auto_forward_source(state: SessionState) -> Facts:
    """The queue or subscription the client receives from (named, else the only one forwarding) that forwards every
    message to another entity: nothing stays in it to receive."""
    forwarding = [e for e in items_of(state, _RECEIVING, "entities") if e.get("forwardTo")]
    chosen = chosen_item(state, forwarding)
    return {"entity": str(chosen.get("name")), "target": str(chosen.get("forwardTo"))} if chosen else None


def message_ttl_short(state: SessionState) -> Facts:
    """The queue or subscription (named, else the only one) whose default message time to live is an hour or less."""
    entities = [e for e in items_of(state, _RECEIVING, "entities")
                if (iso_seconds(e.get("defaultMessageTimeToLive")) or 10**9) <= 3600]
    chosen = chosen_item(state, entities)
    if chosen is None:
        return None
    dead = chosen.get("deadLetteringOnMessageExpiration") is True
    return {"entity": str(chosen.get("name")), "ttl": str(chosen.get("defaultMessageTimeToLive")),
            "seconds": f"{iso_seconds(chosen.get('defaultMessageTimeToLive')):g}",
            "fate": "moved to the dead-letter queue" if dead
            else "dropped without a trace (dead-lettering on expiration is off)"}


# the size of the refused message and the limit the link reported, as Service Bus prints them
_SIZE_REFUSED = re.compile(r"(?i)\bsize:\s*(?P<size>\d+) bytes\)?\s*exceeds the limit \((?P<limit>\d+) bytes\)")


def entity_message_size_limit(state: SessionState) -> Facts:
    """The queue or topic (the one the report names, else the only one) whose maximum message size
    (maxMessageSizeInKilobytes, set per entity on Premium) is below the message the report says was refused, or is
    the limit the refusal names."""
    namespaces = reads_of_type(state, r"(?i)^Microsoft\.ServiceBus/namespaces$")
    tiers = [picked(n, "sku.name") or n.get("sku") for n in namespaces]
    if not any(str(t).lower() == "premium" for t in tiers):
        return None  # the per-entity limit is a Premium setting; Standard's 256 KB is the tier's
    said = " ".join(state.material.spoken())
    refused = _SIZE_REFUSED.search(said)
    size = int(refused.group("size")) if refused else None
    limit = int(refused.group("limit")) if refused else None
    small = []
    for entity in items_of(state, _QUEUES, "entities"):
        most = as_number(entity.get("maxMessageSizeInKilobytes"))
        if not most:
            continue
        if (size is not None and most * 1024 < size) or (limit is not None and int(most * 1024) == limit):
            small.append(entity)
    chosen = chosen_item(state, small)
    if chosen is None:
        return None
    most = as_number(chosen.get("maxMessageSizeInKilobytes")) or 0
    return {"entity": str(chosen.get("name")), "max_kb": f"{most:g}",
            "size": f"{size}" if size is not None else ""}


def max_delivery_count_low(state: SessionState) -> Facts:
    """The queue or subscription (named, else the only one) that dead-letters a message after three deliveries or
    fewer."""
    entities = [e for e in items_of(state, _RECEIVING, "entities")
                if (as_number(e.get("maxDeliveryCount")) or 100) <= 3]
    chosen = chosen_item(state, entities)
    if chosen is None:
        return None
    return {"entity": str(chosen.get("name")), "count": f"{as_number(chosen.get('maxDeliveryCount')):g}"}


_CLOUD_EVENTS = re.compile(r"(?i)cloud ?events?|ce-specversion|application/cloudevents|specversion")


_GRID_EVENTS = re.compile(r"(?i)EventGridEvent|event ?grid schema|\beventType\b|\bdataVersion\b")


def event_grid_schema_mismatch(state: SessionState) -> Facts:
    """A custom topic whose input schema is not the one the publisher sends (CloudEvents against the Event Grid
    schema, or the reverse)."""
    said = state.material.spoken_text(" ")
    for topic in reads_of_type(state, r"(?i)^Microsoft\.EventGrid/(?:topics|domains)$"):
        schema = str(topic.get("inputSchema") or "")
        if schema == "EventGridSchema" and _CLOUD_EVENTS.search(said):
            return {"name": str(topic.get("name")), "schema": schema, "sent": "CloudEvents 1.0"}
        if schema.startswith("CloudEventSchema") and _GRID_EVENTS.search(said) and not _CLOUD_EVENTS.search(said):
            return {"name": str(topic.get("name")), "schema": schema, "sent": "the Event Grid schema"}
    return None


# A lost message or session lock, and the report's own numbers: the window the receiver renews the lock for
# (maxAutoLockRenewalDuration in host.json, MaxAutoLockRenewalDuration / maxAutoLockRenewDuration of a processor)
# and how long the work runs (the function timeout, a stated processing time).
_LOCK_LOST = re.compile(r"(?i)\b(?:Session|Message)LockLost\b|lock supplied is invalid|\bsession lock (?:was |has "
                        r"been |has )?(?:lost|expired)\b|\block (?:was |has been )?lost\b")
_SESSION_LOST = re.compile(r"(?i)\bSessionLockLost\b|\bsession lock\b")
_RENEWAL = re.compile(r"(?i)\bmaxAutoLock(?:Renewal|Renew)Duration\b[\"']?\W{0,6}(?:value\W{1,4})?"
                      r"(?P<value>TimeSpan\.Zero\b|TimeSpan\.From(?:Seconds|Minutes|Hours)\(\s*\d+(?:\.\d+)?\s*\)|PT[\dHMS.]+|"
                      r"\d+(?:\.\d+)?:\d{2}:\d{2}|\d+(?:\.\d+)?\s*(?:s|secs?|seconds|min|mins|minutes|h|hrs?|hours)\b)")
_FUNCTION_TIMEOUT = re.compile(r"(?i)\bfunctionTimeout\b[\"']?\W{0,6}(?:is\s+)?(?P<value>\d+(?:\.\d+)?:\d{2}:\d{2})")
_PROCESSING = re.compile(r"(?i)\b(?:takes?|took|runs? for|lasts?)\s+(?:about |around |up to |over |more than |~)?"
                         r"(?P<low>\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(?P<high>\d+(?:\.\d+)?))?\s*"
                         r"(?P<unit>s|secs?|seconds|min|mins|minutes|h|hrs?|hours)\b")
_RUN_TIMED_OUT = re.compile(r"(?i)\bafter (?:a|the) (?:function )?time ?out\b|\btimed out\b|\btimes out\b")


def _spoken_duration(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds < 120 else f"{seconds / 60:g} minutes"


def lock_renewal_shorter_than_work(state: SessionState) -> Facts:
    """A lost message or session lock while the report states a lock renewal window shorter than the work it must
    cover: the longest stated processing time or function timeout. A session's lock is one lock for the session's
    messages in turn: after a run that timed out, it must still cover that run and the next one the host starts
    (the abandon of the timed-out message and the next message of the session), so twice the function timeout."""
    text = state.material.spoken_text(" ")
    renewal = _RENEWAL.search(text)
    if not _LOCK_LOST.search(text) or renewal is None:
        return None
    window = span_seconds(renewal.group("value"))
    timeout = next((span_seconds(m.group("value")) for m in _FUNCTION_TIMEOUT.finditer(text)), None)
    stated = [float(m.group("high") or m.group("low")) * UNIT_SECONDS[m.group("unit")[0].lower()]
              for m in _PROCESSING.finditer(text)]
    work = max([*stated, *([timeout] if timeout else [])], default=None)
    basis = f"processing of up to {_spoken_duration(max(stated))}" if stated and work == max(stated) else \
        f"the function timeout of {_spoken_duration(timeout)}" if timeout else ""
    session = _SESSION_LOST.search(text) is not None
    if timeout and session and _RUN_TIMED_OUT.search(text) and 2 * timeout > (work or 0):
        work, basis = 2 * timeout, (f"a run that timed out after {_spoken_duration(timeout)} and the next run in "
                                    "the same session")
    if window is None or work is None or window >= work:
        return None
    return {"renewal": " ".join(renewal.group("value").split()), "work": _spoken_duration(work), "basis": basis,
            "lock_kind": "session" if session else "message"}


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "service-bus-entity-not-active": lambda s: service_bus_entity(
        s, "status", r"(?i)^(?:Disabled|SendDisabled|ReceiveDisabled)$"),
    "service-bus-entity-requires-session": lambda s: service_bus_entity(s, "requiresSession", "^True$"),
    "service-bus-duplicate-detection": lambda s: service_bus_entity(
        s, "requiresDuplicateDetection", "^True$"),
    "event-grid-subscription-not-validated": event_subscription_not_validated,
    "service-bus-entity-size-limit-reached": queue_size_limit,
    "service-bus-lock-shorter-than-processing": lock_duration,
    "service-bus-lock-renewal-shorter-than-work": lock_renewal_shorter_than_work,
    "event-hub-not-active": event_hub_not_active,
    "event-hub-partitions-fewer-than-consumers": partitions_fewer_than_consumers,
    "event-hub-partition-id-beyond-count": partition_id_beyond_count,
    "service-bus-entity-not-in-namespace": service_bus_entity_missing,
    "event-hub-not-in-namespace": event_hub_missing,
    "service-bus-auto-forward-source-empty": auto_forward_source,
    "service-bus-message-ttl-expires-unprocessed": message_ttl_short,
    "service-bus-max-delivery-count-low": max_delivery_count_low,
    "service-bus-entity-max-message-size": entity_message_size_limit,
    "event-grid-topic-input-schema-mismatch": event_grid_schema_mismatch,
    "event-hub-consumer-group-missing": event_hub_consumer_group_missing,
    "event-hub-application-group-throttles": application_group_throttles,
}
