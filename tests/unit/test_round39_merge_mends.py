"""Mends after the thirty-second session's full run (three earlier cases lost to the merged helpers' changes): a
container SAS URL that azcopy uploads with while another tool's PUT fails is still the missing blob name; an AKS
cluster's Kubernetes version upgrade is not a tool release regression; a database's shared throughput read is named
as shared, not as a container's manual throughput."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine

SAS = ("Our collector uploads its archive with curl to the container SAS URL and fails:\n  curl -T out.tar.gz "
       "'https://stcollect01.blob.core.windows.net/drops?sv=2024-11-04&sp=racwl&se=2026-12-09T10:00:00Z&spr=https&"
       "sig=<redacted>'\n  curl: (22) The requested URL returned error: 403 Server failed to authenticate the "
       "request.\nazcopy copy out.tar.gz with the very same URL works.")
AKS = ("az aks upgrade --name aks-web --resource-group rg-web --kubernetes-version 1.29.4\nUpgrading from 1.28.9 to "
       "1.29.4 fails: Deployment failed. Details: Resource state Failed. Nothing else changed, same config as before.")
TOOL = ("After we upgraded the azapi provider from 1.12.1 to 1.13.0 the plan fails with: Error: unexpected status 400 "
        "(400 Bad Request) with error: InvalidRequestContent. Rolled back to 1.12.1 and it works; same config.")


def test_an_azcopy_that_works_with_the_same_url_keeps_the_container_url_upload_reading() -> None:
    found = run_engine({"error_description": SAS}).envelope()["report"]
    assert found["category"] == "config.invalid_connection_string"


def test_an_aks_kubernetes_upgrade_is_not_read_as_a_tool_release_regression() -> None:
    envelope = run_engine({"error_description": AKS}).envelope()
    assert (envelope.get("report") or {}).get("category") != "runtime.code_defect"
    assert "release you upgraded from" not in str(envelope.get("request") or "")


def test_a_provider_upgrade_that_a_rollback_fixes_is_still_the_release_regression() -> None:
    envelope = run_engine({"error_description": TOOL}).envelope()
    text = str(envelope.get("report") or "") + str(envelope.get("request") or "")
    assert "1.13.0" in text
