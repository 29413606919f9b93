"""Bad input over real HTTP: clear 4xx bodies, nothing stored. And what Durable stores holds no secret."""

from __future__ import annotations

import json

import httpx
import pytest

DURABLE = "/runtime/webhooks/durabletask"
ACCOUNT_KEY = "q9Zt3mF0vXbN2kLp8sRw4yUe6iOa1cHd5gJj7Tn0PmQ+SxVbN3kLp8sRw4yUe6iOa1cHd5gJj7Tn0PmQzz=="
PASSWORD = "Sup3r-S3cret-Pa55!"


def instance_count(http: httpx.Client) -> int:
    response = http.get(f"{DURABLE}/instances/")
    assert response.status_code == 200
    return len(response.json())


@pytest.mark.parametrize("raw, status, field", [
    (b"{not json", 400, "body"),
    (b"\xff\xfe\xfa", 400, "body"),
    (json.dumps({"context": {}}).encode(), 400, "error_description"),
    (json.dumps({"error_description": "x", "options": {"max_depth": 99}}).encode(), 400, "options.max_depth"),
    (json.dumps({"error_description": "x", "context": {"source_files": [
        {"path": "a.py", "content": "x", "relevance": "weird"}]}}).encode(), 400,
     "context.source_files[0].relevance"),
    (json.dumps({"error_description": "e" * 50_001}).encode(), 413, "error_description"),
    (json.dumps({"error_description": "x", "context": {"source_files": [
        {"path": f"f{i}.py", "content": "a" * 1_900_000} for i in range(6)]}}).encode(), 413,
     "context.source_files"),
])
def test_bad_starts_are_refused_whole_with_the_field_named(http: httpx.Client, raw, status, field):
    before = instance_count(http)
    response = http.post("/api/debug", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert field in [d["field"] for d in error["details"]]
    assert instance_count(http) == before


def test_a_bad_continue_is_refused_before_the_session_is_looked_up(http: httpx.Client):
    response = http.post(f"/api/debug/{'0' * 32}/continue", content=b'{"answer": 1}')
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "answer"


def test_secrets_never_reach_durable_storage(http: httpx.Client):
    body = {
        # a report vague enough that the session asks (the answer must be redacted too), with a secret in it
        "error_description": f"The function does not pick up our storage setting since the move, it just sits "
                             f"there. Setting: DefaultEndpointsProtocol=https;AccountName=mystore;"
                             f"AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net",
        "context": {"source_files": [
            {"path": "local.settings.json", "relevance": "config",
             "content": json.dumps({"Values": {"DB_PASSWORD": PASSWORD}})},
        ]},
    }
    env = http.post("/api/debug", json=body).json()
    answer = http.post(f"/api/debug/{env['trace_id']}/continue",
                       json={"answer": f"the password is password={PASSWORD} and the key AccountKey={ACCOUNT_KEY}"})
    assert answer.status_code in (200, 202)
    stored = http.get(f"{DURABLE}/instances/{env['trace_id']}",
                      params={"showInput": "true", "showHistory": "true", "showHistoryOutput": "true"})
    assert stored.status_code in (200, 202)
    text = stored.text
    assert env["trace_id"] in text and "mystore" in text  # the instance is there, its harmless parts readable
    assert ACCOUNT_KEY not in text and ACCOUNT_KEY[:20] not in text
    assert PASSWORD not in text
