"""Thirteenth-session readings of the report: a service that refuses its public endpoint called from a hosted runner
or a laptop; a Terraform operation that outlived its own timeout; a report that states nothing in Azure is involved;
an out-of-scope catalog entry with several usual causes is not certain; a closed public endpoint explains only a
refused connection; resource groups named per resource in environment_info."""

from __future__ import annotations

import json

import pytest

from shared.engines.analyzers.azure_scope import resource_groups
from shared.engines.playbooks import finding
from shared.models import Options
from shared.session.state import Material, SessionState
from tests.helpers.engine_loop import out_of_scope_report, run_engine
from tests.helpers.finding_checks import state_with

KV_403 = ('Error: checking for presence of existing Secret "db-password" (Key Vault "https://kv-plat.vault.azure.net/"):'
          ' StatusCode=403 Code="Forbidden" Message="Public network access is disabled and request is not from a '
          'trusted service nor via an approved private link.\\r\\nCaller: appid=1; Vault: kv-plat" '
          'InnerError={"code":"ForbiddenByConnection"}')


@pytest.mark.parametrize("caller", ["The apply runs on a GitHub-hosted runner.",
                                    "Pipeline uses the Microsoft-hosted agent pool (vmImage: ubuntu-latest).",
                                    "Same from Cloud Shell.", "It fails from my laptop too."])
def test_a_private_only_service_called_from_outside_the_network_is_blocked_not_dns(caller: str):
    report = run_engine({"error_description": f"{KV_403}\n{caller}"}).envelope()["report"]
    assert report["category"] == "network.nsg_blocked" and report["confidence"] == "medium"
    assert "public network access disabled" in report["root_cause"] and "self-hosted" in report["actions"][0]


def test_a_self_hosted_runner_may_sit_in_the_network_so_dns_is_still_asked():
    outcome = run_engine({"error_description": f"{KV_403}\nThe self-hosted runner in vnet-ops runs it."})
    assert outcome.envelope()["status"] == "request" and "nslookup" in outcome.requests[0].request.question


TERRAFORM = """azurerm_api_management_custom_domain.gw: Still creating... [{elapsed} elapsed]
Error: waiting for creation/update of Custom Domain: Future#WaitForCompletion: context has been cancelled:
StatusCode=200 -- Original Error: context deadline exceeded"""


def test_an_operation_that_ran_for_tens_of_minutes_outlived_terraforms_timeout():
    report = run_engine({"error_description": TERRAFORM.format(elapsed="44m50s")}).envelope()["report"]
    assert report["category"] == "runtime.timeout" and report["confidence"] == "medium"
    assert "timeouts" in " ".join(report["actions"]) and "terraform import" in " ".join(report["actions"])


def test_a_deadline_after_seconds_is_not_decided_as_the_operation_timeout():
    envelope = run_engine({"error_description": TERRAFORM.format(elapsed="40s")}).envelope()
    assert envelope["status"] == "request"


def test_a_report_that_states_nothing_in_azure_is_involved_is_out_of_scope():
    text = ("Local Logic Apps project: run history stays empty with Azurite 3.25 (UseDevelopmentStorage=true). "
            "Nothing deployed to Azure is involved.")
    out_of_scope_report(text)


def test_an_out_of_scope_entry_with_several_usual_causes_is_not_certain():
    text = "ERROR: AADSTS50158: External security challenge not satisfied. User will be redirected to another page."
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["report"]["category"] == "out_of_scope" and envelope["report"]["confidence"] == "medium"


SERVER = {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1", "name": "sql1",
          "type": "Microsoft.Sql/servers", "publicNetworkAccess": "Disabled"}


def server_state(report: str) -> SessionState:
    return state_with(report, [("get_resource", SERVER)])


def finds(state: SessionState, rule_id: str) -> bool:
    found = finding(state)
    return found is not None and found[0]["id"] == rule_id


def test_a_closed_public_endpoint_explains_a_refused_connection_only():
    rule = "dependency-public-network-access-disabled"
    assert finds(server_state("The app cannot connect: A network-related error occurred (error 40)"), rule)
    assert not finds(server_state("The audit files stopped appearing in the export container since Tuesday"), rule)


def test_resource_groups_named_per_resource_count_after_the_plain_ones():
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, material=Material(
        error_description="x", environment={"sql_resource_group": "rg-sql", "storage_rg": "rg-sec",
                                            "resource_group": "rg-app", "organization": "contoso"}))
    assert resource_groups(state) == ["rg-app", "rg-sql", "rg-sec"]


def test_a_publisher_without_the_data_sender_role_is_told_which_role_publishes():
    text = ("Azure.RequestFailedException: The principal associated with the bearer token presented does not have the "
            "required permissions to publish events to the topic evgt-orders.\nStatus: 403 (Forbidden)")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "auth.rbac_missing" and "EventGrid Data Sender" in " ".join(report["actions"])


def audit_state(bypass: str) -> SessionState:
    account = {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/staudit",
               "name": "staudit", "type": "Microsoft.Storage/storageAccounts",
               "networkAcls": {"defaultAction": "Deny", "bypass": bypass}}
    return state_with("No new .xel audit files in sqldbauditlogs since Tuesday", [("get_resource", account)])


def test_sql_auditing_to_an_account_that_denies_without_the_trusted_services_bypass():
    rule = "storage-firewall-without-trusted-services-bypass"
    assert finds(audit_state("None"), rule) and not finds(audit_state("AzureServices"), rule)


def test_a_message_two_settings_share_counts_for_the_emulator_only_where_the_emulator_shows():
    message = "ServiceUnavailable: Sorry, we are currently experiencing high demand in this region, and cannot fulfill"
    region = run_engine({"error_description": f"Creating the account in West Europe fails: {message}"})
    assert region.envelope()["report"]["category"] == "quota.sku_not_available"
    local = run_engine({"error_description": f"Creating a container on the emulator (localhost:8081): {message}"})
    assert local.envelope()["report"]["category"] == "quota.exceeded"


KUSTO = ('Error: creating Kusto Cluster "adx1": kusto.ClustersClient#CreateOrUpdate: Failure sending request: '
         'StatusCode=400 -- Original Error: Code="BadRequest" Message="Invalid SKU capacity provided, the SKU '
         'Standard_D11_V2 should be between 2 and 8"')
# the same shape from a provider no catalog entry names (Kusto's own message has an entry since the sixteenth session)
PROVIDER = ('Error: creating Widget Pool "wp1": widgets.PoolsClient#CreateOrUpdate: Failure sending request: '
            'StatusCode=400 -- Original Error: Code="BadRequest" Message="Invalid pool capacity provided, the tier '
            'W2 should be between 2 and 8"')
AKS = ("Status Message: The template deployment 'aks' is not valid according to the validation procedure. See inner "
       "errors for details. (Code: InvalidTemplateDeployment)\n - Provisioning of resource(s) for container service "
       "aks-obs failed. Message: A new agent pool was introduced. Adding agent pools to an existing cluster is not "
       "allowed through managed cluster operations. Details:  (Code:BadRequest)\n\ndnsPrefix: '${clusterName}-dns'")


@pytest.mark.parametrize(("text", "quoted"), [(PROVIDER, "between 2 and 8"), (AKS, "Adding agent pools")])
def test_a_generic_inner_code_with_the_providers_own_message_decides_the_template(text: str, quoted: str):
    outcome = run_engine({"error_description": text})
    report = outcome.envelope()["report"]
    assert not outcome.requests and report["category"] == "deployment.template_invalid"
    assert report["confidence"] == "medium" and quoted in json.dumps(report["evidence"])


def test_kustos_capacity_message_names_the_range_its_sku_allows():
    report = run_engine({"error_description": KUSTO}).envelope()["report"]
    assert report["category"] == "deployment.template_invalid" and "between 2 and 8" in report["root_cause"]


def test_a_wrapper_sentence_alone_is_no_inner_message():
    outcome = run_engine({"error_description": 'Original Error: Code="BadRequest" Message="See inner errors for '
                                               'details of what failed in the request body."'})
    assert outcome.envelope()["status"] == "request"


def test_the_providers_message_yields_to_a_catalog_entry_that_names_the_cause():
    text = ('Error: Code="BadRequest" Message="Backend with id \'orders-api\' could not be found. Check the '
            'set-backend-service policy of the API."')
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "deployment.parent_not_found"


LAPTOP = """Only my machine times out uploading to the account.
PS> nslookup st1.blob.core.windows.net
Non-authoritative answer:
Name:    blob.ams23prdstr11a.store.core.windows.net
Address:  20.60.223.100
Aliases:  st1.blob.core.windows.net
          st1.privatelink.blob.core.windows.net

PS> Test-NetConnection st1.blob.core.windows.net -Port 443
WARNING: TCP connect to ({ip} : 443) failed
RemoteAddress    : {ip}

The account has a private endpoint for the office VNet; the connection timed out."""


def test_a_machine_that_connects_to_another_private_address_than_dns_gives_is_overridden_locally():
    report = out_of_scope_report(LAPTOP.format(ip="10.20.1.5"))
    assert "hosts" in report["root_cause"] and report["confidence"] == "medium"


def test_a_connection_to_the_address_dns_gives_keeps_the_dns_reading():
    report = run_engine({"error_description": LAPTOP.format(ip="20.60.223.100")}).envelope()["report"]
    assert report["category"] == "network.private_endpoint_dns"


@pytest.mark.parametrize("text", [
    "Since az upgrade nothing works on my Windows 11 laptop:\n  ImportError: DLL load failed while importing "
    "win32file: The specified module could not be found.",
    "New MacBook Pro (M1), func start on a new project:\n  ImportError: dlopen(cygrpc.cpython-39-darwin.so): mach-o "
    "file, but is an incompatible architecture (have 'x86_64', need 'arm64e')",
    'In a normal Command Prompt:\nC:\\> az login --username a@b.example --password "x)y"\n'
    "y was unexpected at this time.",
])
def test_the_developers_own_machine_failing_in_its_own_software_is_out_of_scope(text: str):
    assert out_of_scope_report(text)["confidence"] == "medium"


def test_a_laptop_that_shows_no_local_failure_keeps_the_azure_reading():
    text = ("From my laptop: az storage blob upload fails with AuthorizationPermissionMismatch: This request is not "
            "authorized to perform this operation using this permission.")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["report"]["category"] != "out_of_scope"


def test_a_provider_shown_not_registered_decides_whatever_the_tool_said_first():
    report = ('Deploy fails: {"Code":"NotFound","Message":"Cannot find Subscription with name 6e2b9c4d."}\n'
              "$ az provider show -n Microsoft.Web --query registrationState -o tsv\nNotRegistered")
    found = run_engine({"error_description": report}).envelope()["report"]
    assert found["category"] == "deployment.provider_not_registered" and "Microsoft.Web" in json.dumps(found)
    registered = report.replace("NotRegistered", "Registered")
    other = run_engine({"error_description": registered}).envelope().get("report") or {}
    assert other.get("category") != "deployment.provider_not_registered"


def test_a_storage_connection_string_with_a_bad_endpoint_suffix_is_invalid():
    text = "3:22:42 PM: Error: Invalid EndpointSuffix in the provided Connection String"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string" and "EndpointSuffix" in report["root_cause"]
