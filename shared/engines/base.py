"""The engine interface: given the session so far, what is the next step."""

from __future__ import annotations

from typing import Protocol

from shared.session import AskClient, Conclude, GiveUp, RunTool, SessionState

Decision = RunTool | AskClient | Conclude | GiveUp


class Engine(Protocol):
    name: str

    def decide(self, state: SessionState) -> Decision:
        """Run a tool, ask the client, conclude done, or give up. Must not raise for a session it cannot solve."""
        ...


def get_engine(name: str) -> Engine:
    from shared.engines.rules import RulesEngine

    engines: dict[str, type] = {"rules": RulesEngine}
    if name not in engines:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(sorted(engines))}")
    return engines[name]()
