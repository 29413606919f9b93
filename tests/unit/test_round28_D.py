"""Round 28, audit D (Microsoft Learn troubleshooting pages of Application Gateway, Front Door and Azure Cache for
Redis): the backend health messages of Application Gateway (probe FQDN not resolved, TCP connect error, probe body
match, expired, incomplete or untrusted backend certificate chains, the probe timeout's newer wording), Front Door's
411 for a request without a length, and clustered Redis ports taken by a service mesh sidecar."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in

UNRELATED = "The nightly export job writes an empty CSV since Monday."


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize(("entry_id", "text", "category"), [
    ("compute-appgw-probe-fqdn-not-resolved",
     "Application Gateway could not create a probe for this backend. This usually happens when the FQDN of the "
     "backend has not been entered correctly.", "network.dns_resolution"),
    ("compute-appgw-probe-tcp-connect-error",
     "Application Gateway could not connect to the backend. Check that the backend responds on the port used for "
     "the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.",
     "network.nsg_blocked"),
    ("compute-appgw-probe-body-match-failed",
     "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain "
     "Healthy.", "config.wrong_resource_name"),
    ("compute-appgw-backend-certificate-expired",
     'Backend certificate is invalid. Current date is not within the "Valid from" and "Valid to" date range on the '
     "certificate.", "auth.credential_invalid"),
    ("compute-appgw-backend-certificate-chain-incomplete",
     "The Intermediate certificate is missing from the certificate chain presented by the backend server.",
     "auth.credential_invalid"),
    ("compute-appgw-backend-certificate-private-ca-untrusted",
     "The backend Server certificate is not signed by a well-known Certificate Authority (CA). To use unknown CA "
     "certificates, its Root certificate must be uploaded to the Backend Setting of the application gateway.",
     "auth.credential_invalid"),
    ("compute-appgw-backend-probe-timeout",
     "Time taken by the backend to respond to application gateway's health probe is more than the timeout "
     "threshold in the probe setting.", "runtime.timeout"),
    ("compute-frontdoor-length-required-411",
     "HTTP Error 411. The request must be chunked or have a content length.", "runtime.code_defect"),
])
def test_backend_health_and_front_door_messages_name_their_entry(entry_id: str, text: str, category: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id
    assert hits[0].entry.category == category
    assert entry_id not in _ids(UNRELATED)


def test_the_body_match_entry_reads_the_missing_string() -> None:
    text = "Received response body doesn't contain ready-v2."
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits and hits[0].entry.id == "compute-appgw-probe-body-match-failed"
    assert hits[0].facts.get("match_string") == "ready-v2"


def test_a_healthy_backend_or_a_status_code_mismatch_is_no_certificate_or_body_verdict() -> None:
    ids = _ids("Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 "
               "Received:404.")
    assert "compute-appgw-probe-body-match-failed" not in ids
    assert "compute-appgw-backend-status-code-mismatch" in ids
    quiet = _ids("Backend health shows Healthy for both servers; the certificate chain is complete and valid.")
    assert not {"compute-appgw-backend-certificate-expired", "compute-appgw-backend-certificate-chain-incomplete",
                "compute-appgw-backend-certificate-private-ca-untrusted"} & set(quiet)


MESH = ("After we enabled Istio sidecar injection our pods can't talk to our clustered Premium Azure Cache for Redis: "
        "It was not possible to connect to the redis server(s). Endpoint orders.redis.cache.windows.net:13001")


def test_a_service_mesh_sidecar_in_front_of_a_clustered_cache_is_the_port_clue() -> None:
    clue = clue_in([MESH])
    assert clue is not None and clue["id"] == "redis-cluster-ports-taken-by-service-mesh"
    assert clue["category"] == "network.nsg_blocked"


@pytest.mark.parametrize("near", [
    # no mesh at all: a plain connection failure
    "Our pods can't talk to our clustered Premium Azure Cache for Redis: It was not possible to connect to the "
    "redis server(s). Endpoint orders.redis.cache.windows.net:13001",
    # a mesh, but no clustered cache and no shard port
    "After we enabled Istio our pods can't talk to the Azure Cache for Redis on 6380: connection refused",
    # a mesh and a cluster, but nothing fails
    "We run Istio sidecars and a clustered Azure Cache for Redis; how do we size the shards?",
])
def test_near_misses_of_the_mesh_clue_stay_silent(near: str) -> None:
    clue = clue_in([near])
    assert clue is None or clue["id"] != "redis-cluster-ports-taken-by-service-mesh"


AMQP = ("From the office it hangs: ServiceBusException: The operation did not complete within the allocated time "
        "(ServiceCommunicationProblem). Test-NetConnection orders-ns.servicebus.windows.net -Port 5671: "
        "TcpTestSucceeded : False; port 443 is True.")


def test_a_port_test_failing_on_5671_while_443_works_is_the_amqp_port() -> None:
    clue = clue_in([AMQP])
    assert clue is not None and clue["id"] == "messaging-amqp-port-test-fails-https-succeeds"
    assert clue["category"] == "network.nsg_blocked"
    # both ports open: no firewall verdict from this clue
    near = AMQP.replace("TcpTestSucceeded : False", "TcpTestSucceeded : True")
    found = clue_in([near])
    assert found is None or found["id"] != "messaging-amqp-port-test-fails-https-succeeds"


IP_ORIGIN = ("Our Front Door origin is the public IP 203.0.113.40 of the VM. HTTP works, every HTTPS request gets 503 "
             "with ErrorInfo: OriginInvalidResponse. Certificate subject name validation is enabled on the origin.")


def test_an_ip_origin_with_the_name_check_on_is_the_certificate_clue() -> None:
    clue = clue_in([IP_ORIGIN])
    assert clue is not None and clue["id"] == "front-door-ip-origin-https-certificate-name-check"
    # an origin by host name: not this clue
    near = IP_ORIGIN.replace("the public IP 203.0.113.40 of the VM", "api.contoso.com")
    found = clue_in([near])
    assert found is None or found["id"] != "front-door-ip-origin-https-certificate-name-check"


PUBLIC_PATH = ("Forbidden (403); Substatus: 0; Reason: (Request originated from client IP 20.93.14.211 through public "
               "internet. This is blocked by your Cosmos DB account firewall settings.")


def test_a_public_internet_403_when_a_private_endpoint_is_meant_is_the_clients_dns() -> None:
    text = PUBLIC_PATH + " We created a private endpoint and set public network access to Disabled."
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits and hits[0].entry.id == "cosmos-public-internet-path-despite-private-endpoint"
    assert hits[0].entry.category == "network.private_endpoint_dns"
    assert hits[0].facts.get("client_ip") == "20.93.14.211"


@pytest.mark.parametrize("near", [
    PUBLIC_PATH,  # no private endpoint in the story: the IP firewall itself
    PUBLIC_PATH + " We have no private endpoint; the office IP should be in the firewall list.",
])
def test_a_public_internet_403_without_a_meant_private_endpoint_stays_the_firewall(near: str) -> None:
    hits = catalog_index().hits([(near, "error")], [near])
    assert hits and hits[0].entry.id == "cosmos-firewall-public-ip-blocked"


def test_the_namespace_connection_event_names_the_subnet_rule() -> None:
    text = ('{"NamespaceName": "telemetry-ehns", "IPAddress": "10.4.2.17", "Action": "Deny Connection", "Reason": '
            '"IPAddress doesn\'t belong to a subnet with Service Endpoint enabled."}')
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits and hits[0].entry.id == "messaging-vnet-connection-event-no-service-endpoint"
    assert hits[0].facts.get("client_ip") == "10.4.2.17" and hits[0].facts.get("namespace") == "telemetry-ehns"
    assert "messaging-vnet-connection-event-no-service-endpoint" not in _ids(
        '{"Action": "Accept Connection", "Reason": "IPAddress belongs to a subnet with Service Endpoint enabled."}')
