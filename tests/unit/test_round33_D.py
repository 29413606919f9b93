"""Round 33 D (this session's development halves, real79): the public OpenAI platform's answer to a chat model on
its completions route, an AzureOpenAI client given the v1 endpoint (a doubled API path), Translator's region header
naming another region, a web API handed a Microsoft Graph token (IDX10511), Graph's 403 after consent from a token
cached before it, and a token for the system-assigned identity where a user-assigned one was meant."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import GiveUp
from tests.helpers.clue_checks import concludes, final_of


def _entries(text: str) -> set[str]:
    return {m.entry.id for m in catalog_index().scan(text, "error") if not m.negated}


def _clue_id(text: str) -> str | None:
    clue = clue_in([text])
    return None if clue is None else clue["id"]


PLATFORM_404 = ("openai.NotFoundError: Error code: 404 - {'error': {'message': 'This is a chat model and not supported "
                "in the v1/completions endpoint. Did you mean to use v1/chat/completions?', 'type': "
                "'invalid_request_error', 'param': 'model', 'code': None}}")


def test_a_chat_model_on_the_public_platforms_completions_route_is_out_of_scope() -> None:
    final = final_of("My LangChain OpenAI(model='gpt-3.5-turbo') script with a platform.openai.com key fails:\n"
                     + PLATFORM_404)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_azure_openais_own_wording_of_that_mistake_is_not_the_platforms() -> None:
    assert "openai-platform-chat-model-on-completions-endpoint" not in _entries(
        "400 Unsupported data type on /openai/deployments/gpt-4o/completions (a gpt-4o chat model)")


DOUBLED = ('POST https://aoai-x.openai.azure.com/openai/v1/openai/deployments/gpt-4o/chat/completions'
           '?api-version=2024-10-21 "HTTP/1.1 404 Resource Not Found"\n'
           "openai.NotFoundError: Error code: 404 - {'error': {'code': '404', 'message': 'Resource not found'}}")


def test_an_endpoint_with_the_v1_path_doubled_by_the_azure_client_is_a_wrong_endpoint() -> None:
    assert concludes(DOUBLED, "config.invalid_connection_string")
    setting = ("AZURE_OPENAI_ENDPOINT=https://aoai-x.openai.azure.com/openai/v1 and "
               "client = AzureOpenAI(azure_endpoint=endpoint, api_key=key); every call: 404 Resource not found")
    assert concludes(setting, "config.invalid_connection_string")


def test_the_v1_endpoint_with_the_plain_openai_client_or_a_clean_route_decides_nothing() -> None:
    plain = ("client = OpenAI(base_url='https://aoai-x.openai.azure.com/openai/v1/', api_key=key); "
             "404 Resource not found")
    assert not concludes(plain, "config.invalid_connection_string")
    clean = DOUBLED.replace("/openai/v1/openai/", "/openai/")
    assert _clue_id(clean) != "azure-openai-endpoint-with-api-path-doubled"


TRANSLATOR = ('Response body: {"error":{"code":401000,"message":"The request is not authorized because credentials '
              'are missing or invalid."}}\nrequest.Headers.Add("Ocp-Apim-Subscription-Region", "westus");\n')


def test_a_region_header_naming_another_region_than_the_resources_is_a_wrong_value() -> None:
    final = final_of(TRANSLATOR + "The resource's location: eastus.")
    assert concludes(TRANSLATOR + "The resource's location: eastus.", "config.invalid_connection_string")
    assert final.report is not None and "eastus" in final.report.root_cause and "westus" in final.report.root_cause


def test_the_same_region_in_header_and_resource_does_not_decide_a_wrong_region() -> None:
    assert not concludes(TRANSLATOR + "The resource's location: westus.", "config.invalid_connection_string")


IDX10511 = ("Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException: IDX10511: Signature validation "
            "failed. Keys tried: 'X509SecurityKey, KeyId: 'abc''.\n")


def test_idx10511_is_the_signature_family() -> None:
    assert "entra-idx10501-signing-key-not-found" in _entries(IDX10511)
    assert "entra-idx10501-signing-key-not-found" not in _entries("IDX10214: Audience validation failed.")


def test_a_graph_token_sent_to_the_api_names_the_graph_scope_configured() -> None:
    text = IDX10511 + '"TodoListScope": "user.read"\ntoken: {"aud":"00000003-0000-0000-c000-000000000000"}'
    assert concludes(text, "auth.credential_invalid")
    final = final_of(text)
    assert final.report is not None and "'user.read'" in final.report.root_cause


def test_a_token_for_the_api_itself_does_not_decide_a_graph_token() -> None:
    text = IDX10511 + '"Scope": "api://1111/access_as_user"\ntoken: {"aud":"api://1111"}'
    final = final_of(text)
    assert final.report is not None and "Graph access token" not in final.report.root_cause


GRAPH_403 = ("Microsoft.Graph.ServiceException: Code: Authorization_RequestDenied\n"
             "Message: Insufficient privileges to complete the operation.\n")


def test_a_token_cached_before_the_granted_consent_is_a_stale_token() -> None:
    text = (GRAPH_403 + 'The admin clicked "Grant admin consent" at 14:05. The decoded token has iat 13:48 and no '
            '"roles" claim; the app was not restarted.')
    assert concludes(text, "auth.credential_invalid")


def test_consent_not_yet_granted_stays_a_missing_permission() -> None:
    text = GRAPH_403 + 'Admin consent has not been granted yet. The decoded token (iat 13:48) has no "roles" claim.'
    assert not concludes(text, "auth.credential_invalid")


MI_403 = ("RestError: This request is not authorized to perform this operation using this permission.\n"
          "code: 'AuthorizationPermissionMismatch', statusCode: 403\nThe app has the system-assigned identity on and "
          "the user-assigned identity id-reader attached; only id-reader has Storage Blob Data Reader.\n")


def test_a_role_that_works_only_on_the_system_assigned_identity_means_its_token_was_used() -> None:
    assert concludes(MI_403 + "If I give the system-assigned identity the same role it works.",
                     "auth.managed_identity_missing")


def test_without_that_test_the_403_is_not_decided_as_the_wrong_identity() -> None:
    assert not concludes(MI_403, "auth.managed_identity_missing")
