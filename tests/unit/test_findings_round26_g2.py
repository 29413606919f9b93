"""Round 26 g2 findings (knowledge/evidence_findings.yaml): Cloud Services (extended support) deployments that the
resource move validation refuses, because of manual upgrade mode or a VIP swap pairing. Each fires on recorded-like
reads with the symptom it explains and stays silent for its near miss; get_resource keeps the fields they need."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, extracted, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers"
CS = {"type": "Microsoft.Compute/cloudServices", "name": "cs-portal", "provisioningState": "Succeeded",
      "upgradeMode": "Manual", "allowModelOverride": False}
SWAPPABLE = {**CS, "upgradeMode": "Auto",
             "swappableCloudService": f"{SUB}/Microsoft.Compute/cloudServices/cs-portal-blue"}
MOVE = ("Moving cloud service cs-portal (extended support) to rg-web-new fails: ResourceMoveProviderValidationFailed "
        "Resource move validation failed.")

CASES = [
    Case("cloud-service-move-manual-upgrade-mode", "deployment.template_invalid", "upgradeMode Manual", [CS], MOVE,
         near_reads=[{**CS, "upgradeMode": "Auto"}]),
    Case("cloud-service-move-vip-swappable", "deployment.template_invalid", "swappableCloudService", [SWAPPABLE],
         MOVE, near_reads=[{**SWAPPABLE, "swappableCloudService": None}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_cloud_service_failing_for_another_reason_gets_no_move_verdict() -> None:
    report = "Our cloud service cs-portal returns 503 after the last package upload."
    assert finding_id(reads_state(report, [CS])) != "cloud-service-move-manual-upgrade-mode"


def test_get_resource_keeps_the_cloud_service_move_fields() -> None:
    body = {"properties": {"upgradeMode": "Manual", "provisioningState": "Succeeded", "networkProfile": {
        "swappableCloudService": {"id": f"{SUB}/Microsoft.Compute/cloudServices/cs-portal-blue"}}}}
    kept = extracted("Microsoft.Compute", "cloudServices", body)
    assert kept["upgradeMode"] == "Manual"
    assert kept["swappableCloudService"].endswith("/cloudServices/cs-portal-blue")
