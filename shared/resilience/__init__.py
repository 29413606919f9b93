"""Staying up when a dependency or the worker itself is in trouble: fail fast, degrade, recover.

- breaker.py: one circuit breaker per dependency (Resource Manager, Log Analytics, the model endpoint), a pure state
  machine plus this process's breakers; breaker_shared.py: the same state shared across instances through the
  `circuit_breakers` Durable entity.
- memory_guard.py: the worker's resident memory measured at every invocation, load shed above a high-water mark
  (large starts refused, caches cleared, the rules engine instead of a model) and recovery below a low-water mark.

May import: shared.settings, shared.telemetry, the standard library and the Functions SDK, nothing else of the app.
The tools, engines, Azure clients, activities and HTTP layer consult it. tests/unit/test_import_cycles.py enforces
this."""
