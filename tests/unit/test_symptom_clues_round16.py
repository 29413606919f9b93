"""Round 16 symptom clues (data, identity and infrastructure): a report without an error code that names a known
symptom asks the one command that decides (or concludes at medium confidence when the report already states the
deciding fact); a near miss does not route to the clue."""

from __future__ import annotations

from tests.helpers.clue_checks import asks as _asks
from tests.helpers.clue_checks import concludes as _concludes


def test_cosmos_throttling_with_a_low_average_is_a_hot_partition():
    assert _asks("Our Cosmos DB container gets throttled during the nightly import although the average RU "
                 "consumption is only 20% of what we provisioned.", "average throughput use looks low")
    assert _concludes("Cosmos DB keeps throttling our writes. The metrics show one partition key range at 100% "
                      "while the others are idle, average usage only 15% of the RU/s.", "throttling.rate_limited")
    assert not _asks("Our Cosmos DB account was throttled after we lowered the provisioned throughput.",
                     "average throughput use looks low")


def test_cosmos_latency_with_several_regions_is_the_preferred_region():
    assert _asks("Reads from Cosmos DB take 250 ms from our App Service in West Europe; the account is "
                 "replicated to two regions.", "more than one region is involved")
    assert _concludes("Cosmos DB point reads are slow (200 ms) from our app in Australia East; the account has a "
                      "replica there but ApplicationPreferredRegions is not set in the client.",
                      "config.invalid_connection_string")
    assert not _asks("Our Cosmos DB latency is high in every region.", "more than one region")


def test_a_slow_cosmos_query_asks_for_the_query_and_its_metrics():
    assert _asks("A Cosmos DB query that lists orders by date takes 8 seconds and the request charge is 4000 RUs.",
                 "costs many request units")
    assert _concludes("Our Cosmos DB query is slow: it filters on status without the partition key, so it runs "
                      "across all partitions.", "runtime.code_defect")
    assert not _asks("The Cosmos DB account creation is slow in the portal.", "costs many request units")


def test_azure_sql_timeouts_under_load_ask_for_the_resource_usage():
    assert _asks("Our Azure SQL database starts to time out under heavy load during peak hours; at night "
                 "everything is fast.", "times out or drops connections under load")
    assert _concludes("The Azure SQL database times out under load, the DTU percentage is at 100% during "
                      "the load test.", "throttling.rate_limited")
    assert not _asks("Our Azure SQL database times out when we connect from home.",
                     "times out or drops connections under load")


def test_a_sql_failover_group_switch_that_breaks_logins_is_the_listener():
    assert _asks("After the failover group switched to the secondary region our app cannot connect to the Azure "
                 "SQL database any more, logins time out.", "After the failover the app cannot connect")
    assert _concludes("After a geo-failover of our failover group the Azure SQL writes fail; the connection string "
                      "points to the primary server name directly.", "config.invalid_connection_string")


def test_too_many_connections_on_postgres_asks_for_max_connections():
    assert _asks("Our Azure Database for PostgreSQL flexible server ran out of connections during the sale; the app "
                 "cannot get a connection.", "too many are open")
    assert _concludes("The MySQL flexible server hits max_connections because the function opens a new connection "
                      "for every request.", "quota.exceeded")
    assert not _asks("Our PostgreSQL flexible server is slow for reports.", "too many are open")


def test_a_flexible_server_that_turned_read_only_is_the_storage():
    assert _asks("Suddenly our PostgreSQL flexible server is read-only and all inserts fail, reads still work.",
                 "turned read-only")
    assert _concludes("Our MySQL flexible server went read-only; storage usage is at 96% in the portal.",
                      "quota.exceeded")
    assert not _asks("We cannot write to the PostgreSQL read replica, it is read-only.", "turned read-only")


def test_a_sas_that_worked_then_stopped_is_its_time_window():
    assert _asks("The SAS URL for the blob container worked yesterday and stopped working this morning.",
                 "The SAS worked and then stopped")
    assert _concludes("Our SAS token used to work, now uploads fail: the token has expired according to se=.",
                      "auth.credential_invalid")
    assert not _asks("How do I create a SAS for a container?", "The SAS worked and then stopped")


def test_key_vault_throttling_when_secrets_are_read_per_request():
    assert _asks("Our API gets throttled by Key Vault under load since we scaled out to 10 instances.",
                 "Key Vault throttles")
    assert _concludes("Key Vault returns throttling errors: our code calls get_secret on every request and there "
                      "is no caching.", "throttling.rate_limited")
    assert not _asks("Key Vault is slow to create in the portal.", "Key Vault throttles")


def test_a_role_assigned_minutes_ago_still_denied_asks_for_the_assignments():
    assert _asks("I assigned the Storage Blob Data Reader role to the function's identity a few minutes ago but "
                 "it still gets access denied.", "still denied")
    assert _concludes("We granted the Key Vault Secrets User role a few minutes ago and got access denied; it "
                      "worked after waiting 15 minutes and a restart.", "auth.rbac_missing")


def test_a_token_accepted_by_one_api_and_rejected_by_another_is_the_audience():
    assert _asks("Our access token works for Microsoft Graph but our own web API rejects it.",
                 "works for one API and is rejected by another")
    assert _concludes("The token works with Graph but our custom API rejects it: the aud claim is "
                      "00000003-0000-0000-c000-000000000000.", "auth.credential_invalid")
    assert not _asks("Our web API returns 401 for every token since yesterday.",
                     "works for one API and is rejected by another")


def test_github_oidc_login_that_fails_for_pull_requests_is_the_subject():
    assert _asks("In GitHub Actions azure/login with OIDC works on main but fails on pull requests.",
                 "works for some workflow runs and fails for others")
    assert _concludes("Our GitHub Actions workflow fails at azure/login with OIDC for the release job; the subject "
                      "is repo:contoso/shop:environment:production.", "auth.credential_invalid")
    assert not _asks("azure/login fails in our GitHub Actions workflow with an expired client secret.",
                     "works for some workflow runs")


def test_a_devops_service_connection_for_one_subscription_only():
    assert _asks("Our Azure DevOps service connection works for the dev subscription but deployments to another "
                 "subscription fail.", "works for one subscription but not another")
    assert _concludes("The deployments to the other subscription fail; the service connection was scoped to one "
                      "resource group.", "auth.rbac_missing")
    assert not _asks("Our service connection fails with an expired secret.", "works for one subscription")


def test_aks_pods_that_cannot_resolve_names_ask_for_a_lookup_from_a_pod():
    assert _asks("In our AKS cluster the pods have DNS problems: nslookup from a pod times out, names of external "
                 "services do not resolve.", "cannot resolve names")
    assert not _asks("Our AKS pods cannot reach the private endpoint of the database; privatelink.database is used.",
                     "cannot resolve names")


def test_a_deployment_that_deletes_resources_is_complete_mode():
    assert _asks("After running the Bicep deployment two storage accounts in the resource group were deleted.",
                 "deletes (or what-if shows it would delete)")
    assert _concludes("what-if shows 3 resources to delete although the template only adds a web app; the pipeline "
                      "uses deploymentMode: 'Complete'.", "deployment.template_invalid")
    assert not _asks("The Bicep deployment fails because the storage account name is taken.",
                     "deletes (or what-if shows it would delete)")


def test_a_peering_that_is_connected_but_passes_no_traffic():
    assert _asks("The VNet peering status is Connected on both sides but the VM cannot reach the other VM, pings "
                 "time out.", "shows Connected but the traffic does not pass")
    assert _concludes("The peering between our two spokes is Connected but spoke to spoke traffic through the hub "
                      "firewall times out.", "network.nsg_blocked")


def test_near_misses_of_the_role_peering_and_failover_clues():
    assert not _asks("We removed the role assignment on purpose; how do we audit who had it?", "still denied")
    assert not _asks("How do I create a VNet peering between two subscriptions?", "shows Connected")
    assert not _asks("How do I create a failover group for Azure SQL?", "After the failover the app cannot connect")
