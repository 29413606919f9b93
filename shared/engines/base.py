"""The engine interface: given the session so far, what is the next step."""

from __future__ import annotations

from typing import Protocol

from shared.session.state import AskClient, Conclude, GiveUp, LlmUsage, RunTool, SessionState

Decision = RunTool | AskClient | Conclude | GiveUp


class Engine(Protocol):
    name: str

    def decide(self, state: SessionState) -> Decision:
        """Run a tool, ask the client, conclude done, or give up. Must not raise for a session it cannot solve."""
        ...


def usage_of(engine: Engine) -> LlmUsage | None:
    """What the engine's last decision cost in model calls (engines without a model have no `usage`)."""
    usage = getattr(engine, "usage", None)
    return usage if isinstance(usage, LlmUsage) else None
