"""The LLM and hybrid engines against a local OpenAI-compatible server, through the real `openai` client,
the real HTTP and the real `decide` / `run_tool` activities (usage summed as the orchestrator does)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest

from shared.engines.llm_fallback import MALFORMED, NOT_CONFIGURED, UNAVAILABLE
from shared.models import ClientRequest
from shared.orchestration import activities
from shared.session.state import AskClient, Conclude, DecisionEnvelope, GiveUp, RunTool
from tests.helpers.devhost_process import free_port
from tests.helpers.engine_loop import load_scenarios, run_engine
from tests.helpers.llm_session import CANARY, SECRET_LINE, llm_settings, new_state, reload_settings, run_session
from tests.helpers.openai_stub import (
    COMPLETION_TOKENS,
    PROMPT_TOKENS,
    OpenAIStub,
    final,
    slow,
    text,
    tool_call,
)

MODULE = next(s for s in load_scenarios() if s["id"] == "module-not-found-functions-python")
UNKNOWN = {"error_description": "Our Azure web app shows a blank page since this morning, no error anywhere."}
DONE = final("done", "requests is missing from requirements.txt.", category="runtime.dependency_missing",
             root_cause="function_app.py imports requests but requirements.txt does not list it.",
             confidence="high", actions=["Add requests to requirements.txt and redeploy."])


def module_start() -> dict:
    start = copy.deepcopy(MODULE["request"])
    start["error_description"] += f"\nDefaultEndpointsProtocol=https;AccountName=media;{SECRET_LINE};\n"
    return start


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def llm(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    """DEBUG_ENGINE=llm pointed at the stub, no retries (a scripted error is final)."""
    with llm_settings(monkeypatch, DEBUG_ENGINE="llm", AZURE_OPENAI_ENDPOINT=stub.base_url,
                      DEBUG_OPENAI_COMPATIBLE="true", DEBUG_LLM_MAX_RETRIES="0"):
        yield stub


def test_the_model_runs_a_tool_then_concludes_and_its_usage_is_counted(llm: OpenAIStub):
    llm.script = [tool_call("get_requirement_status", module="requests"), DONE]
    decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude)
    assert decision.report.category == "runtime.dependency_missing" and decision.report.confidence == "high"
    assert [e.tool for e in state.ledger] == ["get_requirement_status"]
    assert (state.llm_usage.calls, state.llm_usage.prompt_tokens, state.llm_usage.completion_tokens) == (
        2, 2 * PROMPT_TOKENS, 2 * COMPLETION_TOKENS)
    assert state.llm_usage.seconds > 0
    # The second prompt carries the evidence; no prompt carries the secret; the tools were offered.
    second_prompt = json.dumps(llm.requests[1]["body"]["messages"])
    assert "requirements.txt does not list a package providing 'requests'" in second_prompt
    assert CANARY not in llm.prompts()
    names = {t["function"]["name"] for t in llm.requests[0]["body"]["tools"]}
    assert {"get_requirement_status", "submit_conclusion", "get_resource"} <= names


def test_the_model_asks_the_client(llm: OpenAIStub):
    llm.script = [final("request", "I need the deployment log.", question="Please paste the deployment log.",
                        why="It shows which step failed.", suggested_commands=["az webapp log deployment show"])]
    decision, _ = run_session(new_state(UNKNOWN))
    assert isinstance(decision, AskClient)
    assert decision.request.question == "Please paste the deployment log."
    assert decision.request.suggested_commands == ["az webapp log deployment show"]


def test_model_output_is_redacted(llm: OpenAIStub):
    llm.script = [final("done", f"The key is password: {CANARY}", root_cause=f"password: {CANARY} leaked")]
    decision, _ = run_session(new_state(UNKNOWN))
    assert isinstance(decision, Conclude)
    assert CANARY not in decision.model_dump_json()


def test_malformed_output_is_repaired_once(llm: OpenAIStub):
    llm.script = [text("I think it is the requirements."), DONE]
    decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude) and not decision.message.startswith(MALFORMED)
    repair = llm.requests[1]["body"]["messages"][-1]
    assert repair["role"] == "user" and "could not be used" in repair["content"]
    assert state.llm_usage.calls == 2


def test_malformed_output_twice_falls_back_to_the_rules_engine(llm: OpenAIStub):
    llm.script = [tool_call("get_requirement_status", modul="requests"), text("no idea")]
    decided = DecisionEnvelope.model_validate(activities.decide(new_state(module_start()).model_dump(mode="json")))
    # The rules engine's own next step, saying why the model did not decide it.
    assert isinstance(decided.decision, RunTool) and decided.decision.purpose.startswith(MALFORMED)
    assert decided.usage is not None and decided.usage.calls == 2 and len(llm.requests) == 2
    # The invalid tool call was answered with the validation error, as chat APIs require.
    repair = llm.requests[1]["body"]["messages"][-1]
    assert repair["role"] == "tool" and "module" in repair["content"]


def test_a_second_malformed_reply_yields_the_rules_answer_with_the_reason(llm: OpenAIStub):
    llm.script = [text("no idea"), text("still no idea")]
    state = new_state(UNKNOWN)
    decision, _ = run_session(state)
    assert isinstance(decision, AskClient)  # the rules engine asks for the complete error
    assert decision.request.question.startswith(MALFORMED)


def test_an_unknown_tool_is_recorded_as_a_suggestion(llm: OpenAIStub):
    llm.script = [tool_call("get_pip_freeze"), DONE]
    decision, _ = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude)
    assert "suggested tool get_pip_freeze (not available)" in decision.report.checked


def test_a_spent_token_budget_hands_over_to_the_rules_engine(llm: OpenAIStub, monkeypatch: pytest.MonkeyPatch):
    reload_settings(monkeypatch, DEBUG_LLM_MAX_TOKENS=str(PROMPT_TOKENS))
    llm.script = [tool_call("get_requirement_status", module="requests"), DONE]
    decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude) and decision.message.startswith("The model budget for this session")
    assert decision.report.category == "runtime.dependency_missing"
    assert state.llm_usage.calls == 1 and len(llm.requests) == 1


def test_a_spent_call_budget_with_nothing_settled_fails_with_limits(llm: OpenAIStub,
                                                                    monkeypatch: pytest.MonkeyPatch):
    reload_settings(monkeypatch, DEBUG_LLM_MAX_CALLS="0")
    # The rules engine already asked for the complete error, so it cannot settle it either.
    asked = ClientRequest(question="Please paste the complete error output.", why="it names the cause")
    decision, _ = run_session(new_state(UNKNOWN, requests_asked=[asked]))
    assert isinstance(decision, GiveUp) and decision.reason == "limits"
    assert "0 model calls" in decision.message and decision.report.checked


def test_endpoint_down_the_rules_engine_answers_and_says_so(monkeypatch: pytest.MonkeyPatch):
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with llm_settings(monkeypatch, DEBUG_ENGINE="llm", AZURE_OPENAI_ENDPOINT=closed, DEBUG_OPENAI_COMPATIBLE="true",
                      DEBUG_LLM_MAX_RETRIES="0"):
        decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude) and decision.message.startswith(UNAVAILABLE)
    assert decision.report.category == "runtime.dependency_missing"
    assert state.llm_usage.failures >= 1 and state.llm_usage.tokens == 0


def test_a_slow_endpoint_times_out_and_the_rules_engine_answers(llm: OpenAIStub, monkeypatch: pytest.MonkeyPatch):
    reload_settings(monkeypatch, DEBUG_LLM_TIMEOUT_SECONDS="1")
    llm.script = [slow(2.5)]
    decision, state = run_session(new_state(UNKNOWN))
    assert isinstance(decision, AskClient) and decision.request.question.startswith(UNAVAILABLE)
    assert state.llm_usage.failures == 1


def test_llm_engine_without_an_endpoint_uses_the_rules_engine(monkeypatch: pytest.MonkeyPatch):
    with llm_settings(monkeypatch, DEBUG_ENGINE="llm"):
        decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude) and decision.message.startswith(NOT_CONFIGURED)
    assert state.llm_usage.calls == 0


def test_hybrid_sends_a_rules_conclusion_to_the_model_as_a_hypothesis(stub: OpenAIStub,
                                                                     monkeypatch: pytest.MonkeyPatch):
    stub.script = [DONE]  # the model confirms the rules' reading
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true"):
        decision, state = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude) and decision.report.category == "runtime.dependency_missing"
    assert "hypothesis to review: category runtime.dependency_missing, confidence high" in stub.prompts()
    assert state.llm_usage.calls == 1


def test_hybrid_a_dispute_the_evidence_does_not_back_keeps_the_rules_category(stub: OpenAIStub,
                                                                             monkeypatch: pytest.MonkeyPatch):
    stub.script = [final("done", "It is the storage firewall.", category="network.storage_firewall",
                         root_cause="The firewall blocks the app.", confidence="high")]
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true"):
        decision, _ = run_session(new_state(module_start()))
    assert isinstance(decision, Conclude)
    assert decision.report.category == "runtime.dependency_missing" and decision.report.confidence == "medium"
    assert any(e.source == "model" and "network.storage_firewall" in e.summary for e in decision.report.evidence)


def test_hybrid_a_dispute_the_evidence_backs_replaces_the_rules_category(stub: OpenAIStub,
                                                                        monkeypatch: pytest.MonkeyPatch):
    start = module_start()
    start["error_description"] += ("\nLater the upload step failed too: ErrorCode:AuthorizationPermissionMismatch "
                                   "This request is not authorized to perform this operation using this permission.")
    alone = run_engine(start).final  # the rules' own reading of this material: the exact storage code
    assert isinstance(alone, Conclude) and alone.report.category == "auth.rbac_missing"
    stub.script = [DONE]  # the model reads the import failure as the cause, which the error text also shows
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true"):
        decision, _ = run_session(new_state(start))
    assert isinstance(decision, Conclude) and decision.report.category == "runtime.dependency_missing"
    assert "hypothesis to review: category auth.rbac_missing" in stub.prompts()


def test_hybrid_out_of_scope_stays_with_the_rules(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch):
    aws = next(s for s in load_scenarios() if s["id"] == "out-of-scope-aws")
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true"):
        decision, _ = run_session(new_state(aws["request"]))
    assert isinstance(decision, GiveUp) and decision.reason == "out_of_scope"
    assert stub.requests == []


def test_hybrid_asks_the_model_with_the_rules_findings_when_rules_do_not_settle(stub: OpenAIStub,
                                                                               monkeypatch: pytest.MonkeyPatch):
    stub.script = [final("fail", "Nothing settles it.", root_cause="unknown")]
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT=stub.base_url, DEBUG_OPENAI_COMPATIBLE="true"):
        decision, state = run_session(new_state(UNKNOWN))
    assert isinstance(decision, GiveUp) and decision.reason == "exhausted"
    prompt = stub.prompts()
    assert "Rules engine findings" in prompt and "it would ask the client" in prompt
    assert state.llm_usage.calls == 1
