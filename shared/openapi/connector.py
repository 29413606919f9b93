"""The Power Platform custom connector: the OpenAPI 3.1 document converted to Swagger 2.0, and its
apiProperties.json.

Custom connectors take only OpenAPI 2.0 (under 1 MB) and use only the first security definition, so the
export has one: the function key in the `x-functions-key` header. Swagger 2.0 has no `anyOf` and no `null`
type: `X | None` becomes an optional X. A schema feature the conversion does not know stops it with an
error instead of producing a definition Power Automate would misread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.openapi import examples
from shared.openapi.document import (
    FUNCTION_KEY_HEADER,
    INFO,
    JSON,
    OPERATIONS,
    Operation,
    build_document,
)
from shared.openapi.schemas import REF_PREFIX

DEFINITION_FILE = "apiDefinition.swagger.json"
PROPERTIES_FILE = "apiProperties.json"
PLACEHOLDER_HOST = "your-function-app.azurewebsites.net"
SECURITY_NAME = "api_key"  # the connection parameter of an apiKey connector has this name
BRAND_COLOR = "#0078D4"

# One example per request schema in Swagger 2.0: the one a flow would send.
_DEFINITION_EXAMPLES = {"StartRequest": examples.START_EXAMPLES["logic_app"]["value"],
                        "ContinueRequest": examples.CONTINUE_EXAMPLES["answer"]["value"]}
# Connector-only display hints on properties.
_PROPERTY_HINTS: dict[tuple[str, str], dict[str, str]] = {
    ("Options", "auto_continue"): {"x-ms-visibility": "important"},
    ("SourceFile", "size_bytes"): {"x-ms-visibility": "internal"},
}
_PARAMETER_HINTS: dict[str, dict[str, str]] = {
    "trace_id": {"x-ms-summary": "Trace ID"},
    "token": {"x-ms-summary": "Poll token"},
    "Idempotency-Key": {"x-ms-summary": "Idempotency key", "x-ms-visibility": "advanced"},
    "x-azure-access-token": {"x-ms-summary": "Azure access token (delegated mode)", "x-ms-visibility": "advanced"},
}
_SCHEMA_KEYWORDS_2 = {
    "$ref", "format", "title", "description", "default", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
    "maxProperties", "minProperties", "required", "enum", "type", "items", "allOf", "properties",
    "additionalProperties", "readOnly", "example",
}


class ConversionError(ValueError):
    """The OpenAPI 3.1 document uses something Swagger 2.0 cannot say."""


def schema_to_swagger(schema: dict[str, Any]) -> dict[str, Any]:
    """One JSON Schema (2020-12, as pydantic writes it) as a Swagger 2.0 Schema Object."""
    schema = dict(schema)
    if "anyOf" in schema:
        branches = [b for b in schema.pop("anyOf") if b.get("type") != "null"]
        if len(branches) != 1:
            raise ConversionError(f"anyOf with {len(branches)} non-null branches has no Swagger 2.0 form")
        if "$ref" in branches[0]:
            return schema_to_swagger(branches[0])  # siblings of $ref are ignored in 2.0: keep it alone
        schema = {**schema, **branches[0]}
    if schema.get("default", "") is None:
        del schema["default"]  # `X | None = None`: optional, and absent rather than null
    made: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref":
            made[key] = value.replace(REF_PREFIX, "#/definitions/")
        elif key == "title":
            made["x-ms-summary"] = value  # the connector's display name of a field
        elif key == "const":
            made["enum"] = [value]
        elif key == "examples":
            made["example"] = value[0]
        elif key == "properties":
            made[key] = {name: schema_to_swagger(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            made[key] = schema_to_swagger(value)
        elif key == "additionalProperties":
            if value:
                made[key] = {"type": "string"}  # free extra keys: kept as text (EnvironmentInfo)
        elif key == "type" and value == "null":
            raise ConversionError("a schema of type null has no Swagger 2.0 form")
        elif key in _SCHEMA_KEYWORDS_2 or key.startswith("x-"):
            made[key] = value
        else:
            raise ConversionError(f"JSON Schema keyword {key!r} has no Swagger 2.0 form")
    return made


def _definitions(components: dict[str, Any]) -> dict[str, Any]:
    definitions = {name: schema_to_swagger(schema) for name, schema in components.items()}
    for definition in definitions.values():
        definition.pop("x-ms-summary", None)  # a model's class name is no display name; fields keep theirs
    for (name, field), hints in _PROPERTY_HINTS.items():
        definitions[name]["properties"][field].update(hints)
    for name, example in _DEFINITION_EXAMPLES.items():
        definitions[name]["example"] = example
    return definitions


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    made = {key: value for key, value in parameter.items() if key != "schema"}
    made.update(schema_to_swagger(parameter["schema"]))
    made.update(_PARAMETER_HINTS.get(parameter["name"], {}))
    return made


def _response(response: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = {"description": response["description"]}
    media = response.get("content", {}).get(JSON)
    if media:
        made["schema"] = schema_to_swagger(media["schema"])
        if media.get("examples"):
            made["examples"] = {JSON: next(iter(media["examples"].values()))["value"]}
    if "headers" in response:
        made["headers"] = {name: {"description": header["description"], **schema_to_swagger(header["schema"])}
                           for name, header in response["headers"].items()}
    return made


def _operation(operation: Operation, source: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = {"operationId": operation.operation_id, "summary": operation.summary,
                            "description": operation.description}
    if operation.visibility != "none":
        made["x-ms-visibility"] = operation.visibility
    parameters = [_parameter(p) for p in source.get("parameters", [])]
    if "requestBody" in source:
        body = source["requestBody"]
        parameters.append({"name": "body", "in": "body", "required": body["required"],
                           "schema": schema_to_swagger(body["content"][JSON]["schema"])})
    if parameters:
        made["parameters"] = parameters
    made["responses"] = {status: _response(r) for status, r in source["responses"].items()}
    if operation.anonymous:
        made["security"] = []
    return made


def swagger_document(host: str = PLACEHOLDER_HOST) -> dict[str, Any]:
    """The Swagger 2.0 API definition of a custom connector calling the function app at `host`."""
    source = build_document()
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        operation_source = source["paths"][operation.path][operation.method]
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation, operation_source)
    return {
        "swagger": "2.0",
        "info": {"title": INFO["title"], "version": INFO["version"], "description": INFO["description"]},
        "host": host,
        "basePath": "/",
        "schemes": ["https"],
        "consumes": [JSON],
        "produces": [JSON],
        "securityDefinitions": {SECURITY_NAME: {"type": "apiKey", "in": "header", "name": FUNCTION_KEY_HEADER}},
        "security": [{SECURITY_NAME: []}],
        "paths": paths,
        "definitions": _definitions(source["components"]["schemas"]),
    }


def api_properties() -> dict[str, Any]:
    """apiProperties.json: the connection asks for the function key (format of the `paconn` CLI)."""
    return {"properties": {
        "connectionParameters": {SECURITY_NAME: {"type": "securestring", "uiDefinition": {
            "displayName": "Function key",
            "description": "A function key of the function app. The host key `default` (Portal: App keys) opens "
                           "every route.",
            "tooltip": "az functionapp keys list --name <app> --resource-group <group> --query functionKeys.default",
            "constraints": {"tabIndex": 2, "clearText": False, "required": "true"}}}},
        "iconBrandColor": BRAND_COLOR,
        "capabilities": [],
    }}


def connector_files(host: str = PLACEHOLDER_HOST) -> dict[str, str]:
    """File name to text of the connector folder; byte-for-byte what is committed under connector/."""
    return {DEFINITION_FILE: _json_text(swagger_document(host)), PROPERTIES_FILE: _json_text(api_properties())}


def write_connector(folder: Path, host: str = PLACEHOLDER_HOST) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in connector_files(host).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
