"""The case memory's hint for a new session (shared/cases/problem.py): it abstains unless at least two past
sessions whose fix worked agree and they are 60% of those that worked; the same error from another caller has the
same problem key; the hint orders the playbook and lets the remembered finding conclude once evidence shows it."""

from __future__ import annotations

from shared.cases.problem import hint_from, problem_key
from shared.cases.store import PastProblem
from shared.engines.budget import planned_options
from shared.engines.playbooks import investigate, remembered_finding
from shared.models import Options
from shared.session.state import Evidence, Material, MemoryHint, RunTool, SessionState

SITE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/app1"


def _past(category: str, fixed: int, decisive: str = "finding:function-app-daily-quota-exceeded",
          steps: tuple[int, ...] = (1, 1)) -> PastProblem:
    return PastProblem(category=category, decisive=decisive, fixed=fixed, steps=steps)


def test_two_agreeing_fixes_make_a_hint_and_one_does_not():
    assert hint_from([_past("quota.exceeded", 1)]) is None
    hint = hint_from([_past("quota.exceeded", 2, steps=(1, 2, 1))])
    assert hint is not None and hint.category == "quota.exceeded" and hint.agreeing == 2
    assert hint.steps_p90 == 2


def test_disagreeing_cases_abstain_below_sixty_percent():
    assert hint_from([_past("quota.exceeded", 3), _past("auth.rbac_missing", 3)]) is None
    hint = hint_from([_past("quota.exceeded", 3), _past("auth.rbac_missing", 2)])
    assert hint is not None and hint.share == 0.6
    assert hint_from([_past("quota.exceeded", 0), _past("auth.rbac_missing", 0)]) is None  # nothing ever worked


def test_the_same_error_from_another_caller_has_the_same_problem_key():
    first = problem_key("Deployment failed: MissingSubscriptionRegistration for Microsoft.App in sub 1111")
    again = problem_key("MissingSubscriptionRegistration: namespace Microsoft.App (subscription 2222) failed")
    assert first is not None and first == again
    assert problem_key("") is None
    weak = problem_key("Our webhook app stops processing anything from around noon every day")
    assert weak is not None and weak.startswith("near-")  # no code and no clue: the nearest entries name it
    assert problem_key("AuthorizationFailed on the vault") != first


def _state(hint: MemoryHint | None, ledger: list[Evidence] | None = None) -> SessionState:
    return SessionState(trace_id="t" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                        material=Material(error_description=f"My function app {SITE} stopped running"),
                        ledger=ledger or [], memory_hint=hint)


def test_the_remembered_check_runs_first_and_concludes_only_when_evidence_shows_it():
    plain = investigate(_state(None))
    assert isinstance(plain, RunTool) and plain.tool == "get_resource"
    hint = MemoryHint(category="auth.rbac_missing", decisive="finding:keyvault-role-assignment-deleted", agreeing=2,
                      share=1.0)
    steered = investigate(_state(hint))
    assert isinstance(steered, RunTool) and steered.tool == "list_activity_log"
    quiet = Evidence(tool="list_activity_log", status="no_data", summary="nothing changed", data={"events": []},
                     arguments=steered.arguments)
    assert remembered_finding(_state(hint, [quiet])) is None  # memory ordered the check; the evidence does not agree


def test_memory_sizes_the_budget_and_an_explicit_value_wins():
    material = Material(error_description="something is wrong")
    hint = MemoryHint(category="quota.exceeded", agreeing=2, share=1.0, steps_p90=3)
    assert planned_options(Options(), material, True, hint).max_depth == 4
    assert planned_options(Options(), material, True, None).max_depth == 10
    assert planned_options(Options(max_depth=7), material, True, hint).max_depth == 7
