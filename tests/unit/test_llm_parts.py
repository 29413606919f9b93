"""The LLM engine's parts: settings, client construction, tool schema, prompt and reply parsing."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from openai import AzureOpenAI, OpenAI

from shared.llm.client import model_client
from shared.llm.parse import ParseError, parse_reply
from shared.llm.prompt import FILE_TOKEN_BUDGET, build_messages, rank_files
from shared.llm.schema import CONCLUDE_TOOL, FinalAnswer, tool_schemas
from shared.session.state import Evidence, FileExcerpt, RunTool
from shared.settings import DEFAULT_OPENAI_API_VERSION, load_settings
from shared.tools.catalog import catalog
from tests.helpers.llm_session import llm_settings, new_state
from tests.helpers.openai_stub import OpenAIStub, final


def test_the_engine_defaults_to_hybrid_with_an_endpoint_and_to_rules_without(monkeypatch: pytest.MonkeyPatch):
    with llm_settings(monkeypatch):
        assert load_settings().engine == "rules" and load_settings().llm.endpoint is None
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT="https://x.openai.azure.com"):
        settings = load_settings()
        assert settings.engine == "hybrid" and settings.llm.api_version == DEFAULT_OPENAI_API_VERSION
        assert settings.llm.api_key is None and not settings.llm.openai_compatible
    with llm_settings(monkeypatch, DEBUG_ENGINE="gpt"), pytest.raises(ValueError, match="DEBUG_ENGINE"):
        load_settings()


def test_keyless_azure_client_by_default_and_a_key_only_when_set(monkeypatch: pytest.MonkeyPatch):
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT="https://x.openai.azure.com", AZURE_OPENAI_DEPLOYMENT="d"):
        built = model_client(load_settings().llm)
        assert built is not None and isinstance(built.client, AzureOpenAI) and built.model == "d"
        assert built.client._azure_ad_token_provider is not None  # an Entra ID token, no key
    with llm_settings(monkeypatch, AZURE_OPENAI_ENDPOINT="http://127.0.0.1:1/v1", DEBUG_OPENAI_COMPATIBLE="true"):
        built = model_client(load_settings().llm)
        assert built is not None and type(built.client) is OpenAI


def test_the_azure_client_with_a_key_talks_to_the_deployment_path(monkeypatch: pytest.MonkeyPatch):
    with OpenAIStub([final("fail", "x")]) as stub, llm_settings(
            monkeypatch, AZURE_OPENAI_ENDPOINT=stub.azure_endpoint, AZURE_OPENAI_API_KEY="k-123",
            AZURE_OPENAI_DEPLOYMENT="gpt-dep"):
        built = model_client(load_settings().llm)
        assert built is not None
        built.client.chat.completions.create(model=built.model, messages=[{"role": "user", "content": "hi"}])
        request = stub.requests[0]
    assert request["path"].startswith("/openai/deployments/gpt-dep/chat/completions?api-version=")
    assert request["headers"]["api-key"] == "k-123"


def test_the_tool_schema_is_generated_from_the_catalog():
    tools = {t["function"]["name"]: t["function"] for t in tool_schemas()}
    assert set(tools) == set(catalog()) | {CONCLUDE_TOOL}
    for name, found in catalog().items():
        assert tools[name]["parameters"] == found.arguments.model_json_schema()
    assert tools[CONCLUDE_TOOL]["parameters"] == FinalAnswer.model_json_schema()


def _reply(name: str, arguments: object) -> SimpleNamespace:
    call = SimpleNamespace(id="c1", function=SimpleNamespace(name=name, arguments=json.dumps(arguments)))
    return SimpleNamespace(tool_calls=[call], content=None)


def test_tool_arguments_are_validated_against_the_tools_model():
    state = new_state({"error_description": "x"})
    parsed = parse_reply(_reply("get_requirement_status", {"module": "requests"}), state)
    assert isinstance(parsed, RunTool) and parsed.arguments == {"module": "requests"}
    with pytest.raises(ParseError, match="module"):
        parse_reply(_reply("get_requirement_status", {"module": "no spaces allowed"}), state)
    state.ledger.append(Evidence(tool="get_requirement_status", arguments={"module": "requests"}, status="success",
                                 summary="s"))
    with pytest.raises(ParseError, match="already called"):
        parse_reply(_reply("get_requirement_status", {"module": "requests"}), state)


def test_a_final_answer_needs_what_its_status_promises():
    state = new_state({"error_description": "x"})
    with pytest.raises(ParseError, match="root_cause"):
        parse_reply(_reply(CONCLUDE_TOOL, {"status": "done", "message": "m"}), state)
    content = SimpleNamespace(tool_calls=None, content='Here: ```json\n{"status": "fail", "message": "m"}\n```')
    assert isinstance(parse_reply(content, state), FinalAnswer)


def test_files_are_ranked_by_relevance_and_cut_to_the_token_budget():
    files = [FileExcerpt(path="notes.md", relevance="secondary", content="n" * 50_000, size_bytes=50_000),
             FileExcerpt(path="host.json", relevance="config", content="{}", size_bytes=2),
             FileExcerpt(path="app.py", relevance="primary", content="import x", size_bytes=8)]
    assert [f.path for f in rank_files(files, "error in app.py")] == ["app.py", "host.json", "notes.md"]
    state = new_state({"error_description": "boom", "context": {"source_files": [
        {"path": f.path, "relevance": f.relevance, "content": f.content} for f in files]}})
    user = build_messages(state, ["classification: none"], ["model calls left: 3"])[1]["content"]
    assert user.index("app.py") < user.index("host.json") < user.index("notes.md")
    assert user.count("n") < FILE_TOKEN_BUDGET * 4 and "characters cut" in user
    assert "model calls left: 3" in user and "classification: none" in user
