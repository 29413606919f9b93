"""config.wrong_resource_name (and deployment.parent_not_found inside a deployment): the named resource does not
exist where the code or template looks for it.

The not-found errors of each service are data (knowledge/config_not_found_errors.yaml). Resource Manager's
ResourceNotFound during a deployment usually means a referenced resource is deployed in parallel or
elsewhere (a missing dependency), so there it is a deployment.parent_not_found."""

from __future__ import annotations

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    matched_entry,
    regex,
    texts,
)
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

TABLE = "config_not_found_errors"
_DEPLOYMENT = (r"\bDeploymentFailed\b|\bInvalidTemplateDeployment\b|az deployment|New-AzResourceGroupDeployment|"
               r"dependsOn")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    found = matched_entry(state, hit, TABLE)
    if not isinstance(found, tuple):
        return found
    entry, facts = found
    if entry.get("in_deployment") and any(regex(_DEPLOYMENT).search(t) for t in texts(state)):
        entry = {**entry, **entry["in_deployment"]}
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
