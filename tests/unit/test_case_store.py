"""The case memory's store against Azurite (real Table storage): counting is idempotent per session and
outcome, the last feedback counts, concurrent writers keep every count, and the nearest cases come by BM25."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from azure.data.tables import TableServiceClient

from shared.cases.problem import hint_from
from shared.cases.signature import CaseSignature
from shared.cases.store import CASES_TABLE, CaseMemory
from tests.helpers.azurite import run_azurite

REGISTRATION = CaseSignature("deployment.provider_not_registered", ("arm-missing-subscription-registration",),
                             ("MissingSubscriptionRegistration",), "Register the provider: az provider register ...")
NEAR = CaseSignature("deployment.provider_not_registered", ("arm-missing-subscription-registration",
                                                            "tooling-tf-provider-registration"), (), "Register ...")


@pytest.fixture(scope="module")
def service() -> Iterator[TableServiceClient]:
    with run_azurite() as connection:
        yield TableServiceClient.from_connection_string(connection)


@pytest.fixture
def memory(service: TableServiceClient, request: pytest.FixtureRequest) -> CaseMemory:
    suffix = str(abs(hash(request.node.name)))[:8]  # tables of its own per test
    return CaseMemory(service.get_table_client(f"cases{suffix}"), service.get_table_client(f"outcomes{suffix}"),
                      service.get_table_client(f"problems{suffix}"))


def _case(memory: CaseMemory, signature: CaseSignature) -> dict:
    return dict(memory._cases.get_entity(signature.category, signature.key))


def test_a_session_counts_once_and_its_last_feedback_counts(memory: CaseMemory):
    for _ in range(2):  # an activity runs at least once: a replayed end must not count twice
        memory.record("a" * 32, REGISTRATION, "concluded")
    assert memory.record_feedback("a" * 32, "fixed", None)
    assert memory.record_feedback("a" * 32, "not_fixed", "still failing")
    case = _case(memory, REGISTRATION)
    assert (case["concluded"], case["fixed"], case["not_fixed"]) == (1, 0, 1)
    assert not memory.record_feedback("b" * 32, "fixed", None)  # concluded nothing: no case to count for


def test_concurrent_sessions_keep_every_count(memory: CaseMemory):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: memory.record(f"{i:032x}", REGISTRATION, "concluded"), range(16)))
    assert _case(memory, REGISTRATION)["concluded"] == 16


def test_the_same_signature_first_then_the_nearest_of_its_category(memory: CaseMemory):
    memory.record("c" * 32, NEAR, "concluded")
    memory.record("d" * 32, REGISTRATION, "concluded")
    memory.record_feedback("d" * 32, "fixed", None)
    other = CaseSignature("auth.rbac_missing", ("arm-authorization-failed",), ("AuthorizationFailed",), "Assign")
    memory.record("e" * 32, other, "concluded")
    found = memory.similar(REGISTRATION)
    assert [(c.seen, c.fixed) for c in found] == [(1, 1), (1, 0)]
    assert {c.category for c in found} == {"deployment.provider_not_registered"}


def test_the_tables_hold_no_text_of_a_session(memory: CaseMemory, service: TableServiceClient):
    memory.record("f" * 32, REGISTRATION, "concluded")
    rows = [dict(r) for r in memory._cases.list_entities()]
    assert CASES_TABLE and rows and set(rows[0]) >= {"Tokens", "Fix", "concluded"}
    assert all("f" * 32 not in str(value) for row in rows for value in row.values())


def test_a_problem_recalls_the_cases_its_sessions_concluded_and_their_fixes(memory: CaseMemory):
    for number, steps in enumerate([3, 2, 4]):
        trace = f"{number:032x}"
        if memory.record(trace, REGISTRATION, "concluded"):
            memory.record_problem("p" * 40, REGISTRATION, "tool:list_deployment_operations", steps)
        memory.record(trace, REGISTRATION, "concluded")  # a replayed end: counted once, its steps once
        memory.record_feedback(trace, "fixed", None)
    memory.record("9" * 32, NEAR, "concluded")
    memory.record_problem("p" * 40, NEAR, "", 7)
    past = sorted(memory.recall("p" * 40), key=lambda case: -case.fixed)
    assert [(c.category, c.fixed, c.steps, c.decisive) for c in past] == [
        (REGISTRATION.category, 3, (3, 2, 4), "tool:list_deployment_operations"), (NEAR.category, 0, (7,), "")]
    hint = hint_from(past)
    assert hint is not None
    assert (hint.decisive, hint.agreeing, hint.share) == ("tool:list_deployment_operations", 3, 1.0)
    assert hint.steps_p90 is not None and 3 <= hint.steps_p90 <= 4
    assert memory.recall("q" * 40) == []
