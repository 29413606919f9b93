"""Names come only from strong forms, strongest first; English words after a resource kind are never names."""

from __future__ import annotations

from shared.catalog.entities import entity_facts, find_entities


def test_the_word_after_storage_account_is_not_a_name():
    facts = entity_facts(["Cannot reach the storage account using the managed identity since Monday.",
                          "connection to storage account since the firewall change"])
    assert "account" not in facts


def test_quoted_names_endpoints_resource_ids_and_connection_strings_are_names():
    assert entity_facts(["storage account 'stmedia01' refused"])["account"] == "stmedia01"
    assert entity_facts(["https://stlogs.blob.core.windows.net/x"])["account"] == "stlogs"
    connection = "DefaultEndpointsProtocol=https;AccountName=stcfg;AccountKey=[REDACTED]"
    assert entity_facts([connection])["account"] == "stcfg"
    assert entity_facts(["az storage account show --account-name starg"])["account"] == "starg"
    assert entity_facts(["https://kv-prod-01.vault.azure.net/secrets/db"])["vault"] == "kv-prod-01"
    assert entity_facts(["myreg01.azurecr.io/api:1.2"])["registry"] == "myreg01"


def test_a_resource_id_outranks_a_quoted_mention():
    texts = ["storage account 'stquoted' and /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
             "providers/Microsoft.Storage/storageAccounts/stfromid"]
    ranked = [e for e in find_entities(texts) if e.kind == "account"]
    assert [e.name for e in ranked] == ["stfromid", "stquoted"]
    assert entity_facts(texts)["resource_group"] == "rg"


def test_an_operation_name_is_not_a_resource_name():
    texts = ["2026-12-03T15:02:11Z Microsoft.Storage/storageAccounts/write Succeeded by sp-terraform",
             "Microsoft.KeyVault/vaults/delete", "Microsoft.Web/sites/write"]
    assert entity_facts(texts) == {}
    assert entity_facts([*texts, "https://stlake.dfs.core.windows.net/x"])["account"] == "stlake"


def test_the_reports_own_name_outranks_an_id_an_azure_read_shows() -> None:
    from shared.engines.catalog_hits import facts_of
    from shared.models import Options
    from shared.session.state import Evidence, Material, SessionState
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="az storage blob download --account-name stprod ..."))
    neighbour = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/" \
                "Microsoft.Storage/storageAccounts/stdev"
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary="1 operation",
                                data={"events": [{"resourceId": neighbour, "operationName": "roleAssignments/write"}]}))
    facts = facts_of(state, None)
    assert facts["account"] == "stprod"
    assert facts["resource_group"] == "rg"  # what the report does not name still comes from the read
