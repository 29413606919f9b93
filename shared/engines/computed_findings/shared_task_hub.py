"""Durable Functions apps that share one task hub: two function apps whose host storage (AzureWebJobsStorage) is the
same storage account and that both set their task hub name by an app setting. A task hub is the set of queues,
tables and blobs named after it in that account; apps that use the same name on the same account take each other's
work items, so one app's orchestrations reach the other app, which does not know the functions they call."""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.engines.session_reads import Facts
from shared.session.state import SessionState

_HOST_STORAGE = re.compile(r"(?i)^AzureWebJobsStorage(?:__accountName|__blobServiceUri|__queueServiceUri)?$")
# the setting a host.json reads its hub name from (%TaskHubName%, DurableTaskHubName ...)
_HUB_SETTING = re.compile(r"(?i)task_?hub(?:_?name)?$|^DurableTaskHubName$")


def _account_and_hub(data: dict) -> tuple[str, str] | None:
    """The storage account an app's host storage setting points at and the name of its task hub setting."""
    targets = data.get("targets") or {}
    account = next((str(t).split(".", 1)[0].split(" ", 1)[0].lower() for n, t in targets.items()
                    if _HOST_STORAGE.match(str(n))), "")
    hub = next((str(n) for n in data.get("names") or [] if _HUB_SETTING.search(str(n))), "")
    return (account, hub) if account and hub else None


def apps_share_task_hub(state: SessionState) -> Facts:
    """Two apps whose setting names were listed, with one host storage account and a task hub setting each."""
    seen: dict[str, tuple[str, str]] = {}
    for evidence in state.ledger:
        if evidence.tool != "list_app_setting_names" or evidence.status != "success":
            continue
        app = str(evidence.arguments.get("site_id") or "").rstrip("/").rsplit("/", 1)[-1]
        found = _account_and_hub(evidence.data)
        if not app or found is None:
            continue
        other = next((a for a, (account, _) in seen.items() if account == found[0] and a.lower() != app.lower()), None)
        if other is not None:
            return {"app": other, "other_app": app, "account": found[0], "setting": found[1]}
        seen[app] = found
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "durable-apps-share-task-hub": apps_share_task_hub,
}
