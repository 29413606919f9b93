"""The sample Logic App (samples/logic-app) played against devhost the way the Logic Apps HTTP action runs it:
its own method, URI, headers and body, then 202 + Location + Retry-After followed without the original
headers or key until a non-202 answer, which becomes the workflow's final envelope."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = json.loads((REPO / "samples" / "logic-app" / "debug-azure-error" / "workflow.json").read_text())
DEFINITION = WORKFLOW["definition"]
KEY = "e2e-logic-app-key"
# Completes without Azure access and without a request to the client: what an unattended flow needs.
SCENARIO = next(s for s in load_scenarios() if s["id"] == "module-not-found-functions-python")
MAX_POLLS = 200


@dataclass(frozen=True)
class Scope:
    """What the workflow's expressions can read in this run."""

    app_settings: dict[str, str]
    trigger_body: dict[str, Any]
    run_name: str


def evaluate(expression: str, scope: Scope) -> Any:
    """The few workflow-language functions the sample uses; anything else fails the test by name, so a
    changed sample cannot pass on an expression this test does not understand."""
    expression = expression.strip()
    if found := re.fullmatch(r"appsetting\('([^']+)'\)", expression):
        return scope.app_settings[found[1]]
    if found := re.fullmatch(r"triggerBody\(\)\?\['([^']+)'\]", expression):
        return scope.trigger_body.get(found[1])
    if found := re.fullmatch(r"json\('(.*)'\)", expression):
        return json.loads(found[1])
    if found := re.fullmatch(r"coalesce\((.+?), (json\('.*'\))\)", expression):
        first = evaluate(found[1], scope)
        return first if first is not None else evaluate(found[2], scope)
    if expression == "workflow().run.name":
        return scope.run_name
    raise AssertionError(f"this test does not evaluate the workflow expression {expression!r}")


def resolve(value: Any, scope: Scope) -> Any:
    """A workflow value with its expressions evaluated: `@expr` whole, `@{expr}` inside a string."""
    if isinstance(value, dict):
        return {key: resolve(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if isinstance(value, str) and "@{" in value:
        return re.sub(r"@\{([^{}]+)\}", lambda m: str(evaluate(m[1], scope)), value)
    if isinstance(value, str) and value.startswith("@"):
        return evaluate(value[1:], scope)
    return value


def http_action() -> tuple[str, dict[str, Any]]:
    actions = [(name, action) for name, action in DEFINITION["actions"].items() if action["type"] == "Http"]
    assert len(actions) == 1
    return actions[0]


@dataclass
class Outcome:
    status: int
    body: Any
    polls: int
    waits: list[float]


def run_http_action(inputs: dict[str, Any]) -> Outcome:
    """The Logic Apps HTTP action with its asynchronous pattern: send the request; while the answer is 202,
    wait Retry-After seconds and GET Location, with none of the original headers (so no key)."""
    with httpx.Client(timeout=120) as client:
        response = client.request(inputs["method"], inputs["uri"], headers=inputs.get("headers"),
                                  json=inputs.get("body"))
        polls, waits = 0, []
        while response.status_code == 202:
            assert polls < MAX_POLLS, "no final answer"
            location = response.headers["Location"]
            wait = float(response.headers["Retry-After"])
            waits.append(wait)
            time.sleep(wait)
            response = httpx.get(location, timeout=120)  # a fresh request: no headers, no cookies, no key
            polls += 1
    return Outcome(response.status_code, response.json() if response.content else None, polls, waits)


@pytest.fixture(scope="module")
def keyed_devhost() -> Iterator[str]:
    env = {"DEVHOST_FUNCTION_KEY": KEY, "DEBUG_POLL_TOKEN_SECRET": "logic-app-secret",
           "DEBUG_RETRY_AFTER_SECONDS": "1"}
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        yield url


def scope_for(base_url: str, run_name: str) -> Scope:
    trigger = {k: SCENARIO["request"][k] for k in ("error_description", "context")}
    return Scope({"DEBUG_API_BASE_URL": base_url, "DEBUG_FUNCTION_KEY": KEY}, trigger, run_name)


def test_the_sample_keeps_the_asynchronous_pattern_and_reads_the_key_from_an_app_setting():
    name, action = http_action()
    assert "DisableAsyncPattern" not in action.get("operationOptions", "")
    assert action["inputs"]["method"] == "POST"
    assert action["inputs"]["headers"]["x-functions-key"] == "@{appsetting('DEBUG_FUNCTION_KEY')}"
    assert action["inputs"]["body"]["options"]["auto_continue"] is True
    assert "inputs" in action["runtimeConfiguration"]["secureData"]["properties"]  # the key stays out of run history
    composed = [a for a in DEFINITION["actions"].values() if a["type"] == "Compose"]
    assert composed and composed[0]["inputs"] == f"@body('{name}')"


def test_the_workflow_reaches_the_final_envelope_by_polling_without_the_key(keyed_devhost: str):
    _, action = http_action()
    inputs = resolve(action["inputs"], scope_for(keyed_devhost, "08584650000000000000000000000CU01"))
    assert inputs["headers"]["x-functions-key"] == KEY and inputs["uri"] == f"{keyed_devhost}/api/debug"
    outcome = run_http_action(inputs)
    assert outcome.status == 200
    assert outcome.polls >= 1 and all(wait >= 1 for wait in outcome.waits)  # wait_seconds 0: it had to poll
    envelope = outcome.body
    assert (envelope["status"], envelope["next_action"], envelope["progress"]) == ("done", "none", 100)
    assert envelope["report"]["category"] == SCENARIO["expect"]["category"]


def test_a_retried_start_of_the_same_run_names_the_same_session(keyed_devhost: str):
    _, action = http_action()
    inputs = resolve(action["inputs"], scope_for(keyed_devhost, "08584650000000000000000000000CU02"))
    with httpx.Client(timeout=120) as client:
        first = client.post(inputs["uri"], headers=inputs["headers"], json=inputs["body"])
        again = client.post(inputs["uri"], headers=inputs["headers"], json=inputs["body"])
    assert first.status_code in (200, 202) and again.status_code in (200, 202)
    assert first.json()["trace_id"] == again.json()["trace_id"]

