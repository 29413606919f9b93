"""The API description: an OpenAPI 3.1 document generated from the contract's pydantic models, served at
`GET /api/openapi.json`, and its Swagger 2.0 export for Power Platform custom connectors (`connector/`).

    python -m shared.openapi openapi [FILE]         the OpenAPI 3.1 document (relative server)
    python -m shared.openapi connector DIR [--host] apiDefinition.swagger.json and apiProperties.json

May import: the foundation, the domain packages and shared.http (the handlers' limits it documents); only the
blueprints import it (tests/unit/test_import_cycles.py)."""
