"""Round 35, helper N (negative set neg28): two narrowings found by the new cases.

1. `integration-adf-snowflake-fail-to-access-stage` (a Data Factory copy into Snowflake whose staging SAS is refused)
   now needs Data Factory / Synapse context besides Snowflake's "Failure using stage area": Snowflake's own external
   stage (COPY INTO from @stage) refused by a firewalled storage account is the plain storage AuthorizationFailure,
   which the engine checks (firewall or permission) instead of answering "the SAS of the linked service".
2. The `readonly-lock-blocks-post-operations` clue no longer decides from a ReadOnly lock that the writer only
   guesses at in a question ("Someone put a ReadOnly lock somewhere?"); a lock stated as present still decides.
"""

from __future__ import annotations

from shared.session.state import AskClient, Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import final_of
from tests.helpers.engine_loop import run_engine

_STAGE_403 = ("Failure using stage area. Cause: [This request is not authorized to perform this operation. "
              "(Status Code: 403; Error Code: AuthorizationFailure)]")


def test_a_data_factory_staged_copy_still_names_the_snowflake_stage_entry() -> None:
    text = f"Copy activity into Snowflake with staging enabled fails: ErrorCode=SnowflakeFailToAccess, {_STAGE_403}"
    assert best_entry_id(text) == "integration-adf-snowflake-fail-to-access-stage"


def test_a_data_factory_linked_service_without_the_code_still_names_it() -> None:
    text = f"ADF pipeline, staging linked service ls_blob_staging: {_STAGE_403}"
    assert best_entry_id(text) == "integration-adf-snowflake-fail-to-access-stage"


def test_snowflake_s_own_external_stage_is_not_the_data_factory_entry() -> None:
    text = f"COPY INTO raw.sales FROM @azure_sales_stage FILE_FORMAT=(TYPE=PARQUET);\n{_STAGE_403}"
    assert best_entry_id(text) != "integration-adf-snowflake-fail-to-access-stage"


def test_snowflake_s_own_stage_behind_a_firewall_ends_as_the_storage_firewall() -> None:
    start = {"error_description": "COPY INTO raw.sales FROM @azure_sales_stage; fails since storage was hardened:\n"
                                  + _STAGE_403}
    rules = [{"when_asked_contains": "network",
              "answer": "The storage account's networking is 'Enabled from selected virtual networks and IP "
                        "addresses'; only our office range is allowed, Snowflake's subnets are not."},
             {"when_asked_contains": "firewall",
              "answer": "Only our office range is allowed in the storage firewall."}]
    final = run_engine(start, rules).final
    assert isinstance(final, Conclude)
    assert final.report.category == "network.storage_firewall"


def test_a_readonly_lock_guessed_at_in_a_question_does_not_decide() -> None:
    text = ("Someone put a ReadOnly lock somewhere? Every write fails:\n"
            "(ReadOnlyDisabledSubscription) The subscription '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' is disabled and "
            "therefore marked as read only. You cannot perform any write actions on this subscription until it is "
            "re-enabled.")
    final = final_of(text)
    assert not (isinstance(final, Conclude) and final.report.category == "deployment.resource_locked"
                and final.report.confidence in ("medium", "high"))


def test_a_readonly_lock_stated_as_present_still_decides() -> None:
    text = ("The function list blade shows 'Error retrieving functions'. There is a ReadOnly lock on the resource "
            "group rg-func-prd, put there by the platform team.")
    final = final_of(text)
    assert isinstance(final, Conclude)
    assert final.report.category == "deployment.resource_locked"
    assert final.report.confidence == "medium"


def test_a_bare_question_about_a_lock_asks_rather_than_decides() -> None:
    final = final_of("Is there a read-only lock? az webapp config appsettings set fails with a 409.")
    assert not (isinstance(final, Conclude) and final.report.confidence in ("medium", "high")
                and final.report.category == "deployment.resource_locked")
    assert isinstance(final, (AskClient, Conclude))
