"""Budgets chosen per problem (shared/engines/budget.py): what the error looks like picks a round's step budget
when the client gives none; an explicit value always wins."""

from __future__ import annotations

from shared.engines.budget import KNOWN_CODE_STEPS, PLAYBOOK_STEPS, planned_options
from shared.models import Options
from shared.session.state import Material

KNOWN = Material(error_description="Deployment failed: (MissingSubscriptionRegistration) The subscription is not "
                                   "registered to use namespace 'Microsoft.ContainerInstance'.")
SYMPTOM = Material(error_description="Our function app stopped processing messages this morning; nothing changed.")


def test_a_known_conclusive_code_needs_few_steps_offline_and_any_problem_with_azure_access_its_playbook():
    assert planned_options(Options(), KNOWN, azure_access=False).max_depth == KNOWN_CODE_STEPS
    assert planned_options(Options(), KNOWN, azure_access=True).max_depth == PLAYBOOK_STEPS
    assert planned_options(Options(), SYMPTOM, azure_access=True).max_depth == PLAYBOOK_STEPS
    assert planned_options(Options(), SYMPTOM, azure_access=False).max_depth == Options().max_depth


def test_an_explicit_max_depth_is_kept():
    explicit = Options.model_validate({"max_depth": 7})
    assert planned_options(explicit, KNOWN, azure_access=True).max_depth == 7
    assert planned_options(explicit, SYMPTOM, azure_access=True).max_depth == 7
