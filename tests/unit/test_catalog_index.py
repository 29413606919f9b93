"""The catalog index: exact codes before phrases, the innermost nested error, negations, specificity over order."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.catalog.index import CatalogIndex, normalize
from shared.catalog.schema import CatalogEntry


def entry(id: str, category: str = "config.wrong_resource_name", **fields: Any) -> CatalogEntry:
    base: dict[str, Any] = {"id": id, "service": "Test", "category": category,
                            "meaning": "A meaning long enough for the schema.",
                            "check": {"azure": "read the resource", "command": "az resource show"},
                            "fix": ["Do the fix."], "source": "MicrosoftDocs/azure-docs articles/x.md"}
    return CatalogEntry.model_validate({**base, **fields})


def best(index: CatalogIndex, text: str) -> str | None:
    hits = index.hits([(text, "error")])
    return hits[0].entry.id if hits else None


def test_an_exact_code_beats_a_phrase_whatever_the_order():
    code = entry("code", codes=["StorageAccountAlreadyTaken"], category="deployment.name_conflict")
    phrase = entry("phrase", phrases=["is already taken by another"], category="config.wrong_resource_name")
    text = "StorageAccountAlreadyTaken: The storage account named x is already taken by another subscription"
    assert best(CatalogIndex([phrase, code]), text) == "code"
    assert best(CatalogIndex([code, phrase]), text) == "code"


def test_the_innermost_error_of_a_nested_arm_error_wins_over_the_envelope():
    wrapper = entry("wrapper", codes=["DeploymentFailed"], wrapper=True, conclusive=False,
                    category="deployment.template_invalid")
    outer = entry("outer", codes=["ResourceDeploymentFailure"], category="deployment.template_invalid")
    inner = entry("inner", codes=["LinkedAuthorizationFailed"], category="auth.rbac_missing")
    text = ('{"code":"DeploymentFailed","details":[{"code":"ResourceDeploymentFailure","details":'
            '[{"code":"LinkedAuthorizationFailed","message":"The client has permission..."}]}]}')
    for order in ([wrapper, outer, inner], [inner, outer, wrapper]):
        assert best(CatalogIndex(order), text) == "inner"


@pytest.mark.parametrize("text", [
    "It is not a ServerBusy problem, we checked.",
    "We ruled out ServerBusy last week.",
    "There are no ServerBusy errors in the logs.",
    "ServerBusy has been ruled out by support.",
])
def test_a_negated_mention_does_not_count(text: str):
    index = CatalogIndex([entry("busy", codes=["ServerBusy"], category="throttling.rate_limited")])
    assert best(index, text) is None


def test_an_error_message_s_own_negative_words_are_not_a_negation():
    index = CatalogIndex([entry("missing", phrases=["The specified container does not exist"])])
    text = "azure.core.exceptions.ResourceNotFoundError: The specified container does not exist."
    assert best(index, text) == "missing"


def test_ties_go_to_the_more_specific_phrase_not_to_the_file_order():
    loose = entry("loose", phrases=["not authorized to perform"], category="auth.rbac_missing")
    tight = entry("tight", phrases=["not authorized to perform this operation using this permission"],
                  category="auth.rbac_missing")
    text = "This request is not authorized to perform this operation using this permission."
    assert best(CatalogIndex([loose, tight]), text) == "tight"
    assert best(CatalogIndex([tight, loose]), text) == "tight"


def test_a_code_two_services_share_goes_to_the_service_the_report_names():
    arm = entry("aa-arm", codes=["DeploymentNotFound"], service="Resource Manager")
    model = entry("zz-model-deployment", codes=["DeploymentNotFound"], service="Azure OpenAI")
    for order in ([arm, model], [model, arm]):
        said = "Azure OpenAI returns 404 DeploymentNotFound for 'ft-1'"
        assert best(CatalogIndex(order), said) == "zz-model-deployment"
        assert best(CatalogIndex(order), "az deployment group show: DeploymentNotFound (Resource Manager)") == "aa-arm"


def test_phrases_match_across_line_breaks_and_curly_quotes_but_only_at_word_boundaries():
    index = CatalogIndex([entry("p", phrases=["can't serve the request"]), entry("c", codes=["BlobNotFound"])])
    assert best(index, "The input authorization token can\u2019t\n   serve the request.") == "p"
    assert best(index, "MyBlobNotFoundHandler raised") is None
    assert best(index, "xcan't serve the requests") is None


def test_the_error_outranks_a_file_that_merely_names_a_code():
    handled = entry("handled", codes=["ContainerAlreadyExists"], category="deployment.name_conflict")
    real = entry("real", codes=["ContainerNotFound"])
    hits = CatalogIndex([handled, real]).hits([("if code == 'ContainerAlreadyExists': pass", "file"),
                                               ("ErrorCode:ContainerNotFound", "error")])
    assert hits[0].entry.id == "real"


def test_entry_facts_come_from_its_own_patterns():
    found = entry("f", codes=["ContainerNotFound"], facts=[r"containers?/(?P<container>[a-z0-9-]{3,63})"])
    hits = CatalogIndex([found]).hits([("ErrorCode:ContainerNotFound", "error")],
                                      originals=["GET https://a.blob.core.windows.net/containers/uploads"])
    assert hits[0].facts == {"container": "uploads"}


@pytest.mark.parametrize("fields, problem", [
    ({"codes": ["Conflict"]}, "not a distinctive identifier"),
    ({"phrases": ["too short"]}, "shorter than 12"),
    ({"codes": [], "phrases": []}, "needs codes or phrases"),
    ({"category": "network.everything"}, "not in knowledge/taxonomy.yaml"),
    ({"facts": ["no group here"]}, "no named group"),
    ({"source": ""}, "source"),
])
def test_the_schema_refuses_entries_that_would_mislead_the_matcher(fields: dict[str, Any], problem: str):
    with pytest.raises(ValidationError, match=problem):
        entry("bad", **{"codes": ["GoodCode"], **fields})


def test_normalize_folds_whitespace_and_quotes():
    assert normalize("a \n\t b \u201cc\u201d") == 'a b "c"'
