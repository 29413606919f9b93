"""Round 36 brief G3 (blind cases with the right category but without the deciding detail): catalog entries that name
the deciding value (the diagnostic category a resource offers, the tier, the setting, the Entra role, the DNS zone
join, the redirect URI's platform, the AppHost resource name, the semantic configuration the index defines, the
--node-vm-size step), and the near-names step: a name conclusion names one name's two spellings. Each mechanism has
a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.engines.near_names import edit_distance, near_pair
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _report(start: dict[str, Any]) -> dict[str, Any]:
    env = run_engine(start).envelope()
    assert env["status"] == "done"
    return env["report"]


# --- diagnostic settings -------------------------------------------------------------------------------------------

EMPTY_GROUPS = ('{"code":"BadRequest","message":"CategoryGroup: \'allLogs\' is not supported, supported ones are: '
                '\'\'"} '
                "(Target: .../virtualNetworks/vnet-a/providers/Microsoft.Insights/diagnosticSettings/diag)")


def test_category_group_with_empty_supported_list_says_metrics_only() -> None:
    assert best_entry_id(EMPTY_GROUPS) == "integration-monitor-diagnostic-category-unsupported"
    report = _report({"error_description": "Bicep deployment fails:\n" + EMPTY_GROUPS})
    assert report["category"] == "deployment.template_invalid"
    assert "metrics" in report["root_cause"] and "CategoryGroup: 'allLogs'" in report["root_cause"]


def test_laquerylogs_category_is_the_table_audit_is_the_category() -> None:
    text = '{"code":"BadRequest","message":"Category \'LAQueryLogs\' is not supported."}'
    assert best_entry_id(text) == "integration-monitor-workspace-diagnostic-laquerylogs-is-a-table"
    assert "Audit" in _report({"error_description": "Workspace diagnostic setting fails: " + text})["root_cause"]


def test_other_unsupported_category_is_not_the_laquerylogs_entry() -> None:
    assert best_entry_id("Category 'AppServiceHTTPLogs' is not supported, supported categories are 'a'") \
        == "integration-monitor-diagnostic-category-unsupported"


# --- tiers, quotas, settings ---------------------------------------------------------------------------------------

def test_service_bus_basic_tier_property_names_standard() -> None:
    text = ("SubCode=40000. The property 'RequiresSession' cannot be set when creating a Queue because the namespace "
            "'sb-x' is using 'Basic' tier.")
    assert "Standard" in _report({"error_description": text})["root_cause"]


def test_public_ip_count_limit_is_a_regional_quota() -> None:
    report = _report({"error_description": "(PublicIPCountLimitReached) Cannot create more than 10 public IP addresses "
                                           "for this subscription in this region."})
    assert report["category"] == "quota.exceeded" and "quota" in report["root_cause"]


def test_exporter_connection_string_names_the_setting() -> None:
    text = "System.InvalidOperationException: A connection string was not found. Please set your connection string."
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" in _report({"error_description": text})["root_cause"]


def test_aks_node_pool_size_not_allowed_gives_node_vm_size_step_with_listed_sizes() -> None:
    text = ("(BadRequest) The VM size of AgentPoolProfile:nodepool1 is not allowed in your subscription in location "
            "'westus'. The available VM sizes are 'standard_d2s_v5,standard_d4s_v5'.")
    actions = " ".join(_report({"error_description": "az aks create ... fails\n" + text})["actions"])
    assert "--node-vm-size" in actions and "standard_d2s_v5" in actions


def test_vm_size_not_allowed_without_agent_pool_has_no_node_pool_step() -> None:
    text = ("az vm create --size Standard_E64s_v5 ... The requested VM size Standard_E64s_v5 is not allowed in your "
            "subscription in location 'westus'.")
    report = _report({"error_description": text})
    assert not any("--node-vm-size" in a for a in report["actions"])
    assert all(a.strip() for a in report["actions"])  # an unfilled optional step is left out, not kept empty


# --- semantic configuration ----------------------------------------------------------------------------------------

SEMANTIC = ("(UnknownSemanticConfiguration) Unknown semantic configuration 'default'.\n"
            'index JSON: "semantic": { "configurations": [ { "name": "idx-semantic-configuration" } ] }')


def test_unknown_semantic_configuration_names_the_one_the_index_defines() -> None:
    report = _report({"error_description": SEMANTIC})
    assert "idx-semantic-configuration" in report["root_cause"] and "'default'" in report["root_cause"]


def test_unknown_semantic_configuration_without_index_json_names_nothing_invented() -> None:
    report = _report({"error_description": SEMANTIC.split("\n")[0]})
    assert "<" not in report["root_cause"].split("(Azure AI Search")[0]  # no placeholder in the meaning


# --- Service Bus REST session id casing ----------------------------------------------------------------------------

DEADLETTER = ("DeadLetterErrorDescription: The SessionId was not set on a message, and it cannot be sent to the "
              "entity. "
              "Entities that have session support enabled can only receive messages that have the SessionId set to a "
              "valid value.")


def test_miscased_sessionid_broker_property_is_the_cause() -> None:
    text = DEADLETTER + '\nBrokerProperties: {"SessionID":"C-1","MessageId":"m1"}'
    assert best_entry_id(text) == "messaging-sb-rest-brokerproperties-sessionid-miscased"
    assert "case" in _report({"error_description": text})["root_cause"]


def test_correctly_cased_sessionid_is_not_the_casing_entry() -> None:
    text = DEADLETTER + '\nBrokerProperties: {"SessionId":"C-1","MessageId":"m1"}'
    assert best_entry_id(text) == "messaging-sb-session-id-missing"


# --- Aspire, Graph, linked DNS zone, AADSTS7000218 -----------------------------------------------------------------

INVALID_NAME = ("ERROR CODE: ContainerAppInvalidName \"message\": \"Invalid ContainerApp name 'ApiService'. "
                "A name must "
                "consist of lower case alphanumeric characters or '-'\"")


def test_aspire_container_app_name_points_at_the_apphost() -> None:
    text = INVALID_NAME + '\nbuilder.AddProject<Projects.Api>("ApiService");'
    assert best_entry_id(text) == "containers-aca-invalid-app-name-aspire-resource-name"
    assert "AppHost" in _report({"error_description": text})["root_cause"]


def test_container_app_name_without_aspire_keeps_the_naming_rule_entry() -> None:
    assert best_entry_id(INVALID_NAME + "\naz containerapp create -n ApiService") == "containers-aca-invalid-app-name"


GRAPH_403 = ('{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the '
             'operation."}} PATCH https://graph.microsoft.com/v1.0/users/u@x.example ')


def test_app_only_password_reset_needs_an_entra_admin_role() -> None:
    text = GRAPH_403 + 'body {"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"<redacted>"}}'
    assert best_entry_id(text) == "entra-graph-password-reset-role"
    assert "Administrator" in _report({"error_description": text})["root_cause"]


def test_other_user_update_denied_is_the_permission_entry() -> None:
    text = GRAPH_403 + 'body {"department":"Sales"}'
    assert best_entry_id(text) == "entra-graph-request-denied-missing-graph-permission"


LINKED = ("LinkedAuthorizationFailed: The client 'c1' with object id 'c1' has permission to perform action "
          "'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write' on scope '/subscriptions/s/x'; however, it "
          "does not have permission to perform action '{action}' on the linked scope(s) '{scope}' or the linked "
          "scope(s) are invalid.")


def test_linked_private_dns_zone_join_names_the_dns_zone() -> None:
    text = LINKED.format(action="Microsoft.Network/privateDnsZones/join/action",
                         scope="/subscriptions/h/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/"
                               "privatelink.blob.core.windows.net")
    assert best_entry_id(text) == "arm-linked-authorization-failed-private-dns-zone-join"
    assert "DNS zone" in _report({"error_description": text})["root_cause"]


def test_linked_subnet_join_is_the_generic_linked_entry() -> None:
    text = LINKED.format(action="Microsoft.Network/virtualNetworks/subnets/join/action",
                         scope="/subscriptions/h/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v/"
                               "subnets/s")
    assert best_entry_id(text) == "arm-linked-authorization-failed"


AADSTS = ("InteractiveBrowserCredential: authentication failed: {\"error\": \"invalid_client\", \"error_description\": "
          "\"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or "
          "'client_secret'.\"}\n")


def test_public_client_with_web_platform_redirect_uri() -> None:
    text = AADSTS + "The only platform configured is Web with redirect URI http://localhost."
    assert best_entry_id(text) == "entra-aadsts7000218-public-client-redirect-uri-under-web-platform"
    assert "redirect" in _report({"error_description": text})["root_cause"]


def test_public_client_without_a_web_redirect_uri_keeps_the_missing_credential_entry() -> None:
    assert best_entry_id(AADSTS + "Allow public client flows is off.") \
        == "entra-aadsts7000218-missing-client-credential"


# --- near names ----------------------------------------------------------------------------------------------------

def test_edit_distance_counts_a_swap_once() -> None:
    assert edit_distance("retial", "retail", 2) == 1
    assert edit_distance("queu02", "queue02", 2) == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3  # cut off above the limit


def test_near_pair_ignores_names_that_differ_only_in_digits() -> None:
    assert near_pair(["queue01"], ["queue02", "orders"]) is None
    assert near_pair(["queu02"], ["queue01", "queue02"]) == ("queu02", "queue02")


PARAM = ("Error: Code=InvalidTemplate; Message=Deployment template validation failed: 'The value for the template "
         "parameter 'adminLoginName' at line '9' and column '34' is not provided.'")


def _param_file(key: str) -> dict[str, Any]:
    content = '{ "parameters": { "' + key + '": { "value": "crmadmin" }, "location": { "value": "westeurope" } } }'
    return {"error_description": PARAM, "context": {"source_files": [{"path": "p.json", "content": content}]}}


def test_misspelled_parameters_file_key_is_named() -> None:
    report = _report(_param_file("adminLogniName"))
    assert report["category"] == "deployment.template_invalid"
    assert "adminLogniName" in report["root_cause"]


def test_unrelated_parameters_file_key_adds_no_pair() -> None:
    report = _report(_param_file("sqlServerName"))
    assert "spells one name two ways" not in report["root_cause"]


# --- Graph permissions: listing users, a Delegated permission for an app-only flow ---------------------------------

def test_listing_users_needs_user_read_all_when_the_registration_lists_user_read() -> None:
    from shared.engines.graph_permissions import missing_graph_permission
    text = ("acquire_token_for_client, then GET https://graph.microsoft.com/v1.0/users -> 403\n"
            "The list of configured permissions: Microsoft Graph / User.Read / Delegated")
    found = missing_graph_permission(text)
    assert found is not None and found[0] == "User.Read.All"
    # the near miss: the registration has User.Read.All as an Application permission, nothing is missing
    assert missing_graph_permission(text.replace("User.Read / Delegated", "User.Read.All / Application")) is None


def test_delegated_permission_for_client_credentials_is_named() -> None:
    from shared.engines.graph_permissions import missing_graph_permission
    text = ("Mailer uses the client credentials grant. ErrorAccessDenied from Graph.\n"
            "API permissions on the app registration:\n  Microsoft Graph  Mail.Send  Delegated  Granted")
    found = missing_graph_permission(text)
    assert found is not None and found[0] == "Mail.Send" and "Application permission" in found[1]


def test_delegated_permission_of_a_signed_in_web_app_stays_silent() -> None:
    from shared.engines.graph_permissions import missing_graph_permission
    text = ("Our web app signs users in (authorization code flow with a client secret). ErrorAccessDenied from Graph.\n"
            "API permissions on the app registration:\n  Microsoft Graph  Mail.Send  Delegated  Granted")
    assert missing_graph_permission(text) is None


# --- CSI driver identity, workload identity service account, generator helper --------------------------------------

MULTIPLE = ('Response body: {"error":"invalid_request","error_description":"Multiple user assigned identities exist, '
            'please specify the clientId / resourceId of the identity in the token request"}')


def test_csi_secret_provider_class_without_client_id_names_userassignedidentityid() -> None:
    text = "MountVolume.SetUp failed ... " + MULTIPLE + '\nSecretProviderClass: useVMManagedIdentity: "true"'
    assert best_entry_id(text) == "entra-mi-multiple-identities-keyvault-csi-no-client-id"
    assert "userAssignedIdentityID" in _report({"error_description": text})["root_cause"]


def test_multiple_identities_on_a_vm_without_csi_is_the_imds_entry() -> None:
    assert best_entry_id("python app on our VM: " + MULTIPLE) == "entra-mi-multiple-user-assigned-no-client-id"


def test_generator_not_serializable_says_yield_from() -> None:
    text = "Orchestrator function 'o' failed: Object of type generator is not JSON serializable"
    assert best_entry_id(text) == "python-generator-not-json-serializable"
    assert any("yield from" in a for a in _report({"error_description": text})["actions"])


def test_other_object_not_serializable_is_the_generic_entry() -> None:
    assert best_entry_id("TypeError: Object of type datetime is not JSON serializable") \
        == "python-not-json-serializable"


# --- .NET isolated placeholder mode, in-process .NET 8 ---------------------------------------------------------------

GRPC = "System.InvalidOperationException: The gRPC channel URI 'http://:' could not be parsed."


def test_grpc_uri_with_placeholder_setting_names_placeholder_mode() -> None:
    text = GRPC + "\nApp settings: WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED=1, FUNCTIONS_WORKER_RUNTIME=dotnet-isolated"
    assert best_entry_id(text) == "functions-isolated-grpc-uri-unparsed-placeholder-mode"
    assert "placeholder" in _report({"error_description": text})["root_cause"]


def test_grpc_uri_with_placeholder_off_is_the_worker_started_alone_entry() -> None:
    text = GRPC + "\nWEBSITE_USE_PLACEHOLDER_DOTNETISOLATED=0; we run dotnet run in the container"
    assert best_entry_id(text) == "functions-isolated-grpc-uri-unparsed"


def test_inprocess_net8_assembly_load_names_the_isolated_model() -> None:
    text = ("Error configuring services in an external startup class. X: Could not load file or assembly "
            "'System.ComponentModel, Version=8.0.0.0, Culture=neutral'")
    assert "isolated" in _report({"error_description": text})["root_cause"]


def test_near_pair_ignores_english_words_and_added_prefixes_or_suffixes() -> None:
    assert near_pair(["reference"], ["referenced"]) is None  # plain words, not names
    assert near_pair(["receipts"], ["streceipts"]) is None
    assert near_pair(["orders-queue"], ["orders-queues"]) is None  # a suffix added: another name
    assert near_pair(["invoice-archive"], ["invoices-archive"]) == ("invoice-archive", "invoices-archive")


def test_oom_killer_on_a_vm_names_the_size_and_the_resize() -> None:
    text = ("docker compose on an Azure VM, size Standard_B2s. dmesg: Out of memory: Killed process 311 (node) "
            "total-vm:1000kB, anon-rss:900kB")
    report = _report({"error_description": text})
    assert report["category"] == "runtime.out_of_memory" and "Standard_B2s" in report["root_cause"]
    assert any("az vm resize" in a for a in report["actions"])


def test_oom_killed_on_aks_keeps_the_pod_limit() -> None:
    text = ("kubectl describe pod: Last State: Terminated Reason: OOMKilled Exit Code: 137 "
            "(AKS node pool VM size Standard_D4s_v5)")
    report = _report({"error_description": text})
    assert "resources.limits.memory" in report["root_cause"] and not any("az vm resize" in a for a in report["actions"])


PULL_429 = ('Failed to pull image "{host}/app/worker:1": unexpected status code https://{host}/v2/app/worker/blobs/'
            'sha256:ab: 429 Too Many Requests - Server message: toomanyrequests: too many requests\n'
            "The registry is on the Basic SKU.")


def test_acr_pull_throttled_names_the_tier() -> None:
    text = PULL_429.format(host="crrender.azurecr.io")
    assert best_entry_id(text) == "containers-acr-pull-throttled-by-service-tier"
    report = _report({"error_description": text})
    assert report["category"] == "throttling.rate_limited" and "Basic tier" in report["root_cause"]


def test_toomanyrequests_from_another_registry_is_not_the_acr_entry() -> None:
    assert best_entry_id(PULL_429.format(host="registry.example.com").replace("Basic SKU", "free plan")) \
        != "containers-acr-pull-throttled-by-service-tier"


SAS_WINDOW = ("403 AuthenticationFailed: Server failed to authenticate the request.\n"
              "AuthenticationErrorDetail: Signature "
              "not valid in the specified time frame: Start [Fri, 21 Nov 2026] - Expiry [Fri, 28 Nov 2026] - Current "
              "[Sat, 05 Dec 2026]\n")


def test_keys_said_not_rotated_leave_the_sas_window_answer() -> None:
    report = _report({"error_description": SAS_WINDOW + "Storage keys not rotated, nothing changed."})
    assert "expired" in report["root_cause"] and any("SAS" in a for a in report["actions"])


def test_keys_said_rotated_still_read_as_rotation() -> None:
    from shared.engines.analyzers.common import table
    clue = next(c for c in table("symptom_clues") if "key was rotated" in str(c.get("root_cause", "")))
    import re
    assert re.search(clue["pattern"], "Server failed to authenticate the request. We rotated the storage keys today.")
    assert re.search(clue["pattern"], "Server failed to authenticate the request. The keys were rotated on Monday.")
    assert not re.search(clue["pattern"], "Server failed to authenticate the request. Keys not rotated.")
