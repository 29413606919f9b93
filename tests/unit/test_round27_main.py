"""The twentieth session's own fixes: a lock on a platform's managed resource group (ME_, MC_) that blocks deleting
the environment or cluster is the lock, decided from the report; a lock on the resource's own group only, or a
managed group named without any lock, is not this clue."""

from __future__ import annotations

from shared.engines.clues import clue_in
from tests.helpers.engine_loop import run_engine

ME_LOCK = ("Deleting the Container Apps environment cae-orders fails after 25 minutes: 'Failed to delete container app "
           "environment'. Policy adds a CanNotDelete lock to every resource group, including "
           "ME_cae-orders_rg-orders_westeurope; we removed it only from rg-orders.")


def test_a_lock_on_the_managed_resource_group_decides_the_failed_delete() -> None:
    found = clue_in([ME_LOCK])
    assert found is not None and found["id"] == "managed-resource-group-lock-blocks-delete"
    envelope = run_engine({"error_description": ME_LOCK}).envelope()
    assert envelope["status"] == "done"
    assert envelope["report"]["category"] == "deployment.resource_locked"
    assert "managed" in envelope["report"]["root_cause"]


def test_no_lock_or_no_managed_group_is_not_this_clue() -> None:
    no_lock = "Deleting the environment fails; its ME_cae-orders_rg-orders_westeurope group still has a load balancer."
    own_group = "Deleting the app fails: a CanNotDelete lock named protect-rg sits on rg-orders."
    for text in (no_lock, own_group):
        found = clue_in([text])
        assert found is None or found["id"] != "managed-resource-group-lock-blocks-delete"
