"""Round 18 symptom clues (Logic Apps and Power Automate, API Management, WAF and Front Door, Event Grid and Event
Hubs, Static Web Apps, AKS networking): a report without an error code that names a known symptom asks the one
command that decides (or concludes at medium confidence when the report already states the deciding fact); a near
miss does not route to the clue."""

from __future__ import annotations

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import asks as _asks
from tests.helpers.clue_checks import concludes as _concludes


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_standard_logic_app_down_behind_storage_private_endpoints_asks_for_the_endpoints():
    assert _asks("Our Standard logic app is down: the Overview shows Error in the Runtime version field and none of "
                 "the workflows are listed since we put the storage account behind private endpoints.",
                 "cannot work with its storage account")
    assert _concludes("Our Standard logic app is down: the Overview shows Error in the Runtime version field since "
                      "we put the storage account behind private endpoints; we only created a private endpoint for "
                      "the blob service.", "network.private_endpoint_dns")
    assert _clue("Our Consumption logic app fails on the Azure Blob Storage action with a private endpoint."
                 ) != "logic-app-standard-runtime-cannot-reach-storage"


def test_a_trigger_that_does_not_fire_asks_for_the_trigger_history():
    assert _asks("Our Logic App trigger is not firing. New files arrive in the SharePoint folder every hour but no "
                 "run starts.", "trigger history")
    assert _concludes("Our Logic App trigger is not firing; the trigger history shows Skipped every time although new "
                      "files arrive in the SharePoint folder.", "config.wrong_resource_name")
    assert _clue("Our function app's timer trigger does not fire since we moved to the Consumption plan."
                 ) != "logic-app-trigger-skipped-no-new-data"
    assert _clue("My GitHub Actions workflow is not triggered on pull requests.") is None


def test_runs_stuck_waiting_are_the_trigger_concurrency_limit():
    assert _asks("New runs of our Logic App stay in Waiting status and never start; an older run has been Running "
                 "for two days.", "concurrency control")
    assert _concludes("New runs of our Logic App stay in Waiting status; the trigger has concurrency control on with "
                      "degree of parallelism 1 and one run is stuck.", "throttling.rate_limited")
    assert _clue("Our Logic App run failed at the Compose action after 3 seconds."
                 ) != "logic-app-runs-waiting-trigger-concurrency"
    assert _clue("Our GitHub Actions workflow run is stuck in Waiting for a runner for hours.") is None


def test_a_connection_to_fix_is_a_connection_that_needs_signing_in_again():
    assert _asks("My Power Automate flow stopped working; the flow checker says to fix the connection for "
                 "SharePoint.", "authenticated again")
    assert _concludes("My Power Automate flow stopped working; the flow checker says to fix the connection for "
                      "SharePoint. The account owner changed their password last week.", "auth.credential_invalid")
    assert _clue("My Power Automate flow fails at the Condition step: the expression is invalid."
                 ) != "logic-app-or-flow-connection-needs-reauthorization"
    assert _clue("Please help me fix the connection to my SQL database, the app times out.") is None


def test_a_vnet_injected_api_management_that_cannot_reach_the_backend_asks_for_network_status():
    assert _asks("Calls through API Management to our backend fail with timeouts; APIM is in internal VNet mode "
                 "and the backend answers from a VM in the same VNet.", "network status")
    assert _concludes("Calls through API Management to our backend time out; APIM is injected in our VNet and the "
                      "subnet has a route 0.0.0.0/0 to our firewall (forced tunneling).", "network.nsg_blocked")
    assert _clue("Calls through API Management fail with timeouts for our public backend; the instance is not in "
                 "a VNet.") != "apim-vnet-instance-cannot-reach-backend"


def test_api_management_500_on_a_self_signed_backend_is_the_certificate_trust():
    assert _asks("API Management returns 500 for every call since the backend certificate was renewed; calling "
                 "the backend directly works.", "which certificate the backend presents")
    assert _concludes("API Management returns 500 when calling our HTTPS backend which uses a self-signed "
                      "certificate; calling the backend directly works.", "auth.credential_invalid")
    assert _clue("API Management returns 500 when calling our HTTPS backend; calling the backend directly works."
                 ) is None


def test_a_waf_block_with_the_matched_rule_in_the_log_is_a_managed_rule_false_positive():
    assert _asks("Our Application Gateway WAF blocks legitimate form posts, users see a 403 page.",
                 "WAF log entries")
    assert _concludes("Our Application Gateway WAF blocks legitimate POST requests with 403 Forbidden; the firewall "
                      "log shows ruleId 942430 matched.", "network.nsg_blocked")
    assert _clue("Our storage account answers 403 Forbidden to the app; it has no WAF in front."
                 ) != "waf-managed-rule-blocks-legitimate-requests"


def test_a_front_door_custom_domain_stuck_pending_is_the_dnsauth_record():
    assert _asks("Our Front Door custom domain is stuck in Pending validation state and the managed certificate is "
                 "never issued.", "_dnsauth")
    assert _concludes("Our Front Door custom domain is stuck in Pending; we did not add the TXT record because we "
                      "only created the CNAME.", "network.dns_resolution")
    assert _clue("Our App Service custom domain shows the certificate as Pending.") \
        != "front-door-custom-domain-validation-pending"


def test_a_failed_event_grid_endpoint_validation_is_the_handshake():
    assert _asks("Creating an Event Grid subscription fails: The attempt to validate the provided endpoint "
                 "https://x.azurewebsites.net/api/hook failed.", "SubscriptionValidationEvent")
    assert _concludes("Creating an Event Grid subscription to our HTTP trigger function fails: The attempt to "
                      "validate the provided endpoint https://x.azurewebsites.net/api/hook failed.",
                      "runtime.code_defect")
    assert _clue("Our Event Grid topic publishes fine and the subscription was validated.") \
        != "event-grid-webhook-validation-handshake-fails"


def test_events_that_never_arrive_ask_for_the_subscription_filters():
    assert _asks("Our Event Grid subscription exists but our function never receives any events from the storage "
                 "account.", "Unmatched")
    assert _concludes("Our Event Grid subscription exists but our function never receives events; the metrics show "
                      "Unmatched Events 120 for the subscription.", "config.wrong_resource_name")
    assert _clue("Our blob trigger on Flex Consumption does not fire. It uses source=\"EventGrid\" and an Event Grid "
                 "subscription on the account.") != "event-grid-events-not-reaching-subscriber"


def test_dead_lettered_events_ask_for_the_dead_letter_reason():
    assert _asks("Events from our Event Grid topic end up in the dead-letter container and the webhook receives "
                 "nothing.", "deadLetterReason")
    assert _concludes('Events from our Event Grid topic end up in the dead-letter container: "deadLetterReason": '
                      '"MaxDeliveryAttemptsExceeded", "lastHttpStatusCode": 500', "runtime.code_defect")
    assert _clue("Our Service Bus queue moves messages to the dead-letter queue after 10 deliveries.") \
        != "event-grid-events-dead-lettered"


def test_a_lagging_event_processor_asks_for_the_checkpoint_account_settings():
    assert _asks("Our Event Hubs EventProcessorClient keeps falling behind and the checkpoint updates to the blob "
                 "container are slow.", "hierarchical namespace")
    assert _concludes("Our Event Hubs EventProcessorClient keeps falling behind and checkpoints are slow; the "
                      "checkpoint storage account has hierarchical namespace enabled.",
                      "config.invalid_connection_string")
    assert _clue("Our Event Hubs producer gets ServerBusy when sending batches.") \
        != "event-hubs-checkpoint-store-account-settings"


def test_static_web_app_api_routes_that_answer_404_ask_for_api_location():
    assert _asks("Our Static Web App frontend works but all /api calls return 404 after deployment.",
                 "api_location")
    assert _concludes('Our Static Web App frontend works but all /api calls return 404; in the workflow '
                      'api_location: "" is set.', "config.wrong_resource_name")
    assert _clue("Our Static Web App shows 404 when I refresh the /products page; the root page works.") \
        != "static-web-apps-api-routes-404"


def test_static_web_app_settings_undefined_in_the_browser_are_build_time_values():
    assert _asks("In our Static Web App, the environment variables we set in the portal configuration are "
                 "undefined.", "front-end code in the browser")
    assert _concludes("In our Static Web App, the environment variables we set in the portal are undefined in the "
                      "React frontend (REACT_APP_API_URL).", "config.missing_app_setting")
    assert _clue("In our App Service, the environment variables we set in the portal configuration are undefined."
                 ) != "static-web-apps-frontend-env-vars-undefined"


def test_static_web_app_401_instead_of_the_login_page_is_a_missing_response_override():
    assert _asks("Static Web Apps: unauthenticated users get a 401 page instead of being redirected to the login "
                 "page.", "responseOverrides")
    assert _concludes("Static Web Apps: unauthenticated users get a 401 page instead of the login page; we have no "
                      "responseOverrides in staticwebapp.config.json.", "config.missing_app_setting")
    assert _clue("Our App Service returns 401 to users who are not signed in.") \
        != "static-web-apps-unauthenticated-401-not-redirected"


def test_pods_without_internet_access_ask_for_the_outbound_path():
    assert _asks("Pods in our AKS cluster cannot reach the internet; outbound calls to external APIs time out.",
                 "outbound type")
    assert _concludes("Pods in our AKS cluster cannot reach the internet; outbound calls to external APIs time out. "
                      "The cluster uses outboundType userDefinedRouting through Azure Firewall.",
                      "network.nsg_blocked")
    assert _clue("Pods in our AKS cluster cannot reach the internet: lookups fail with no such host.") \
        != "aks-pods-outbound-blocked-by-firewall-route"


def test_an_ingress_502_or_503_for_running_pods_asks_for_the_endpoints():
    assert _asks("Our AKS NGINX ingress returns 502 Bad Gateway for one service; the pods are Running.",
                 "kubectl get endpoints")
    assert _concludes("Our AKS NGINX ingress returns 503 for one service; kubectl get endpoints shows <none> for it.",
                      "config.wrong_resource_name")
    assert _clue("Our AKS ingress through Application Gateway (AGIC) returns 502 for one service.") \
        != "aks-ingress-502-503-service-without-endpoints"
