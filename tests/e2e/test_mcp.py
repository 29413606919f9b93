"""The MCP tools end to end: the official `mcp` client over real streamable HTTP, devhost, the replay engine, the app.

The tools are the API's start and continue reached another way, so the checks mirror the HTTP ones: a whole
session, waiting, the error body naming the field, limits before storage, no secret in results or state,
and the key with --require-keys."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult

from tests.helpers.canaries import canaries, leaked
from tests.helpers.devhost_process import devhost_log, run_devhost
from tests.helpers.engine_loop import load_scenarios

REPO = Path(__file__).resolve().parents[2]
MCP = "/runtime/webhooks/mcp"
INSTANCES = "/runtime/webhooks/durabletask/instances/"
FIREWALL = next(s for s in load_scenarios() if s["id"] == "storage-firewall-no-azure-access")
ANSWER = FIREWALL["client"][0]["answer"]
KEY = "mcp-e2e-system-key"
OTHER_KEY = "mcp-e2e-other-key"
T = TypeVar("T")


@pytest.fixture(scope="module")
def host(state_file: Path) -> Iterator[str]:
    with run_devhost(REPO, env={"DEBUG_POLL_TOKEN_SECRET": "mcp-e2e"}, state=state_file) as url:
        yield url


def firewall_arguments(**options: Any) -> dict[str, Any]:
    context = FIREWALL["request"]["context"]
    arguments = {"error_description": FIREWALL["request"]["error_description"],
                 "source_files": context["source_files"], "environment_info": context["environment_info"]}
    return {**arguments, "options": options} if options else arguments


def over_mcp(url: str, work: Callable[[ClientSession], Awaitable[T]], headers: dict[str, str] | None = None,
             query: str = "") -> T:
    """Run `work` in an initialized MCP session with devhost at `url` (headers and query string as given)."""
    async def session() -> T:
        timeout = httpx2.Timeout(30, read=300)
        async with (httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
                    streamable_http_client(f"{url}{MCP}{query}", http_client=http) as (read, write),
                    ClientSession(read, write) as client):
            await client.initialize()
            return await work(client)
    try:
        return anyio.run(session)
    except BaseExceptionGroup as group:  # the client's task groups wrap what went wrong; show the one cause
        raise _cause(group) from None


def _cause(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


def call(url: str, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async def work(client: ClientSession) -> CallToolResult:
        return await client.call_tool(tool, arguments)
    return over_mcp(url, work)


def body(result: CallToolResult) -> dict[str, Any]:
    """The result's JSON document (the envelope, or the API's error body), read from its text block."""
    assert len(result.content) == 1 and result.content[0].type == "text"
    document: dict[str, Any] = json.loads(result.content[0].text)
    return document


def envelope(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    document = body(result)
    assert result.structured_content == document  # the same envelope, for clients that read structured content
    return document


def error(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error and result.structured_content is None
    found: dict[str, Any] = body(result)["error"]
    return found


def instance_count(url: str) -> int:
    return len(httpx.get(f"{url}{INSTANCES}", params={"showInput": "false"}, timeout=30).json())


def test_the_three_tools_are_listed_with_schemas_from_their_properties(host: str):
    async def work(client: ClientSession) -> dict[str, Any]:
        return {tool.name: tool for tool in (await client.list_tools()).tools}
    tools = over_mcp(host, work)
    assert set(tools) == {"debug_error", "debug_error_continue", "debug_error_feedback"}
    start = tools["debug_error"].input_schema
    assert start["type"] == "object" and start["required"] == ["error_description"]
    assert start["properties"]["error_description"]["type"] == "string"
    assert start["properties"]["source_files"]["type"] == "array"
    assert start["properties"]["source_files"]["items"] == {"type": "object"}
    assert "relevance" in start["properties"]["source_files"]["description"]
    assert {start["properties"][p]["type"] for p in ("environment_info", "options")} == {"object"}
    proceed = tools["debug_error_continue"].input_schema
    assert proceed["required"] == ["trace_id"]
    assert set(proceed["properties"]) == {"trace_id", "answer", "source_files", "environment_info", "wait_seconds",
                                          "reopen"}
    assert proceed["properties"]["reopen"]["type"] == "boolean"
    feedback = tools["debug_error_feedback"].input_schema
    assert sorted(feedback["required"]) == ["outcome", "trace_id"] and set(feedback["properties"]) == {
        "trace_id", "outcome", "note"}
    assert proceed["properties"]["wait_seconds"]["type"] == "integer"
    assert "50,000" in start["properties"]["error_description"]["description"]  # the limits are the contract's


def test_a_session_from_request_to_done_over_mcp(host: str):
    first = envelope(call(host, "debug_error", firewall_arguments()))
    assert (first["status"], first["next_action"]) == ("request", "answer")
    assert "networkRuleSet" in " ".join(first["request"]["suggested_commands"])
    assert "links" not in first  # they name HTTP routes that take function keys, which MCP clients do not hold

    done = envelope(call(host, "debug_error_continue", {"trace_id": first["trace_id"], "answer": ANSWER}))
    assert (done["status"], done["next_action"], done["progress"]) == ("done", "none", 100)
    assert done["report"]["category"] == "network.storage_firewall"
    assert done["trace_id"] == first["trace_id"] and done["round"] == 2

    # One session, whichever door: plain devhost has no keys, so both callers are the anonymous caller.
    over_http = httpx.get(f"{host}/api/debug/{first['trace_id']}", timeout=30)
    assert over_http.status_code == 200 and over_http.json()["status"] == "done"
    finished = error(call(host, "debug_error_continue", {"trace_id": first["trace_id"], "answer": "more"}))
    assert finished["code"] == "session_finished"
    # Feedback over MCP reaches the same route: this devhost has no case memory, which the tool says.
    unstored = error(call(host, "debug_error_feedback", {"trace_id": first["trace_id"], "outcome": "fixed"}))
    assert unstored["code"] == "memory_unavailable"
    bad = error(call(host, "debug_error_feedback", {"trace_id": first["trace_id"], "outcome": "maybe"}))
    assert bad["details"][0]["field"] == "outcome"


def test_continue_without_an_answer_waits_for_the_service_like_a_get(host: str):
    async def work(client: ClientSession) -> tuple[CallToolResult, CallToolResult]:
        # In one MCP session, so the continue arrives while round 1 still works (it takes most of a second).
        started = await client.call_tool("debug_error", firewall_arguments(wait_seconds=0))
        trace_id = envelope(started)["trace_id"]
        return started, await client.call_tool("debug_error_continue", {"trace_id": trace_id, "wait_seconds": 30})
    started, waited = (envelope(result) for result in over_mcp(host, work))
    assert (started["status"], started["next_action"]) == ("continue", "poll")
    assert (waited["status"], waited["next_action"]) == ("request", "answer"), waited
    assert waited["trace_id"] == started["trace_id"] and waited["round"] == 1  # nothing was sent to the session


@pytest.mark.parametrize(("arguments", "field", "problem"), [
    ({"source_files": [{"path": "../app/secrets.txt", "content": "x"}]}, "source_files[0].path", ""),
    ({"source_files": [{"path": "main.py", "content": "x", "relevance": "core"}]},
     "source_files[0].relevance", "primary"),
    ({"options": {"max_depth": 99}}, "options.max_depth", "20"),
    ({"severity": "high"}, "severity", "unknown field"),
])
def test_a_bad_argument_is_an_error_result_naming_it(host: str, arguments: dict, field: str, problem: str):
    before = instance_count(host)
    found = error(call(host, "debug_error", {"error_description": "Function fails with 403", **arguments}))
    assert found["code"] == "invalid_request"
    assert [d["field"] for d in found["details"]] == [field]
    assert problem in found["details"][0]["problem"]
    assert instance_count(host) == before


def test_a_missing_required_argument_is_refused_by_the_host_like_the_extension(host: str):
    with pytest.raises(MCPError) as raised:
        call(host, "debug_error", {"source_files": []})
    assert raised.value.code == -32602 and "error_description" in raised.value.message


def test_an_oversize_error_description_is_refused_before_anything_is_stored(host: str):
    before = instance_count(host)
    found = error(call(host, "debug_error", {"error_description": "x" * 50_001}))
    assert found["code"] == "payload_too_large"
    assert found["details"] == [{"field": "error_description", "problem": "50001 characters, at most 50000 allowed"}]
    assert instance_count(host) == before


def test_an_unknown_or_foreign_trace_id_reads_as_no_session(host: str):
    for trace_id in ("0" * 32, "not-an-id"):
        found = error(call(host, "debug_error_continue", {"trace_id": trace_id}))
        assert found["code"] == "not_found" and found["details"][0]["field"] == "trace_id"


def test_no_canary_reaches_the_tool_results_or_devhost_state(host: str, state_file: Path):
    corpus = canaries(per_form=2, seed=7)
    error_part, file_part, answer_part = corpus[0::3], corpus[1::3], corpus[2::3]
    arguments = firewall_arguments()
    arguments["error_description"] += "\n" + "\n".join(c.text for c in error_part)
    arguments["source_files"] = [*arguments["source_files"],
                                 {"path": "config/leaky.txt", "content": "\n".join(c.text for c in file_part)}]
    first = call(host, "debug_error", arguments)
    trace_id = envelope(first)["trace_id"]
    last = call(host, "debug_error_continue",
                {"trace_id": trace_id, "answer": ANSWER + "\n" + "\n".join(c.text for c in answer_part)})
    assert envelope(last)["status"] in ("done", "fail")
    results = "\n".join(r.model_dump_json() for r in (first, last))
    stored = httpx.get(f"{host}{INSTANCES}{trace_id}", timeout=30,
                       params={"showInput": "true", "showHistory": "true", "showHistoryOutput": "true"}).text
    raw_state = b"".join(p.read_bytes() for p in state_file.parent.glob(state_file.name + "*"))
    places = {"tool results": results, "instance": stored, "devhost log": devhost_log(host),
              "state file": raw_state.decode("utf-8", "replace")}
    assert {place: sorted({c.form for c in leaked(text, corpus)}) for place, text in places.items()} == {
        place: [] for place in places}
    # The scan can fail: the corpus is found in what was sent, and the session holds the redacted material.
    assert len(leaked(json.dumps(arguments), corpus)) == len(error_part) + len(file_part)
    assert "[REDACTED:" in stored and "config/leaky.txt" in stored


def test_with_require_keys_the_endpoint_needs_the_key_and_the_key_names_the_owner():
    env = {"DEVHOST_FUNCTION_KEY": KEY, "DEVHOST_FUNCTION_KEYS": OTHER_KEY}
    with run_devhost(REPO, env=env, extra_args=["--require-keys"]) as url:
        async def names(client: ClientSession) -> set[str]:
            return {tool.name for tool in (await client.list_tools()).tools}
        for refused in ({}, {"x-functions-key": "wrong"}):
            with pytest.raises(MCPError):
                over_mcp(url, names, headers=refused)
        assert over_mcp(url, names, query=f"?code={KEY}") == {"debug_error", "debug_error_continue",
                                                              "debug_error_feedback"}
        plain = httpx.post(f"{url}{MCP}", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                           headers={"Accept": "application/json, text/event-stream"})
        assert plain.status_code == 401

        async def start(client: ClientSession) -> CallToolResult:
            return await client.call_tool("debug_error", firewall_arguments())
        trace_id = envelope(over_mcp(url, start, headers={"x-functions-key": KEY}))["trace_id"]
        # The session belongs to the key the MCP client presented (on Azure: the mcp_extension system key).
        assert httpx.get(f"{url}/api/debug/{trace_id}", headers={"x-functions-key": KEY}).status_code == 200
        assert httpx.get(f"{url}/api/debug/{trace_id}", headers={"x-functions-key": OTHER_KEY}).status_code == 404

        async def peek(client: ClientSession) -> CallToolResult:
            return await client.call_tool("debug_error_continue", {"trace_id": trace_id, "wait_seconds": 0})
        assert error(over_mcp(url, peek, headers={"x-functions-key": OTHER_KEY}))["code"] == "not_found"


def test_streamable_http_rules_of_the_endpoint(host: str):
    accept = {"Accept": "application/json, text/event-stream"}
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                             "clientInfo": {"name": "raw", "version": "0"}}}
    with httpx.Client(base_url=host, timeout=30) as http:
        assert http.get(MCP, headers={"Accept": "text/event-stream"}).status_code == 405
        assert http.post(MCP, json=initialize, headers={"Accept": "application/json"}).status_code == 406
        opened = http.post(MCP, json=initialize, headers=accept)
        assert opened.status_code == 200 and opened.headers["content-type"].startswith("text/event-stream")
        reply = json.loads(opened.text.split("data: ", 1)[1])
        assert reply["id"] == 1 and reply["result"]["protocolVersion"] == "2024-11-05"  # a version it speaks: kept
        session = {**accept, "Mcp-Session-Id": opened.headers["Mcp-Session-Id"]}
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        assert http.post(MCP, json=ping, headers=accept).status_code == 400  # no session header
        assert http.post(MCP, json=ping, headers={**session, "MCP-Protocol-Version": "1999-01-01"}).status_code == 400
        assert http.post(MCP, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                         headers=session).status_code == 202
        assert '"result": {}' in http.post(MCP, json=ping, headers=session).text
        assert http.delete(MCP, headers=session).status_code == 204
        assert http.post(MCP, json=ping, headers=session).status_code == 404  # an ended session is unknown


def test_initialize_names_the_server_and_gives_the_agent_host_json_instructions(host: str) -> None:
    configured = json.loads((REPO / "host.json").read_text())["extensions"]["mcp"]

    async def initialize() -> Any:
        async with (httpx2.AsyncClient(timeout=30) as http,
                    streamable_http_client(f"{host}{MCP}", http_client=http) as (read, write),
                    ClientSession(read, write) as client):
            return await client.initialize()

    result = anyio.run(initialize)
    assert (result.server_info.name, result.server_info.version) == (configured["serverName"],
                                                                    configured["serverVersion"])
    assert result.instructions == configured["instructions"]
    assert "debug_error_continue" in result.instructions
