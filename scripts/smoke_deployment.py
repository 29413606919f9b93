"""Check a running deployment from the outside, the way its users reach it (standard library only).

    python scripts/smoke_deployment.py BASE_URL --key FUNCTION_KEY [--mcp-key MCP_EXTENSION_KEY]
    AZDEBUG_KEY=... AZDEBUG_MCP_KEY=... python scripts/smoke_deployment.py BASE_URL   (keys off the command line)

After `azd up`: BASE_URL is `azd env get-value SERVICE_API_URI`, the function key comes from
`az functionapp keys list ... --query functionKeys.default`, the MCP key from `... --query
systemKeys.mcp_extension`. Also runs against devhost (`--require-keys --cors https://portal.azure.com`).
One PASS/FAIL line per check; exit 0 when all pass, 1 otherwise. It starts one short session (an error
the rules settle from its text alone) and deletes it at the end; it never prints a key."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PORTAL = "https://portal.azure.com"
MCP_PATH = "/runtime/webhooks/mcp"
TOOLS = {"debug_error", "debug_error_continue"}
# An error the rules settle from its text (no Azure access needed): the service answers `done`.
BODY = {"error_description": "AZFD0013: The 'FUNCTIONS_WORKER_RUNTIME' is set to 'dotnet-isolated', which does "
                             "not match the worker runtime metadata found in the deployed function app "
                             "artifacts. The deployed artifacts are for 'dotnet'.",
        "options": {"wait_seconds": 20}}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Smoke:
    base: str
    key: str
    mcp_key: str | None
    timeout: float = 60.0
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        url = path if path.startswith("http") else self.base + path
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the user's URL)
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def check(self, name: str, run: Callable[[], str]) -> None:
        """Run one check: it returns a detail line, or raises AssertionError/OSError with why it failed."""
        try:
            self.results.append((name, True, run()))
        except (AssertionError, OSError, ValueError, KeyError) as problem:
            self.results.append((name, False, str(problem) or type(problem).__name__))


def run_checks(smoke: Smoke) -> None:
    keyed = {"x-functions-key": smoke.key}
    smoke.check("health answers without a key", lambda: _health(smoke))
    smoke.check("the API description is served without a key", lambda: _openapi(smoke))
    smoke.check("a start without a key is refused", lambda: _expect(smoke.call("POST", "/api/debug", BODY), 401))
    session: dict[str, Any] = {}
    smoke.check("a session runs to its final answer", lambda: _session(smoke, keyed, session))
    smoke.check("the Portal's origin may call from the browser", lambda: _cors(smoke))
    if smoke.mcp_key:
        smoke.check("the MCP endpoint lists the two tools", lambda: _mcp(smoke))
    if session.get("trace_id"):
        smoke.check("the session is deleted", lambda: _expect(
            smoke.call("DELETE", f"/api/debug/{session['trace_id']}", headers=keyed), 204))


def _expect(answer: Answer, status: int) -> str:
    assert answer.status == status, f"HTTP {answer.status}, expected {status}"
    return f"HTTP {status}"


def _health(smoke: Smoke) -> str:
    answer = smoke.call("GET", "/api/health")
    assert answer.status == 200, f"HTTP {answer.status}"
    return f"engine {answer.json()['engine']}"


def _openapi(smoke: Smoke) -> str:
    answer = smoke.call("GET", "/api/openapi.json")
    assert answer.status == 200, f"HTTP {answer.status}"
    document = answer.json()
    assert document["openapi"].startswith("3."), f"openapi {document['openapi']}"
    return f"OpenAPI {document['openapi']}, {len(document['paths'])} paths, server {document['servers'][0]['url']}"


def _session(smoke: Smoke, keyed: dict[str, str], session: dict[str, Any]) -> str:
    answer = smoke.call("POST", "/api/debug", BODY, keyed)
    assert answer.status in (200, 202), f"start: HTTP {answer.status} {answer.body[:300]!r}"
    session["trace_id"] = answer.json()["trace_id"]
    deadline = time.monotonic() + 120
    while answer.status == 202:  # as Logic Apps does: follow Location, no key, honour Retry-After
        assert time.monotonic() < deadline, "no final answer within 120 s"
        time.sleep(min(float(answer.headers.get("retry-after", "2")), 5))
        answer = smoke.call("GET", answer.headers["location"])
    envelope = answer.json()
    assert envelope["status"] == "done", f"status {envelope['status']}: {envelope.get('message')}"
    return f"done, category {envelope['report']['category']}"


def _cors(smoke: Smoke) -> str:
    answer = smoke.call("OPTIONS", "/api/debug", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-functions-key"})
    allowed = answer.headers.get("access-control-allow-origin")
    assert allowed in (PORTAL, "*"), f"HTTP {answer.status}, Access-Control-Allow-Origin {allowed!r}"
    return f"preflight HTTP {answer.status}, allowed {allowed}"


def _mcp(smoke: Smoke) -> str:
    headers = {"x-functions-key": smoke.mcp_key or "", "Accept": "application/json, text/event-stream"}
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "smoke", "version": "1"}}}
    answer = smoke.call("POST", MCP_PATH, hello, headers)
    assert answer.status == 200, f"initialize: HTTP {answer.status}"
    session_id = answer.headers.get("mcp-session-id")
    listed = {**headers, **({"Mcp-Session-Id": session_id} if session_id else {}),
              "MCP-Protocol-Version": _rpc_result(answer)["protocolVersion"]}
    smoke.call("POST", MCP_PATH, {"jsonrpc": "2.0", "method": "notifications/initialized"}, listed)
    tools = _rpc_result(smoke.call("POST", MCP_PATH, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, listed))
    names = {tool["name"] for tool in tools["tools"]}
    assert names >= TOOLS, f"tools {sorted(names)}"
    return f"tools {', '.join(sorted(names))}"


def _rpc_result(answer: Answer) -> dict[str, Any]:
    """The JSON-RPC result, from a JSON body or from the `data:` line of a one-event SSE stream."""
    text = answer.body.decode("utf-8")
    if "text/event-stream" in answer.headers.get("content-type", ""):
        text = next(line[5:].strip() for line in text.splitlines() if line.startswith("data:"))
    message = json.loads(text)
    assert "result" in message, f"JSON-RPC error {message.get('error')}"
    return dict(message["result"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smoke_deployment.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url", help="the function app's URL, e.g. https://func-abc.azurewebsites.net")
    parser.add_argument("--key", default=os.environ.get("AZDEBUG_KEY"),
                        help="a function key (the `default` host key); default: $AZDEBUG_KEY")
    parser.add_argument("--mcp-key", default=os.environ.get("AZDEBUG_MCP_KEY"),
                        help="the mcp_extension system key (default: $AZDEBUG_MCP_KEY); without it the MCP check "
                             "is skipped")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("a function key is needed: --key or AZDEBUG_KEY")
    smoke = Smoke(args.base_url.rstrip("/"), args.key, args.mcp_key)
    run_checks(smoke)
    for name, passed, detail in smoke.results:
        print(f"{'PASS' if passed else 'FAIL'} {name}: {detail}")
    failed = sum(not passed for _, passed, _ in smoke.results)
    print(f"{len(smoke.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
