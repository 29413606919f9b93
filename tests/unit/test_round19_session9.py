"""Ninth-session knowledge: Windows-built Python packages on a Linux app, an AI Search indexer behind a shared
private link, Service Bus entity management without Manage, a deny assignment's code; and the engine paths that
use them (a clue whose deciding fact is stated answers instead of the family analyzer's generic question)."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude
from tests.helpers.clue_checks import concludes, final_of

_PYD = ("func-quotes (Linux, Python 3.11) lists no functions: ModuleNotFoundError: No module named "
        "'pydantic_core._pydantic_core'. The build runs pip install --target .python_packages/lib/site-packages on "
        "our windows-2022 agent and the zip holds _pydantic_core.cp311-win_amd64.pyd.")


def test_windows_built_packages_on_a_linux_app_are_named_as_such():
    final = final_of(_PYD)
    assert isinstance(final, Conclude) and final.report.category == "runtime.dependency_missing"
    assert "installed on Windows" in final.report.root_cause and "Linux" in final.report.root_cause
    assert any("manylinux" in a or "remote build" in a for a in final.report.actions)


def test_a_module_missing_without_windows_or_linux_named_is_not_that_clue():
    found = clue_in(["ModuleNotFoundError: No module named 'requests' after deploying with the VS Code extension."])
    assert found is None or found["id"] != "python-packages-built-on-windows-for-linux-app"


_INDEXER = ("Storage stdocs01 has public network access disabled; we created a shared private link from our search "
            "service to its blob endpoint and it is Approved. The indexer still fails: Error with data source: The "
            "remote server returned an error: (403) This request is not authorized to perform this operation. "
            'Indexer: {"name": "docs-indexer", "parameters": {"configuration": '
            '{"dataToExtract": "contentAndMetadata"}}}')


def test_an_indexer_behind_an_approved_shared_private_link_without_the_private_environment_concludes():
    assert concludes(_INDEXER, "network.private_endpoint_dns")
    final = final_of(_INDEXER)
    assert "executionEnvironment" in final.report.root_cause


def test_the_same_indexer_configured_private_is_not_concluded_by_the_clue():
    final = final_of(_INDEXER.replace('"dataToExtract"', '"executionEnvironment": "private", "dataToExtract"'))
    assert not (isinstance(final, Conclude) and "executionEnvironment" in final.report.root_cause)


def test_creating_a_subscription_at_startup_without_manage_is_a_role_gap():
    final = final_of("Hosting failed to start System.UnauthorizedAccessException: Unauthorized access for "
                     "'CreateOrUpdateSubscription' operation on endpoint 'sb://sb-notify.servicebus.windows.net/"
                     "notifications/subscriptions/worker-1'. Status: 401 (SubCode=40100: Unauthorized)")
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Data Owner" in " ".join(final.report.actions)


def test_a_deny_assignment_code_is_the_owning_stack_or_application():
    final = final_of("az keyvault network-rule add --name kv-pay --ip-address 203.0.113.7/32\n"
                     "(DenyAssignmentAuthorizationFailed) The client 'ops@contoso.example' with object id "
                     "'67311c16-5b06-5670-be92-111d9073f3d1' has permission to perform action "
                     "'Microsoft.KeyVault/vaults/write' on scope '/subscriptions/x/resourceGroups/rg/providers/"
                     "Microsoft.KeyVault/vaults/kv-pay'; however, the access is denied")
    assert isinstance(final, Conclude) and final.report.category == "deployment.resource_locked"
    assert "deployment stack" in final.report.root_cause
    assert not isinstance(final, AskClient)


def _concluded(text: str) -> tuple[str | None, str]:
    final = final_of(text)
    return (final.report.category, final.report.root_cause) if isinstance(final, Conclude) else (None, "")


def test_a_firewall_network_rule_deny_names_the_destination_and_port():
    category, cause = _concluded("kubectl logs fails: dial tcp 10.1.1.4:10250: i/o timeout. The firewall log shows "
                                 "TCP request from 10.1.1.35:51724 to 203.0.113.77:22. Action: Deny.")
    assert category == "network.nsg_blocked" and "203.0.113.77 port 22" in cause


def test_a_privatelink_cname_answered_nxdomain_is_the_missing_record():
    category, cause = _concluded(
        "nslookup cosmos-tele.documents.azure.com\nServer: 10.0.0.10\n\ncosmos-tele.documents.azure.com canonical "
        "name = cosmos-tele.privatelink.documents.azure.com.\n** server can't find "
        "cosmos-tele.privatelink.documents.azure.com: NXDOMAIN\nWe use private endpoints with private DNS zones; the "
        "app logs No such host is known (cosmos-tele.documents.azure.com:443).")
    assert category == "network.private_endpoint_dns" and "no A record" in cause


def test_a_plain_nxdomain_stays_a_missing_name():
    category, _ = _concluded("getaddrinfo ENOTFOUND func-orders.azurewebsites.net\n"
                             "nslookup func-orders.azurewebsites.net\n"
                             "** server can't find func-orders.azurewebsites.net: NXDOMAIN")
    assert category == "network.dns_resolution"


def test_a_class_of_a_declared_dependency_missing_at_run_time_is_the_unpackaged_jar():
    pom = ("<dependency><groupId>com.microsoft.sqlserver</groupId><artifactId>mssql-jdbc</artifactId></dependency>\n")
    category, cause = _concluded(pom + "ClassNotFoundException: com.microsoft.sqlserver.jdbc.SQLServerDriver")
    assert category == "runtime.dependency_missing" and "jar" in cause and "provided" not in cause.split(".")[0]
    own = clue_in([pom + "ClassNotFoundException: com.contoso.orders.Helper"])
    assert own is None or own["id"] != "java-dependency-class-not-in-function-package"


def test_a_vm_size_missing_in_the_region_outranks_the_generic_invalid_parameter_code():
    category, cause = _concluded('{"error": {"code": "InvalidParameter", "target": "vmSize", "message": "The requested '
                                 'VM size Standard_D4 is not available in the current region."}}')
    assert category == "quota.sku_not_available"
    category, _ = _concluded('{"code": "InvalidParameter", "target": "adminPassword", "message": "The supplied '
                             'password must be between 6-72 characters long"}')
    assert category == "deployment.template_invalid"


def test_a_versioned_worker_runtime_value_is_named_from_the_vs_code_message():
    category, cause = _concluded('Error Message: The remote runtime "python3.8" for function app "fa-dev01" does not '
                                 'match your local runtime "python".')
    assert category == "functions.host_misconfigured" and "(python3.8)" in cause


def test_a_static_site_deploy_without_the_web_container_is_static_website_hosting_off():
    category, cause = _concluded("ng deploy:\nError when trying to deploy: <Error><Code>ContainerNotFound</Code>"
                                 "<Message>The specified container does not exist.</Message></Error>")
    assert category == "config.wrong_resource_name" and "static website" in cause.lower()
    category, cause = _concluded("<Error><Code>ContainerNotFound</Code><Message>The specified container does not "
                                 "exist.</Message></Error> from our upload job to container 'invoices'")
    assert category == "config.wrong_resource_name" and "static website" not in cause.lower()


def test_a_password_stated_right_rules_the_credential_reading_out():
    final = final_of("mysql -u admin -h my-db.mysql.database.azure.com -p\nERROR 1045 (28000): Access denied for user "
                     "'admin'@'198.51.100.23' (using password: YES)\nThe password is right (I reset it in the portal).")
    assert not (isinstance(final, Conclude) and final.report.category == "auth.credential_invalid")
    category, _ = _concluded("ERROR 1045 (28000): Access denied for user 'admin'@'198.51.100.23' (using password: YES)")
    assert category == "auth.credential_invalid"


def test_socket_forbidden_with_many_open_connections_is_connections_not_reused():
    category, cause = _concluded(
        "Our API on Azure Web Apps fails outbound once traffic picks up: SocketException (0x271d): An attempt was "
        "made to access a socket in a way forbidden by its access permissions 203.0.113.40:443. netstat shows "
        "hundreds of ESTABLISHED connections to the partner.")
    assert category == "runtime.code_defect" and "SNAT" in cause


def test_a_relative_path_resolved_in_system32_is_the_in_process_current_directory():
    category, cause = _concluded("Application startup exception System.IO.FileNotFoundException: Could not find file "
                                 "'D:\\Windows\\system32\\urlrewrite.xml'.")
    assert category == "runtime.code_defect" and "current directory" in cause


def test_a_provider_registering_for_hours_is_stuck_on_the_platform():
    category, _ = _concluded("terraform: Cannot register providers: Microsoft.MixedReality. waiting for Subscription "
                             "Provider to be registered: context deadline exceeded. az provider show shows "
                             '"registrationState": "Registering" for more than an hour.')
    assert category == "platform.service_incident"
    assert clue_in(['"registrationState": "Registered"']) is None


def test_a_storage_step_that_works_only_with_all_networks_is_the_storage_firewall():
    assert concludes("Import data wizard from our blob storage account fails: Error detecting index schema from data "
                     "source. When I change 'Allow access from' to \"All networks\", the wizard detects the schema and "
                     "imports everything without errors.", "network.storage_firewall")
    found = clue_in(["Our storage account is set to All networks and the upload still fails with 403."])
    assert found is None or found["id"] != "storage-works-only-with-all-networks"


def test_a_long_deployment_code_named_in_prose_concludes_without_its_json():
    category, cause = _concluded("Our weekly release redeploys the storage account and today it fails with "
                                 "RequestDisallowedByPolicy for 'Storage accounts should prevent shared key access'.")
    assert category == "deployment.policy_denied" and "<assignment>" not in cause


def test_a_short_code_in_prose_is_not_read_as_the_deployment_error():
    from shared.engines.analyzers.arm_deployment import _named_in_prose
    entry = {"codes": ["Conflict", "RequestDisallowedByPolicy"]}
    assert not _named_in_prose(entry, ["We had a conflict with the other team about the deployment."])
    assert _named_in_prose(entry, ["it fails with RequestDisallowedByPolicy today"])


def test_a_node_entry_point_that_fails_to_load_names_the_duplicate_function():
    category, cause = _concluded('Worker was unable to load entry point "dist/src/functions/products/index.js": A '
                                 'function with id "getManufacturers" has already been registered. Function names '
                                 'must be unique.')
    assert category == "runtime.code_defect" and "'getManufacturers' is registered twice" in cause


def test_local_machine_and_ci_runner_faults_end_out_of_scope():
    for text in ("Error: The `set-env` command is disabled. Please upgrade to using Environment Files",
                 "WslRegisterDistribution failed with error: 0x80370102\nPlease enable the Virtual Machine Platform "
                 "Windows feature and ensure virtualization is enabled in the BIOS.",
                 "az login: azure.core.exceptions.ServiceRequestError: ('Cannot connect to proxy.', "
                 "OSError('Tunnel connection failed: 503 Service Unavailable'))"):
        final = final_of(text)
        assert final.kind == "fail" and final.report.category == "out_of_scope", text


def test_a_reserved_service_bus_namespace_suffix_and_bicep_bcp065_are_template_errors():
    category, cause = _concluded('Error: creating/updating ServiceBus Namespace "contoso-orders-sb": Code="BadRequest" '
                                 'Message="The specified service namespace is invalid."')
    assert category == "deployment.template_invalid" and "-sb" in cause
    category, cause = _concluded('main.bicep(9,29) : Error BCP065: Function "utcNow" is not valid at this location. '
                                 "It can only be used as a parameter default value.")
    assert category == "deployment.template_invalid" and "(utcNow)" in cause


def test_an_azd_environment_moved_to_another_region_names_azure_location():
    category, _ = _concluded("I ran `azd env set AZURE_LOCATION swedencentral` and `azd up` again:\n"
                             "InvalidResourceGroupLocation: Invalid resource group location 'swedencentral'. The "
                             "Resource group already exists in location 'eastus2'.")
    final = final_of("azd up: InvalidResourceGroupLocation: Invalid resource group location 'swedencentral'. The "
                     "Resource group already exists in location 'eastus2'.")
    assert category == "deployment.name_conflict" and "AZURE_LOCATION" in " ".join(final.report.actions)
    bare = final_of("az group create: InvalidResourceGroupLocation: Invalid resource group location 'westus'. The "
                    "Resource group already exists in location 'eastus2'.")
    assert "AZURE_LOCATION" not in " ".join(bare.report.actions)


def test_a_key_vault_public_access_message_cut_short_in_a_log_still_matches():
    from shared.catalog.index import catalog_index
    text = ('Status=403 Code="Forbidden" Message="Public network access is disabled and request is not from a '
            "trusted service nor v")
    assert "keyvault-forbidden-by-connection" in {h.entry.id for h in catalog_index().hits([(text, "error")])}


def test_the_public_ip_limit_fix_names_the_quota():
    category, _ = _concluded('{"code":"PublicIPCountLimitReached","message":"Cannot create more than 20 public IP '
                             'addresses for this subscription in this region."}')
    final = final_of('{"code":"PublicIPCountLimitReached","message":"Cannot create more than 20 public IP addresses '
                     'for this subscription in this region."}')
    assert category == "quota.exceeded" and "quota increase" in " ".join(final.report.actions)
