"""Round 27 L (robL: known failures in other people's words): an ACR refusal that prints Microsoft's aka.ms help link
while the image pulls fine from the user's machine is no outside service; a local stub resolver that answers SERVFAIL
while the upstream server resolves the name is the machine's own resolver; the Python and Node.js Cassandra drivers'
wording of a local datacenter that is not an account region."""

from __future__ import annotations

from shared.engines.analyzers.common import table_entry
from shared.engines.rules import _SAME_FROM_OUTSIDE
from shared.engines.session_reads import FINDINGS
from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, reads_state

ACR = ("az containerapp create --name ca-api --resource-group rg-x --environment cae-x --image crx.azurecr.io/api:1.0\n"
       "ERROR: (InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. Field "
       "'template.containers.ca-api.image' is invalid with details: 'Invalid value: \"crx.azurecr.io/api:1.0\": GET "
       "https:?scope=repository%3Aapi%3Apull&service=crx.azurecr.io: UNAUTHORIZED: authentication required, visit "
       "https://aka.ms/acr/authorization for more information.';.\n\n"
       "docker pull of the same tag works on my machine after az acr login.")


def test_an_acr_refusal_with_an_aka_ms_link_is_an_image_pull_not_an_outside_service() -> None:
    final = run_engine({"error_description": ACR}).final
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"
    assert "registry-server" in final.report.root_cause + " ".join(final.report.actions)


def test_works_on_my_machine_is_not_failing_the_same_from_my_machine() -> None:
    assert _SAME_FROM_OUTSIDE.search("docker pull of the same tag works on my machine") is None
    assert _SAME_FROM_OUTSIDE.search("the same call succeeded from my laptop") is None
    assert _SAME_FROM_OUTSIDE.search("Same from the function and from my laptop.") is not None  # near miss stays
    assert _SAME_FROM_OUTSIDE.search("it also times out from my own laptop") is not None


def test_a_third_party_host_failing_from_the_laptop_too_stays_out_of_scope() -> None:
    error = ("Our function calls https://api.example-maps.org/q and gets 504 after 90 s, see "
             "https://aka.ms/functions-timeouts. Same from the function and from my laptop.")
    final = run_engine({"error_description": error}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


STUB = ("python tests fail: Failed to resolve 'lang-x.cognitiveservices.azure.com' ([Errno -3] Temporary failure in "
        "name resolution)\n$ dig lang-x.cognitiveservices.azure.com\n;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL\n"
        ";; SERVER: 127.0.0.53#53(127.0.0.53)\n$ dig @10.20.0.2 lang-x.cognitiveservices.azure.com +short\n20.62.58.4")


def test_a_stub_resolver_servfail_while_the_upstream_answers_is_the_machine_s_resolver() -> None:
    final = run_engine({"error_description": STUB}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
    assert "stub resolver" in final.report.root_cause
    assert ": ''" not in final.report.root_cause  # a lookahead-only pattern quotes nothing


def test_a_servfail_without_any_direct_upstream_query_is_still_a_dns_reading() -> None:
    near = STUB.split("\n$ dig @")[0]  # only the stub's answer: nothing shows the upstream resolves the name
    final = run_engine({"error_description": near}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


CASS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-cql", "locations": ["North Europe"],
        "capabilities": ["EnableCassandra"]}
FINDING = "cosmos-cassandra-local-dc-not-account-region"
PY_NO_HOST = ("cassandra.cluster.NoHostAvailable: ('Unable to complete the operation against any hosts', {})\n"
              "load_balancing_policy=DCAwareRoundRobinPolicy(local_dc='East US 2')")


def test_the_python_driver_with_a_pinned_local_dc_and_no_host_tried_is_the_local_dc() -> None:
    state = reads_state(PY_NO_HOST, [CASS])
    assert finding_id(state) == FINDING


def test_a_python_no_host_with_hosts_that_answered_is_no_local_dc_verdict() -> None:
    tried = PY_NO_HOST.replace("{})", "{<Host: 10.0.0.4:10350 North Europe>: Unavailable('Cannot achieve "
                                      "consistency level QUORUM')})")
    assert finding_id(reads_state(tried, [CASS])) != FINDING
    no_policy = "cassandra.cluster.NoHostAvailable: ('Unable to complete the operation against any hosts', {})"
    assert finding_id(reads_state(no_policy, [CASS])) != FINDING


def test_the_node_driver_names_the_local_data_center_it_did_not_find() -> None:
    report = ("NoHostAvailableError: All host(s) tried for query failed. First host tried, 10.1.0.4:10350: "
              "ArgumentError: localDataCenter was configured as 'dataCenter1', but only found hosts in data centers: "
              "[North Europe]")
    assert finding_id(reads_state(report, [CASS])) == FINDING


def test_the_finding_names_the_python_parameter() -> None:
    assert "local_dc" in table_entry(FINDINGS, FINDING)["root_cause"]
