"""Round 31 (robustness set V): a local MongoDB that refuses the connection, printed the way pymongo (Linux and
Windows socket errors) and the Go driver print it, is the developer's own machine and so out of scope; the same
refusal from an Azure Cosmos DB for MongoDB host is not read as a local database."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.session.state import GiveUp
from tests.helpers.engine_loop import run_engine

LOCAL_MONGO = "third-party-local-mongodb-refused"

PYMONGO = ("pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [Errno 111] Connection refused, Timeout: 30s, "
           "Topology Description: <TopologyDescription id: 65a1, topology_type: Unknown, servers: "
           "[<ServerDescription ('localhost', 27017) server_type: Unknown, rtt: None>]>")

FORMS = [
    PYMONGO,
    "ServerSelectionTimeoutError: 127.0.0.1:27017: [Errno 111] Connection refused",
    "pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [WinError 10061] No connection could be made "
    "because the target machine actively refused it",
    'server selection error: context deadline exceeded, current topology: { Type: Unknown, Servers: [{ Addr: '
    'localhost:27017, Type: Unknown, Last error: dial tcp 127.0.0.1:27017: connect: connection refused }, ] }',
]


@pytest.mark.parametrize("text", FORMS)
def test_each_driver_form_of_a_refused_local_mongod_ranks_the_local_entry_first(text: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == LOCAL_MONGO, [h.entry.id for h in hits[:3]]


def test_pymongo_refused_on_localhost_is_out_of_scope_without_a_question() -> None:
    final = run_engine({"error_description": "pytest on my laptop, the integration tests fail:\n" + PYMONGO
                        + "\nStaging uses Azure Cosmos DB for MongoDB and works."}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_a_refused_cosmos_mongo_host_is_not_the_local_database() -> None:
    text = ("pymongo.errors.ServerSelectionTimeoutError: acct-orders.mongo.cosmos.azure.com:10255: [Errno 111] "
            "Connection refused, Timeout: 30s")
    assert all(h.entry.id != LOCAL_MONGO for h in catalog_index().hits([(text, "error")]))
    assert all(h.entry.id != LOCAL_MONGO for h in catalog_index().hits(
        [("mongo-dev:27017: [Errno 111] Connection refused", "error")]))
