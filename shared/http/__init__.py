"""The debug API's front door, over HTTP and over MCP: every request is checked here before anything is stored.

- api.py: the handlers the HTTP triggers call (start, continue, feedback, get, poll, delete, health): validate, admit,
  redact, start or signal the orchestration, answer with the envelope its custom status holds, or the contract's
  error body.
- validation.py: a raw body turned into a validated request, or an ApiError naming each field at fault.
- admission.py: starts and continues admitted against the caller's limits (429 with Retry-After when over).
- idempotency.py: `Idempotency-Key` on start, the same key from the same caller naming the same session.
- mcp_tools.py: the MCP tools, each turned back into the API request it stands for and handled by api.py.

May import: everything below it (shared.models, shared.errors, shared.settings, shared.security, shared.resilience,
shared.session, shared.telemetry, shared.azure, shared.cases, shared.engines) and, from shared.orchestration, only
the names the client uses to start and signal a session. Never the triggers (shared.blueprints) or shared.openapi,
which import it. tests/unit/test_import_cycles.py enforces this."""
