"""The debug service's code, in layers (docs/architecture.md draws them and follows one request through them).

Top level: models.py (the HTTP contract's shapes and limits), errors.py (its error body, raised as ApiError) and
settings.py (the app's settings, read from the environment in one place); they import nothing else of the app.
Then, bottom up, each package's docstring saying what it may import:

- security/, resilience/, telemetry/: checks, breakers, memory guard, observability; the session/ as data;
- catalog/, engines/, llm/, tools/, azure/, cases/: deciding the next step and running it;
- orchestration/: the Durable orchestrator, its activities and its status envelope;
- http/: the API's handlers over HTTP and MCP; openapi/: the API's description;
- blueprints/: the Functions triggers, adapters only, registered by function_app.py.

tests/unit/test_import_cycles.py keeps the imports to these layers and free of cycles."""
