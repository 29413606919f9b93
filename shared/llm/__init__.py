"""The model side of the LLM engine: client (settings -> openai client), prompt (redacted session ->
messages), schema (tool catalog -> function tools, plus the final answer) and parse (reply -> Decision).

May import: the foundation (shared.models, errors, settings, telemetry, security, resilience, session) and the other
domain packages; never shared.orchestration, shared.http or the blueprints (tests/unit/test_import_cycles.py)."""
