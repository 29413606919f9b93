"""Round 28 E: Data Factory's external activities (Databricks, Custom on Azure Batch, HDInsight, common errors) and
Azure Batch's pool errors (resize timeout, start task failures), each with a near miss that must stay silent."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in

CATALOG_CASES = {
    "integration-adf-databricks-notebook-path-missing":
        '{"errorCode": "3201", "message": "Missing required field: settings.task.notebook_task.notebook_path."}',
    "integration-adf-databricks-job-creation-rate-limit":
        "ErrorCode=3202 There were already 1000 jobs created in past 3600 seconds, exceeding rate limit: 1000 job "
        "creations per 3600 seconds.",
    "integration-adf-databricks-user-not-authorized-cluster":
        "Error code 3202: User: SimpleUserContext{userId=1, name=svc@contoso.com, orgId=2} is not authorized to "
        "access cluster.",
    "integration-adf-custom-activity-batch-account-access":
        "ErrorCode=2501 Cannot access user batch account; please check batch account settings.",
    "integration-adf-custom-activity-sas-needs-account-key":
        "Cannot create Shared Access Signature unless Account Key credentials are used.",
    "integration-adf-custom-activity-folder-path-empty":
        "ErrorCode=2507 The folder path does not exist or is empty: customactivity/bin.",
    "integration-adf-batch-url-invalid":
        "ErrorCode=2509 Batch url mybatchacct is invalid; it must be in Uri format.",
    "integration-adf-hdinsight-ambari-credentials":
        "Failed to submit the job 'job_1' to the cluster 'hdi'. Error: User admin is locked out in Ambari.",
    "compute-batch-pool-resize-timeout":
        "Code: AllocationTimedout\nMessage: Desired number of dedicated nodes could not be allocated as the resize "
        "timeout was reached",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_a_uri_format_complaint_outside_batch_is_not_the_batch_linked_service() -> None:
    hits = catalog_index().hits([("The redirect url is invalid; it must be in Uri format.", "error")])
    assert all(h.entry.id != "integration-adf-batch-url-invalid" for h in hits)


def test_a_rate_limit_outside_databricks_is_not_the_job_creation_limit() -> None:
    hits = catalog_index().hits([("Request failed: exceeding rate limit of the partner API, retry later.", "error")])
    assert all(h.entry.id != "integration-adf-databricks-job-creation-rate-limit" for h in hits)


def test_databricks_error_3200_with_403_is_the_expired_token() -> None:
    found = clue_in(["Databricks Notebook activity fails. Error code: 3200\nDetails: Error 403."])
    assert found is not None and found["id"] == "adf-databricks-activity-3200-token-expired"


def test_a_403_from_databricks_without_3200_is_not_the_token_clue() -> None:
    found = clue_in(["Databricks Notebook activity fails with 403 Forbidden on the storage mount."])
    assert found is None or found["id"] != "adf-databricks-activity-3200-token-expired"


def test_batch_nodes_in_starttaskfailed_ask_for_the_start_task_output() -> None:
    found = clue_in(["All nodes of our Batch pool are in state starttaskfailed; no tasks get scheduled."])
    assert found is not None and found["id"] == "batch-nodes-start-task-failed"


def test_a_batch_disk_full_node_is_not_the_start_task_clue() -> None:
    found = clue_in(["Batch node unusable, node error DiskFull, the start task failed to write its log."])
    assert found is None or found["id"] != "batch-nodes-start-task-failed"
