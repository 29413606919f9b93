"""The API description against the running app (devhost, real HTTP): served anonymously, every request
example in it and in the connector is accepted, and real answers fit the documented schemas."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.helpers.devhost_process import run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
SWAGGER = json.loads((REPO / "connector" / "apiDefinition.swagger.json").read_text(encoding="utf-8"))
# A session that asks the client (no Azure access here): a target for continue examples.
ASKING = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")["request"]
KEY = "e2e-openapi-key"


@pytest.fixture(scope="module")
def document(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


class Contract:
    """Checks an HTTP answer against what the document says about that operation and status."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.registry: Registry = Registry().with_resource("urn:api", Resource(document, DRAFT202012))

    def check(self, response: httpx.Response, method: str, path: str) -> None:
        documented = self.document["paths"][path][method]["responses"]
        assert str(response.status_code) in documented, (method, path, response.status_code, response.text[:300])
        entry = documented[str(response.status_code)]
        for name, header in entry.get("headers", {}).items():
            if header.get("required"):
                assert name in response.headers, (method, path, name)
        media = entry.get("content", {}).get("application/json")
        if media is None:
            assert not response.content, (method, path, response.text[:200])
            return
        schema = _absolute(media["schema"])
        jsonschema.Draft202012Validator(schema, registry=self.registry).validate(response.json())


def _absolute(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: ("urn:api" + v if k == "$ref" else _absolute(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


def request_examples(document: dict[str, Any], swagger: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """Request bodies by operation path, from both documents: (where it was found, body)."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for path, item in document["paths"].items():
        body = item.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json")
        for name, example in (body or {}).get("examples", {}).items():
            found.setdefault(path, []).append((f"openapi {name}", example["value"]))
    for path, item in swagger["paths"].items():
        for parameter in item.get("post", {}).get("parameters", []):
            if parameter["in"] == "body":
                definition = swagger["definitions"][parameter["schema"]["$ref"].rsplit("/", 1)[1]]
                if "example" in definition:
                    found.setdefault(path, []).append(("swagger definition", definition["example"]))
    return found


def waiting_session(http: httpx.Client) -> str:
    env = http.post("/api/debug", json=ASKING).json()
    assert env["next_action"] in ("answer", "continue"), env
    return str(env["trace_id"])


def test_the_served_document_is_valid_and_names_the_server_it_came_from(document: dict[str, Any], base_url: str):
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["servers"] == [{"url": base_url, "description": "Where this document was served from"}]


def test_every_start_example_of_both_documents_is_accepted(http: httpx.Client, document: dict[str, Any]):
    contract = Contract(document)
    examples = request_examples(document, SWAGGER)["/api/debug"]
    assert len(examples) >= 4
    for where, body in examples:
        response = http.post("/api/debug", json=body)
        assert response.status_code in (200, 202), (where, response.text[:500])
        contract.check(response, "post", "/api/debug")


def test_every_continue_example_of_both_documents_is_accepted_by_a_waiting_session(
        http: httpx.Client, document: dict[str, Any]):
    contract = Contract(document)
    path = "/api/debug/{trace_id}/continue"
    examples = request_examples(document, SWAGGER)[path]
    assert len(examples) >= 4
    for where, body in examples:
        trace_id = waiting_session(http)
        response = http.post(f"/api/debug/{trace_id}/continue", json=body)
        assert response.status_code in (200, 202), (where, response.text[:500])
        contract.check(response, "post", path)


def test_a_real_session_answers_as_documented_from_start_to_delete(http: httpx.Client, document: dict[str, Any]):
    contract = Contract(document)
    started = http.post("/api/debug", json={**ASKING, "options": {"wait_seconds": 0}})
    contract.check(started, "post", "/api/debug")
    env = started.json()
    trace_id = env["trace_id"]
    with httpx.Client(timeout=60) as bare:  # the poll URL as a header-less poller uses it
        polled = bare.get(env["links"]["poll"])
    contract.check(polled, "get", "/api/debug/{trace_id}/poll")
    for _ in range(100):
        current = http.get(f"/api/debug/{trace_id}")
        contract.check(current, "get", "/api/debug/{trace_id}")
        if current.status_code == 200:
            break
        time.sleep(0.1)
    assert current.json()["status"] == "request"
    answered = http.post(f"/api/debug/{trace_id}/continue", json={"answer": "defaultAction Deny, no IP rule for the "
                                                                            "app; networkRuleSet shown in full"})
    contract.check(answered, "post", "/api/debug/{trace_id}/continue")
    final = answered.json()
    while final["next_action"] != "none":
        final = http.post(f"/api/debug/{trace_id}/continue", json={}).json()
    late = http.post(f"/api/debug/{trace_id}/continue", json={})
    assert late.status_code == 409
    contract.check(late, "post", "/api/debug/{trace_id}/continue")
    deleted = http.delete(f"/api/debug/{trace_id}")
    contract.check(deleted, "delete", "/api/debug/{trace_id}")
    gone = http.get(f"/api/debug/{trace_id}")
    assert gone.status_code == 404
    contract.check(gone, "get", "/api/debug/{trace_id}")


def test_refusals_and_health_answer_as_documented(http: httpx.Client, document: dict[str, Any]):
    contract = Contract(document)
    refused = http.post("/api/debug", json={"error_description": "x", "options": {"max_dept": 3}})
    assert refused.status_code == 400
    contract.check(refused, "post", "/api/debug")
    too_long = http.post("/api/debug", json={"error_description": "x" * 50_001})
    assert too_long.status_code == 413
    contract.check(too_long, "post", "/api/debug")
    wrong_token = http.get(f"/api/debug/{'0' * 32}/poll", params={"token": "1.abc"})
    assert wrong_token.status_code == 404
    contract.check(wrong_token, "get", "/api/debug/{trace_id}/poll")
    health = http.get("/api/health")
    contract.check(health, "get", "/api/health")
    served = http.get("/api/openapi.json")
    contract.check(served, "get", "/api/openapi.json")


@pytest.fixture(scope="module")
def keyed() -> Iterator[str]:
    with run_devhost(REPO, env={"DEVHOST_FUNCTION_KEY": KEY}, extra_args=["--require-keys"]) as url:
        yield url


def test_the_document_needs_no_key_where_the_api_does(keyed: str):
    with httpx.Client(base_url=keyed, timeout=60) as http:
        served = http.get("/api/openapi.json")
        assert served.status_code == 200
        assert served.json()["servers"][0]["url"] == keyed
        assert http.post("/api/debug", json=ASKING).status_code == 401
        assert http.post("/api/debug", json=ASKING, headers={"x-functions-key": KEY}).status_code in (200, 202)
        assert http.get(f"/api/debug/{'0' * 32}", params={"code": KEY}).status_code == 404
