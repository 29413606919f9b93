"""A session driven by the model over real HTTP: devhost runs the app with DEBUG_ENGINE=llm, the model is
the local OpenAI-compatible stub, the Durable loop and the `openai` client are the real ones."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.api_client import follow, start
from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios
from tests.helpers.llm_session import CANARY, SECRET_LINE
from tests.helpers.openai_stub import OpenAIStub, final, tool_call

REPO = Path(__file__).resolve().parents[2]
MODULE = next(s for s in load_scenarios() if s["id"] == "module-not-found-functions-python")


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture(scope="module")
def http(stub: OpenAIStub) -> Iterator[httpx.Client]:
    env = {"DEBUG_ENGINE": "llm", "AZURE_OPENAI_ENDPOINT": stub.base_url, "DEBUG_OPENAI_COMPATIBLE": "true",
           "DEBUG_LLM_MAX_RETRIES": "0", "DEBUG_POLL_TOKEN_SECRET": "e2e-secret", "DEBUG_RETRY_AFTER_SECONDS": "1"}
    with run_devhost(REPO, env=env) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def test_the_model_chooses_a_tool_and_concludes_without_seeing_the_secret(http: httpx.Client, stub: OpenAIStub):
    assert http.get("/api/health").json()["engine"] == "llm"
    stub.script = [tool_call("get_requirement_status", module="requests"),
                   final("done", "requests is missing from requirements.txt.", category="runtime.dependency_missing",
                         root_cause="function_app.py imports requests; requirements.txt does not list it.",
                         confidence="high", actions=["Add requests to requirements.txt and redeploy."])]
    body = copy.deepcopy(MODULE["request"])
    body["error_description"] += f"\nStorage: DefaultEndpointsProtocol=https;AccountName=media;{SECRET_LINE};\n"
    body["context"]["source_files"].append({"path": "local.settings.json", "relevance": "config",
                                            "content": f'{{"Values": {{"API_PASSWORD": "{CANARY}"}}}}'})
    session = follow(http, start(http, body).json())
    final_env = session.last
    assert (final_env["status"], final_env["steps"]) == ("done", 1), final_env
    assert final_env["report"]["category"] == "runtime.dependency_missing"
    assert len(stub.requests) == 2
    # The second call saw the tool's evidence; no call carried the secret the client sent.
    assert "requirements.txt does not list a package providing" in stub.prompts()
    assert CANARY not in stub.prompts()
