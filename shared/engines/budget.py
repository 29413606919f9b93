"""Budgets chosen per problem (contract v1.1): when the client leaves `max_depth` out, a round's step budget comes
from what the error looks like, read before the session starts. With Azure access every problem gets the resource's
whole playbook (its state, settings, logs, dependencies, health, recent changes): the engine reads Azure before it
concludes even on a known code, and what decides such a case (the scope a role was assigned at, the setting that
names another resource) is often found only in the playbook's later reads (11 to 16 steps measured), so a two-step
round ran out of rounds with the answer one read away. Without Azure access a known, conclusive code needs a step
or two; anything else keeps the contract's default. When the case memory agrees on
the problem (shared/cases/problem.py), the steps its past sessions took (their 90th percentile, plus one step of
margin) replace the classification's figure. Explicit values always win."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.models import Options
from shared.session.state import Material, MemoryHint

KNOWN_CODE_STEPS = 2
PLAYBOOK_STEPS = 10
MEMORY_MARGIN = 1


def planned_options(options: Options, material: Material, azure_access: bool,
                    hint: MemoryHint | None = None) -> Options:
    """`options` with the step budget chosen for this problem when the client did not give one."""
    if "max_depth" in options.model_fields_set:
        return options
    if hint is not None and hint.steps_p90 is not None:
        return options.model_copy(update={"max_depth": max(1, min(hint.steps_p90 + MEMORY_MARGIN, PLAYBOOK_STEPS))})
    hits = catalog_index().hits([(material.error_description, "error")])
    decisive = bool(hits) and hits[0].exact and hits[0].entry.conclusive
    steps = PLAYBOOK_STEPS if azure_access else KNOWN_CODE_STEPS if decisive else options.max_depth
    return options.model_copy(update={"max_depth": steps})
