"""The API description: valid OpenAPI 3.1 and Swagger 2.0, complete against the app's own routes, examples
that fit their schemas and the app's parsing, and committed connector files equal to what the command makes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from shared.http.validation import parse_continue, parse_feedback, parse_start
from shared.models import (
    MAX_ANSWER_CHARS,
    MAX_ERROR_DESCRIPTION_CHARS,
    MAX_FILE_BYTES,
    MAX_SOURCE_FILES,
    Options,
)
from shared.openapi.connector import PLACEHOLDER_HOST, connector_files
from shared.openapi.document import build_document

REPO = Path(__file__).resolve().parents[2]
CONNECTOR = REPO / "connector"
DOCUMENT = build_document()
SWAGGER = json.loads((CONNECTOR / "apiDefinition.swagger.json").read_text(encoding="utf-8"))
PROPERTIES = json.loads((CONNECTOR / "apiProperties.json").read_text(encoding="utf-8"))
# Statuses per route from the contract (../shared/design/api.md, docs/api.md).
CONTRACT_STATUSES = {
    ("post", "/api/debug"): {"200", "202", "400", "401", "413", "429", "500"},
    ("post", "/api/debug/{trace_id}/continue"): {"200", "202", "400", "401", "404", "409", "413", "429", "500"},
    ("get", "/api/debug/{trace_id}"): {"200", "202", "401", "404", "500"},
    ("get", "/api/debug/{trace_id}/poll"): {"200", "202", "404", "500"},
    ("delete", "/api/debug/{trace_id}"): {"202", "204", "401", "404", "500"},
    ("get", "/api/health"): {"200"},
}


# Indexed in a fresh process, as the host does: an app indexes its functions only once per process, and
# another test module may have done it in this one.
_INDEX_ROUTES = """
import json, function_app
routes = []
for function in function_app.app.get_functions():
    trigger = function.get_trigger()
    if trigger.type == "httpTrigger":
        routes += [[str(m.value).lower(), "/api/" + trigger.route, str(trigger.auth_level.value).lower()]
                   for m in trigger.methods]
print(json.dumps(routes))
"""


@lru_cache(maxsize=1)
def app_http_routes() -> dict[tuple[str, str], str]:
    """(method, /api/route) to auth level, from the function app's own metadata (what the host indexes)."""
    done = subprocess.run([sys.executable, "-c", _INDEX_ROUTES], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=True)
    return {(method, path): level for method, path, level in json.loads(done.stdout.splitlines()[-1])}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_the_openapi_document_is_valid_openapi_3_1():
    validate(DOCUMENT, cls=OpenAPIV31SpecValidator)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_the_connector_definition_is_valid_swagger_2_0():
    validate(SWAGGER, cls=OpenAPIV2SpecValidator)


@pytest.mark.parametrize("document", [DOCUMENT, SWAGGER], ids=["openapi", "swagger"])
def test_every_http_route_of_the_app_is_described_and_nothing_else(document: dict[str, Any]):
    routes = app_http_routes()
    described = {(method, path) for method, path, _ in operations(document)}
    assert described == set(routes)
    assert len(routes) >= 7


@pytest.mark.parametrize("document", [DOCUMENT, SWAGGER], ids=["openapi", "swagger"])
def test_anonymous_routes_and_only_they_opt_out_of_the_function_key(document: dict[str, Any]):
    routes = app_http_routes()
    for method, path, operation in operations(document):
        anonymous = routes[(method, path)] == "anonymous"
        assert (operation.get("security") == []) == anonymous, (method, path)
    assert "security" in document and document["security"]


def test_the_function_key_is_the_header_scheme_with_the_code_query_as_an_alternative():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert {(s["type"], s["in"], s["name"]) for s in schemes.values()} == {
        ("apiKey", "header", "x-functions-key"), ("apiKey", "query", "code")}
    assert DOCUMENT["security"] == [{name: []} for name in schemes]


def test_every_contract_status_is_documented_with_its_body_and_headers():
    for (method, path), statuses in CONTRACT_STATUSES.items():
        responses = DOCUMENT["paths"][path][method]["responses"]
        assert statuses <= set(responses), (method, path, statuses - set(responses))
        for status, response in responses.items():
            if status == "202" and method == "delete":  # cancellation still on its way: DELETE again later
                assert set(response["headers"]) == {"Retry-After"}
            elif status == "202":
                assert set(response["headers"]) == {"Location", "Retry-After"}
                assert response["headers"]["Location"]["required"] is True
            if status == "429":
                assert "Retry-After" in response["headers"]
            if status in ("200", "202") and path.startswith("/api/debug") and method != "delete":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Envelope"}
            if status.startswith(("4", "5")) and status != "401":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    poll = DOCUMENT["paths"]["/api/debug/{trace_id}/poll"]["get"]
    assert any(p["name"] == "token" and p["in"] == "query" and p["required"] for p in poll["parameters"])


def test_the_limits_are_schema_constraints():
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["StartRequest"]["properties"]["error_description"]["maxLength"] == MAX_ERROR_DESCRIPTION_CHARS
    assert schemas["StartRequest"]["properties"]["error_description"]["minLength"] == 1
    answer = schemas["ContinueRequest"]["properties"]["answer"]["anyOf"][0]
    assert answer["maxLength"] == MAX_ANSWER_CHARS
    assert schemas["Context"]["properties"]["source_files"]["maxItems"] == MAX_SOURCE_FILES
    assert schemas["SourceFile"]["properties"]["content"]["maxLength"] == MAX_FILE_BYTES
    for name, field in Options.model_fields.items():
        if field.annotation is int:
            bounds = {type(m).__name__: m for m in field.metadata}
            documented = schemas["Options"]["properties"][name]
            assert (documented["minimum"], documented["maximum"]) == (bounds["Ge"].ge, bounds["Le"].le), name
    assert schemas["Options"]["additionalProperties"] is False  # a misspelt option is an error, as in the app


def _validator_31(schema_name: str) -> jsonschema.Draft202012Validator:
    registry: Registry = Registry().with_resource("urn:openapi", Resource(DOCUMENT, DRAFT202012))
    ref = {"$ref": f"urn:openapi#/components/schemas/{schema_name}"}
    return jsonschema.Draft202012Validator(ref, registry=registry)


def _validator_20(schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    registry: Registry = Registry().with_resource("urn:swagger", Resource(SWAGGER, DRAFT4))
    return jsonschema.Draft4Validator(_absolute_refs(schema, "urn:swagger"), registry=registry)


def _absolute_refs(node: Any, base: str) -> Any:
    if isinstance(node, dict):
        return {k: (base + v if k == "$ref" else _absolute_refs(v, base)) for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute_refs(v, base) for v in node]
    return node


def _ref_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].rsplit("/", 1)[1]


def test_every_openapi_example_fits_its_schema_and_requests_pass_the_apps_parsing():
    checked = 0
    for _, path, operation in operations(DOCUMENT):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            parse = parse_start if path == "/api/debug" else \
                parse_feedback if path.endswith("/feedback") else parse_continue
            for example in body["examples"].values():
                _validator_31(_ref_name(body["schema"])).validate(example["value"])
                parse(json.dumps(example["value"]).encode())  # raises ApiError if the app would refuse it
                checked += 1
        for response in operation["responses"].values():
            media = response.get("content", {}).get("application/json", {})
            for example in media.get("examples", {}).values():
                _validator_31(_ref_name(media["schema"])).validate(example["value"])
                checked += 1
    assert checked >= 20


def test_every_swagger_example_fits_its_schema():
    checked = 0
    for name, definition in SWAGGER["definitions"].items():
        if "example" in definition:
            _validator_20({"$ref": f"#/definitions/{name}"}).validate(definition["example"])
            checked += 1
    for _, _, operation in operations(SWAGGER):
        for response in operation["responses"].values():
            if "examples" in response:
                _validator_20(response["schema"]).validate(response["examples"]["application/json"])
                checked += 1
    assert checked >= 10
    parse_start(json.dumps(SWAGGER["definitions"]["StartRequest"]["example"]).encode())
    parse_continue(json.dumps(SWAGGER["definitions"]["ContinueRequest"]["example"]).encode())


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_the_swagger_export_uses_nothing_swagger_2_lacks():
    for key, value in _walk(SWAGGER["definitions"]):
        assert key not in ("anyOf", "oneOf", "const", "$defs", "examples"), key
        assert not (key == "type" and value == "null")
        assert not (key == "default" and value is None)
    assert "components" not in SWAGGER and SWAGGER["definitions"]


def test_the_connector_has_one_security_definition_the_function_key_header():
    assert SWAGGER["securityDefinitions"] == {"api_key": {"type": "apiKey", "in": "header", "name": "x-functions-key"}}
    parameter = PROPERTIES["properties"]["connectionParameters"]["api_key"]
    assert parameter["type"] == "securestring"
    assert parameter["uiDefinition"]["displayName"]
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", PROPERTIES["properties"]["iconBrandColor"])


def test_connector_actions_have_ids_summaries_and_say_how_polling_works():
    ids = [operation["operationId"] for _, _, operation in operations(SWAGGER)]
    assert len(ids) == len(set(ids))
    for _, _, operation in operations(SWAGGER):
        assert re.fullmatch(r"[A-Z][A-Za-z]+", operation["operationId"])
        assert operation["summary"] and operation["description"]
    start = SWAGGER["paths"]["/api/debug"]["post"]
    assert "202" in start["responses"] and "Location" in start["responses"]["202"]["headers"]
    assert "Power Automate" in start["description"] and "auto_continue" in start["description"]
    assert SWAGGER["host"] == PLACEHOLDER_HOST


def test_the_committed_connector_files_are_what_the_command_generates_now(tmp_path: Path):
    subprocess.run([sys.executable, "-m", "shared.openapi", "connector", str(tmp_path)], cwd=REPO, check=True,
                   capture_output=True, timeout=120)
    for name in ("apiDefinition.swagger.json", "apiProperties.json"):
        committed = (CONNECTOR / name).read_bytes()
        assert committed == (tmp_path / name).read_bytes(), f"connector/{name} is stale: run " \
            "python -m shared.openapi connector connector/"
        assert len(committed) < 1_000_000
    assert connector_files()["apiProperties.json"].encode() == (CONNECTOR / "apiProperties.json").read_bytes()


def test_the_host_option_names_the_function_app():
    swagger = json.loads(connector_files(host="contoso-debug.azurewebsites.net")["apiDefinition.swagger.json"])
    assert swagger["host"] == "contoso-debug.azurewebsites.net"


def test_served_documents_name_their_server_and_the_cached_one_is_not_changed_by_callers():
    served = build_document("https://contoso-debug.azurewebsites.net")
    assert served["servers"][0]["url"] == "https://contoso-debug.azurewebsites.net"
    served["paths"].clear()
    again = build_document()
    assert again["servers"] == [{"url": "/"}] and again["paths"]
