"""Round 40 S5: precedence and specificity fixes from the session-33 S5 list, each with a near miss that stays silent.

- A key vault that refuses a public caller (ForbiddenByConnection) while its read shows an approved private endpoint:
  the private path exists, so the caller's name resolution is the question (network.private_endpoint_dns); a vault
  without one keeps the public-access answer (network.nsg_blocked).
- Event Hubs "The specified partition is invalid": the code's partition mapping (runtime.code_defect); a clue quotes
  the report's line that computes the ID, and a computed finding names the hub's partition count.
- A function app whose settings lack AzureWebJobsStorage in every form is a missing app setting
  (config.missing_app_setting); an identity-based AzureWebJobsStorage__accountName keeps the finding silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from shared.catalog.index import catalog_index
from shared.engines.playbooks import FINDINGS, rule_facts, table
from shared.session.state import Evidence
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import recorded_report, run_engine

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob33s5"
KV_VARIANT = "rob33s5-kv-python-forbiddenbyconnection-vault-has-private-endpoint"
FUNC_VARIANT = "rob33s5-func-python-terraform-app-settings-block-dropped-host-storage"
PARTITION_ERROR = ("azure.eventhub.exceptions.EventDataSendError: The specified partition is invalid for an EventHub "
                   "partition sender or receiver. It should be between 0 and 1.")


def _scenario(name: str) -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8")))


def _rule(rule_id: str) -> dict[str, Any]:
    return next(r for r in table(FINDINGS) if r["id"] == rule_id)


def test_a_vault_with_an_approved_private_endpoint_points_at_name_resolution(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(KV_VARIANT))
    assert found["category"] == "network.private_endpoint_dns"
    assert "privatelink.vaultcore.azure.net" in found["root_cause"] and "kv-orders-weu" in found["root_cause"]
    assert found["confidence"] == "medium"


def test_a_vault_without_a_private_endpoint_keeps_the_public_access_answer(azure: PlaybackServer) -> None:
    case = _scenario(KV_VARIANT)
    vault = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/vaults/kv-orders-weu"))
    del vault["body"]["properties"]["privateEndpointConnections"]
    case["request"]["error_description"] = case["request"]["error_description"].split("Security turned off")[0]
    found = recorded_report(azure, case)
    assert found["category"] == "network.nsg_blocked"


def test_the_partition_error_is_a_code_defect_in_the_catalog() -> None:
    assert best_entry_id(PARTITION_ERROR) == "messaging-eh-partition-id-invalid"
    hits = catalog_index().hits([(PARTITION_ERROR, "error")])
    assert hits[0].entry.category == "runtime.code_defect"


def test_the_clue_quotes_the_line_that_computes_the_partition() -> None:
    text = f"{PARTITION_ERROR}\n\nthe send:\n    batch = producer.create_batch(partition_id=str(store_no % 6))\n"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "runtime.code_defect"
    assert "% 6" in report["root_cause"]


def test_a_partition_key_send_is_not_quoted_as_a_computed_id() -> None:
    text = f"{PARTITION_ERROR}\n\nthe send:\n    batch = producer.create_batch(partition_key=str(store_no))\n"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert "computes the partition ID itself" not in report["root_cause"]


def _hub_state(text: str, partitions: int) -> Any:
    state = run_engine({"error_description": text}).state
    state.ledger.append(Evidence(
        tool="get_resource", arguments={"resource_id": "/subscriptions/0/resourceGroups/rg/providers/"
                                                       "Microsoft.EventHub/namespaces/ns/eventhubs"},
        status="success", summary="",
        data={"type": "Microsoft.EventHub/namespaces/eventhubs",
              "entities": [{"name": "receipts", "partitionCount": partitions}]}))
    return state


def test_the_hub_read_names_its_partition_count() -> None:
    facts = rule_facts(_hub_state(PARTITION_ERROR, 2), _rule("event-hub-partition-id-beyond-count"))
    assert facts is not None and facts["partitions"] == "2" and facts["last_id"] == "1"


def test_the_partition_count_finding_needs_the_partition_error() -> None:
    text = "Sends to receipts are slow since Monday, about 3 seconds each."
    assert rule_facts(_hub_state(text, 2), _rule("event-hub-partition-id-beyond-count")) is None


def test_a_function_app_without_host_storage_is_a_missing_setting(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(FUNC_VARIANT))
    assert found["category"] == "config.missing_app_setting"
    assert "AzureWebJobsStorage" in found["root_cause"]


def test_an_identity_based_host_storage_setting_keeps_the_finding_silent(azure: PlaybackServer) -> None:
    case = _scenario(FUNC_VARIANT)
    settings = next(r for r in case["azure"] if "config/appsettings" in str(r["match"].get("path_contains", "")))
    settings["body"]["properties"]["AzureWebJobsStorage__accountName"] = "stfleetjobs01"
    found = recorded_report(azure, case)
    assert "has no AzureWebJobsStorage setting" not in found.get("root_cause", "")
