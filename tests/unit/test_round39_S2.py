"""Configuration the report pastes decides like a read one (shared/engines/stated_config.py and two symptom clues):
pasted firewall rules against the caller's stated addresses (an AWS security group makes it out of scope), the
X-Azure-FDID an access restriction admits against the profile's Front Door ID, Storage data roles listed on another
account, a private DNS zone's links against the client's network, a flexible server with private access reached from
outside, and App Gateway backend settings that neither pick nor override the App Service host name. Each with a near
miss that must stay silent."""

from __future__ import annotations

from typing import Any

from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict[str, Any]:
    return dict(run_engine({"error_description": text}).envelope())


def _report(text: str) -> dict[str, Any]:
    return dict(_envelope(text).get("report") or {})


REDIS = ("StackExchange.Redis.RedisConnectionException: It was not possible to connect to the redis server(s). "
         "UnableToConnect on redis-shop.redis.cache.windows.net:6380/Interactive\n\n"
         "$ az webapp show -g rg-shop -n app-shop --query outboundIpAddresses -o tsv\n"
         "40.71.1.10,40.71.1.11,{last}\n\n"
         "$ az redis firewall-rules list -g rg-shop -n redis-shop -o table\n"
         "Name    StartIP      EndIP\n------  -----------  -----------\n"
         "app_1   40.71.1.10   40.71.1.11\nother   40.71.2.0    40.71.2.255\n")


def test_a_pasted_redis_rule_table_that_misses_one_outbound_address_names_it() -> None:
    report = _report(REDIS.format(last="40.71.9.9"))
    assert report["category"] == "network.nsg_blocked" and report["confidence"] != "high"
    assert "40.71.9.9" in report["root_cause"]


def test_outbound_addresses_all_inside_the_pasted_ranges_are_not_called_uncovered() -> None:
    report = _report(REDIS.format(last="40.71.2.77"))
    assert "do not cover the caller's stated address" not in str(report.get("root_cause") or "")


SERVICE_BUS = ("Azure.Messaging.ServiceBus.ServiceBusException: Ip has been prevented to connect to the endpoint. "
               "(Unauthorized) SystemTracker:sb-pay.servicebus.windows.net:pay\n"
               '{{ "defaultAction": "Deny", "ipRules": [ {{ "action": "Allow", "ipMask": "{rule}" }} ] }}\n'
               "$ az network public-ip show -g rg-net -n pip-nat --query ipAddress -o tsv\n52.1.2.3\n")


def test_the_nat_address_missing_from_a_namespace_rule_set_is_named() -> None:
    report = _report(SERVICE_BUS.format(rule="52.1.9.0/24"))
    assert report["category"] == "network.nsg_blocked" and "52.1.2.3" in report["root_cause"]


def test_a_namespace_rule_set_that_holds_the_nat_address_adds_no_claim() -> None:
    report = _report(SERVICE_BUS.format(rule="52.1.2.0/24"))
    assert "do not cover the caller's stated address" not in report["root_cause"]


AWS = ("Migration step from our Azure VM fails: Error: connect ETIMEDOUT 3.250.1.2:3306\n"
       "The VM's public IP is {ip}.\n"
       '$ aws ec2 describe-security-groups --group-ids sg-1\n[ {{ "FromPort": 3306, "IpRanges": [ '
       '{{ "CidrIp": "10.0.0.0/16" }}, {{ "CidrIp": "20.10.0.0/24" }} ] }} ]\nIs Azure blocking it?')


def test_an_aws_security_group_that_does_not_admit_the_vm_is_out_of_scope() -> None:
    envelope = _envelope(AWS.format(ip="20.99.1.5"))
    report = envelope["report"]
    assert envelope["status"] == "fail" and report["category"] == "out_of_scope"
    assert "security group" in report["root_cause"] and "20.99.1.5" in report["root_cause"]


def test_an_aws_security_group_that_admits_the_vm_is_not_blamed() -> None:
    report = _report(AWS.format(ip="20.10.0.7")) or {}
    assert "security group's inbound rules" not in str(report.get("root_cause") or "")


FRONT_DOOR = ("Through our new Front Door every request gets 403 Forbidden from app-web.\n"
              'ipSecurityRestrictions: [ { "action": "Allow", "headers": { "x-azure-fdid": '
              '[ "11111111-2222-4333-8444-555555555555" ] }, "ipAddress": "AzureFrontDoor.Backend" } ]\n'
              "$ az afd profile show -g rg --profile-name afd-web --query frontDoorId -o tsv\nPROFILE\n")


def test_an_fdid_filter_holding_another_profiles_id_is_named() -> None:
    report = _report(FRONT_DOOR.replace("PROFILE", "99999999-8888-4777-8666-555555555555"))
    assert report["category"] == "network.nsg_blocked"
    assert "99999999-8888-4777-8666-555555555555" in report["root_cause"] and "FDID" in report["root_cause"]


def test_an_fdid_filter_holding_the_profiles_own_id_is_not_blamed() -> None:
    report = _report(FRONT_DOOR.replace("PROFILE", "11111111-2222-4333-8444-555555555555"))
    assert "but the Front Door profile's ID is" not in str(report.get("root_cause") or "")


ROLES = ("azure.core.exceptions.HttpResponseError: This request is not authorized to perform this operation using "
         "this permission.\nErrorCode:AuthorizationPermissionMismatch\n"
         "Uploading to https://stdataprod.blob.core.windows.net/files\n"
         "Principal  Role                           Scope\n"
         "abc        Storage Blob Data Contributor  /subscriptions/s/resourceGroups/rg/providers/"
         "Microsoft.Storage/storageAccounts/{account}\n")


def test_a_data_role_listed_on_another_account_is_named() -> None:
    report = _report(ROLES.format(account="stdatatest"))
    assert report["category"] == "auth.rbac_missing" and "stdatatest" in report["root_cause"]


def test_a_data_role_listed_on_the_account_itself_adds_no_claim() -> None:
    report = _report(ROLES.format(account="stdataprod"))
    assert "gives no access here" not in report["root_cause"]


LINKS = ("VM in vnet-app-west gets 403 AuthorizationFailure from storage; private endpoint exists.\n"
         "nslookup stfiles.blob.core.windows.net\nstfiles.blob.core.windows.net canonical name = "
         "stfiles.privatelink.blob.core.windows.net.\nName: blob.x.store.core.windows.net\nAddress: 20.60.1.1\n\n"
         "$ az network private-dns link vnet list -g rg-dns -z privatelink.blob.core.windows.net -o table\n"
         "Name          ResourceGroup    RegistrationEnabled    VirtualNetworkLinkState    ProvisioningState\n"
         "{link}      rg-dns           False                  Completed                  Succeeded\n")


def test_zone_links_that_leave_out_the_clients_network_name_it() -> None:
    report = _report(LINKS.format(link="link-core"))
    assert report["category"] == "network.private_endpoint_dns"
    assert "none of them is the client's network 'vnet-app-west'" in report["root_cause"]


def test_zone_links_that_name_the_clients_network_add_no_claim() -> None:
    report = _report(LINKS.format(link="link-vnet-app-west"))
    assert "none of them is the client's network" not in report["root_cause"]


FLEX = ("psql: error: connection to server at \"pg-x.postgres.database.azure.com\" (10.1.1.4), port 5432 failed: "
        "Connection timed out\nI'm on my laptop at home.\n"
        '"network": {{ "delegatedSubnetResourceId": {subnet}, "publicNetworkAccess": "{access}" }}')


def test_a_flexible_server_with_a_delegated_subnet_reached_from_home_is_private_access() -> None:
    report = _report(FLEX.format(subnet='"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/'
                                        'virtualNetworks/vnet-db/subnets/snet-pg"', access="Disabled"))
    assert report["category"] == "network.nsg_blocked" and report["confidence"] == "medium"
    assert "private access" in report["root_cause"]


def test_a_flexible_server_without_a_delegated_subnet_is_not_called_private_access() -> None:
    report = _report(FLEX.format(subnet="null", access="Enabled")) or {}
    assert "created with private access" not in str(report.get("root_cause") or "")


APPGW = ("Application Gateway agw-web in front of app-web.azurewebsites.net gives 502. Backend health: Unhealthy, "
         "Received invalid status code: 404 in the backend server's HTTP response.\n"
         '{{ "name": "bs-web", "port": 443, "pickHostNameFromBackendAddress": {pick}, "hostName": null }}')


def test_backend_settings_that_neither_pick_nor_override_the_host_name_decide() -> None:
    report = _report(APPGW.format(pick="false"))
    assert report["category"] == "config.invalid_connection_string" and report["confidence"] == "medium"
    assert "Host header" in report["root_cause"]


def test_backend_settings_that_pick_the_host_name_are_not_blamed() -> None:
    report = _report(APPGW.format(pick="true")) or {}
    assert "neither pick the host name" not in str(report.get("root_cause") or "")


def test_an_sql_rule_table_with_the_end_column_first_is_read_in_its_order() -> None:
    from shared.engines.stated_config import _uncovered
    table = ("$ az sql server firewall-rule list -g rg -s sql-a -o table\n"
             "EndIpAddress    Name    ResourceGroup    StartIpAddress\n"
             "20.1.1.20       app     rg               20.1.1.10\n\n"
             "Client IP: {ip}. Login timeout expired.")
    assert _uncovered(table.format(ip="20.1.1.30")) == (["20.1.1.30"], ["20.1.1.10-20.1.1.20"], False)
    assert _uncovered(table.format(ip="20.1.1.15")) is None


def test_the_services_own_public_address_is_not_taken_for_the_callers() -> None:
    from shared.engines.stated_config import _callers
    text = "The storage account public IP is 20.60.1.1, our NAT gateway public IP: 51.1.1.1"
    assert _callers(text, set()) == ["51.1.1.1"]
