"""Fourteenth-session readings: a clue whose deciding fact the report states outranks an earlier clue that could
only ask; Azure's block of outbound port 25; a client network that blocks a port only from the office; a linked
template URI with a doubled slash; a header sent as the text "undefined"; catalog entries for zone SKUs, the one
Network Watcher per region, deployment timeouts, private link on App Configuration, global Cosmos DB names, the
GitHub API limit, the Lookup activity's output cap; a shard key read from a file; a local build of a Python wheel."""

from __future__ import annotations

import pytest

from shared.engines.playbooks import finding
from tests.helpers.engine_loop import out_of_scope_report, run_engine
from tests.helpers.finding_checks import state_with


def _report(text: str, **start) -> dict:
    envelope = run_engine({"error_description": text, **start}).envelope()
    assert envelope["status"] == "done", envelope
    return envelope["report"]


def _answer(text: str) -> dict:
    """The report of whatever the engine answered, empty when it only asked (for near misses)."""
    return run_engine({"error_description": text}).envelope().get("report") or {}


RDP = """mstsc to vm-jump-01 (public IP 20.61.128.44) fails since Monday, but only from the office. On my phone hotspot
it connects at once; colleagues at home are fine. The NSG allows 3389 from our office range.
PS> Test-NetConnection 20.61.128.44 -Port 3389
TcpTestSucceeded : False
{extra}"""


def test_an_office_network_that_blocks_the_port_everywhere_is_out_of_scope():
    extra = "PS> Test-NetConnection rdp.partner.example -Port 3389   # partner's on-prem box, not Azure\nFalse"
    report = out_of_scope_report(RDP.format(extra=extra))
    assert "office network" in report["root_cause"]


def test_without_a_test_outside_azure_the_office_case_is_not_decided_out_of_scope():
    assert _answer(RDP.format(extra="")).get("category") != "out_of_scope"


POSTFIX = ("Dec  4 09:12:41 vm-relay postfix/smtp[2211]: connect to mx.contoso-mail.example[198.51.100.27]:{port}: "
           "Connection timed out\nThe NSG has no outbound deny rule and curl https://... from the VM works.")


def test_smtp_on_port_25_timing_out_from_a_vm_is_azures_outbound_block():
    report = _report(POSTFIX.format(port=25))
    assert report["category"] == "network.nsg_blocked" and "port 25" in report["root_cause"]
    assert "587" in report["actions"][0]


def test_a_mail_timeout_on_another_port_is_not_read_as_the_port_25_block():
    assert "port 25" not in str(_answer(POSTFIX.format(port=587)).get("root_cause"))


LINKED = ("Unable to download deployment content from 'https://raw.githubusercontent.com/fabrikam/blog/master{sep}"
          "samples/logicapp.json'. (Code: InvalidContentLink)")


def test_a_linked_template_uri_with_a_doubled_slash_names_a_missing_file():
    report = _report(LINKED.format(sep="//"))
    assert report["category"] == "config.wrong_resource_name" and "doubled slash" in report["root_cause"]


def test_a_well_formed_linked_template_uri_is_not_blamed_on_its_slashes():
    assert "doubled slash" not in str(_answer(LINKED.format(sep="/")).get("root_cause"))


HEADERS = """GET https://atlas.microsoft.com/map/tile?api-version=2.0&zoom=2
Status: 401 Unauthorized
Request headers:
  Authorization: Bearer eyJ0eXAi...
  x-ms-client-id: {value}"""


def test_a_header_sent_as_the_text_undefined_is_a_client_code_defect():
    report = _report(HEADERS.format(value="undefined"))
    assert report["category"] == "runtime.code_defect" and "undefined" in report["root_cause"]


def test_a_header_with_a_real_value_is_not_read_as_undefined():
    answer = _answer(HEADERS.format(value="6e2b9c41-0d7f-4a38-9b15-c3e8f2a4d706"))
    assert answer.get("category") != "runtime.code_defect"


@pytest.mark.parametrize("text, category", [
    ('{"code":"SkuUnavailableInZone","message":"The sku Sku: Standard_ZRS, Kind: StorageV2 is not available in '
     'zone."}', "quota.sku_not_available"),
    ("code: NetworkWatcherCountLimitReached - , Cannot create more than 1 network watchers for this subscription in "
     "this region.", "quota.exceeded"),
    ("DeploymentCanceledByTimeout\nThe timeout for the deployment was reached, and the deployment was canceled.",
     "runtime.timeout"),
    ('{"code": "PrivateLinkActive", "message": "The operation cannot be performed because private link is active on '
     'the resource."}', "network.nsg_blocked"),
    ('azurerm_cosmosdb_account.main: Error creating CosmosDB Account "cosmos-shared": StatusCode=400 -- Original '
     'Error: Code="BadRequest" Message="Account already exists"', "deployment.name_conflict"),
    ("Activity: LookupProductList (Lookup)\nError: Failure happened on 'Source' side. The size 6213947 of lookup "
     "activity result exceeds the limitation 4194304.", "quota.exceeded"),
])
def test_catalog_entries_of_this_session_decide_their_errors(text: str, category: str):
    assert _report(text)["category"] == category


def test_account_already_exists_names_a_global_cosmos_name_only_where_cosmos_db_shows():
    answer = _answer('Error: Code="BadRequest" Message="Account already exists"')
    assert answer.get("category") != "deployment.name_conflict"


def test_the_lookup_output_cap_quotes_the_sizes_from_the_message():
    report = _report("The size 6213947 of lookup activity result exceeds the limitation 4194304.")
    assert "6213947" in report["root_cause"] and "4194304" in report["root_cause"]


def test_the_github_api_limit_behind_the_bicep_version_check_is_out_of_scope():
    out_of_scope_report("ERROR: Error while attempting to retrieve the latest Bicep version: 403 Client Error: rate "
                        "limit exceeded for url: https://api.github.com/repos/Azure/bicep/releases/latest.")


def test_the_shard_key_is_named_from_the_collection_definition_the_client_sent():
    files = [{"path": "infra/cosmos.bicep", "content": "properties: {\n  resource: {\n    id: 'members'\n"
                                                        "    shardKey: { tenantId: 'Hash' }\n  }\n}"}]
    report = _report("pymongo.errors.BulkWriteError: {'code': 61, 'errmsg': 'document does not contain shard key'}",
                     context={"source_files": files})
    assert report["category"] == "runtime.code_defect" and "tenantId" in report["root_cause"]


WHEEL = """{prompt}pip install azure-storage-blob
  Collecting cryptography>=2.1.4
      error: can't find Rust compiler
  ERROR: Could not build wheels for cryptography which use PEP 517 and cannot be installed directly"""


def test_a_wheel_that_cannot_build_at_a_windows_prompt_is_the_local_toolchain():
    out_of_scope_report(WHEEL.format(prompt="C:\\work\\uploader> "))


def test_the_same_build_failure_in_a_remote_build_is_not_put_on_the_users_machine():
    answer = _answer("Oryx remote build of the function app:\n" + WHEEL.format(prompt=""))
    assert answer.get("category") != "out_of_scope"


def test_the_access_restriction_finding_names_the_site_not_its_config():
    config = {"type": "Microsoft.Web/sites/config", "name": "web", "ipSecurityRestrictionsDefaultAction": "Deny",
              "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app-booking/config/web",
              "ipSecurityRestrictions": [{"name": "office", "ipAddress": "198.51.100.0/24", "action": "Allow"}]}
    rule, facts = finding(state_with("Availability tests get 403 Forbidden since Monday", [("get_resource", config)]))
    assert rule["id"] == "app-access-restrictions-deny" and facts["name"] == "app-booking"


EVENT_HUBS = {"type": "Microsoft.EventHub/Namespaces", "name": "evhns-telematics", "sku": {"name": "Standard"},
              "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/evhns-telematics"}
RETENTION = ("Deploying evhns-telematics: BadRequest: The specified value for property 'MessageRetentionInDays' is out "
             "of the allowed range for this namespace: 14. Allowed range: 1 - 7.")


def test_a_value_refused_on_a_namespace_of_standard_tier_is_the_tiers_limit():
    rule, facts = finding(state_with(RETENTION, [("get_resource", EVENT_HUBS)]))
    assert rule["id"] == "value-refused-by-entry-tier" and facts["tier"] == "Standard"
    assert facts["name"] == "evhns-telematics"


def test_the_same_refusal_on_a_premium_namespace_is_not_blamed_on_the_tier():
    premium = {**EVENT_HUBS, "sku": {"name": "Premium"}}
    assert finding(state_with(RETENTION, [("get_resource", premium)])) is None


def test_a_burstable_server_refusing_high_availability_is_the_tiers_limit():
    server = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-clinic", "sku": "Standard_B2ms",
              "tier": "Burstable"}
    text = "az mysql flexible-server update -n mysql-clinic --high-availability SameZone\n(InvalidParameterValue) " \
           "Invalid value given for parameter HighAvailability."
    rule, facts = finding(state_with(text, [("get_resource", server)]))
    assert rule["id"] == "value-refused-by-entry-tier" and facts["tier"] == "Burstable"
    general = {**server, "tier": "GeneralPurpose", "sku": "Standard_D2ds_v4"}
    assert finding(state_with(text, [("get_resource", general)])) is None


def test_a_tier_alone_without_a_refused_value_is_no_finding():
    assert finding(state_with("Consumers lag behind since Monday", [("get_resource", EVENT_HUBS)])) is None


IOT = """var query = registryManager.CreateQuery("SELECT * FROM devices", 100);
var twins = await query.GetNextAsTwinAsync();
Microsoft.Azure.Devices.Common.Exceptions.UnauthorizedException:
{{"Message":"ErrorCode:IotHubUnauthorizedAccess;Unauthorized"}}
connection string: HostName=iot-lab.azure-devices.net;SharedAccessKeyName={policy};SharedAccessKey=<redacted>"""


def test_a_registry_query_with_the_service_policy_lacks_registry_read():
    report = _report(IOT.format(policy="service"))
    assert report["category"] == "auth.rbac_missing" and "registryRead" in report["actions"][0]


def test_the_same_unauthorized_with_the_owner_policy_is_a_credential_problem():
    assert _report(IOT.format(policy="iothubowner"))["category"] == "auth.credential_invalid"


MONGO = """System.TimeoutException: A timeout occurred after 30000ms selecting a server. Client view of cluster state is
{{ State : "Disconnected", Servers : [] }}.
The connection string: mongodb://crm:<redacted>@{host}:10255/?ssl=true&replicaSet=globaldb"""


def test_a_mongo_client_on_the_old_documents_host_uses_a_3_2_era_connection_string():
    report = _report(MONGO.format(host="cosmos-crm.documents.azure.com"))
    assert report["category"] == "config.invalid_connection_string"
    assert "mongo.cosmos.azure.com" in report["root_cause"]


def test_a_mongo_client_on_the_current_host_is_not_told_to_change_it():
    answer = _answer(MONGO.format(host="cosmos-crm.mongo.cosmos.azure.com"))
    assert "documents.azure.com:10255" not in str(answer.get("root_cause"))


def test_the_subnet_size_error_quotes_its_numbers():
    report = _report("(InsufficientSubnetSize) Pre-allocated IPs 372 exceeds IPs available 251 in Subnet Cidr "
                     "10.40.8.0/24, Subnet Name snet-aks-nodes.")
    assert report["category"] == "quota.exceeded" and "372" in report["root_cause"] and "251" in report["root_cause"]


CALLER, OTHER = "2f6c1d8e-4b7a-4e93-a0c5-7d1e9b3f2a64", "8b1e4f27-93c6-4d05-b2a8-6e0f1c7d9a35"
MAPS_403 = "GET https://atlas.microsoft.com/map/tile?api-version=2.0\nStatus: 403 Forbidden"
LISTING = """Decoded token: {{ "aud": "https://atlas.microsoft.com/", "appid": "{caller}", "roles": [] }}
az role assignment list --scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.Maps/accounts/maps -o table
  Principal                              Role                    Scope
  -------------------------------------  ----------------------  --------------------
  {holder}   Azure Maps Data Reader  .../Microsoft.Maps/accounts/maps"""


def test_a_role_held_only_by_another_principal_than_the_tokens_is_the_cause():
    report = _report(MAPS_403 + "\n" + LISTING.format(caller=CALLER, holder=OTHER))
    assert report["category"] == "auth.rbac_missing"
    assert CALLER in report["root_cause"] and OTHER in report["root_cause"] and "Data Reader" in report["root_cause"]


def test_a_role_held_by_the_callers_own_principal_is_not_called_misassigned():
    answer = _answer(MAPS_403 + "\n" + LISTING.format(caller=CALLER, holder=CALLER))
    assert "another principal" not in str(answer.get("root_cause"))


def test_a_listing_without_the_callers_token_decides_nothing_about_the_holder():
    text = MAPS_403 + "\n" + LISTING.format(caller=CALLER, holder=OTHER).split("\n", 1)[1]
    assert "another principal" not in str(_answer(text).get("root_cause"))


@pytest.mark.parametrize("text, category", [
    ("Set-AzDataFactoryV2 : HTTP Status Code: Conflict\nError Code: DataFactoryNameInUse\nError Message: The specified "
     "resource name 'adf-sales-test' is already in use.", "deployment.name_conflict"),
    ('Error: waiting for creation of App Configuration "cfg-qa": Code="SkuPerSubscriptionLimitReached" Message="The '
     "subscription has reached its limit of 'configurationStores' resources with the 'free' SKU.\"",
     "quota.exceeded"),
    ('{"error": {"code": "WidgetSkuNotAvailableInRegion", "message": "The requested SKU is not offered."}}',
     "quota.sku_not_available"),
])
def test_a_code_the_catalog_lacks_names_its_family_by_its_ending(text: str, category: str):
    report = _report(text)
    assert report["category"] == category and report["confidence"] == "medium"


def test_a_code_shaped_word_in_prose_is_not_read_as_the_errors_code():
    answer = _answer("The release failed and someone wrote WidgetNameInUse in the chat; what does that mean for "
                     "our pipeline?")
    assert answer.get("category") != "deployment.name_conflict"


def test_a_code_the_catalog_knows_is_decided_by_its_entry_not_its_shape():
    report = _report('{"code": "StorageAccountAlreadyTaken", "message": "The storage account named stfoo is already '
                     'taken."}')
    assert report["category"] == "deployment.name_conflict" and "check-name" in " ".join(report["actions"])


@pytest.mark.parametrize("text, why", [
    ("Could not connect: getaddrinfo ENOTFOUND cache-a.redis.cache.windows.netcache-a.redis.cache.windows.net",
     "written twice"),
    ("SpeechSynthesizer: Unable to contact server. getaddrinfo ENOTFOUND en-us.tts.speech.microsoft.com", "language"),
    ("Deploying to our Azure US Government function app: The remote name could not be resolved: "
     "'stpermits.file.core.windows.net'", "usgovcloudapi.net"),
])
def test_a_host_no_azure_resource_could_have_is_its_settings_fault_not_dns(text: str, why: str):
    report = _report(text)
    assert report["category"] == "config.invalid_connection_string" and why in report["root_cause"]


def test_a_well_formed_host_that_does_not_resolve_stays_a_name_resolution_problem():
    report = _report("Could not connect: getaddrinfo ENOTFOUND cache-a.redis.cache.windows.net")
    assert report["category"] != "config.invalid_connection_string"


ADX = "Error: creating Kusto Cluster: Message: The sku Standard_E4d_v5 is not supported in {where} (Code:BadRequest)"


def test_a_providers_message_that_a_sku_is_not_offered_in_the_region_is_the_regions_offer():
    assert _report(ADX.format(where="westus"))["category"] == "quota.sku_not_available"


def test_a_sku_not_supported_by_something_other_than_a_region_stays_a_template_problem():
    assert _answer(ADX.format(where="this cluster configuration")).get("category") != "quota.sku_not_available"


def test_a_resource_read_under_another_letter_case_of_its_id_is_the_same_call():
    from shared.models import Options
    from shared.session.state import Evidence, Material, SessionState
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="x"))
    plan = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/serverFarms/asp-a"
    state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": plan}, status="success", summary="p"))
    assert state.find_call("get_resource", {"resource_id": plan.replace("serverFarms", "serverfarms")}) is not None
    assert state.find_call("get_resource", {"resource_id": plan + "-other"}) is None


@pytest.mark.parametrize("scenario", [
    "blind-docs7/docs7-az-webapp-autoscale-scale-out-blocked-by-readonly-lock.yaml",  # serverFarms / serverfarms
    "blind-docs19/docs19-az-servicebus-orders-accepted-but-never-fulfilled-prod-function-sends-to-dev-namespace.yaml",
])
def test_a_recorded_investigation_makes_no_azure_call_twice(azure, scenario: str):
    from pathlib import Path

    import yaml

    from evals.runner import repeated_calls
    recorded = yaml.safe_load((Path(__file__).parents[1] / "scenarios" / scenario).read_text(encoding="utf-8"))
    azure.load(recorded["azure"])
    run_engine(recorded["request"], recorded.get("client", []), azure_access=True)
    assert azure.calls and repeated_calls(azure.calls) == []


LOCK = """Error: Error acquiring the state lock
Lock Info:
  ID:        3c9e51d2-7a0b-9f44-1e6d-b2c8a5f0d713
  Path:      {path}
  Operation: OperationTypeApply"""


def test_a_local_state_files_lock_is_terraforms_not_azures():
    out_of_scope_report(LOCK.format(path="terraform.tfstate"))


def test_the_azurerm_backends_lease_is_still_a_resource_lock():
    assert _report(LOCK.format(path="tfstate/prod.terraform.tfstate"))["category"] == "deployment.resource_locked"


@pytest.mark.parametrize("text", [
    "Installing Core Tools on my Ubuntu dev box:\n$ sudo npm i -g azure-functions-core-tools@4\n"
    "Error: EACCES: permission denied, mkdir '/usr/local/lib/node_modules/azure-functions-core-tools/bin'",
    "PS C:\\src\\func> py -m pip install -r requirements.txt\n  error: Microsoft Visual C++ 14.0 or greater is "
    "required.\n  ERROR: Failed building wheel for uamqp",
])
def test_a_local_install_that_fails_on_the_developers_machine_is_out_of_scope(text: str):
    out_of_scope_report(text)


@pytest.mark.parametrize("text", [
    '{"code":"400","message":"{\\"code\\":400005,\\"message\\":\\"The requested tier is not available in region '
    'eastus. Available tiers: [Standard].\\"}"}',
    '{"code":"BadRequest","message":"Setting up \'AvailabilityZones\' is not supported in Sku :\'Developer\'"}',
])
def test_an_offer_the_region_or_the_sku_does_not_have_is_sku_not_available(text: str):
    assert _report(text)["category"] == "quota.sku_not_available"


def test_graph_refusing_a_second_object_with_the_same_key_is_a_name_conflict():
    report = _report("RESPONSE 409: 409 Conflict\nERROR CODE: Request_MultipleObjectsWithSameKeyValue\n"
                     "failed creating federated credential")
    assert report["category"] == "deployment.name_conflict"


def test_a_partition_count_that_cannot_be_changed_on_a_standard_namespace_is_the_tiers_limit():
    text = ("Set-AzEventHub -NamespaceName evhns-telematics -Name page-views -PartitionCount 16\nSet-AzEventHub: The "
            "value of PartitionCount cannot be changed for this entity.")
    rule, facts = finding(state_with(text, [("get_resource", EVENT_HUBS)]))
    assert rule["id"] == "value-refused-by-entry-tier" and facts["refused"] == "cannot be changed for this entity"


CMS = ("Editors upload images to our CMS (custom container on App Service, Node). It writes them to "
       "/home/site/wwwroot/public/uploads. {after}")


def test_files_a_custom_container_writes_under_home_that_vanish_after_a_restart_lack_persisted_storage():
    report = _report(CMS.format(after="The next morning after the nightly restart many of them are gone (404)."))
    assert report["category"] == "config.missing_app_setting"
    assert "WEBSITES_ENABLE_APP_SERVICE_STORAGE" in report["root_cause"]


def test_a_single_missing_upload_without_a_restart_or_instances_is_not_read_as_unpersisted_storage():
    answer = _answer(CMS.format(after="One image returns 404."))
    assert "WEBSITES_ENABLE_APP_SERVICE_STORAGE" not in str(answer.get("root_cause"))


def test_knowledge_patterns_that_open_with_a_lookahead_are_anchored():
    """A pattern made of lookaheads (`(?=.*A)(?=.*B)`) without \\A is re-run at every position of a text that does
    not match: quadratic in the report's length on the engine's every step."""
    import re
    from pathlib import Path

    import yaml
    unanchored = []
    for path in (Path(__file__).parents[2] / "shared" / "knowledge").glob("*.yaml"):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in entries if isinstance(entries, list) else []:
            for key in ("pattern", "match", "decides", "failure", "requires"):
                value = entry.get(key) if isinstance(entry, dict) else None
                if isinstance(value, str) and re.match(r"\(\?[a-zA-Z]+\)\(\?=", value):
                    unanchored.append(f"{path.name}:{entry.get('id')}:{key}")
    assert unanchored == []
