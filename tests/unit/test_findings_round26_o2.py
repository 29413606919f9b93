"""The twenty-sixth round, helper O2 (knowledge/catalog/integration.yaml, symptom_clues.yaml): Data Factory pages no
knowledge cited before - the Snowflake connector (an IP outside Snowflake's network policy; Snowflake's COPY refused
by the stage storage, whose AuthorizationFailure it explains), a REST source answered with 401, the CI/CD guide (an
integration runtime of the same name and another type in the target factory, a publish with an invalid reference,
and Export ARM template answered with 401 for a custom role without queryFeaturesValue). Each decides its case from
the error's words alone and stays silent for a near miss."""

from __future__ import annotations

import pytest

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes

CASES = [
    ("network.nsg_blocked",
     "ADF copy from Snowflake fails: ErrorCode=NotAllowToAccessSnowflake, IP 20.61.118.42 is not allowed to access "
     "Snowflake. Contact your local security administrator."),
    ("auth.credential_invalid",
     "Copy into Snowflake with staging fails: ErrorCode=SnowflakeFailToAccess, Failure using stage area. Cause: "
     "[This request is not authorized to perform this operation. (Status Code: 403; Error Code: "
     "AuthorizationFailure)]"),
    ("auth.credential_invalid",
     "ADF REST source: ErrorCode=RestSourceCallFailed, The HttpStatusCode 401 indicates failure. Request URL: "
     "https://api.contoso.com/v2/items"),
    ("deployment.name_conflict",
     "ADF release fails: ##[error]DataFactoryPropertyUpdateNotSupported: Updating property type is not supported."),
    ("deployment.parent_not_found",
     "Publish in ADF Studio fails: The document creation or update failed because of invalid reference "
     "'ds_sales'."),
    ("auth.rbac_missing",
     "In ADF Studio Export ARM template does nothing for a user with our custom role; the browser shows 401 "
     "(Unauthorized)."),
]


@pytest.mark.parametrize(("category", "text"), CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_a_round_26_o2_entry_decides_its_error(category: str, text: str) -> None:
    assert concludes(text, category)


def test_a_plain_storage_authorization_failure_is_not_snowflake_s() -> None:
    text = ("az storage blob upload fails: This request is not authorized to perform this operation. "
            "ErrorCode: AuthorizationFailure")
    assert not concludes(text, "auth.credential_invalid")


def test_a_rest_source_404_is_no_credential_verdict() -> None:
    text = ("ErrorCode=RestSourceCallFailed, The HttpStatusCode 404 indicates failure. Request URL: "
            "https://api.contoso.com/v2/items")
    assert not concludes(text, "auth.credential_invalid")


def test_the_arm_export_clue_needs_the_arm_template_words() -> None:
    found = clue_in(["The Data Factory pipeline's web activity gets 401 Unauthorized from our API."])
    assert found is None or found["id"] != "adf-arm-template-export-401-custom-role"
    found = clue_in(["Export ARM template in ADF Studio: 401 (Unauthorized) in the browser trace."])
    assert found is not None and found["id"] == "adf-arm-template-export-401-custom-role"
