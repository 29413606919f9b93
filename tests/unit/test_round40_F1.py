"""Round 40, helper F1 (session 33's real99-101 development cases): catalog entries for Azure AI Search (a tier's
service quota, an upload over the per-request size, a vectorizer refused by Azure OpenAI), Databricks Key Vault-backed
scopes created with a PAT, native RESTORE on Azure SQL Database, the Static Web Apps hybrid Node version, Flex
Consumption setting names with ':', the Azure Files secret's key names, the Azure CLI's Burstable upgrade check, the
azurerm provider's elastic pool size table, the firewall subnet's default route; and clues for a zip of the project
folder, a Front Door Private Link origin never approved, Easy Auth behind a proxy, Container Apps job overrides and
a deploy step that drops the pull identity. Each shows the mechanism deciding and a near miss that stays silent."""

from __future__ import annotations

from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, **context: object):
    start: dict = {"error_description": text}
    if context:
        start["context"] = {"environment_info": context}
    outcome = run_engine(start)
    return outcome.final, outcome.requests


# --- catalog entries -------------------------------------------------------------------------------------------

def test_search_tier_quota_names_the_tier_and_only_for_the_tier_message() -> None:
    text = ("ServiceQuotaExceeded: Operation would exceed 'storage_optimized_l1' tier service quota. You "
            "are using 0 out "
            "of 0 'storage_optimized_l1' tier service quota.")
    assert best_entry_id(text) == "openai-search-tier-service-quota"
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "quota.exceeded"
    assert "storage_optimized_l1" in final.report.root_cause
    # another service's quota code without the tier sentence is not this entry
    assert best_entry_id("ServiceQuotaExceeded: the number of namespaces exceeds the limit") \
        != "openai-search-tier-service-quota"


def test_search_upload_too_large_is_the_codes_batching_not_cosmos() -> None:
    search = ("azure.search.documents RequestEntityTooLargeError: Operation returned an invalid status 'Request Entity "
              "Too Large'\n  File \"app.py\", line 9, in push\n    client.upload_documents(docs)")
    assert best_entry_id(search) == "openai-search-index-request-too-large"
    final, _ = _final(search)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "batch" in final.report.root_cause
    # the same status from a Cosmos DB write names no search client: another entry answers
    cosmos = "Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success: " \
             "RequestEntityTooLarge (413); Substatus: 0; Request Entity Too Large"
    assert best_entry_id(cosmos) != "openai-search-index-request-too-large"


def test_vectorizer_401_or_403_is_the_search_identity_role_but_not_a_429() -> None:
    text = "Could not complete vectorization action. The vectorization endpoint returned status code '401'."
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Cognitive Services OpenAI User" in final.report.root_cause
    assert best_entry_id(text.replace("'401'", "'429'")) != "openai-search-vectorizer-endpoint-refused"


def test_databricks_kv_scope_with_a_pat_is_the_credential_kind() -> None:
    final, _ = _final("Error: cannot create secret scope: Scope with Azure KeyVault must have userAADToken defined!")
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "personal access token" in final.report.root_cause
    assert best_entry_id('{"error_code":"403","message":"Invalid access token."}') \
        != "integration-databricks-kv-scope-needs-entra-token"


def test_native_restore_on_sql_database_is_the_wrong_kind_of_server_not_a_cross_database_name() -> None:
    text = ("Msg 40517, Level 16, State 1, Line 1\nKeyword or statement option 'RESTORE HEADERONLY' is not supported "
            "in this version of SQL Server.")
    assert best_entry_id(text) == "sql-native-restore-not-on-sql-database"
    three_part = "Reference to database and/or server name in 'crm.dbo.Orders' is not supported in this version of " \
                 "SQL Server."
    assert best_entry_id(three_part) == "sql-cross-database-reference"


def test_swa_hybrid_node_version_points_at_engines() -> None:
    text = ("Detected serverRenderFramework: NextjsApp\nNode version 21.1.0 is not supported. Please use one of the "
            "following versions 16, 18, 20.")
    final, _ = _final(text, technologies=["static-web-apps"])
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "engines" in final.report.root_cause and "21.1.0" in final.report.root_cause
    assert best_entry_id("Python version 3.6 is not supported") != "appservice-swa-hybrid-node-version-not-supported"


FLEX = ("performing CreateOrUpdate: unexpected status 400 with response: {\"Code\":\"BadRequest\",\"Message\":\"The "
        "following app setting (Site.SiteConfig.AppSettings.FUNCTIONS_WORKER_RUNTIME) for Flex Consumption sites is "
        "invalid. Please remove or rename it before retrying.\"}\n  with azurerm_function_app_flex_consumption.api\n")


def test_flex_setting_names_with_a_colon_decide_only_when_the_config_has_them() -> None:
    final, _ = _final(FLEX + '  app_settings = {\n    "Redis:Host" = var.redis\n  }\n')
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "__" in final.report.root_cause
    plain, _ = _final(FLEX + '  app_settings = {\n    "REDIS_HOST" = var.redis\n  }\n')
    assert isinstance(plain, Conclude) and plain.report.category == "deployment.template_invalid"


def test_azure_files_secret_key_names_message_and_command() -> None:
    assert best_entry_id("GetAccountInfo(rg#st#share#pv#default) failed with error: could not find accountname or "
                         "azurestorageaccountname field in secret(sec)") == "containers-aks-azurefile-secret-key-names"
    base = ("Pods stay in ContainerCreating. Warning FailedMount kubelet MountVolume.SetUp failed for "
            "volume \"data\".\n"
            "PV uses azureFile: {{ secretName: files-secret, shareName: data }}.\nSecret created with:\n "
            " kubectl create "
            "secret generic files-secret --from-literal={name}=stdata --from-literal={key}=$KEY\n")
    final, _ = _final(base.format(name="account", key="key"))
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "azurestorageaccountkey" in final.report.root_cause
    right, _ = _final(base.format(name="azurestorageaccountname", key="azurestorageaccountkey"))
    assert not (isinstance(right, Conclude) and "key names" in right.report.root_cause)


def test_cli_burstable_upgrade_refusal_is_a_cli_defect_for_postgres_only() -> None:
    text = "$ az postgres flexible-server upgrade -g rg -n pg1 -v 14\nMajor version update is not supported for the " \
           "Burstable pricing tier."
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "CLI" in final.report.root_cause
    assert best_entry_id("az mysql flexible-server upgrade: Major version update is not supported for the Burstable "
                         "pricing tier.") != "databases-pg-flexible-burstable-upgrade-cli-check"


ELASTIC = ("Error: service tier 'GeneralPurpose' Gen5 with a 'capacity' of 4 vCores must have a "
           "'max_size_gb' between 5 "
           "GB and 756 GB, got 1024 GB\n  with azurerm_mssql_elasticpool.pool\n")


def test_provider_size_table_is_a_provider_defect_only_when_azure_offers_the_size() -> None:
    final, _ = _final(ELASTIC + "The portal lets me pick 1024 GB for this size.")
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "provider" in final.report.root_cause
    plain, _ = _final(ELASTIC)
    assert not (isinstance(plain, Conclude) and plain.report.category == "runtime.code_defect")


def test_firewall_subnet_route_table_association_before_the_route() -> None:
    text = ('Code="AzureFirewallSubnetRouteTableMustHaveDefaultRouteToInternet" Message="Route Table rt-fw on firewall '
            'subnet AzureFirewallSubnet must have 0.0.0.0/0 route with next hop Internet."')
    assert best_entry_id(text) == "compute-azure-firewall-subnet-route-table-needs-internet-default-route"
    final, _ = _final(text)
    assert isinstance(final, Conclude) and "before" in final.report.root_cause


# --- symptom clues ----------------------------------------------------------------------------------------------

def test_zip_of_the_project_folder_decides_but_a_zip_of_its_contents_does_not() -> None:
    text = ("az functionapp deployment source config-zip -g rg -n fa-orders --src app.zip says "
            "Succeeded, but the portal "
            "shows no functions.\nThe zip is made with Compress-Archive -Path {path} -DestinationPath app.zip\n")
    final, _ = _final(text.format(path=".\\OrdersFunctions"))
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "root" in final.report.root_cause
    contents, _ = _final(text.format(path=".\\OrdersFunctions\\*"))
    assert not (isinstance(contents, Conclude) and "one level below" in contents.report.root_cause)


AFD = ("Front Door Premium origin uses Private Link to our web app (public access disabled). Every request returns "
       "HTTP/1.1 504 Gateway Timeout. {state}")


def test_front_door_private_link_origin_not_approved() -> None:
    final, _ = _final(AFD.format(state="azd up finished without errors."))
    assert isinstance(final, Conclude) and final.report.category == "network.private_endpoint_dns"
    assert "approv" in final.report.root_cause
    approved, _ = _final(AFD.format(state="The private endpoint connection on the app is Approved. Started after "
                                          "the deployment succeeded."))
    assert not (isinstance(approved, Conclude) and approved.report.category == "network.private_endpoint_dns"
                and "pending" in approved.report.root_cause)


EASY = ("App Service behind Front Door at https://shop.contoso.com with App Service Authentication (Microsoft). The "
        "login redirect is Location: "
        "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=x&redirect_uri="
        "https%3A%2F%2Fapp-shop.azurewebsites.net%2F.auth%2Flogin%2Faad%2Fcallback and then 403. {extra}")


def test_easy_auth_behind_a_proxy_names_forward_proxy_unless_it_is_set() -> None:
    final, _ = _final(EASY.format(extra=""))
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "forwardProxy" in final.report.root_cause
    set_already, _ = _final(EASY.format(extra="httpSettings.forwardProxy convention is Standard already."))
    assert not (isinstance(set_already, Conclude) and "forwardProxy convention is set" in set_already.report.root_cause
                and set_already.report.category == "config.missing_app_setting")


JOB = ("{command}\nExecution log:\nTraceback (most recent call last):\n  File \"/app/run.py\", line 3, in <module>\n"
       "    url = os.environ[\"DB_URL\"]\nKeyError: 'DB_URL'\nDB_URL is set on the job.")


def test_job_start_with_overrides_replaces_the_template() -> None:
    final, _ = _final(JOB.format(command="az containerapp job start -n job1 -g rg --env-vars MODE=full"))
    assert isinstance(final, Conclude) and "template" in final.report.root_cause
    plain, _ = _final(JOB.format(command="az containerapp job start -n job1 -g rg"))
    assert not (isinstance(plain, Conclude) and "override" in plain.report.root_cause)


PULL = ("Web app container pulls from ACR with user-assigned identity id-web-pull (acrUseManagedIdentityCreds true).\n"
        "ERROR - DockerApiException: ... unauthorized: authentication required\nERROR - Image pull failed: Verify "
        "docker image configuration\n{when}")


def test_a_deploy_step_that_drops_the_pull_identity_only_when_reprovisioning_mends_it() -> None:
    final, _ = _final(PULL.format(when="Re-running the Bicep deployment fixes it until the next deploy."))
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"
    assert "acrUserManagedIdentityID" in final.report.root_cause
    always, _ = _final(PULL.format(when="It has never worked since we created the app."))
    assert not (isinstance(always, Conclude) and "rewrites the site configuration" in always.report.root_cause)


SHARE_429 = ('storage.FileSharesClient#Update: Failure responding to request: StatusCode=429 -- Original Error: '
             'Code="TooManyRequests" Message="The request is being throttled as the limit has been reached for '
             'operation type - Write_ObservationWindow_00:00:01."\n')


def test_share_account_limit_behind_the_throttled_retries_is_the_cause() -> None:
    final, _ = _final(SHARE_429 + 'expand volume error: StatusCode=409 Code="TotalSharesProvisionedCapacityExceedsAcc'
                                  'ountLimit" Message="The total provisioned capacity of the shares '
                                  'exceeds the account '
                                  'limit."')
    assert isinstance(final, Conclude) and final.report.category == "quota.exceeded"
    assert "storage account" in final.report.root_cause
    throttled, _ = _final(SHARE_429)
    assert isinstance(throttled, Conclude) and throttled.report.category == "throttling.rate_limited"


BOTH = ("DefaultAzureCredential call fails: (Forbidden) Caller is not authorized to perform action on resource. "
        "Code: ForbiddenByRbac\nBicep: identity: {{ type: 'SystemAssigned, UserAssigned' }}\nThe "
        "user-assigned identity "
        "id-api has Key Vault Secrets User on the vault.{extra}")


def test_both_identities_without_a_client_id_signs_in_as_the_system_assigned_one() -> None:
    final, _ = _final(BOTH.format(extra=""))
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "system-assigned" in final.report.root_cause
    told, _ = _final(BOTH.format(extra=" AZURE_CLIENT_ID is set to its client id."))
    assert not (isinstance(told, Conclude) and told.report.category == "auth.managed_identity_missing")


NSG_IN_USE = ('Code="InUseNetworkSecurityGroupCannotBeDeleted" Message="Network security group '
              '/subscriptions/0/resourceGroups/'
              'rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a cannot be deleted because it '
              'is in use by the '
              'following resources: /subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/'
              'subnets/s. In order to delete the Network security group, remove the association with the resource(s)."')


def test_in_use_nsg_deleted_by_the_clients_teardown_code_is_its_delete_order() -> None:
    code = ("Our cleanup job (Java, azure-resourcemanager) fails:\ncom.azure.core.management.exception."
            "ManagementException: Status code 400, " + NSG_IN_USE)
    final, _ = _final(code)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "before" in final.report.root_cause
    # the bare refusal (a portal delete, a template) stays the association that blocks it
    assert best_entry_id(NSG_IN_USE) == "compute-in-use-nsg-cannot-be-deleted"


APIM = ("az deployment group create: "
        "{{\"code\":\"DeploymentFailed\",\"details\":[{{\"code\":\"BadRequest\",\"message\":\"\"}}]}}\n"
        "resource p 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {{\n  parent: "
        "api\n  name: '{name}'\n"
        "  properties: {{ format: 'rawxml', value: loadTextContent('p.xml') }}\n}}\n")


def test_apim_policy_resource_named_otherwise_than_policy() -> None:
    final, _ = _final(APIM.format(name="cors-policy"))
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "'policy'" in final.report.root_cause
    right, _ = _final(APIM.format(name="policy"))
    assert not (isinstance(right, Conclude) and "accepts only" in right.report.root_cause)
