"""Round 37 brief G2 (blind cases where the engine asked although the report or Azure held what decides): pasted NSG
rule tables judged like Azure's, region settings read from Azure against the AI resource's location, a whole message
whose entry `explains` the signature's family, and catalog entries that read what the report states (the CSI
provider's vault host without DNS, a KeyError on the data, a table key built from a URL path, an old .NET Framework
target). Each mechanism has a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import regex, table_entry
from shared.engines.analyzers.regional_endpoint import _REGION_SETTING
from shared.engines.nsg_tables import pasted_groups
from shared.engines.session_reads import FINDINGS
from shared.tools.azure_resources import setting_regions
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


# --- pasted NSG rule tables ----------------------------------------------------------------------------------------

_NIC = """$ az network nsg rule list -g rg-a --nsg-name nsg-nic-a -o table
Name         Priority  Direction  Access  Protocol  SourceAddressPrefix  DestinationPortRange
-----------  --------  ---------  ------  --------  -------------------  --------------------
Allow-Admin  100       Inbound    Allow   Tcp       203.0.113.9/32       22
"""
_SUBNET = """$ az network nsg rule list -g rg-b --nsg-name nsg-subnet-b -o table
Name          Priority  Direction  Access  Protocol  SourceAddressPrefix  DestinationPortRange
------------  --------  ---------  ------  --------  -------------------  --------------------
Allow-Bastion 100       Inbound    Allow   Tcp       10.1.0.64/26         22,3389
{second}
"""
_DENY = "Deny-Inet     200       Inbound    Deny    *         Internet             22,3389"
_HEAD = ("ssh to the VM hangs: ssh azureuser@20.30.40.50 -> connect to address 20.30.40.50 port 22: Connection timed "
         "out. My IP is 203.0.113.9.\n\n")


def test_pasted_tables_read_as_rules_with_their_group_names() -> None:
    groups = pasted_groups([_HEAD + _NIC + "\n" + _SUBNET.format(second=_DENY)])
    assert [g["name"] for g in groups] == ["nsg-nic-a", "nsg-subnet-b"]
    deny = groups[1]["securityRules"][1]
    assert deny["access"] == "Deny" and deny["priority"] == 200 and deny["destinationPortRanges"] == ["22", "3389"]
    assert deny["sourceAddressPrefixes"] == ["Internet"]


def test_pasted_subnet_group_that_denies_the_port_decides() -> None:
    env = _envelope(_HEAD + _NIC + "\n" + _SUBNET.format(second=_DENY))
    assert env["status"] == "done" and env["report"]["category"] == "network.nsg_blocked"
    assert "nsg-subnet-b" in env["report"]["root_cause"] and "Deny-Inet" in env["report"]["root_cause"]
    assert "nsg-nic-a" in env["report"]["root_cause"]  # the allow that is not enough


def test_an_allow_for_the_internet_first_keeps_the_pasted_finding_silent() -> None:
    allow_first = "Allow-Inet    150       Inbound    Allow   Tcp       Internet             22"
    env = _envelope(_HEAD + _NIC + "\n" + _SUBNET.format(second=allow_first + "\n" + _DENY))
    assert "whose rules the report pastes" not in str((env.get("report") or {}).get("root_cause"))


def test_a_flow_between_private_addresses_is_not_judged_as_from_the_internet() -> None:
    private = ("psql to 10.2.0.4 port 5432 from 10.1.0.7: Connection timed out\n\n"
               + _SUBNET.format(second=_DENY).replace("22,3389", "5432"))
    env = _envelope(private)
    assert "whose rules the report pastes" not in str((env.get("report") or {}).get("root_cause"))


def test_a_table_without_the_command_naming_its_group_is_not_read() -> None:
    assert pasted_groups([_SUBNET.format(second=_DENY).split("\n", 1)[1]]) == []


# --- region settings read from Azure -------------------------------------------------------------------------------

def test_only_region_named_settings_holding_a_region_are_kept() -> None:
    found = setting_regions({"SPEECH_REGION": "eastus", "AZURE_LOCATION": "West Europe", "API_KEY": "eastus",
                             "REGION": "moon-1", "DB_PASSWORD": "hunter2"})
    assert found == {"SPEECH_REGION": "eastus", "AZURE_LOCATION": "westeurope"}


def test_region_setting_names_of_the_regional_ai_services_only() -> None:
    assert _REGION_SETTING.match("SPEECH_REGION") and _REGION_SETTING.match("TRANSLATOR_REGION")
    assert _REGION_SETTING.match("REGION")
    assert not _REGION_SETTING.match("AZURE_OPENAI_LOCATION")  # Azure OpenAI's own host decides, not a region
    assert not _REGION_SETTING.match("COSMOS_PREFERRED_REGION")


# --- a whole message whose entry explains the signature's family ---------------------------------------------------

_UNREACHABLE = "Since our last deploy the portal says 'Azure Functions runtime is unreachable' for func-a."


def test_armtoken_message_explains_the_unreachable_runtime() -> None:
    text = (_UNREACHABLE + " The app log shows: System.InvalidOperationException: No authentication handler is "
            "registered for the scheme 'WebJobsAuthLevel'. The registered schemes are: Bearer.")
    env = _envelope(text)
    assert env["status"] == "done" and env["report"]["category"] == "runtime.code_defect"
    assert "AddAuthentication" in env["report"]["root_cause"]
    assert any("AddAuthentication" in a for a in env["report"]["actions"])


def test_the_unreachable_runtime_alone_is_not_a_code_defect() -> None:
    env = _envelope(_UNREACHABLE)
    assert (env.get("report") or {}).get("category") != "runtime.code_defect"


# --- catalog entries that read what the report states --------------------------------------------------------------

_CSI = ("MountVolume.SetUp failed for volume \"s\" : rpc error: code = Unknown desc = failed to mount secrets store "
        "objects for pod a/b, err: rpc error: code = Unknown desc = failed to mount objects, error: failed to get "
        "objectType:secret, objectName:db, objectVersion:: ")


def test_csi_vault_host_without_dns_is_the_keyvaultname() -> None:
    text = _CSI + ('Get "https://kv-ab-prd.vault.azure.net/secrets/db/?api-version=7.4": dial tcp: lookup '
                   "kv-ab-prd.vault.azure.net on 168.63.129.16:53: no such host")
    assert best_entry_id(text) == "keyvault-csi-mount-vault-name-not-resolved"
    report = _envelope(text)["report"]
    assert report["category"] == "config.wrong_resource_name" and "kv-ab-prd" in report["root_cause"]


def test_csi_forbidden_stays_the_access_entry() -> None:
    text = _CSI + "keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 Forbidden"
    assert best_entry_id(text) == "keyvault-csi-mount-forbidden"


def test_keyerror_on_the_data_is_a_code_defect_naming_the_key() -> None:
    text = ("Exception: KeyError: 'vendorId'\nStack: File \"/home/site/wwwroot/function_app.py\", line 47, in run "
            "vendor_id = payload[\"vendorId\"]")
    assert best_entry_id(text) == "python-keyerror-data-field"


def test_keyerror_on_os_environ_is_not_the_data_entry() -> None:
    text = ("Exception: KeyError: 'VENDOR_API'\nStack: File \"/home/site/wwwroot/function_app.py\", line 3, in "
            "<module> url = os.environ[\"VENDOR_API\"]")
    assert best_entry_id(text) != "python-keyerror-data-field"


_TABLE_ERROR = "StatusMessage:0:Bad Request - Error in query syntax.\nErrorCode:InvalidInput\n"


def test_table_key_built_from_a_url_path_is_the_key_character_entry() -> None:
    text = _TABLE_ERROR + 'entity = {"PartitionKey": tenant, "RowKey": f"{request.url.path}:{ts}"}'
    assert best_entry_id(text) == "storage-table-key-disallowed-character"


def test_table_key_from_an_id_is_not_the_key_character_entry() -> None:
    text = _TABLE_ERROR + 'entity = {"PartitionKey": tenant, "RowKey": f"{order.id}-{ts}"}'
    assert best_entry_id(text) != "storage-table-key-disallowed-character"


def test_old_dotnet_framework_targets_count_as_old_tls_clients() -> None:
    pattern = regex(table_entry(FINDINGS, "service-minimum-tls-above-client")["report_matches"])
    assert pattern.search('<httpRuntime targetFramework="4.5.2" />')
    assert pattern.search("StackExchange.Redis 1.2.6, targetFramework 4.5")
    assert pattern.search("<TargetFramework>net452</TargetFramework>")
    assert not pattern.search('<httpRuntime targetFramework="4.8" />')
    assert not pattern.search("<TargetFramework>net8.0</TargetFramework>")
