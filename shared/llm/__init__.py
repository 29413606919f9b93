"""The model side of the LLM engine: client (settings -> openai client), prompt (redacted session ->
messages), schema (tool catalog -> function tools, plus the final answer) and parse (reply -> Decision)."""
