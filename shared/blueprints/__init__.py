"""The Functions triggers, registered by function_app.py: adapters only, each calls one function of the layers below.

- api.py: the HTTP routes (shared.http.api, and shared.openapi for the document); mcp.py: the MCP tools
  (shared.http.mcp_tools).
- session.py: the `debug_session` orchestrator, its activities and the `circuit_breakers` entity
  (shared.orchestration, shared.resilience); limits.py: the `caller_limits` entity (shared.security.limits_entity).
- maintenance.py: the retention timer.

The top layer: may import any package of shared/, and nothing of shared/ imports it."""
