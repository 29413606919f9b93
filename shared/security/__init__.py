"""Who may do what, and what may be stored: the checks every request passes before anything is kept.

- callers.py: who is calling (an owner id, a keyed hash of the principal or the key, never the key itself);
  ownership.py: a session belongs to the caller that started it (anyone else gets the same 404).
- poll_token.py: signed capabilities to poll one session without headers.
- rate_limit.py: per-caller token bucket and open-session cap (pure arithmetic), and limits_entity.py: the
  `caller_limits` Durable entity's operations over it.
- redaction.py: secrets found and replaced in everything about to be stored or sent to a model, and
  redaction_numbers.py: stable placeholder numbers within one session; input_hygiene.py: paths refused and text
  normalized before that.

May import: shared.settings, the standard library and the Functions SDK, nothing else of the app. Everything above
it (the session, the engines, the HTTP layer, the orchestration) may import it. tests/unit/test_import_cycles.py
enforces this."""
