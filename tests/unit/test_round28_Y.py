"""Round 28, helper Y (the twenty-first session's development cases): the address a client reports as its own
(an IP echo service's answer too) named by a firewall finding when no rule admits it; Confluent Cloud's and
RabbitMQ's login refusals out of scope; a 403 of one client of a private-only geo account while another works; an
unchanged deployment that fails now and then and passes on re-run; an app still resolving through DNS servers
that are gone; the resource whose key a client sends, where the report compares key endings."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.entities import key_owner
from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import table_entry
from shared.engines.clues import clue_in
from shared.engines.playbooks import rule_facts
from shared.engines.session_reads import FINDINGS, stated_outbound
from shared.session.state import Conclude
from tests.helpers.engine_loop import out_of_scope_report, run_engine
from tests.helpers.finding_checks import extracted, finding_id, finding_report, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
EVENT_HUBS = "event-hubs-network-rules-deny-other-addresses"


def _rule_set(*masks: str) -> dict[str, Any]:
    body = {"properties": {"defaultAction": "Deny", "publicNetworkAccess": "Enabled",
                           "ipRules": [{"ipMask": m, "action": "Allow"} for m in masks], "virtualNetworkRules": []}}
    return {"type": "Microsoft.EventHub/namespaces/networkRuleSets", "name": "default",
            **extracted("Microsoft.EventHub", "namespaces/networkRuleSets", body)}


REFUSED = ("azure.eventhub.exceptions.AuthenticationError: CBS Token authentication failed. Error: "
           "amqp:unauthorized-access Description: Ip has been prevented to connect to the endpoint.\n"
           "The site moved to a new provider; `curl ifconfig.me` on the gateway now shows 198.51.100.37.")


def test_an_event_hubs_firewall_names_the_reported_address_no_rule_admits() -> None:
    state = reads_state(REFUSED, [_rule_set("203.0.113.16/29", "192.0.2.200/32")])
    assert finding_id(state) == EVENT_HUBS
    assert "198.51.100.37, is in none of the IP rules" in finding_report(state).root_cause


def test_an_address_a_rule_admits_or_an_address_not_the_clients_is_not_named() -> None:
    admitted = reads_state(REFUSED, [_rule_set("198.51.100.0/24")])
    assert finding_id(admitted) == EVENT_HUBS
    assert "in none of the IP rules" not in finding_report(admitted).root_cause
    # an address in the log that the client does not call its own (a server's, a broker's) is no caller address
    server = REFUSED.replace("`curl ifconfig.me` on the gateway now shows", "the broker answered from")
    assert "in none of the IP rules" not in finding_report(reads_state(server, [_rule_set("203.0.113.16/29")])
                                                           ).root_cause


def test_an_ip_echo_service_answer_is_the_callers_address() -> None:
    for said in ("curl -s https://api.ipify.org prints 198.51.100.9", "whatismyip says 198.51.100.9",
                 "our external IP is 198.51.100.9"):
        assert stated_outbound(reads_state(said, [])) == ["198.51.100.9"]
    assert stated_outbound(reads_state("the server at 198.51.100.9 refused", [])) == []


@pytest.mark.parametrize(("entry_id", "text", "word"), [
    ("other-clouds-confluent-cloud-kafka-authentication-failed",
     "Connection to node -1 (pkc-9wq3r.eu-central-1.aws.confluent.cloud/3.121.44.10:9092) failed authentication "
     "due to: Authentication failed\norg.apache.kafka.common.errors.SaslAuthenticationException: "
     "Authentication failed", "API key"),
    ("other-clouds-rabbitmq-login-refused",
     "pika.exceptions.ProbableAuthenticationError: ConnectionClosedByBroker: (403) 'ACCESS_REFUSED - Login was "
     "refused using authentication mechanism PLAIN.'\nPLAIN login refused: user 'guest' can only connect via "
     "localhost", "guest"),
])
def test_a_third_party_brokers_login_refusal_is_out_of_scope(entry_id: str, text: str, word: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id
    assert word in out_of_scope_report(text)["root_cause"]
    assert entry_id not in [h.entry.id for h in catalog_index().hits([(UNRELATED, "error")])]


def test_event_hubs_kafka_endpoint_sasl_failure_is_no_confluent_verdict() -> None:
    text = ("Connection to node -1 (evhns-orders.servicebus.windows.net/20.42.1.1:9093) failed authentication due "
            "to: Authentication failed\norg.apache.kafka.common.errors.SaslAuthenticationException: "
            "Authentication failed")
    assert "other-clouds-confluent-cloud-kafka-authentication-failed" not in [
        h.entry.id for h in catalog_index().hits([(text, "error")])]


def _geo_account() -> dict[str, Any]:
    body = {"sku": {"name": "Standard_RAGZRS"}, "properties": {"publicNetworkAccess": "Disabled",
                                                               "networkAcls": {"defaultAction": "Deny"}}}
    return {"type": "Microsoft.Storage/storageAccounts", "name": "stdocs",
            **extracted("Microsoft.Storage", "storageAccounts", body)}


SECONDARY = "storage-geo-secondary-reads-without-private-endpoint"
DENIED = "listBlobsFlat failed RestError: This request is not authorized to perform this operation. 403"


def _secondary(said: str) -> bool:
    return rule_facts(reads_state(f"{DENIED}\n{said}", [_geo_account()]), table_entry(FINDINGS, SECONDARY)) is not None


def test_one_client_refused_while_another_of_the_same_account_works_reads_the_secondary() -> None:
    assert _secondary("fleet-api, same storage account, same container, no problem.")
    assert _secondary("The other app works against the account.")
    assert "secondary" in table_entry(FINDINGS, SECONDARY)["actions"][0]
    # every client refused: no sign that one endpoint differs
    assert not _secondary("All our apps fail since the change.")


RERUN = ("azd provision failed: Conflict ResourceDeploymentFailure, terminal provisioning state 'Failed'. I ran "
         "azd provision again, no change in the code or parameters, and it finished green. It failed like this 2 "
         "times out of the last 17 runs.")


def test_an_unchanged_deployment_failing_now_and_then_is_a_platform_issue() -> None:
    clue = clue_in([RERUN])
    assert clue is not None and clue["id"] == "unchanged-deployment-fails-now-and-then-passes-on-rerun"
    assert clue["category"] == "platform.service_incident"
    # fails every run, or passes only after a change: a cause of the template
    for near in (RERUN.replace("2 times out of the last 17 runs", "every single run"),
                 RERUN.replace("no change in the code or parameters", "after fixing the SKU parameter")):
        found = clue_in([near])
        assert found is None or found["id"] != "unchanged-deployment-fails-now-and-then-passes-on-rerun"


STALE = ("Exception: ConnectionError: HTTPSConnectionPool(host='pricing.corp.local', port=443): Max retries exceeded "
         "(Caused by NameResolutionError(\"Failed to resolve 'pricing.corp.local' ([Errno -3] Temporary failure in "
         "name resolution)\"))\nKudu shows WEBSITE_DNS_SERVER = 10.8.0.20. Those were our old DNS VMs, "
         "decommissioned in spring; the corp zone is a private DNS zone linked to the VNet.")


def test_an_app_resolving_through_dns_servers_that_are_gone_is_a_dns_verdict_not_a_private_zone() -> None:
    final = run_engine({"error_description": STALE}).final
    assert isinstance(final, Conclude) and final.report.category == "network.dns_resolution"
    assert "WEBSITE_DNS_SERVER" in final.report.root_cause
    # the servers still run: the private zone reading stands
    alive = run_engine({"error_description": STALE.replace("Those were our old DNS VMs, decommissioned in spring",
                                                           "Those are our DNS VMs")}).final
    assert isinstance(alive, Conclude) and alive.report.category == "network.private_endpoint_dns"


COMPARED = ("That secret ends in ...9f2c. az cognitiveservices account keys list -n aoai-shared-eastus gives key1 "
            "...41ad / key2 ...07be. The template also created an Azure OpenAI account infoasst-aoai-w8ilp, and its "
            "key1 ends in ...9f2c.")


def test_the_resource_whose_key_a_client_sends_is_named_from_compared_endings() -> None:
    assert key_owner([COMPARED]) == "infoasst-aoai-w8ilp"
    text = ("Error: Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
            f"valid key for an active subscription and use a correct regional API endpoint for your resource.\n"
            f"{COMPARED}")
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and "key of infoasst-aoai-w8ilp" in final.report.root_cause


def test_endings_that_match_no_other_resource_name_nothing() -> None:
    assert key_owner([COMPARED.replace("key1 ends in ...9f2c", "key1 ends in ...55aa")]) is None
    assert key_owner(["The secret ends in ...9f2c and key1 of account keys ends in ...9f2c."]) is None
    assert key_owner([UNRELATED]) is None
