"""The debug session as a Durable Functions orchestration: the orchestrator, its activities, and its status.

- orchestrator.py: rounds, limits and waits for the client; deterministic by rule (time only from the context, no
  I/O), one execution per round carried on with `continue_as_new`.
- activities.py: all of the session's I/O: `decide` (an engine), `run_tool` (a tool, behind its circuit breaker),
  and the case memory's `remember_case` and `verify_case`; each result redacted and capped before Durable stores it.
- envelope.py: the envelope the orchestrator publishes as custom status, kept under Durable's 16 KB.

May import: everything below it (shared.models, shared.settings, shared.security, shared.resilience,
shared.session, shared.telemetry, and the engines, tools, llm, catalog, cases and azure packages). Never the HTTP
layer (shared.http), shared.openapi or the triggers (shared.blueprints): the triggers call in, and the HTTP layer
starts and signals the orchestration (it imports only the event names from orchestrator.py).
tests/unit/test_import_cycles.py enforces this."""
