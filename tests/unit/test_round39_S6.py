"""Round 39, helper S6 (the thirty-second session's fix list, fixed by class): a scale-out that stops at a ceiling
read in Azure, a Key Vault firewall finding that overrules an analyzer's conclusion resting on reads, a self-built
client assertion with wrong time claims (AADSTS700024), an internal ASE's names unresolved inside its network, a
MySQL Flexible Server login in the Single Server user@server form, Amazon Cognito's own refusal, and a missing
reference that misspells a name the report creates. Each with a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.engines.computed_findings.scale_ceiling import scale_stops_at_ceiling, stopped_counts
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, reads_state

# --- scale-out stopping at a ceiling read in Azure


def test_the_counts_a_scale_out_stops_at_are_read_from_the_report() -> None:
    assert stopped_counts("the app never runs more than 2 instances - Live Metrics shows 2 servers all day") == {2}
    assert stopped_counts("The instance count plateaus at 4 and stays there") == {4}
    assert stopped_counts("pod pending: 0/3 nodes are available: 3 Insufficient memory.") == {3}
    # the configured maximum the client set is not where it stops
    assert stopped_counts("KEDA rule says up to 8 replicas, scale rule max 8") == set()


HUBS = {"type": "Microsoft.EventHub/namespaces/eventhubs", "name": None,
        "entities": [{"name": "order-events", "partitionCount": 4}, {"name": "order-audit", "partitionCount": 8}]}
STUCK = ("fa-order-events consumes the 'order-events' hub. The instance count plateaus at 4 although the backlog "
         "keeps growing. Why doesn't it scale out?")


def test_instances_stuck_at_the_hub_partition_count_are_the_partition_ceiling() -> None:
    state = reads_state(STUCK, [HUBS])
    facts = scale_stops_at_ceiling(state)
    assert facts is not None and facts["setting"] == "partitionCount" and facts["value"] == "4"
    assert finding_id(state) == "scale-out-stops-at-read-ceiling"
    report = finding_report(state)
    assert report.category == "quota.exceeded" and "partition" in report.root_cause


def test_a_count_other_than_the_partitions_says_nothing_of_them() -> None:
    state = reads_state(STUCK.replace("plateaus at 4", "plateaus at 6"), [HUBS])
    assert scale_stops_at_ceiling(state) is None


def _environment(maximum: int) -> dict[str, Any]:
    return {"type": "Microsoft.App/managedEnvironments", "name": "cae-ocr",
            "id": "/subscriptions/s/resourceGroups/rg-ocr/providers/Microsoft.App/managedEnvironments/cae-ocr",
            "workloadProfiles": [{"name": "Consumption", "workloadProfileType": "Consumption"},
                                 {"name": "ocr-e4", "workloadProfileType": "E4", "minimumCount": 1,
                                  "maximumCount": maximum}]}


APP = {"type": "Microsoft.App/containerApps", "name": "ca-ocr-batch", "workloadProfileName": "ocr-e4",
       "scale": {"minReplicas": 1, "maxReplicas": 12}}
PENDING = "ca-ocr-batch stays at 3 replicas. pod pending: 0/3 nodes are available: 3 Insufficient memory."


def test_pending_replicas_on_a_dedicated_profile_at_its_maximum_nodes() -> None:
    state = reads_state(PENDING, [APP, _environment(3)])
    facts = scale_stops_at_ceiling(state)
    assert facts is not None and facts["setting"] == "maximumCount"
    assert "rg-ocr" in facts["action"] and "--max-nodes" in facts["action"]


def test_a_profile_allowing_more_nodes_than_the_report_sees_is_no_ceiling() -> None:
    assert scale_stops_at_ceiling(reads_state(PENDING, [APP, _environment(10)])) is None


# --- Key Vault firewall without the trusted-services bypass, against an analyzer's conclusion that rests on reads

def test_a_vault_firewall_without_bypass_overrules_the_role_reading_for_a_customer_managed_key() -> None:
    vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-claims-keys", "enableRbacAuthorization": True,
             "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": [], "virtualNetworkRules": []}}
    report = ("ErrorCode: KeyVaultEncryptionKeyNotFound - The key vault key is not found to unwrap the encryption "
              "key. The lake uses our customer-managed key; every read fails.")
    state = reads_state(report, [vault])
    assert finding_id(state) == "keyvault-firewall-without-trusted-services-bypass"
    allowed = reads_state(report, [{**vault, "networkAcls": {**vault["networkAcls"], "bypass": "AzureServices"}}])
    assert finding_id(allowed) != "keyvault-firewall-without-trusted-services-bypass"


# --- AADSTS700024 on an assertion the client's own code signs

SELF_SIGNED = (
    "We sign our own client assertion with the certificate from a PKCS12 file (LocalDateTime.now()).\n"
    '{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time '
    'range. Current time: 2025-03-04T15:02:11Z, assertion valid from 2025-03-04T10:02:11Z, expiry time of '
    'assertion 2025-03-04T10:12:11Z."}\nThe server clock is NTP synced.')


def test_a_self_signed_assertion_with_wrong_times_is_the_code_that_builds_it() -> None:
    assert best_entry_id(SELF_SIGNED) == "entra-aadsts700024-self-built-assertion-wrong-times"
    final = run_engine({"error_description": SELF_SIGNED}).final
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "UTC" in final.report.root_cause


def test_a_federated_token_that_expired_in_a_long_job_stays_a_credential_problem() -> None:
    federated = ("GitHub Actions job, azure/login with OIDC, the deploy step runs 70 minutes later:\n"
                 "AADSTS700024: Client assertion is not within its valid time range. Current time: "
                 "2025-03-04T15:02:11Z, expiry time of assertion 2025-03-04T14:02:11Z. Clock is correct.")
    assert best_entry_id(federated) == "entra-aadsts700024-client-assertion-expired"


# --- an internal ASE's app name unresolved from inside its own network

ASE = ("From vm-ops-01 in the same VNet as our internal ASE:\n"
       "Invoke-WebRequest : The remote name could not be resolved: 'inventory.ase-ilb-core.appserviceenvironment.net'")


def test_an_internal_ase_name_unresolved_inside_its_network_is_the_missing_private_zone() -> None:
    final = run_engine({"error_description": ASE}).final
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"
    assert "appserviceenvironment.net" in final.report.root_cause


def test_from_a_hosted_runner_the_same_name_is_the_runner_outside_the_network() -> None:
    hosted = ("Deploy job on a Microsoft-hosted agent (ubuntu-latest):\n"
              "Error: getaddrinfo ENOTFOUND func-orders.scm.ase-ilb-core.appserviceenvironment.net")
    final = run_engine({"error_description": hosted}).final
    assert not (isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns")


# --- MySQL Flexible Server login in the Single Server user@server form

def test_a_flexible_server_login_with_the_server_suffix_is_the_connection_string() -> None:
    text = ("Moved to the flexible server mysql-fin-flex.\npymysql.err.OperationalError: (1045, \"Access denied for "
            "user 'reporting@mysql-fin-flex'@'172.16.4.9' (using password: YES)\")")
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "Single Server" in final.report.root_cause
    plain = text.replace("reporting@mysql-fin-flex", "reporting")
    assert best_entry_id(plain) != "databases-mysql-flexible-user-with-single-server-suffix"


# --- Amazon Cognito's own refusal

def test_cognitos_secret_hash_refusal_is_out_of_scope_on_azure_hosting() -> None:
    text = ("API on Azure Container Apps, ClientId: process.env.COGNITO_CLIENT_ID\n"
            "NotAuthorizedException: Unable to verify secret hash for client 4k2v8example9q1")
    final = run_engine({"error_description": text}).final
    assert final.report.category == "out_of_scope" and "Cognito" in final.report.root_cause


# --- a missing reference that misspells a name the report creates

NIC = ("az network nsg create -g rg-web -n nsg-web-front\n"
       "az network nic create -g rg-web -n nic-1 --network-security-group {nsg}\n"
       "(InvalidResourceReference) Resource /subscriptions/1/resourceGroups/rg-web/providers/Microsoft.Network/"
       "networkSecurityGroups/{nsg} referenced by resource /subscriptions/1/resourceGroups/rg-web/providers/"
       "Microsoft.Network/networkInterfaces/nic-1 was not found. Please make sure that the referenced resource "
       "exists, and that both resources are in the same region.")


def test_a_missing_reference_one_swap_from_a_created_name_is_a_misspelling() -> None:
    final = run_engine({"error_description": NIC.format(nsg="nsg-web-fornt")}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "nsg-web-fornt" in final.report.root_cause and any("nsg-web-front" in a for a in final.report.actions)


def test_a_missing_reference_unlike_any_created_name_stays_a_missing_parent() -> None:
    final = run_engine({"error_description": NIC.format(nsg="nsg-shared-hub")}).final
    assert isinstance(final, Conclude) and final.report.category == "deployment.parent_not_found"
