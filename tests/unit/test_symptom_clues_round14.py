"""Round 14 symptom clues: a report without an error code that names a known symptom asks the one command that
decides (or concludes at medium confidence when the report already states the deciding fact); a near miss does not
route to the clue."""

from __future__ import annotations

from shared.session.state import AskClient
from tests.helpers.clue_checks import asks as _asks
from tests.helpers.clue_checks import concludes as _concludes
from tests.helpers.clue_checks import final_of as _final


def test_a_flex_consumption_blob_trigger_that_never_fires_needs_the_event_grid_source():
    assert _concludes("We moved the app to Flex Consumption and now the blob trigger does not fire at all when files "
                      "are uploaded to the container.", "functions.host_misconfigured")
    asked = _final("Our blob trigger on Flex Consumption does not fire. It uses source=\"EventGrid\" and an Event "
                   "Grid subscription on the account.")
    assert isinstance(asked, AskClient) and "Flex Consumption" in asked.request.question


def test_a_blob_trigger_that_fires_minutes_late_on_consumption_is_the_polling_latency():
    assert _concludes("Our blob trigger fires 5 to 10 minutes after the file is uploaded. The function app is on the "
                      "Consumption plan.", "functions.host_misconfigured")
    assert _asks("The blob trigger sometimes misses blobs in a container with millions of files.",
                 "fires late or misses blobs")
    assert not _asks("Uploading the blob with azcopy is slow: it takes 10 minutes for 2 GB.",
                     "fires late or misses blobs")


def test_a_queue_trigger_whose_messages_land_in_the_poison_queue_is_the_message_encoding():
    assert _concludes("The queue trigger is not picking up messages; every message ends up in the orders-poison "
                      "queue. We send them with the new QueueClient from Azure.Storage.Queues.",
                      "runtime.code_defect")  # the sender's plain text (round 29: as the catalog's not-base64 entry)
    assert _asks("Our queue trigger never picks up messages; they disappear from the queue after a while.",
                 "poison queue")
    assert not _asks("Our Service Bus queue trigger never picks up messages.", "poison queue")


def test_a_function_app_that_stops_after_the_storage_firewall_is_enabled_is_the_storage_firewall():
    assert _concludes("After we enabled the storage account firewall (selected networks) our function app on the "
                      "Consumption plan stopped firing its triggers.", "network.storage_firewall")
    assert _asks("After we enabled the storage account firewall our function app's triggers stopped firing.",
                 "network access was restricted")
    assert not _asks("After we added a private endpoint for the storage account our function app stopped working "
                     "behind the firewall.", "network access was restricted")


def test_a_consumption_function_cut_at_five_minutes_is_the_function_timeout():
    assert _concludes("Our function on the Consumption plan stops after exactly 5 minutes, the rest of the work "
                      "never runs.", "runtime.timeout")
    assert _asks("The function app is killed after 10 minutes although host.json sets functionTimeout.",
                 "fixed number of minutes")
    assert not _asks("Our function on the Consumption plan takes 5 minutes to deploy from the pipeline.",
                     "fixed number of minutes")


def test_an_event_hubs_trigger_that_starts_over_after_a_restart_is_missing_checkpoints():
    asked = _final("After every restart our Event Hubs trigger processes the old events again from the beginning.")
    assert isinstance(asked, AskClient) and "azure-webjobs-eventhub" in asked.request.suggested_commands[0]
    assert _concludes("Since we changed AzureWebJobsStorage to the new account, our Event Hubs triggered function "
                      "reprocesses all old events after every restart.", "functions.host_misconfigured")


def test_service_bus_messages_dead_lettered_although_processed_are_the_lock_duration():
    assert _asks("Messages on our Service Bus queue keep going to the dead-letter queue after a few minutes, the "
                 "function processes them successfully though.", "lock duration")
    assert _concludes("Service Bus messages are dead-lettered: the handler takes 3 minutes and the log says the "
                      "lock was lost before completion.", "runtime.timeout")


def test_service_bus_messages_dead_lettered_ask_for_the_dead_letter_reason():
    assert _asks("Service Bus messages end up in the dead-letter queue of our orders subscription.",
                 "DeadLetterReason")
    assert not _asks("Our Storage queue messages end up in the dead-letter queue.", "DeadLetterReason")


def test_settings_that_follow_a_slot_swap_are_not_sticky():
    assert _asks("After the slot swap production uses the staging database connection string; the settings came "
                 "along with the swap.", "slot swap")
    assert _concludes("After swapping staging into production the app points at the staging database. The "
                      "connection string is not marked as a deployment slot setting.",
                      "config.invalid_connection_string")
    assert not _asks("The slot swap to production takes 20 minutes to complete.", "slot swap")


def test_a_custom_domain_that_answers_404_on_app_service_is_the_host_name_binding():
    assert _asks("I added a CNAME for my custom domain to my App Service and it returns 404 while the "
                 "azurewebsites.net URL works.", "custom domain answers 404")
    assert _concludes("Our custom domain shows '404 Web Site not found' from the web app, the azurewebsites.net "
                      "address works.", "config.wrong_resource_name")
    assert not _asks("The custom domain on my Static Web App returns 404.", "custom domain answers 404")


def test_a_custom_domain_served_with_the_azurewebsites_certificate_has_no_tls_binding():
    assert _concludes("The custom domain on my App Service shows NET::ERR_CERT_COMMON_NAME_INVALID, the certificate "
                      "is issued to *.azurewebsites.net.", "auth.credential_invalid")
    assert _asks("Browsers say our custom domain on the web app is not secure.", "certificate on the custom domain")


def test_intermittent_outbound_failures_from_app_service_are_snat_exhaustion():
    assert _concludes("Our App Service gets intermittent outbound connection timeouts to an external API; SNAT port "
                      "exhaustion shows in diagnostics.", "runtime.code_defect")
    assert _asks("Calls to a third-party REST API from our web app time out under heavy load, at night all is fine.",
                 "SNAT")
    assert not _asks("Our App Service returns 500 for every request since the last deployment.", "SNAT")


def test_a_container_that_starts_slower_than_app_service_waits_is_the_start_time_limit():
    assert _concludes("Web App for Containers: the container takes 5 minutes to start and App Service keeps "
                      "restarting it before it is ready.", "runtime.timeout")
    assert _asks("Our custom container on App Service has a slow start-up because it loads a large model.",
                 "long time to start")


def test_a_custom_container_listening_on_another_port_needs_websites_port():
    assert _concludes("My custom container on App Service Linux never starts; the app listens on port 3000 and the "
                      "site shows Application Error.", "config.missing_app_setting")
    assert _asks("The docker image never starts on our web app; the port is configured in the Dockerfile.",
                 "WEBSITES_PORT")
    assert not _asks("The docker image never starts on our web app; it exits with code 1 after a stack trace.",
                     "WEBSITES_PORT")


def test_a_static_web_app_route_that_404s_on_refresh_needs_a_navigation_fallback():
    assert _asks("My React app on Azure Static Web Apps returns 404 when I refresh the page on /products, "
                 "navigating inside the app works.", "navigationFallback")
    assert _concludes("Deep links to our Static Web App answer 404 Not Found; we do not have a "
                      "staticwebapp.config.json.", "config.missing_app_setting")
    assert not _asks("Our Static Web App's API returns 404 for /api/items.", "navigationFallback")


def test_aks_pods_that_stay_pending_ask_for_the_scheduler_events():
    asked = _final("Pods stay in Pending on our AKS cluster after scaling the deployment to 10 replicas.")
    assert isinstance(asked, AskClient) and "kubectl describe pod" in asked.request.suggested_commands[0]
    assert not _asks("Pods stay Pending in AKS: 0/3 nodes are available: 3 Insufficient cpu.", "autoscaler settings")


def test_aks_nodes_not_ready_after_an_egress_change_are_the_egress_rules():
    assert _asks("One AKS node shows NotReady since this morning and pods on it are being evicted.",
                 "report NotReady")
    assert _concludes("Since we attached a route table to the AKS subnet that sends egress to our firewall, the "
                      "nodes are NotReady.", "network.nsg_blocked")
    assert not _asks("The AKS pod is not ready because its readiness probe fails.", "report NotReady")


def test_an_aks_load_balancer_service_whose_external_ip_stays_pending_asks_for_the_service_events():
    asked = _final("In AKS the LoadBalancer service EXTERNAL-IP stays <pending> for hours.")
    assert isinstance(asked, AskClient) and "kubectl describe service" in asked.request.suggested_commands[0]
    assert not _asks("The AKS LoadBalancer service has an external IP but the browser times out.",
                     "never gets an external IP")
