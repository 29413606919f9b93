"""The LLM engine: the model chooses tools from the catalog, reads the evidence and concludes.

Each decision is one `decide` activity: at most one model call plus one repair call, whose result
Durable stores, so a replay never calls the model again. The cost of the calls (`usage`) goes back
with the decision; the orchestrator sums it into the state, from which the budgets left are read.
Whatever goes wrong with the model, the rules engine's decision is the answer: never an exception."""

from __future__ import annotations

import logging
import time
from typing import Any

from shared.engines.base import Decision
from shared.engines.llm_fallback import MALFORMED, NOT_CONFIGURED, UNAVAILABLE, budget_spent, rules_answer
from shared.engines.rules import RulesEngine, classification
from shared.engines.signatures import Hit
from shared.llm.client import ModelClient, model_client
from shared.llm.parse import ParseError, parse_reply, to_decision
from shared.llm.prompt import build_messages, repair_messages
from shared.llm.schema import tool_schemas
from shared.resilience.breaker import BREAKERS, model_outcome
from shared.session.state import AskClient, Conclude, LlmUsage, RunTool, SessionState
from shared.settings import LlmSettings, load_settings
from shared.telemetry.spans import mark_failed, model_span, record_model_usage

MAX_FAILURES = 2  # calls without an answer per session before the engine stops trying the endpoint


class LlmEngine:
    name = "llm"

    def __init__(self, settings: LlmSettings | None = None) -> None:
        self.settings = settings or load_settings().llm
        self.usage = LlmUsage()  # this decision's cost, read by the decide activity

    def decide(self, state: SessionState) -> Decision:
        self.usage = LlmUsage()
        return self.consult(state, RulesEngine().decide(state), classification(state))

    def consult(self, state: SessionState, rules: Decision, hit: Hit | None, keep_category: bool = True) -> Decision:
        """Ask the model, showing it the rules engine's findings; `rules` is the fallback. With `keep_category` the
        rules' classification is the report's category; without, the model's answer carries its own (the hybrid
        engine then checks it against the evidence)."""
        category = _category(hit) if keep_category else None
        client = _client(self.settings)
        if client is None:
            return rules_answer(state, rules, NOT_CONFIGURED)
        if state.llm_usage.failures >= MAX_FAILURES:
            return rules_answer(state, rules, UNAVAILABLE)
        messages = build_messages(state, _findings(hit, rules), self._limits(state))
        for attempt in range(2):  # the answer, then one repair
            spent = self._spent(state)
            if spent:
                return budget_spent(state, rules, spent, category)
            reply = self._call(client, messages, self.settings.max_seconds - self._total(state).seconds)
            if reply is None:
                return rules_answer(state, rules, UNAVAILABLE)
            try:
                parsed = parse_reply(reply, state)
            except ParseError as problem:
                if attempt == 0:
                    messages += repair_messages(reply, str(problem))
                continue
            return parsed if isinstance(parsed, RunTool) else to_decision(parsed, state, category)
        return rules_answer(state, rules, MALFORMED)

    def _total(self, state: SessionState) -> LlmUsage:
        total = state.llm_usage.model_copy()
        total.add(self.usage)
        return total

    def _spent(self, state: SessionState) -> str | None:
        """Which budget is spent, if any."""
        total, limits = self._total(state), self.settings
        if total.calls >= limits.max_calls:
            return f"{limits.max_calls} model calls"
        if total.tokens >= limits.max_tokens:
            return f"{limits.max_tokens} tokens"
        if total.seconds >= limits.max_seconds:
            return f"{limits.max_seconds} seconds"
        return None

    def _limits(self, state: SessionState) -> list[str]:
        total, limits, options = self._total(state), self.settings, state.options
        return [f"tool runs left in this round: {max(options.max_depth - state.round_steps, 0)}",
                f"rounds left after this one: {max(options.max_rounds - state.round, 0)}",
                f"model calls left: {limits.max_calls - total.calls}",
                f"tokens left: {limits.max_tokens - total.tokens}",
                f"model seconds left: {max(limits.max_seconds - total.seconds, 0):.0f}"]

    def _call(self, client: ModelClient, messages: list[dict[str, Any]], left: float) -> Any | None:
        """One chat completion, bounded by the session's time left; its cost goes to `usage`.
        None when the endpoint gave no answer."""
        if not BREAKERS.allow("model"):  # the endpoint is known to be down: no call, no wait, the rules answer
            return None
        started = time.monotonic()
        with model_span(client.model) as span:
            try:
                response = client.client.chat.completions.create(
                    model=client.model, messages=messages, tools=tool_schemas(),  # type: ignore[arg-type]
                    timeout=max(min(client.timeout_seconds, left), 1.0))
                BREAKERS.record("model", "success")
                if response.usage is not None:
                    prompt, completion = response.usage.prompt_tokens or 0, response.usage.completion_tokens or 0
                    self.usage.prompt_tokens += prompt
                    self.usage.completion_tokens += completion
                    record_model_usage(span, client.model, prompt, completion)
                return response.choices[0].message
            except Exception as exc:  # down, slow, refused or nonsense: the rules engine answers instead
                # The type only: error texts can quote the prompt.
                logging.warning("model call failed with %s", type(exc).__name__)
                mark_failed(span, exc)
                BREAKERS.record("model", model_outcome(exc))
                self.usage.failures += 1
                return None
            finally:
                self.usage.calls += 1
                self.usage.seconds = round(self.usage.seconds + time.monotonic() - started, 3)


def _client(settings: LlmSettings) -> ModelClient | None:
    try:
        return model_client(settings)
    except Exception as exc:  # a malformed endpoint setting must not fail every session: the rules answer
        logging.error("the model client could not be built: %s", type(exc).__name__)
        return None


def _category(hit: Hit | None) -> str | None:
    """The rules engine's classification wins over the model's: a `symptom-` names no cause."""
    if hit is None or hit.signature.id.startswith("symptom"):
        return None
    return hit.signature.category


def _findings(hit: Hit | None, rules: Decision) -> list[str]:
    lines = [f"classification: {hit.signature.category} (signature {hit.signature.id})" if hit
             else "classification: no known Azure error signature matched"]
    if isinstance(rules, RunTool):
        lines.append(f"its next step would be the tool {rules.tool} {rules.arguments}")
    elif isinstance(rules, AskClient):
        lines.append(f"it would ask the client: {rules.request.question}")
    else:
        lines.append(f"it would answer {rules.kind}: {rules.message} {rules.report.root_cause}")
    if isinstance(rules, Conclude):
        lines.append(f"hypothesis to review: category {rules.report.category}, confidence {rules.report.confidence}, "
                     f"evidence: {'; '.join(e.summary[:160] for e in rules.report.evidence[:4])}. Confirm it, or "
                     "dispute it and investigate with the tools; a different category stands only when the error, "
                     "the answers or the Azure evidence show it")
    return lines
