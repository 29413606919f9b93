"""Edges of the network analyzers: what DNS answers decide, honest confidence, no invented hosts."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import run_engine

TIMEOUT = ("ServiceRequestError: HTTPSConnectionPool(host='kv-app-prod.vault.azure.net', port=443): Max retries "
           "exceeded (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, 'Connection to "
           "kv-app-prod.vault.azure.net timed out. (connect timeout=10)'))")
PUBLIC = ("Non-authoritative answer:\nName:\tkv-app-prod.vault.azure.net\nAddress: 52.168.109.101\n")


def test_a_timeout_without_a_host_asks_with_a_placeholder_not_an_invented_name() -> None:
    outcome = run_engine({"error_description": "Connection timed out after 21 seconds while calling our Azure API"})
    assert isinstance(outcome.final, AskClient)
    assert "nslookup <service-host>" in outcome.final.request.suggested_commands


def test_a_public_answer_without_any_private_endpoint_signal_is_never_confident() -> None:
    # round 37 (neg30): a public answer is what a service without a private endpoint gives, so with no private
    # endpoint named the timeout points at the network path (NSG, route, firewall) at low confidence, no longer at a
    # private DNS gap at medium
    outcome = run_engine({"error_description": TIMEOUT}, [{"when_asked_contains": "nslookup", "answer": PUBLIC}])
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "network.nsg_blocked"
    assert outcome.final.report.confidence == "low"


def test_a_timeout_to_a_storage_account_goes_to_the_storage_firewall_analyzer() -> None:
    error = "Connection timed out while uploading to storage account 'stlogs01' from our Azure function."
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, AskClient)
    assert "networkRuleSet" in outcome.final.request.question


def test_an_unresolvable_privatelink_name_points_at_the_private_dns_zone() -> None:
    error = "Failed to resolve 'stdata01.privatelink.blob.core.windows.net' ([Errno -2] Name or service not known)"
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "network.private_endpoint_dns"


def test_nxdomain_for_the_failing_host_concludes_at_medium_from_the_text_alone() -> None:
    error = "getaddrinfo ENOTFOUND cosmos-shop-prd.documents.azure.com"
    answer = ("Server: 168.63.129.16\nAddress: 168.63.129.16#53\n\n"
              "** server can't find cosmos-shop-prd.documents.azure.com: NXDOMAIN")
    outcome = run_engine({"error_description": error + "\n" + answer})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.confidence == "medium"  # no Azure read or answer confirmed it: text alone
    assert "az resource list --name cosmos-shop-prd" in " ".join(outcome.final.report.actions)


_DENIED_UPLOAD = ("AzCopy upload from our Microsoft-hosted agent fails:\nRESPONSE Status: 403 This request is not "
                  "authorized to perform this operation.\nX-Ms-Error-Code: [AuthorizationFailure]\n"
                  "PUT https://stsite01.blob.core.windows.net/$web/index.html\n")


def test_a_report_saying_selected_networks_concludes_the_firewall_without_asking() -> None:
    outcome = run_engine({"error_description": _DENIED_UPLOAD + "The account is set to \"Selected networks\" with "
                                                                 "two office IP ranges."})
    assert not outcome.requests
    report = outcome.envelope()["report"]
    assert (report["category"], report["confidence"]) == ("network.storage_firewall", "medium")
    assert "selected networks" in str(report["evidence"]).lower()


def test_a_denied_selected_networks_statement_leaves_the_question_for_the_rules() -> None:
    outcome = run_engine({"error_description": _DENIED_UPLOAD + "The account isn't restricted to selected networks."})
    assert isinstance(outcome.final, AskClient)
    assert "networkRuleSet" in outcome.final.request.question


def test_a_private_endpoint_name_that_resolves_publicly_in_the_report_is_dns_not_the_firewall() -> None:
    error = ("Blob private endpoint with zone privatelink.blob.core.windows.net; azcopy from the laptop on the VPN "
             "fails with 403 AuthorizationFailure. From the VM:\nnslookup st01.blob.core.windows.net\n"
             "Non-authoritative answer:\nName: st01.privatelink.blob.core.windows.net\nAddress: 10.42.3.4\n\n"
             "From the laptop:\nnslookup st01.blob.core.windows.net\nServer: fritz.box\nAddress: 192.168.178.1\n"
             "Non-authoritative answer:\nName: blob.ams23prdstr05a.store.core.windows.net\nAddress: 20.60.222.36\n")
    report = run_engine({"error_description": error}).envelope()["report"]
    assert report["category"] == "network.private_endpoint_dns"
    assert "20.60.222.36" in report["root_cause"] and "10.42.3.4" not in report["root_cause"]


def test_service_health_listing_incidents_for_the_subscription_is_a_platform_incident() -> None:
    text = ("Since Monday our VM agents fail to provision; nothing changed in our templates. The portal's Service "
            "Health section shows we are subject to 2 incidents (virtual machines, East US 2).")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "platform.service_incident" and "East US 2" in report["root_cause"]
    quiet = text.replace("shows we are subject to 2 incidents (virtual machines, East US 2)", "shows no incidents")
    assert (run_engine({"error_description": quiet}).envelope().get("report") or {}).get("category") != \
        "platform.service_incident"


def test_an_unresolved_server_name_in_a_vnet_injected_setup_is_the_private_zone_not_seen() -> None:
    error = ('The app is VNet-integrated into snet-app of the same VNet, the server is in its dedicated subnet.\n'
             'django.db.utils.OperationalError: could not translate host name "db1.postgres.database.azure.com" '
             'to address: Name or service not known')
    report = run_engine({"error_description": error}).envelope()["report"]
    assert report["category"] == "network.private_endpoint_dns"
    assert "db1.postgres.database.azure.com" in report["root_cause"] and "linked" in report["root_cause"]
