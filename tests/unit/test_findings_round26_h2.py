"""Round 26 h2 (Azure SQL Managed Instance storage): a managed instance whose databases used up the storage it
reserves (storageSizeInGB) answers the storage-limit error (1133, ManagedInstanceStorageLimitHit) with that
property; the finding stays silent for an unrelated report and for an instance error that is not about storage, and
get_resource keeps the field it needs."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import check_case_fires, check_case_stays_silent, extracted

UNRELATED = "The nightly export job writes an empty CSV since Monday."

INSTANCE = {"type": "Microsoft.Sql/managedInstances", "name": "sqlmi-dwh", "state": "Ready",
            "sku": "GP_Gen5", "storageSizeInGB": 256}

CASES = [
    Case(rule_id="managed-instance-storage-limit-reached", category="quota.exceeded", word="storageSizeInGB 256",
         reads=[INSTANCE],
         report=("Msg 1133, Level 16, State 3: The managed instance has reached its storage limit. The storage usage "
                 "for the managed instance cannot exceed (262144) MBs."),
         near_report="Msg 18456, Level 14, State 1: Login failed for user 'etl' on the managed instance."),
    Case(rule_id="managed-instance-storage-limit-reached", category="quota.exceeded", word="storageSizeInGB 32",
         reads=[{**INSTANCE, "storageSizeInGB": 32}],
         report="(ManagedInstanceStorageLimitHit) The managed instance has reached its storage limit.",
         near_reads=[{**INSTANCE, "type": "Microsoft.Sql/servers", "storageSizeInGB": None}]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.word)
def test_a_round_26_h2_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.word)
def test_a_round_26_h2_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_get_resource_keeps_the_managed_instance_storage_size() -> None:
    body = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/sqlmi-dwh",
            "name": "sqlmi-dwh", "sku": {"name": "GP_Gen5"},
            "properties": {"state": "Ready", "storageSizeInGB": 256, "vCores": 4}}
    assert extracted("Microsoft.Sql", "managedInstances", body)["storageSizeInGB"] == 256
