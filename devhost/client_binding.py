"""The durable client binding: the JSON a `durable_client_input` parameter receives.

The SDK's DurableOrchestrationClient reads it and then talks over real HTTP to `rpcBaseUrl`, which is
devhost's own Durable webhook API. The URL shapes are those the Durable extension gives (2.x)."""

from __future__ import annotations

import json
from urllib.parse import quote

WEBHOOK_PATH = "/runtime/webhooks/durabletask"
INSTANCE_PLACEHOLDER = "INSTANCEID"  # the SDK replaces managementUrls["id"]'s value with the instance id


def webhook_base(origin: str) -> str:
    return f"{origin}{WEBHOOK_PATH}"


def management_urls(origin: str, hub: str, instance_id: str = INSTANCE_PLACEHOLDER) -> dict[str, str]:
    base = f"{webhook_base(origin)}/instances/{quote(instance_id, safe='')}"
    query = f"taskHub={quote(hub)}&connection=Storage"
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{base}?{query}",
        "sendEventPostUri": f"{base}/raiseEvent/{{eventName}}?{query}",
        "terminatePostUri": f"{base}/terminate?reason={{text}}&{query}",
        "rewindPostUri": f"{base}/rewind?reason={{text}}&{query}",
        "purgeHistoryDeleteUri": f"{base}?{query}",
        "restartPostUri": f"{base}/restart?{query}",
        "suspendPostUri": f"{base}/suspend?reason={{text}}&{query}",
        "resumePostUri": f"{base}/resume?reason={{text}}&{query}",
    }


def client_binding_json(origin: str, rpc_origin: str, hub: str) -> str:
    """`origin` is how users reach devhost; `rpc_origin` is how the in-process client reaches it."""
    orchestrators = f"{webhook_base(origin)}/orchestrators/{{functionName}}[/{{instanceId}}]"
    return json.dumps({
        "taskHubName": hub,
        "creationUrls": {
            "createNewInstancePostUri": orchestrators,
            "createAndWaitOnNewInstancePostUri":
                f"{orchestrators}?timeout={{timeoutInSeconds}}&pollingInterval={{intervalInSeconds}}",
        },
        "managementUrls": management_urls(origin, hub),
        "baseUrl": webhook_base(origin),
        "requiredQueryStringParameters": "",
        "rpcBaseUrl": f"{webhook_base(rpc_origin)}/",
    })
