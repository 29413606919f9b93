"""The function tools offered to the model: one per catalog tool, generated from its pydantic arguments
(never written twice), plus `submit_conclusion`, the structured final answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from shared.tools.catalog import catalog

CONCLUDE_TOOL = "submit_conclusion"


class FinalAnswer(BaseModel):
    """End the step without a tool: `done` (root cause and fix), `request` (ask the client) or `fail`."""

    status: Literal["done", "request", "fail"]
    message: str = Field(min_length=1, max_length=2_000, description="one or two sentences for the client")
    category: str | None = Field(default=None, description="the taxonomy id of the root cause, if known")
    root_cause: str = Field(default="", max_length=4_000, description="done/fail: the cause, from the evidence")
    confidence: Literal["high", "medium", "low"] = "low"
    evidence: list[str] = Field(default_factory=list, max_length=10, description="facts the conclusion rests on")
    actions: list[str] = Field(default_factory=list, max_length=10, description="done: the fix, step by step")
    question: str = Field(default="", max_length=2_000, description="request: what the client must provide")
    why: str = Field(default="", max_length=1_000, description="request: why it decides the cause")
    suggested_commands: list[str] = Field(default_factory=list, max_length=5,
                                          description="request: az commands that show the answer")
    fail_reason: Literal["out_of_scope", "exhausted"] = Field(
        default="exhausted", description="fail: out_of_scope for a problem outside Azure")
    suggested_tools: list[str] = Field(default_factory=list, max_length=5,
                                       description="tools that would have helped but are not offered")

    @model_validator(mode="after")
    def _complete(self) -> FinalAnswer:
        # A `done` without a cause or a `request` without a question is the malformed output repair is for.
        if self.status == "done" and not self.root_cause.strip():
            raise ValueError("status done needs root_cause")
        if self.status == "request" and not self.question.strip():
            raise ValueError("status request needs question")
        return self


def _function(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


def tool_schemas() -> list[dict[str, Any]]:
    """Every catalog tool as a chat-completions function tool, then the final answer."""
    tools = [_function(**t.schema()) for t in catalog().values()]
    answer = FinalAnswer.model_json_schema()
    tools.append(_function(CONCLUDE_TOOL, (FinalAnswer.__doc__ or "").strip(), answer))
    return tools
