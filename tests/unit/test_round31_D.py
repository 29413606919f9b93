"""Round 31 D (twenty-fourth session, development cases): an app behind an AWS load balancer or on EKS is AWS's,
a full Event Hubs or Service Bus batch the Python client refuses is the sender's loop, PostgreSQL's logical decoding
without wal_level=logical is a server parameter, and a docker login refused while the pasted repository-scoped token
has only expired passwords is that credential (a refused pull stays the pull family's); a DNS Private Resolver the
office forwards to looks names up from its own network, whose missing zone link explains a firewall's refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, finding_report, reads_state


def _final(text: str) -> Conclude | GiveUp:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, (Conclude, GiveUp)), final
    return final


EKS_502 = ("Our API on EKS returns 502 through the ALB since the port change:\nHTTP/2 502\nserver: awselb/2.0\n\n"
           "$ aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:eu-west-1:1:"
           "targetgroup/k8s-api/0d6e\n  TargetHealth: {State: unhealthy, Reason: Target.FailedHealthChecks}\n"
           "Could the Azure Front Door we plan to add be the reason?")


def test_an_app_behind_an_aws_load_balancer_is_out_of_scope() -> None:
    final = _final(EKS_502)
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    assert "Amazon Web Services" in final.report.root_cause


def test_an_azure_app_gateway_502_is_not_read_as_aws() -> None:
    text = ("Our App Service behind Application Gateway returns 502 Bad Gateway; the backend health shows the "
            "pool as unhealthy since we changed the port.")
    final = run_engine({"error_description": text}).final
    assert not (isinstance(final, GiveUp) and "Amazon" in final.report.root_cause)


EH_BATCH = ("Traceback (most recent call last):\n  File \"replay.py\", line 24, in run\n"
            "    event_data_batch.add(EventData(json.dumps(reading)))\n"
            "ValueError: EventDataBatch has reached its size limit: 1048576")


def test_a_full_event_data_batch_is_the_send_loops_defect() -> None:
    final = _final(EH_BATCH)
    assert final.report.category == "runtime.code_defect" and "new one" in final.report.root_cause


SB_BATCH = ("azure.servicebus.exceptions.MessageSizeExceededError: ServiceBusMessageBatch has reached its size "
            "limit: 262144")


def test_a_full_service_bus_batch_is_the_send_loops_defect_but_a_big_message_a_size_limit() -> None:
    assert _final(SB_BATCH).report.category == "runtime.code_defect"
    single = "azure.servicebus.exceptions.MessageSizeExceededError: The message has exceeded the maximum message size"
    assert _final(single).report.category == "quota.exceeded"


def test_logical_decoding_without_wal_level_logical_is_the_server_parameter() -> None:
    for said in ('Caused by: io.debezium.DebeziumException: Postgres server wal_level property must be \\"logical\\" '
                 "but is: replica (database.hostname=pg1.postgres.database.azure.com)",
                 "ERROR:  logical decoding requires wal_level >= logical"):
        final = _final(said)
        assert final.report.category == "config.missing_app_setting" and "wal_level" in final.report.root_cause


def _token_login(expiry: datetime, command: str = "docker login crshared.azurecr.io -u tok-partner") -> str:
    return (f"$ {command}\nError response from daemon: Get \"https://crshared.azurecr.io/v2/\": unauthorized: "
            "authentication required, visit https://aka.ms/acr/authorization for more information.\n\n"
            "$ az acr token show -r crshared -n tok-partner -o json\n"
            f'{{"credentials": {{"passwords": [{{"expiry": "{expiry.isoformat()}", "name": "password1"}}]}},\n'
            ' "name": "tok-partner", "status": "enabled"}')


def test_a_login_refused_with_a_token_whose_passwords_expired_is_the_credential() -> None:
    final = _final(_token_login(datetime.now(UTC) - timedelta(days=3)))
    assert final.report.category == "auth.credential_invalid" and final.report.confidence == "medium"
    assert "tok-partner" in final.report.root_cause and "expired" in final.report.root_cause
    assert any("az acr token credential generate --name tok-partner --registry crshared" in a
               for a in final.report.actions)


def test_a_valid_token_password_or_a_refused_pull_is_not_read_as_an_expired_login() -> None:
    valid = _final(_token_login(datetime.now(UTC) + timedelta(days=30)))
    assert "has no valid password" not in valid.report.root_cause
    pulled = _final(_token_login(datetime.now(UTC) - timedelta(days=3), "docker pull crshared.azurecr.io/app:1"))
    assert pulled.report.category == "container.image_pull_failed"


HUB = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"


def _resolver_reads() -> list[dict[str, Any]]:
    resolver = {"type": "Microsoft.Network/dnsResolvers", "name": "dnspr-hub", **extracted(
        "Microsoft.Network", "dnsResolvers", {"properties": {"virtualNetwork": {"id": HUB}}})}
    links = {"type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "name": None,
             "id": "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/privateDnsZones/"
                   "privatelink.azurecr.io/virtualNetworkLinks",
             "linkedNetworks": [HUB.replace("vnet-hub", "vnet-agents")]}
    return [resolver, links]


FORWARDED = ("docker pull fails from the office: denied: client with IP '203.0.113.18' is not allowed access. "
             "The registry has a private endpoint; our DCs have a conditional forwarder for azurecr.io to the inbound "
             "endpoint of the DNS private resolver in the hub.")


def test_a_zone_not_linked_to_the_resolver_network_the_office_forwards_to_is_the_dns_cause() -> None:
    state = reads_state(FORWARDED, _resolver_reads())
    assert finding_id(state) == "private-dns-zone-not-linked-to-caller-network"
    report = finding_report(state)
    assert report.category == "network.private_endpoint_dns" and "not to vnet-hub," in report.root_cause
    assert any("private-dns link vnet create" in action for action in report.actions)


def test_a_resolver_the_report_does_not_forward_to_is_no_caller_network() -> None:
    said = "docker pull fails: denied: client with IP '203.0.113.18' is not allowed access. It has a private endpoint."
    assert finding_id(reads_state(said, _resolver_reads())) != "private-dns-zone-not-linked-to-caller-network"
