"""A local OpenAI-compatible chat-completions server for tests: scripted replies, recorded requests.

    with OpenAIStub([tool_call("get_requirement_status", module="requests"), final("done", ...)]) as stub:
        os.environ["AZURE_OPENAI_ENDPOINT"] = stub.base_url     # with DEBUG_OPENAI_COMPATIBLE=true
        ...
        stub.requests[0]["body"]["messages"]

It answers POST /v1/chat/completions and the Azure path /openai/deployments/{d}/chat/completions with
the next scripted reply (a tool call, a final answer, plain text, an HTTP error or a delay), each with
a `usage` block, and 503 once the script is spent. The real `openai` client talks to it over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROMPT_TOKENS = 100
COMPLETION_TOKENS = 20


def tool_call(name: str, **arguments: Any) -> dict[str, Any]:
    """A reply that calls one function."""
    return {"tool_calls": [(name, json.dumps(arguments))]}


def final(status: str, message: str = "scripted answer", **fields: Any) -> dict[str, Any]:
    """A reply that calls submit_conclusion."""
    return tool_call("submit_conclusion", status=status, message=message, **fields)


def text(content: str) -> dict[str, Any]:
    """A reply with plain content and no function call."""
    return {"content": content}


def http_error(status: int) -> dict[str, Any]:
    return {"error": status}


def slow(seconds: float, then: dict[str, Any] | None = None) -> dict[str, Any]:
    """A reply that comes after `seconds` (longer than the client's timeout: a slow endpoint)."""
    return {"delay": seconds, **(then or text("late"))}


def _completion(reply: dict[str, Any], index: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    if "tool_calls" in reply:
        message["tool_calls"] = [{"id": f"call_{index}_{n}", "type": "function",
                                  "function": {"name": name, "arguments": arguments}}
                                 for n, (name, arguments) in enumerate(reply["tool_calls"])]
    return {"id": f"chatcmpl-{index}", "object": "chat.completion", "created": int(time.time()), "model": "stub",
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if "tool_calls" in reply else "stop"}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                      "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}}


class OpenAIStub:
    def __init__(self, script: Iterable[dict[str, Any]] = ()) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def azure_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def prompts(self) -> str:
        """Every message the model was sent, as one text (to search for secrets and evidence)."""
        return "\n".join(json.dumps(r["body"].get("messages", [])) for r in self.requests)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(request)
            index = len(self.requests)
            reply = self.script.pop(0) if self.script else {"error": 503}
        time.sleep(reply.get("delay", 0))
        if "error" in reply:
            return reply["error"], {"error": {"message": "scripted error", "type": "server_error"}}
        return 200, _completion(reply, index)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.split("?")[0].endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                request = {"path": self.path, "headers": dict(self.headers), "body": body}
                self._send(*stub._next(request))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        return Handler
