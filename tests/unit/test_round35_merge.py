"""Repairs made when the twenty-eighth session's helper branches were merged: each guards an answer the full run
lost and the general rule behind the repair."""

from __future__ import annotations

from shared.catalog.loader import all_entries
from shared.catalog.similar import ruled_out, similar_entries
from tests.helpers.catalog_checks import best_entry_id

_TRACK_403 = ("ApplicationInsights:Sender [ 'Sending failed: statusCode 403', "
              "'https://northeurope-2.in.applicationinsights.azure.com/v2.1/track' ]")


def test_an_entra_credential_and_a_track_403_read_as_the_missing_publisher_role():
    text = _TRACK_403 + "\nWe passed credential: new ManagedIdentityCredential() to the exporter last week."
    assert best_entry_id(text) == "integration-appinsights-entra-track-endpoint-forbidden"


def test_a_track_403_without_a_credential_is_not_the_publisher_role():
    # every SDK posts to /v2.1/track; without a token a 403 is the network (public ingestion off), not a role
    assert best_entry_id(_TRACK_403 + "\nNothing changed in the app.") != \
        "integration-appinsights-entra-track-endpoint-forbidden"


def test_a_track_403_with_public_ingestion_disabled_is_not_the_publisher_role():
    text = (_TRACK_403 + "\nThe exporter has credential: DefaultAzureCredential().\n"
            "component: publicNetworkAccessForIngestion=Disabled")
    assert best_entry_id(text) != "integration-appinsights-entra-track-endpoint-forbidden"


def test_object_replication_refused_for_versioning_off_is_a_template_prerequisite():
    text = ("InvalidRequest: Object replication policy cannot be created: blob versioning is not enabled on the "
            "destination account 'stdrcopy'")
    assert best_entry_id(text) == "storage-object-replication-prerequisite-off"


def test_object_replication_words_without_a_missing_prerequisite_do_not_match():
    assert best_entry_id("Object replication policy cannot be created: the destination container is "
                         "archived") != "storage-object-replication-prerequisite-off"


def _entry(entry_id: str):
    return next(e for e in all_entries() if e.id == entry_id)


def test_an_entry_whose_own_phrase_is_said_without_its_required_context_is_ruled_out():
    entry = _entry("storage-blobfuse2-adls-explicit-blob-endpoint")
    said = "mount : failed to initialize new pipeline [failed to authenticate credentials for azstorage]\ntype: adls"
    assert ruled_out(entry, said)
    assert not ruled_out(entry, said + "\nAZURE_STORAGE_BLOB_ENDPOINT=https://acct.blob.core.windows.net")
    # words in common without the entry's own phrase: BM25 may still rank it (a paraphrase)
    assert not ruled_out(entry, "blobfuse2 cannot authenticate in adls mode")
    # an entry without `requires` is never ruled out by context
    assert not ruled_out(_entry("storage-container-immutable-storage-with-versioning"), "anything")


def test_a_ruled_out_entry_is_never_the_lead():
    said = ("We process SFTP uploads on an ADLS Gen2 (hierarchical namespace) storage account with blobfuse2 on a "
            "VM. With type: block it mounts; with type: adls:\nLOG_ERR [mount.go (368)]: mount : failed to "
            "initialize new pipeline [failed to authenticate credentials for azstorage]\nazstorage:\n  type: adls\n"
            "  mode: key\nThe key is the same in both cases, so how can authentication fail only for adls?")
    lead = similar_entries().lead(said)
    assert lead is None or "storage-blobfuse2-adls-explicit-blob-endpoint" not in {e.id for e in lead.entries}


def test_a_static_web_app_managed_api_refusing_a_route_prefix_is_named():
    text = ("Deployment Failure Reason: Error in processing api build artifacts: the host.json file cannot specify a "
            "http.routePrefix value other than 'api'.")
    assert best_entry_id(text) == "appservice-swa-managed-api-route-prefix-must-be-api"


def test_a_route_prefix_mentioned_without_the_refusal_is_not_that_entry():
    assert best_entry_id("host.json sets routePrefix to '' and every call answers 404") != \
        "appservice-swa-managed-api-route-prefix-must-be-api"
