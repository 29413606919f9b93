"""A binding that names a messaging entity or container the client's own listing does not hold.

A Functions binding names its queue, topic, event hub or container by a literal name in function.json (queueName,
topicName, eventHubName, containerName, a blob path's first segment). When the host cannot start the binding it may
say no more than its generic start-up error, while the client's listing of that service (`az servicebus queue
list ... -o tsv`) shows what exists. A binding name missing from that listing while a near name is listed is the
binding's wrong name; the comparison is computed here, because no error phrase states it.
Source: MicrosoftDocs/azure-docs articles/azure-functions/functions-bindings-service-bus-trigger.md (queueName,
topicName: the entity the binding reads) and github.com/Azure/azure-functions-core-tools/issues/37."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.engines.listed_names import listed_names, nearest_unlisted
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

# a literal entity name of a binding ("%Setting%" and "{binding expression}" name no entity)
_BINDING_NAME = re.compile(r'"(?P<key>queueName|topicName|eventHubName|containerName|subscriptionName)"\s*:\s*'
                           r'"(?P<name>[A-Za-z0-9][\w.$-]{0,259})"')


def with_unlisted_binding(state: SessionState, decision: Decision) -> Decision:
    """A question, a give-up or a low guess, while a binding's entity name is missing from the client's listing that
    holds a near name: that binding names the wrong entity, at medium (the listing is the client's, not a read)."""
    if isinstance(decision, Conclude) and decision.report.confidence != "low":
        return decision
    if not isinstance(decision, (AskClient, GiveUp, Conclude)) or _out_of_scope(decision):
        return decision
    text = "\n".join([*state.material.spoken(), *(f.content for f in state.material.files)])
    bound = {m.group("name"): m.group("key") for m in _BINDING_NAME.finditer(text)}
    listed = listed_names(text)
    near = nearest_unlisted(list(bound), listed) if bound and listed else None
    if near is None:
        return decision
    _, sought, existing = near
    key = bound[sought]
    cause = (f"A function binding names the entity '{sought}' ({key} in function.json), but the listing you pasted "
             f"shows no entity of that name; the nearest one listed is '{existing}'. The host cannot start a binding "
             "whose queue, topic, event hub or container does not exist, so the functions do not run.")
    actions = [f"Correct {key} in function.json to the entity that exists ('{existing}', if that is the one meant), "
               f"or create '{sought}' in the service; then redeploy or restart the app."]
    evidence = [EvidenceItem(source="report", summary=f"{key} '{sought}' is not among the listed names: "
                                                      f"{', '.join(listed[:10])}")]
    return Conclude(message="A binding names an entity that does not exist.",
                    report=report(state, category="config.wrong_resource_name", confidence="medium", root_cause=cause,
                                  actions=actions, evidence=evidence))


def _out_of_scope(decision: AskClient | GiveUp | Conclude) -> bool:
    """An answer that the system is not Azure's (the client said so, another platform's error) stands."""
    return not isinstance(decision, AskClient) and decision.report.category == "out_of_scope"
