"""devhost/mcp.py: tool schemas and results as the extension makes them, and the endpoint over real HTTP.

The tools here are real functions of a small azure.functions app, declared with the library's own
decorators, so what devhost reads (binding metadata, the worker's result envelope) is what the library writes.
No `from __future__ import annotations` here: the library reads the tool functions' annotations as types."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import azure.functions as func
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from devhost.app_loader import AppLoadError, McpToolFunction, index_functions
from devhost.keys import KeyPolicy
from devhost.mcp import MCP_PATH, McpEndpoint, input_schema, negotiate, tool_result

T = TypeVar("T")
ACCEPT = {"Accept": "application/json, text/event-stream"}


@func.mcp_content
@dataclass
class Greeting:
    text: str
    shout: bool


def sample_app() -> func.FunctionApp:
    app = func.FunctionApp()

    @app.mcp_tool_trigger(arg_name="context", tool_name="echo_context", description="Echoes its invocation context.",
                          tool_properties=json.dumps([{"propertyName": "word", "propertyType": "string",
                                                       "description": "a word", "isRequired": True}]))
    def echo_context(context: str) -> str:
        return context

    @app.mcp_tool(use_result_schema=True)
    @app.mcp_tool_property(arg_name="name", description="who to greet")
    def greet(name: str, times: int = 1) -> Greeting:
        """Greets someone."""
        return Greeting(text=" ".join([f"hello {name}"] * times), shout=times > 1)

    @app.mcp_tool_trigger(arg_name="context", tool_name="broken", description="Always fails.")
    def broken(context: str) -> str:
        raise RuntimeError(f"internal detail {context[:20]}")

    return app


def tools_of(app: func.FunctionApp) -> list[McpToolFunction]:
    return index_functions(app).mcp_tools


def serve(work: Callable[[httpx.AsyncClient], Awaitable[T]], easy_auth: bool = False) -> T:
    """Run `work` against an McpEndpoint for the sample app on a real local port; a fresh MCP session each time."""
    async def run() -> T:
        endpoint = McpEndpoint(tools_of(sample_app()), KeyPolicy(False), lambda: "{}", Path("."), easy_auth)
        application = web.Application()
        application.router.add_routes(endpoint.routes())
        async with TestServer(application) as server, httpx.AsyncClient(base_url=str(server.make_url(""))) as http:
            return await work(http)
    return asyncio.run(run())


async def rpc(http: httpx.AsyncClient, method: str, params: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One JSON-RPC request in a new session; the reply read from its single SSE event."""
    opened = await http.post(MCP_PATH, headers=ACCEPT, json={"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                                             "params": {"protocolVersion": "2025-06-18"}})
    session = {**ACCEPT, "Mcp-Session-Id": opened.headers["Mcp-Session-Id"], **(headers or {})}
    answered = await http.post(MCP_PATH, headers=session, json={"jsonrpc": "2.0", "id": 7, "method": method,
                                                                "params": params or {}})
    assert answered.headers["content-type"].startswith("text/event-stream")
    event = answered.text.strip().splitlines()
    assert event[0] == "event: message" and event[1].startswith("data: ")
    reply: dict[str, Any] = json.loads(event[1][len("data: "):])
    assert reply["id"] == 7
    return reply


def test_input_schema_is_built_like_the_extensions():
    properties = json.dumps([
        {"PropertyName": "files", "PropertyType": "object", "Description": "d", "IsArray": True, "IsRequired": True},
        {"propertyName": "level", "propertyType": "string", "enumValues": ["low", "high"]},
        {"propertyName": "", "propertyType": "string"},  # nameless: skipped, as the extension does
    ])
    assert input_schema(properties) == {
        "type": "object",
        "properties": {"files": {"type": "array", "items": {"type": "object"}, "description": "d"},
                       "level": {"type": "string", "enum": ["low", "high"], "description": ""}},
        "required": ["files"]}
    assert input_schema("[]") == {"type": "object", "properties": {}, "required": []}
    with pytest.raises(ValueError):
        input_schema('{"propertyName": "x"}')


def test_tool_result_reads_the_value_or_the_workers_envelope():
    assert tool_result("plain", use_result_schema=False) == {"content": [{"type": "text", "text": "plain"}]}
    assert tool_result(None, use_result_schema=True) == {"content": []}
    whole = {"content": [{"type": "text", "text": "no"}], "isError": True}
    wrapped = json.dumps({"type": "call_tool_result", "content": json.dumps(whole), "structuredContent": None})
    assert tool_result(wrapped, use_result_schema=True) == whole
    many = json.dumps({"type": "multi_content_result", "content": json.dumps([{"type": "text", "text": "a"},
                                                                             {"type": "text", "text": "b"}])})
    assert [b["text"] for b in tool_result(many, use_result_schema=True)["content"]] == ["a", "b"]
    with pytest.raises(ValueError):
        tool_result(json.dumps({"type": "multi_content_result", "content": "[]"}), use_result_schema=True)


def test_negotiation_keeps_a_version_devhost_speaks_and_offers_its_newest_otherwise():
    assert negotiate("2025-03-26") == "2025-03-26"
    assert negotiate("2099-01-01") == negotiate(None) == "2025-11-25"


def test_tools_are_indexed_from_binding_metadata_and_listed():
    tools = {t.tool_name: t for t in tools_of(sample_app())}
    assert set(tools) == {"echo_context", "greet", "broken"}
    assert tools["greet"].use_result_schema and not tools["echo_context"].use_result_schema
    listed = serve(lambda http: rpc(http, "tools/list"))["result"]["tools"]
    by_name = {t["name"]: t for t in listed}
    assert by_name["greet"]["description"] == "Greets someone."
    assert by_name["greet"]["inputSchema"]["required"] == ["name"]  # `times` has a default
    assert by_name["greet"]["inputSchema"]["properties"]["times"]["type"] == "integer"
    assert by_name["echo_context"]["inputSchema"]["required"] == ["word"]


def test_a_call_gets_the_extensions_invocation_context_with_the_platforms_headers():
    async def work(http: httpx.AsyncClient) -> dict[str, Any]:
        return await rpc(http, "tools/call", {"name": "echo_context", "arguments": {"word": "hi"}},
                         {"x-functions-key": "k1", "x-ms-client-principal-id": "forged",
                          "x-devhost-principal": "user-42"})
    reply = serve(work, easy_auth=True)
    context = json.loads(reply["result"]["content"][0]["text"])
    assert (context["name"], context["arguments"]) == ("echo_context", {"word": "hi"})
    assert context["sessionid"] == context["transport"]["sessionId"]
    headers = context["transport"]["properties"]["headers"]
    assert headers["x-functions-key"] == "k1"
    assert headers["x-ms-client-principal-id"] == "user-42"  # the simulated platform's, never the client's
    assert "x-devhost-principal" not in headers


def test_a_worker_result_envelope_becomes_the_call_result():
    reply = serve(lambda http: rpc(http, "tools/call", {"name": "GREET", "arguments": {"name": "ada", "times": 2}}))
    result = reply["result"]
    assert result["structuredContent"] == {"text": "hello ada hello ada", "shout": True}
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


@pytest.mark.parametrize(("params", "code", "words"), [
    ({"name": "echo_context", "arguments": {}}, -32602, "Please provide: word"),
    ({"name": "echo_context", "arguments": {"word": None}}, -32602, "Please provide: word"),
    ({"name": "nope"}, -32602, "Unknown tool: 'nope'"),
    ({"name": "echo_context", "arguments": ["word"]}, -32602, "arguments must be an object"),
    ({"name": "broken"}, -32603, "An error occurred invoking 'broken'."),
])
def test_call_errors_are_json_rpc_errors_without_internals(params: dict, code: int, words: str):
    error = serve(lambda http: rpc(http, "tools/call", params))["error"]
    assert error["code"] == code and words in error["message"]
    assert "internal detail" not in error["message"] and "RuntimeError" not in error["message"]


def test_an_unknown_method_is_method_not_found():
    assert serve(lambda http: rpc(http, "resources/list"))["error"]["code"] == -32601


def test_a_body_that_is_not_one_json_rpc_message_is_refused():
    async def work(http: httpx.AsyncClient) -> list[tuple[int, int]]:
        answers = [await http.post(MCP_PATH, headers=ACCEPT, content=body)
                   for body in (b"{not json", b"[]", b'{"id": 1, "method": "ping"}')]
        return [(a.status_code, a.json()["error"]["code"]) for a in answers]
    assert serve(work) == [(400, -32700), (400, -32600), (400, -32600)]


def test_bad_tool_declarations_stop_the_host_like_an_indexing_error():
    echo = tools_of(sample_app())[0]
    with pytest.raises(AppLoadError, match="already registered"):
        McpEndpoint([echo, echo], KeyPolicy(False), lambda: "{}", Path("."))
    bad = McpToolFunction("f", echo.func, "context", "t", "", '{"not": "a list"}', False)
    with pytest.raises(AppLoadError, match="toolProperties"):
        McpEndpoint([bad], KeyPolicy(False), lambda: "{}", Path("."))
