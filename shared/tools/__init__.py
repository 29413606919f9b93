"""The tools an engine may run: catalog.py lists them (typed, documented functions) and runs one; the others are the
tools themselves, over what the client sent (text_tools.py, material_tools.py) or over Azure (azure_*.py).

May import: shared.models, shared.settings, shared.telemetry, shared.security, shared.resilience (each Azure tool
behind its circuit breaker), shared.session and shared.azure; never the orchestration, the HTTP layer or the
triggers. Only the `run_tool` activity runs a tool."""
