"""Eighteenth session: a storage firewall the configuration states, the template parameters a template declares,
a status line against "not throttled", quoted error lines, and the catalog entries of the development halves."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.catalog_hits import contradicted
from shared.engines.signatures import _add_line
from shared.models import Options
from shared.session.state import Conclude, Material, SessionState
from tests.helpers.engine_loop import run_engine

TERRAFORM_403 = """terraform apply creates the account, then the container fails:

resource "azurerm_storage_account" "data" {
  name = "stdatadev"
  network_rules {
    ip_rules = ["203.0.113.0/26"]
  }
}

Error: Error creating container "raw" in storage account "stdatadev": storage: service returned error: \
StatusCode=403, ErrorCode=AuthorizationFailure, ErrorMessage=This request is not authorized to perform this operation.
"""


def test_a_configuration_that_lists_ip_rules_states_the_firewall_without_a_question():
    outcome = run_engine({"error_description": TERRAFORM_403})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    report = outcome.final.report
    assert (report.category, report.confidence) == ("network.storage_firewall", "medium")
    assert "build agent" in report.root_cause  # the caller is the machine running terraform


def test_without_the_network_rules_the_same_403_asks_for_them():
    plain = TERRAFORM_403.replace('  network_rules {\n    ip_rules = ["203.0.113.0/26"]\n  }\n', "")
    assert not isinstance(run_engine({"error_description": plain}).final, Conclude)


def test_invalid_template_names_the_rejected_and_the_declared_parameters():
    error = ("InvalidTemplate: Deployment template validation failed: 'The template parameters 'adminPassword' in "
             "the parameters file are not valid; they are not present in the original template and can therefore "
             "not be provided at deployment time. The only supported parameters for this template are "
             "'adminUsername, location, adminPasswordOrKey'.'")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, Conclude)
    report = final.report
    assert report.category == "deployment.template_invalid"
    assert "(adminPassword)" in report.root_cause and "adminPasswordOrKey" in report.root_cause


@pytest.mark.parametrize(("said", "ruled_out"), [
    ("HTTP/1.1 429 Too many pending requests\nThe endpoint is not throttled at the requests-per-second limit.", False),
    ("Total Requests with StatusCode 429 = 0, so we are not throttled.\nRequest rate is large", True),
])
def test_a_429_status_line_outweighs_not_throttled_but_a_count_of_zero_does_not(said: str, ruled_out: bool):
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60,
                         material=Material(error_description=said))
    assert bool(contradicted(state, "throttling.rate_limited")) is ruled_out


def test_a_quoted_line_inside_another_is_kept_once_and_the_longer_one_wins():
    lines: list[str] = []
    _add_line(lines, "StatusCode=403, ErrorCode=AuthorizationFailure")
    _add_line(lines, "storage: service returned error: StatusCode=403, ErrorCode=AuthorizationFailure")
    _add_line(lines, "ErrorCode=AuthorizationFailure")
    assert lines == ["storage: service returned error: StatusCode=403, ErrorCode=AuthorizationFailure"]


@pytest.mark.parametrize(("text", "entry"), [
    ("performing CreateOrUpdate: unexpected status 400 (400 Bad Request) with error: BadRequest: Subnet "
     "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-fw referenced "
     "by ipConfiguration fw-ip of Azure Firewall afw-hub is not valid for this resource.",
     "compute-azure-firewall-subnet-must-be-named-azurefirewallsubnet"),
    ("(KeyVaultAccessForbidden) Unable to access key vault resource 'https://kv-cmk.vault.azure.net/keys/k/1' to "
     "unwrap key. Please ensure the identity of disk encryption set 'des-1' has been granted access to the key.",
     "keyvault-disk-encryption-set-cannot-unwrap-key"),
    ('"code": "QueryExecutionTimeout", "message": "Query execution has exceeded the allowed limits. The query was '
     'cancelled."', "integration-log-analytics-query-execution-timeout"),
])
def test_the_development_entries_rank_first(text: str, entry: str):
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]


RUNTIME_UNREACHABLE = ("Since the upgrade the Overview says: Azure Functions runtime is unreachable. Click here for "
                       "details on storage configuration. The storage account is untouched (no firewall).")


@pytest.mark.parametrize(("answer", "category"), [
    ('az functionapp config show ...\n{"netFrameworkVersion": "v4.0"}\nFUNCTIONS_EXTENSION_VERSION = ~4',
     "functions.host_misconfigured"),
    ('az storage account show --query networkRuleSet\n{"defaultAction": "Deny", "ipRules": []}',
     "network.storage_firewall"),
])
def test_runtime_unreachable_without_azure_asks_once_and_the_answer_decides(answer: str, category: str):
    outcome = run_engine({"error_description": RUNTIME_UNREACHABLE}, [{"when_asked_contains": "", "answer": answer}])
    assert len(outcome.requests) == 1
    assert "appsettings list" in " ".join(outcome.requests[0].request.suggested_commands)
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == category


PACKAGE = ("Every function app shows: Azure Functions runtime is unreachable. Deployed with Terraform today (TODAY).\n"
           '  WEBSITE_RUN_FROM_PACKAGE = "https://st1.blob.core.windows.net/pkg/app.zip'
           '?sv=2019-12-12&st=2021-08-01T00%3A00%3A00Z&se=2022-08-01T00%3A00%3A00Z&sr=c&sp=r&sig=<redacted>"')


def test_a_package_sas_that_expired_before_the_failure_day_is_the_cause():
    outcome = run_engine({"error_description": PACKAGE.replace("TODAY", "2022-08-04")})
    assert isinstance(outcome.final, Conclude) and outcome.requests == []
    report = outcome.final.report
    assert report.category == "auth.credential_invalid" and "expired on 2022-08-01" in report.root_cause


def test_a_package_sas_still_valid_on_the_failure_day_is_not_the_cause():
    outcome = run_engine({"error_description": PACKAGE.replace("TODAY", "2022-07-20")})
    report = getattr(outcome.final, "report", None)
    assert report is None or report.category != "auth.credential_invalid"
