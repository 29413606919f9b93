"""Round 26 o (Stream Analytics job errors): a job whose input or output signs in with the job's managed identity while
the job has no identity (a template without an identity block) fails for that reason, not for a missing grant; the
finding fires on the job's read with that symptom and stays silent for a job that has an identity or an unrelated
report. get_resource keeps the job's state fields, and the job's playbook reads it."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    check_case_fires,
    check_case_stays_silent,
    extracted,
    kept_fields,
    playbook_reads,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-stream/providers"
JOB_ID = f"{SUB}/Microsoft.StreamAnalytics/streamingjobs/asa-meters"
JOB = {"type": "Microsoft.StreamAnalytics/streamingjobs", "name": "asa-meters", "identity": None,
       "jobState": "Failed", "sku": "StandardV2", "compatibilityLevel": "1.2"}
WITH_IDENTITY = {**JOB, "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}
MSI_ERROR = ("Output 'sqlreadings' failed: SQLDatabaseManagedIdentityAuthenticationError - encountered an error while "
             "authenticating against the SQL Database output using managed identity.")

CASES = [
    Case("stream-analytics-job-without-identity-msi-connection", "auth.managed_identity_missing", "asa-meters",
         [JOB], MSI_ERROR, near_reads=[WITH_IDENTITY]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_o_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_o_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_a_job_without_identity_whose_error_is_not_about_authentication_is_not_this_finding() -> None:
    near = Case("stream-analytics-job-without-identity-msi-connection", "auth.managed_identity_missing", "asa-meters",
                [JOB], "Output 'cosmos': CosmosDBOutputMissingPartitionKey - the record has no partition key column; "
                "the output uses managed identity.")
    check_case_stays_silent(near, UNRELATED)


@pytest.mark.parametrize("field", ["jobState", "sku", "compatibilityLevel", "outputErrorPolicy", "provisioningState"])
def test_get_resource_keeps_the_streaming_job_field(field: str) -> None:
    assert field in kept_fields("Microsoft.StreamAnalytics/streamingjobs")


def test_the_streaming_job_fields_come_from_the_arm_body() -> None:
    body = {"name": "asa-meters", "properties": {"provisioningState": "Succeeded", "jobState": "Failed",
                                                 "sku": {"name": "StandardV2"}, "compatibilityLevel": "1.2",
                                                 "outputErrorPolicy": "Stop"}}
    kept = extracted("Microsoft.StreamAnalytics", "streamingjobs", body)
    assert kept["jobState"] == "Failed" and kept["sku"] == "StandardV2" and kept["compatibilityLevel"] == "1.2"
    assert kept["outputErrorPolicy"] == "Stop"


def test_the_streaming_job_playbook_reads_the_job() -> None:
    reads = playbook_reads(JOB_ID, "The Stream Analytics job fails to start.")
    assert ("get_resource", JOB_ID) in reads
