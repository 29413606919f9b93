"""Round 27 (C, the twentieth session's development halves): Supabase client errors out of scope, a limit the client
names and dismisses, a 504 whose app logged 200 asking for the request path, a Batch pool's 'latest' image version,
Storage's token-audience refusal and a role assigned on a sibling resource."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.analyzers import request_duration
from shared.engines.analyzers.common import dismissed, first_entry, table
from shared.engines.clues import clue_in
from shared.engines.playbooks import rule_facts
from shared.engines.session_reads import FINDINGS
from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import check_round_finding, reads_state

SUPABASE = ("StorageApiError: new row violates row-level security policy\n    at async uploadAvatar (avatar.ts:22:19)\n"
            "const { data, error } = await supabase.storage.from('avatars').upload(path, file)\n"
            "The front end runs on Azure Static Web Apps. Do I need to configure CORS in the Static Web App?")


def test_a_supabase_client_error_is_out_of_scope_even_when_the_front_end_is_on_azure() -> None:
    final = run_engine({"error_description": SUPABASE}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_the_row_level_security_message_alone_stays_in_scope() -> None:
    # Azure Database for PostgreSQL prints the same message for a table with row-level security
    text = 'psycopg2.errors.InsufficientPrivilege: new row violates row-level security policy for table "orders"'
    hits = catalog_index().hits([(text, "error")])
    assert all(h.entry.id != "other-clouds-supabase-client-errors" for h in hits)


FRONT_DOOR = ("Our Flask app on App Service returns \"504 Gateway Timeout\" in the browser after 60 s sharp. In App "
              "Insights the request row for the same call shows resultCode 200, duration 94.7 s. I read about the App "
              "Service 230 s limit but we are far under that. Shorter exports work.")


def test_a_limit_the_client_names_and_dismisses_is_no_duration_and_no_match() -> None:
    assert request_duration._duration(FRONT_DOOR) is None
    assert request_duration._duration("curl: (52) 504 Gateway Timeout after 231 s") is not None  # a measured one
    text = "I read about the 230 s limit but we are far under that"
    assert dismissed(text, text.index("limit") + 5)
    assert not dismissed("it hit the 230 s limit and failed with 504", len("it hit the 230 s limit"))


def test_a_timeout_row_named_only_to_be_dismissed_is_not_matched() -> None:
    state = reads_state(FRONT_DOOR, [])
    found = first_entry(table("runtime_timeouts"), state)
    assert found is None or found[0]["id"] != "http-230-seconds"


def test_a_504_whose_app_logged_200_asks_for_the_request_path() -> None:
    clue = clue_in([FRONT_DOOR])
    assert clue is not None and clue["id"] == "long-requests-504-proxy-timeout"
    final = run_engine({"error_description": FRONT_DOOR}).final
    assert isinstance(final, AskClient) and "Front Door" in final.request.question
    other = clue_in(["The page returns 504 Gateway Timeout for every user since the deployment."])
    assert other is None or other["id"] != "long-requests-504-proxy-timeout"


BATCH = ("Batch pool render-gpu with vm_size standard_nc6, image_reference publisher microsoft-azure-batch, offer "
         "ubuntu-server-container, version latest. All 4 nodes go unusable after 10 minutes, no start task. We did "
         "not change the script; a pool created two weeks ago from the same script (still running) is fine.")


def test_a_batch_pool_on_a_latest_image_whose_older_pool_works_is_the_image() -> None:
    final = run_engine({"error_description": BATCH}).final
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    assert "image" in final.report.root_cause and final.report.confidence == "medium"


def test_unusable_nodes_in_a_subnet_are_not_read_as_the_image() -> None:
    clue = clue_in([BATCH + " The pool is in a subnet of our virtual network with an NSG."])
    assert clue is None or clue["id"] != "batch-pool-nodes-unusable-published-image-version-changed"


AUDIENCE = ('"x-ms-error-code": "InvalidAuthenticationInfo" <Error><Code>InvalidAuthenticationInfo</Code><Message>'
            "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."
            "</Message><AuthenticationErrorDetail>Audience validation failed. Audience did not match."
            "</AuthenticationErrorDetail></Error>")


def test_storage_audience_refusal_ranks_over_the_bare_code() -> None:
    hits = catalog_index().hits([(AUDIENCE, "error")])
    assert hits[0].entry.id == "storage-bearer-token-wrong-audience"
    bare = AUDIENCE.replace("Audience validation failed. Audience did not match.", "Signature did not match.")
    assert catalog_index().hits([(bare, "error")])[0].entry.id != "storage-bearer-token-wrong-audience"


def _account(name: str, shared_key: bool = False) -> dict[str, Any]:
    return {"id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{name}",
            "name": name, "type": "Microsoft.Storage/storageAccounts", "allowSharedKeyAccess": shared_key}


def test_a_bearer_token_refusal_is_not_blamed_on_disabled_shared_keys() -> None:
    rule = next(r for r in table(FINDINGS) if r["id"] == "storage-shared-key-access-disabled")
    said = "We disabled shared keys, switched to the managed identity, still 401: " + AUDIENCE
    assert rule_facts(reads_state(said, [_account("starchive")]), rule) is None
    assert rule_facts(reads_state("403 with the SAS connection string since yesterday", [_account("starchive")]),
                      rule) is not None


REFUSED = ("$ az storage blob download --account-name stpricingprod --auth-mode login\nYou do not have the required "
           "permissions needed to perform this operation. I was given Storage Blob Data Contributor on Tuesday.")


def _grant(name: str) -> dict[str, Any]:
    return {"operation": "Microsoft.Authorization/roleAssignments/write", "status": "Succeeded",
            "time": "2026-12-02T14:10:00Z", "caller": "admin@example.com",
            "resource_id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{name}"
                           "/providers/Microsoft.Authorization/roleAssignments/1"}


def test_a_role_assigned_on_the_sibling_account_is_the_cause() -> None:
    state = reads_state(REFUSED, [_account("stpricingprod")], events=[_grant("stpricingdev")])
    check_round_finding(state, "role-granted-on-sibling-resource", "auth.rbac_missing", "stpricingdev")


def test_a_role_assigned_on_the_named_account_decides_nothing() -> None:
    rule = next(r for r in table(FINDINGS) if r["id"] == "role-granted-on-sibling-resource")
    state = reads_state(REFUSED, [_account("stpricingprod")], events=[_grant("stpricingprod")])
    assert rule_facts(state, rule) is None
