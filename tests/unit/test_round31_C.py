"""Round 31 C (this session's development cases, docs44 / docs45): an AWS CLI error by its printed form (any code in
botocore's "An error occurred (<code>) when calling the <op> operation", an expired SSO session), Storage's "Signature
did not match" naming the key the report says was regenerated, a role's `/*/` wildcard spanning no segment and a
resource id that is no refused operation, a VM or AKS node still on Azure DNS after the network's DNS servers
changed, and the inbound rules of the NSG at a private call's destination evaluated for the app's new subnet."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.role_grants import _OPERATION, roles_granting
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, reads_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"
UNRELATED = "How do I rename a resource group in the portal?"


def _final(text: str) -> Any:
    return run_engine({"error_description": text}).final


# --- AWS by its own printed form ---------------------------------------------------------------------------------

def test_any_botocore_error_code_is_out_of_scope_by_its_printed_form() -> None:
    text = ("The mirror step failed after the Azure upload worked:\nupload failed: dist/a.zip to s3://mirror/a.zip "
            "An error occurred (SlowDown) when calling the PutObject operation: Please reduce your request rate.")
    final = _final(text)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_an_expired_aws_sso_session_is_an_aws_sign_in() -> None:
    text = ("aws s3 cp ./x s3://b/x --profile p\nAn error occurred (ExpiredToken) when calling the PutObject "
            "operation: The provided token has expired.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "other-clouds-aws-expired-token-sso-session"
    final = _final(text)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_a_token_that_expired_without_aws_words_is_not_aws() -> None:
    text = "Calling our Azure Function returns 401: The provided token has expired."
    assert "other-clouds-aws-expired-token-sso-session" not in [
        h.entry.id for h in catalog_index().hits([(text, "error")])]
    final = _final(text)
    assert not (isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope")


# --- Storage's "Signature did not match" and the regenerated key ---------------------------------------------------

_SIGNATURE = ("<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure "
              "the value of Authorization header is formed correctly including the signature.</Message>"
              "<AuthenticationErrorDetail>Signature did not match. String to sign used was r\n"
              "/blob/stexports/reports/a.csv</AuthenticationErrorDetail></Error>\n"
              "URL: https://stexports.blob.core.windows.net/reports/a.csv?sv=2022-11-02&se=2030-01-01&sig=<redacted>")


def test_signature_mismatch_names_the_key_the_report_says_was_regenerated() -> None:
    final = _final(_SIGNATURE + "\nThe ops team regenerated key2 this morning; our links are signed with it.")
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "key2 was regenerated" in final.report.root_cause and "stexports" in final.report.root_cause


def test_signature_mismatch_without_a_stated_rotation_names_no_key() -> None:
    final = _final(_SIGNATURE)
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "Signature did not match" in final.report.root_cause and "was regenerated" not in final.report.root_cause


# --- roles: `/*/` spans no segment; a resource id is no operation ------------------------------------------------

def test_managed_identity_operator_grants_the_assign_action_a_denial_names() -> None:
    assert roles_granting("Microsoft.ManagedIdentity/userAssignedIdentities/assign/action")[0] == \
        "Managed Identity Operator"
    # the wildcard still needs the segments around it: another provider's assign action is not this role's
    assert "Managed Identity Operator" not in roles_granting("Microsoft.Network/virtualNetworks/subnets/join/action")


def test_an_operation_is_not_read_from_a_resource_id() -> None:
    text = ("--assign-identity /subscriptions/x/resourceGroups/g/providers/Microsoft.ManagedIdentity/"
            "userAssignedIdentities/id-control ... not allowed for action "
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action.")
    assert [m.group(0).rstrip(".") for m in _OPERATION.finditer(text)] == [
        "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"]


def test_the_kubelet_identity_error_in_the_cli_form_names_the_operator_role() -> None:
    text = ("(CustomKubeletIdentityMissingPermissionError) The cluster user assigned identity must be given "
            "permission to assign kubelet identity /subscriptions/x/resourceGroups/g/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/id-kubelet. Check access result not allowed for action "
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action.")
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Managed Identity Operator" in final.report.root_cause


# --- a VM or node still on Azure DNS after the network's DNS servers changed ----------------------------------------

_STALE_DNS = ("Pods can't reach the on-prem file server: getaddrinfo ENOTFOUND files01.corp.contoso.local\n"
              "Last week the network team changed the DNS servers of vnet-prod to our domain controllers "
              "(10.1.0.4, 10.1.0.5). A new VM resolves the name. On a node:\n"
              "# cat /etc/resolv.conf\nnameserver 168.63.129.16\nsearch x.internal.cloudapp.net\n")


def test_a_node_still_on_azure_dns_after_the_dns_servers_changed_needs_a_restart() -> None:
    assert concludes(_STALE_DNS, "network.dns_resolution")
    final = _final(_STALE_DNS)
    assert isinstance(final, Conclude) and "168.63.129.16" in final.report.root_cause
    assert "restart" in final.report.root_cause.lower() or "starts" in final.report.root_cause


def test_a_node_already_on_the_new_servers_or_a_switch_back_is_no_stale_resolver() -> None:
    clue = "vm-dns-servers-changed-not-restarted"
    on_new = _STALE_DNS.replace("nameserver 168.63.129.16", "nameserver 10.1.0.4")
    assert (clue_in([on_new]) or {}).get("id") != clue
    back = _STALE_DNS.replace("to our domain controllers", "back to the Azure-provided DNS")
    assert (clue_in([back]) or {}).get("id") != clue
    assert (clue_in([UNRELATED]) or {}).get("id") != clue


# --- the NSG at the destination of a private call -------------------------------------------------------------------

_VNET = f"{SUB}/providers/Microsoft.Network/virtualNetworks/vnet-core"
_NSG_ID = f"{SUB}/providers/Microsoft.Network/networkSecurityGroups/nsg-sql"


def _site() -> dict[str, Any]:
    body = {"kind": "functionapp", "properties": {"virtualNetworkSubnetId": f"{_VNET}/subnets/snet-func-v2"}}
    return {"type": "Microsoft.Web/sites", "name": "func-sync", "id": f"{SUB}/providers/Microsoft.Web/sites/func-sync",
            **extracted("Microsoft.Web", "sites", body)}


def _vnet() -> dict[str, Any]:
    body = {"properties": {"addressSpace": {"addressPrefixes": ["10.70.0.0/16"]}, "subnets": [
        {"name": "snet-sql", "properties": {"addressPrefix": "10.70.1.0/24"}},
        {"name": "snet-func", "properties": {"addressPrefix": "10.70.4.0/28"}},
        {"name": "snet-func-v2", "properties": {"addressPrefix": "10.70.6.0/26"}}]}}
    return {"type": "Microsoft.Network/virtualNetworks", "name": "vnet-core", "id": _VNET,
            **extracted("Microsoft.Network", "virtualNetworks", body)}


def _nic() -> dict[str, Any]:
    body = {"properties": {"ipConfigurations": [{"properties": {
        "privateIPAddress": "10.70.1.10", "subnet": {"id": f"{_VNET}/subnets/snet-sql"}}}],
        "networkSecurityGroup": {"id": _NSG_ID}}}
    return {"type": "Microsoft.Network/networkInterfaces", "name": "nic-sql",
            "id": f"{SUB}/providers/Microsoft.Network/networkInterfaces/nic-sql",
            **extracted("Microsoft.Network", "networkInterfaces", body)}


def _rule(name: str, priority: int, access: str, source: str, port: str) -> dict[str, Any]:
    return {"name": name, "properties": {"priority": priority, "direction": "Inbound", "access": access,
                                         "protocol": "Tcp", "sourceAddressPrefix": source,
                                         "destinationAddressPrefix": "*", "destinationPortRange": port}}


def _nsg(allowed_from: str) -> dict[str, Any]:
    body = {"properties": {"securityRules": [_rule("Allow-Sql-From-Func", 100, "Allow", allowed_from, "1433"),
                                             _rule("Deny-VNet", 4000, "Deny", "VirtualNetwork", "*")]}}
    return {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-sql", "id": _NSG_ID,
            **extracted("Microsoft.Network", "networkSecurityGroups", body)}


_SQL_TIMEOUT = ("SqlException: A network-related or instance-specific error occurred while establishing a connection "
                "to SQL Server. (provider: TCP Provider, error: 40 - Could not open a connection to SQL Server) "
                "The wait operation timed out. The connection string points at 10.70.1.10.")


def test_the_destination_nsg_denies_the_apps_new_subnet_on_the_sql_port() -> None:
    state = reads_state(_SQL_TIMEOUT, [_site(), _vnet(), _nic(), _nsg("10.70.4.0/28")])
    check_round_finding(state, "destination-nsg-denies-app-subnet", "network.nsg_blocked", "1433")


def test_a_destination_nsg_that_admits_the_new_subnet_or_another_address_stays_silent() -> None:
    rule = "destination-nsg-denies-app-subnet"
    assert finding_id(reads_state(_SQL_TIMEOUT, [_site(), _vnet(), _nic(), _nsg("10.70.6.0/26")])) != rule
    assert finding_id(reads_state(_SQL_TIMEOUT, [_site(), _vnet(), _nic(), _nsg("VirtualNetwork")])) != rule
    other = _SQL_TIMEOUT.replace("10.70.1.10", "10.70.1.99")
    assert finding_id(reads_state(other, [_site(), _vnet(), _nic(), _nsg("10.70.4.0/28")])) != rule
    assert finding_id(reads_state(UNRELATED, [_site(), _vnet(), _nic(), _nsg("10.70.4.0/28")])) != rule
