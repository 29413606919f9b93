"""After reading the thirty-third session's blind failures: a Terraform run whose only failed resources belong to a
provider outside Azure (each error block's `with <type>.<name>`) ends out of scope naming that provider; a failed
Azure, utility or Kubernetes resource in the same run keeps it in scope (shared/engines/outside_party.py)."""

from __future__ import annotations

from typing import Any

from tests.helpers.engine_loop import run_engine

_APPLY = """terraform apply in our release pipeline, the azure resources look created but the job is red:

azurerm_resource_group.shop: Refreshing state... [id=/subscriptions/0000/resourceGroups/rg-shop]
azurerm_linux_web_app.shop: Modifications complete after 41s
{extra}
╷
│ Error: {message}
│
│   with {resource},
│   on monitors.tf line 3, in resource "{rtype}" "shop":
│    3: resource "{rtype}" "shop" {{
│
╵
##[error]Terraform command 'apply' failed with exit code '1'.
"""


def _report(resource: str, message: str, extra: str = "") -> dict[str, Any]:
    text = _APPLY.format(extra=extra, message=message, resource=resource, rtype=resource.split(".")[-2])
    return run_engine({"error_description": text}).envelope().get("report") or {}


def test_a_pagerduty_resource_failing_alone_is_out_of_scope_naming_the_provider() -> None:
    report = _report("pagerduty_service.shop", "POST API call failed 401 Unauthorized")
    assert report["category"] == "out_of_scope" and "pagerduty provider" in report["root_cause"]


def test_a_module_address_is_read_to_its_resource_type() -> None:
    report = _report("module.alerts.newrelic_alert_policy.shop", "error creating policy: 403 Forbidden")
    assert report["category"] == "out_of_scope" and "newrelic provider" in report["root_cause"]


def test_a_failed_azurerm_resource_is_never_called_another_providers() -> None:
    report = _report("azurerm_storage_account.shop", "creating Storage Account: StorageAccountAlreadyTaken")
    assert report.get("category") != "out_of_scope"


def test_a_kubernetes_resource_may_be_on_aks_and_is_not_called_out_of_scope() -> None:
    report = _report("kubernetes_namespace.shop", "namespaces is forbidden: User cannot create resource")
    assert report.get("category") != "out_of_scope"


def test_two_failing_providers_one_of_them_azure_keep_the_report_in_scope() -> None:
    azure_block = ("╷\n│ Error: creating Key Vault: VaultAlreadyExists\n│\n│   with azurerm_key_vault.shop,\n"
                   "│   on kv.tf line 1, in resource \"azurerm_key_vault\" \"shop\":\n╵")
    report = _report("datadog_monitor.shop", "error creating monitor: 403 Forbidden", extra=azure_block)
    assert report.get("category") != "out_of_scope"


def test_a_databricks_resource_is_azure_databricks_and_stays_in_scope() -> None:
    report = _report("databricks_external_location.shop", "cannot create external location: User does not have "
                     "CREATE EXTERNAL LOCATION on Metastore")
    assert report.get("category") != "out_of_scope"
