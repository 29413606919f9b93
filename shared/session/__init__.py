"""The debug session as data: what the orchestrator carries from round to round, and what is made from it.

- state.py: SessionState and its parts (material, ledger, waiting request, budget), the decisions an engine returns
  and the StepInput an activity gets; bounded, already redacted, JSON-serialisable.
- material.py: a validated request (or a continue's answers) turned into the session's Material: redacted, then cut
  to budget; and the delta an answer applies to it.
- report.py: reports built from the ledger, for sessions that end without a conclusion.

No I/O and no Durable calls: this is what the orchestrator, the activities, the engines and the tools share.
May import: shared.models, shared.settings, shared.security (redaction, input hygiene) and the standard library,
nothing above it. tests/unit/test_import_cycles.py enforces this."""
