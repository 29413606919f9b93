"""container.image_pull_failed: a container image cannot be pulled (registry credentials, wrong name or tag,
or the registry is unreachable).

The pull error's wording decides which (knowledge/container_pull_errors.yaml); ImagePullBackOff alone does
not, so the client is asked once for the pull event's message."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    fill,
    first_entry,
    grounded,
    search,
    table,
    table_entry,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once
from shared.engines.base import Decision
from shared.engines.log_lines import cause_text, failing_lines
from shared.engines.playbooks import conclude_first_finding
from shared.engines.signatures import Hit
from shared.models import ClientRequest
from shared.session.state import SessionState

TABLE = "container_pull_errors"

# the registry's own network settings, read in Azure, that refuse every pull over its public side whatever the
# puller's credentials: they answer before a credential reading of the same refusal ("failed to fetch anonymous
# token" prefixes a closed registry's 403 as much as a missing AcrPull's)
_CLOSED_REGISTRY = ("registry-closed-without-private-endpoint-cluster-pull", "registry-public-network-access-disabled")
# the line where the pull itself failed: the image reference it names is the one that failed, not the first one the
# paste mentions (a CI log pushes one image, then the cluster pulls another)
_PULL_FAILED = re.compile(r"(?i)failed to pull(?: and unpack)? image|failed to resolve reference|pull access denied|"
                          r"manifest unknown|\bInaccessibleImage\b|Error response from daemon")




def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    image = table_entry(TABLE, "image")
    sources = texts(state, files=True)
    facts = facts_for(state, hit, search(image["facts"], [*failing_lines(sources, _PULL_FAILED), *sources]))
    closed = conclude_first_finding(state, _CLOSED_REGISTRY)
    if closed is not None:
        return closed
    found = first_entry(table(TABLE), state, reading=cause_text)  # a probe's or a retry's line is no pull error
    if found is not None:
        entry, matched = found
        return conclude_entry(state, hit, entry, {**facts, **matched})
    return ask_once(state, ClientRequest(
        question=fill("The pod or container reports only that the image pull failed. Please paste the pull event's "
                      "message (it follows 'Failed to pull image'): it says whether the registry refused the "
                      "credentials, the image or tag does not exist, or the registry was unreachable.", facts),
        why="Each of these has a different fix: registry permissions, the image reference, or the network path.",
        suggested_commands=["kubectl describe pod <pod-name> -n <namespace>",
                            fill("az containerapp logs show --name <container-app> --resource-group {resource_group} "
                                 "--type system", facts)]),
        "The image pull error's reason is still unknown.", hit.signature.category)
