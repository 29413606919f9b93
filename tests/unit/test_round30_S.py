"""Round 30, helper S (this session's docs42 / docs43 development cases): the assignment that denied a resource an
AKS operation created, read from the activity log's Policy event, with the VM size the request asked for; a
NoRegisteredProviderFound whose message lists the supported API versions without the one asked for (the template's
version, not the registration); a database server's firewall rules against the address its error says it refused;
the quota of an API Management product's policy the caller used up; and an environment key that names an API
Management subscription, not a service."""

from __future__ import annotations

import json
import re
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.playbooks import PLAYBOOKS
from shared.models import Options
from shared.session.state import Conclude, Evidence, Material, SessionState
from shared.tools.azure_activity import _event
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, finding_report, reads_state

ASSIGNMENT = "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/policyAssignments"
POLICIES = [{"policyAssignmentId": f"{ASSIGNMENT}/allowed-vm-skus", "policyAssignmentName": "allowed-vm-skus",
             "policyAssignmentDisplayName": "Allowed VM SKUs", "policyDefinitionName": "cccc23c7-8427-4f53-ad12-"
             "b6a63eb452b3", "policyDefinitionDisplayName": "Allowed virtual machine size SKUs",
             "policyDefinitionEffect": "Deny"}]


def _policy_event(policies: Any) -> dict[str, Any]:
    return {"eventTimestamp": "2026-12-06T06:48:09Z", "operationName": {"value": "Microsoft.Authorization/policies/"
            "deny/action"}, "status": {"value": "Failed"}, "caller": "AzureContainerService",
            "resourceId": "/subscriptions/x/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/"
                          "aks-gpu-vmss", "category": {"value": "Policy"}, "properties": {"policies": policies}}


def test_a_policy_event_names_the_assignment_that_denied() -> None:
    row = _event(_policy_event(json.dumps(POLICIES)))
    assert row["policy"]["assignment_name"] == "allowed-vm-skus"
    assert row["policy"]["scope"] == "/subscriptions/00000000-0000-0000-0000-000000000001"
    # an audit-only list still names its first assignment; an event without policies names none
    assert "policy" not in _event(_policy_event(None))
    assert "policy" not in _event(_policy_event("not json"))


POLICY_ERROR = ("(RequestDisallowedByPolicy) Code=\"RequestDisallowedByPolicy\" Message=\"Resource 'aks-gpu-vmss' was "
                "disallowed by policy. Reasons: 'The VM size is not in the approved list.'. See error details for "
                "policy resource IDs.\"")


def test_a_policy_denial_names_the_vm_size_the_command_asked_for() -> None:
    command = "$ az aks nodepool add -g rg -n gpu --cluster-name aks --node-vm-size Standard_NC24ads_A100_v4\n"
    outcome = run_engine({"error_description": command + POLICY_ERROR})
    assert isinstance(outcome.final, Conclude)
    assert "Standard_NC24ads_A100_v4" in outcome.final.report.root_cause
    assert outcome.final.report.category == "deployment.policy_denied"
    # no size in the request: no size sentence, and no placeholder either
    plain = run_engine({"error_description": POLICY_ERROR})
    assert isinstance(plain.final, Conclude)
    assert "VM size" not in plain.final.report.root_cause.split("Specifically")[0].replace("The VM size", "")
    assert "<" not in plain.final.report.root_cause


def test_an_assignment_given_only_by_its_id_is_not_named_twice() -> None:
    error = ("(RequestDisallowedByPolicy) Resource 'st01' was disallowed by policy. Policy identifiers: "
             "'[{\"policyAssignment\":{\"name\":\"Deny public storage\",\"id\":\"/subscriptions/0b7d4c2e-6f1a-4e83-"
             "9d25-7a3c8e1f5b90/providers/Microsoft.Authorization/policyAssignments/deny-public\"}}]'.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert "'Deny public storage' (name deny-public)" in outcome.final.report.root_cause
    only_id = error.replace('"name":"Deny public storage",', "")
    assert only_id != error
    bare = run_engine({"error_description": only_id})
    assert isinstance(bare.final, Conclude)
    assert "(name deny-public)" not in bare.final.report.root_cause


def _no_provider(asked: str) -> str:
    return ("ERROR: {\"code\": \"NoRegisteredProviderFound\", \"message\": \"No registered resource provider found "
            f"for location 'westeurope' and API version '{asked}' for type 'managedEnvironments'. The supported "
            "api-versions are '2024-03-01, 2025-01-01, 2025-07-01-preview'. The supported locations are 'westeurope, "
            "northeurope'.\"}\nresource cae 'Microsoft.App/managedEnvironments@" + asked + "' = {")


def test_an_api_version_missing_from_the_supported_list_is_the_templates_version() -> None:
    outcome = run_engine({"error_description": _no_provider("2025-10-02-preview")})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "deployment.template_invalid"
    assert "2025-10-02-preview" in outcome.final.report.root_cause
    assert "--namespace Microsoft.App" in " ".join(outcome.final.report.actions)


def test_a_listed_api_version_or_a_listed_prefix_keeps_the_registration_reading() -> None:
    for asked in ("2025-01-01", "2025-07-01"):  # listed as is; only a prefix of a listed preview version
        outcome = run_engine({"error_description": _no_provider(asked)})
        assert isinstance(outcome.final, Conclude)
        expected = "deployment.provider_not_registered" if asked == "2025-01-01" else "deployment.template_invalid"
        assert outcome.final.report.category == expected, asked


RULES_BODY = {"value": [
    {"name": "app-out-1", "properties": {"startIpAddress": "198.51.100.21", "endIpAddress": "198.51.100.21"}},
    {"name": "office", "properties": {"startIpAddress": "192.0.2.0", "endIpAddress": "192.0.2.31"}}]}
PG_RULES = {"type": "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
            **extracted("Microsoft.DBforPostgreSQL", "flexibleServers/firewallRules", RULES_BODY)}
SITE = {"type": "Microsoft.Web/sites", "name": "app-ledger", "outboundIpAddresses": ["203.0.113.71", "203.0.113.72"]}
PG_ERROR = ('psycopg2.OperationalError: connection to server at "psql-x.postgres.database.azure.com" (52.1.2.3), port '
            '5432 failed: FATAL:  no pg_hba.conf entry for host "{ip}", user "api", database "ledger", SSL encryption')


def test_an_address_outside_every_firewall_rule_is_the_refusal() -> None:
    assert PG_RULES["ranges"][1] == {"name": "office", "startIpAddress": "192.0.2.0", "endIpAddress": "192.0.2.31"}
    state = reads_state(PG_ERROR.format(ip="203.0.113.72"), [SITE, PG_RULES])
    assert finding_id(state) == "database-firewall-rules-refuse-client"
    report = finding_report(state)
    assert report.category == "network.nsg_blocked"
    assert "203.0.113.72" in report.root_cause and "app-ledger" in report.root_cause
    assert report.evidence[0].summary.startswith("{'type': 'Microsoft.DBforPostgreSQL")


def test_an_address_a_rule_covers_or_a_refusal_without_tls_is_no_firewall_verdict() -> None:
    inside = reads_state(PG_ERROR.format(ip="192.0.2.17"), [SITE, PG_RULES])
    assert finding_id(inside) != "database-firewall-rules-refuse-client"
    no_tls = reads_state(PG_ERROR.format(ip="203.0.113.72").replace("SSL encryption", "no encryption"),
                         [SITE, PG_RULES])
    assert finding_id(no_tls) != "database-firewall-rules-refuse-client"


def test_the_flexible_server_playbooks_read_the_rules_only_for_a_refused_address() -> None:
    for kind in ("Microsoft.DBforPostgreSQL/flexibleServers", "Microsoft.DBforMySQL/flexibleServers"):
        book = next(b for b in table(PLAYBOOKS) if b["type"] == kind)
        step = next(s for s in book["steps"] if "/firewallRules" in str(s.get("arguments")))
        assert regex(step["when"]).search('no pg_hba.conf entry for host "10.0.0.4"')
        assert not regex(step["when"]).search("FATAL: password authentication failed for user")


APIM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"
QUOTA_REPORT = ('HTTP 403 {"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in '
                '2.04:31:12."}')


def _policy(product: str, xml: str) -> tuple[str, dict[str, Any]]:
    return f"{APIM}/products/{product}/policies/policy", {"type": "Microsoft.ApiManagement/service/products/policies",
                                                          "policy": xml}


def _apim_state(report: str, reads: list[tuple[str, dict[str, Any]]]) -> SessionState:
    state = SessionState(trace_id="s" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    for resource_id, data in reads:
        state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": resource_id}, status="success",
                                    summary=str(data)[:200], data=data))
    return state


FREE = _policy("free", '<policies><inbound><rate-limit calls="120" renewal-period="60" />'
                       '<quota calls="100000" renewal-period="2592000" /></inbound></policies>')
PARTNER = _policy("partner", '<policies><inbound><quota-by-key bandwidth="40000" renewal-period="3600" '
                             'counter-key="@(context.Subscription.Id)" /></inbound></policies>')


def test_a_used_up_product_quota_names_its_calls_and_period() -> None:
    state = _apim_state(QUOTA_REPORT, [FREE])
    assert finding_id(state) == "apim-product-quota-used-up"
    report = finding_report(state)
    assert report.category == "quota.exceeded"
    assert re.search(r"'free' allows 100000 calls per 30 days", report.root_cause)


def test_the_named_subscriptions_product_is_chosen_among_several_quotas() -> None:
    listed = [{"name": "android", "state": "active", "scope": f"{APIM}/products/partner"}]
    subscriptions = (f"{APIM}/subscriptions", {"type": "Microsoft.ApiManagement/service/subscriptions",
                                               "subscriptions": listed})
    assert finding_id(_apim_state(QUOTA_REPORT, [FREE, PARTNER])) != "apim-product-quota-used-up"  # which one?
    state = _apim_state(QUOTA_REPORT + " Our subscription is android.", [FREE, PARTNER, subscriptions])
    assert "'partner' allows 40000 KB per 3600 seconds" in finding_report(state).root_cause


def test_a_rate_limit_only_policy_or_another_symptom_is_no_quota_verdict() -> None:
    rate_only = _policy("free", '<policies><inbound><rate-limit calls="120" renewal-period="60" /></inbound>'
                                '</policies>')
    assert finding_id(_apim_state(QUOTA_REPORT, [rate_only])) != "apim-product-quota-used-up"
    assert finding_id(_apim_state("HTTP 429 Rate limit is exceeded. Try again in 12 seconds.", [FREE])) \
        != "apim-product-quota-used-up"


def test_an_apim_subscription_key_is_not_read_as_an_api_management_service() -> None:
    book = next(b for b in table(PLAYBOOKS) if b["type"] == "Microsoft.ApiManagement/service")
    keys = regex(book["env_keys"])
    assert all(keys.search(k) for k in ("apim", "api_management_service", "apim_name", "apiManagement"))
    assert not any(keys.search(k) for k in ("apim_subscription", "apim_product", "apim_api_id"))
