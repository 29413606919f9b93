"""The engines: given the session so far, the next step (run a tool, ask the client, conclude, give up).

base.py is the interface, factory.py picks one by name (settings DEBUG_ENGINE): rules.py (the rules engine, its
per-family analyzers in analyzers/), llm.py (a model choosing tools from the catalog), hybrid.py (the rules propose,
the model reviews). The other modules are the knowledge they read (signatures, playbooks, clues, catalog hits, tool
advice, step budgets).

May import: shared.models, shared.settings, shared.telemetry, shared.security, shared.resilience, shared.session
and the other domain packages (catalog, llm, tools, azure, cases); never the orchestration, the HTTP layer or the
triggers. Only the activities (and the HTTP layer's budgets) call an engine."""
