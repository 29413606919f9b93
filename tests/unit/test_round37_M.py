"""Round 37 M: a deployment error with a generic code (BadRequest, InvalidParameter, a provider's 400) whose message
states the rule it broke is answered in that rule's family with the rule quoted (analyzers/deployment_rule.py,
knowledge/deployment_rules.yaml); a neighbouring family read from loose words yields to it; and catalog entries for
recurring specific rules. Each check has a near miss that must stay silent."""

from __future__ import annotations

from shared.engines.analyzers.common import table
from shared.engines.analyzers.deployment_rule import read_rule
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.session.state import SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _state(text: str) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    return SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=False,
                        material=material_from_start(request))


def _report(text: str) -> dict:
    out = run_engine({"error_description": text})
    envelope = out.envelope()
    assert envelope["status"] == "done", envelope
    return envelope["report"]


ZONE = ("$ az aks nodepool add -g rg-ml -n gpu --cluster-name aks-ml --node-vm-size Standard_NC24ads_A100_v4 "
        "--zones 1 2 3\n"
        "(BadRequest) The VM size of Standard_NC24ads_A100_v4 is not supported in zone 3 in location eastus.\n"
        "Code: BadRequest")
TIER = ("$ az eventhubs eventhub update -g rg-iot -n telemetry --namespace-name evhns-iot --enable-capture true\n"
        "(BadRequest) Capture is not supported for Basic tier namespace.\nCode: BadRequest")
IMMUTABLE = ('##[error]{"code":"DeploymentFailed","message":"At least one resource deployment operation failed.",'
             '"details":[{"code":"BadRequest","message":"Partition key paths of a container cannot be changed after '
             'the container is created."}]}')
SCHEMA = ('Error: creating/updating "Resource": PUT https://management.azure.com/subscriptions/x/resourceGroups/rg/'
          'providers/Microsoft.App/containerApps/ca\n  RESPONSE 400: 400 Bad Request\n'
          '  "errors": { "$": [ "Unknown properties serviceBinds in Version20220301.ContainerAppTemplate are not '
          'supported" ] }')
PROVIDER = ("$ az container create -g rg-sb -n ci-hello --image mcr.microsoft.com/azuredocs/aci-helloworld\n"
            "(BadRequest) The subscription is not registered to use namespace 'Microsoft.ContainerInstance'.\n"
            "Code: BadRequest")
LIMIT = ('{"status":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment operation '
         'failed.","details":[{"code":"BadRequest","message":"The number of IP rules exceeds the maximum limit of 1000 '
         'for vault \'kv-edge\'."}]}}')


def test_the_table_has_each_role_and_sources() -> None:
    roles = {entry["role"] for entry in table("deployment_rules")}
    assert roles == {"shape", "generic", "kind"}


def test_a_zone_offer_is_sku_not_available_with_the_rule_quoted() -> None:
    report = _report(ZONE)
    assert report["category"] == "quota.sku_not_available" and report["confidence"] == "medium"
    assert "zone 3" in report["root_cause"]


def test_a_tier_rule_is_sku_not_available() -> None:
    assert _report(TIER)["category"] == "quota.sku_not_available"


def test_an_immutable_setting_is_template_invalid_and_says_creation() -> None:
    report = _report(IMMUTABLE)
    assert report["category"] == "deployment.template_invalid"
    assert "created" in report["root_cause"] and "Partition key paths" in report["root_cause"]


def test_an_unknown_property_names_the_api_version_schema() -> None:
    report = _report(SCHEMA)
    assert report["category"] == "deployment.template_invalid" and "serviceBinds" in report["root_cause"]
    assert "API version" in report["root_cause"]


def test_a_namespace_not_registered_in_a_bad_request_message() -> None:
    report = _report(PROVIDER)
    assert report["category"] == "deployment.provider_not_registered"
    assert any("Microsoft.ContainerInstance" in action for action in report["actions"])


def test_a_limit_number_in_a_bad_request_is_quota_exceeded() -> None:
    report = _report(LIMIT)
    assert report["category"] == "quota.exceeded" and "1000" in report["root_cause"]


def test_a_runtime_sdk_not_supported_is_no_deployment_rule() -> None:
    text = ("[2026-12-06T02:00:14Z] Executed 'Functions.ExportSnapshots' (Failed)\n"
            "Azure.RequestFailedException: This feature is not yet supported for accounts that have a hierarchical "
            "namespace.\nStatus: 409 (Conflict)\n   at Azure.Storage.Blobs.BlobRestClient.CreateSnapshotAsync(...)")
    assert read_rule(_state(text)) is None


def test_an_apps_own_region_message_is_no_deployment_rule() -> None:
    text = ("2026-12-06 11:02:43 ERROR CheckoutController: ValueError: Payment method 'klarna' is not supported in "
            "this region (country=NO)")
    assert read_rule(_state(text)) is None


def test_the_clients_own_question_is_not_the_rule() -> None:
    text = ("$ az webapp update -g rg-web -n app-catalog --set clientAffinityEnabled=false\nreturned the app JSON, "
            "no error, Code: none.\nIs ARR affinity off not supported with our in-memory session cache? Site returns "
            "HTTP 503 (BadRequest in the logs).")
    reading = read_rule(_state(text))
    assert reading is None or "ARR affinity" not in reading.rule


def test_a_lock_named_only_in_passing_is_not_a_lock() -> None:
    text = ("ERROR: (Forbidden) The user, group or application 'appid=2f7c' does not have secrets set permission on "
            "key vault 'kv-release-prod'.\nCode: Forbidden\n\nThe resource group has a CanNotDelete lock that we "
            "added last month, but that only stops deletes, right?")
    assert _report(text)["category"] != "deployment.resource_locked"


def test_a_loose_not_supported_is_low_at_most() -> None:
    text = ("$ az webapp create -g rg -p plan -n app-x --runtime PYTHON:3.12\n"
            "(BadRequest) This runtime stack is not supported.\nCode: BadRequest")
    reading = read_rule(_state(text))
    assert reading is not None and reading.loose


def test_a_parent_not_found_after_the_parents_own_invalid_value_is_that_value() -> None:
    text = ('ERROR: {"status":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment '
            'operation failed.","details":[\n{"code":"NotFound","message":"{\\r\\n \\"error\\": {\\r\\n \\"code\\": '
            '\\"ParentResourceNotFound\\",\\r\\n \\"message\\": \\"Can not perform requested operation on nested '
            'resource. Parent resource \'kv-1\' not found.\\"\\r\\n }\\r\\n}"},\n{"code":"BadRequest","message":"'
            '{\\r\\n \\"error\\": {\\r\\n \\"code\\": \\"BadRequest\\",\\r\\n \\"message\\": \\"Invalid value found '
            'at accessPolicies[0].ObjectId: \\"\\r\\n }\\r\\n}"}]}}')
    report = _report(text)
    assert report["category"] == "deployment.template_invalid" and "ObjectId" in report["root_cause"]


def test_a_parent_not_found_alone_stays_parent_not_found() -> None:
    text = ('ERROR: {"status":"Failed","error":{"code":"DeploymentFailed","details":['
            '{"code":"ParentResourceNotFound","message":"Can not perform requested operation on nested resource. '
            'Parent resource \'kv-1\' not found."}]}}')
    assert _report(text)["category"] == "deployment.parent_not_found"


# --- catalog entries -------------------------------------------------------------------------------------------------

PURGE = ('Error: purging of Secret "s1" (Key Vault "https://kv-dev1.vault.azure.net/") : '
         'keyvault.BaseClient#PurgeDeletedSecret: Failure responding to request: StatusCode=403 -- Original Error: '
         'Code="Forbidden" Message="Operation \\"purge\\" is not allowed because purge protection is enabled for this '
         'vault."')


def test_terraform_purge_on_destroy_against_purge_protection() -> None:
    assert best_entry_id(PURGE) == "tooling-terraform-keyvault-purge-on-destroy-purge-protection"
    report = _report(PURGE)
    assert report["category"] == "deployment.template_invalid"
    assert "purge_soft_delete_on_destroy" in report["root_cause"] + " ".join(report["actions"])


def test_a_vault_purge_outside_terraform_is_still_purge_protection() -> None:
    text = ("az keyvault purge --name kv-old\n(MethodNotAllowed) Operation 'DeletedVaultPurge' is not allowed because "
            "purge protection is enabled for this vault.")
    assert best_entry_id(text) != "tooling-terraform-keyvault-purge-on-destroy-purge-protection"


def test_nfs_on_a_storagev2_account_needs_premium_filestorage() -> None:
    text = ("$ az storage share-rm create -g rg --storage-account stx -n frames --enabled-protocols NFS\n"
            "(FeatureNotSupportedForAccount) NFS is not supported for the storage account.\n"
            "Code: FeatureNotSupportedForAccount")
    assert best_entry_id(text) == "storage-files-nfs-needs-premium-filestorage"


def test_another_feature_not_supported_for_account_is_not_nfs() -> None:
    text = ("(FeatureNotSupportedForAccount) Blob is not supported for the account.\n"
            "Code: FeatureNotSupportedForAccount")
    assert best_entry_id(text) != "storage-files-nfs-needs-premium-filestorage"


def test_aca_job_event_trigger_on_the_first_jobs_api_version() -> None:
    text = ('"errors": { "$": [ "Unknown properties eventTriggerConfig in Microsoft.ContainerApps.WebApi.Views.'
            'Version20221101Preview.ContainerAppsJobConfiguration are not supported" ] }')
    assert best_entry_id(text) == "containers-aca-job-event-trigger-unknown-on-old-api-version"


def test_apim_diagnostic_name_and_adf_data_flow_and_vmss_rolling() -> None:
    assert best_entry_id("Provided diagnostic Id 'dgs-orders' is not supported. Please, refer to documentation for "
                         "accepted dignostic Id values.") == "integration-apim-diagnostic-id-not-supported"
    assert best_entry_id("DataFlow1: Linked service with Self-hosted Integration runtime is not supported in data "
                         "flow.") == "integration-adf-data-flow-self-hosted-ir-not-supported"
    assert best_entry_id("(BadRequest) Rolling Upgrade mode is not supported for this Virtual Machine Scale Set "
                         "because a health probe or health extension was not provided.") \
        == "compute-vmss-rolling-upgrade-needs-health-probe"
    assert best_entry_id("Scaling, clustering, and persistence are not yet supported on zone redundant caches") \
        == "redis-zone-redundant-clustering-not-supported"
