"""The debug API over HTTP with urllib: one method per endpoint, JSON in and out, errors as ApiFailure.

The function key travels only in the `x-functions-key` header of calls to the API itself; the poll
url carries its own signed token, so it is fetched without the key. 429 answers are retried after
their Retry-After (they are refused before anything starts, so a retry cannot start a session twice)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

USER_AGENT = "azdebug/1 (contract v1)"
RATE_LIMIT_RETRIES = 5
MAX_RATE_WAIT_SECONDS = 300  # never sleep longer than this for one 429, whatever the header says
GET_TIMEOUT_SECONDS = 60
# A POST may legitimately take wait_seconds before it answers; this is on top of that.
POST_TIMEOUT_MARGIN_SECONDS = 60

# What a status means when the body does not say (devhost answers 401 with an empty body, as Azure does).
_STATUS_MEANINGS = {
    400: "the request was refused as malformed",
    401: "missing or wrong function key (give --key or set AZDEBUG_KEY)",
    403: "the caller is not allowed to use this API",
    404: "no such session (unknown, deleted, or started with another key)",
    409: "the session has already finished",
    413: "the request is over a size limit",
    429: "the caller is over its rate limit",
}


@dataclass
class Reply:
    """One successful answer: HTTP status, headers (lower-case names) and the JSON body (None if empty)."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class ApiFailure(Exception):
    """An answer the client cannot go on from: an HTTP error status, an unreachable server, or a body
    that breaks the contract. `status` is 0 when no HTTP answer arrived."""

    status: int
    message: str
    code: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    retry_after: int | None = None

    def __str__(self) -> str:
        return self.message


class DebugApi:
    """The endpoints of contract v1 under `base_url` (scheme, host and port; `/api` is added)."""

    def __init__(self, base_url: str, key: str | None = None,
                 notice: Callable[[str], None] = lambda _: None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = normalize_base_url(base_url)
        self._key = key or None
        self._notice = notice
        self._sleep = sleep

    def start(self, body: dict[str, Any], wait_seconds: int) -> Reply:
        return self._call("POST", self._url(), body, timeout=wait_seconds + POST_TIMEOUT_MARGIN_SECONDS)

    def get(self, trace_id: str) -> Reply:
        return self._call("GET", self._url(trace_id), timeout=GET_TIMEOUT_SECONDS)

    def poll(self, url: str) -> Reply:
        """GET the poll url the service gave (Location or links.poll); its token is the capability."""
        return self._call("GET", url, timeout=GET_TIMEOUT_SECONDS, with_key=False)

    def continue_(self, trace_id: str, body: dict[str, Any], wait_seconds: int) -> Reply:
        return self._call("POST", self._url(trace_id, "continue"), body,
                          timeout=wait_seconds + POST_TIMEOUT_MARGIN_SECONDS)

    def feedback(self, trace_id: str, body: dict[str, Any]) -> Reply:
        return self._call("POST", self._url(trace_id, "feedback"), body, timeout=GET_TIMEOUT_SECONDS)

    def delete(self, trace_id: str) -> Reply:
        return self._call("DELETE", self._url(trace_id), timeout=GET_TIMEOUT_SECONDS)

    def _url(self, *parts: str) -> str:
        quoted = "".join("/" + urllib.parse.quote(part, safe="") for part in parts)
        return f"{self.base_url}/api/debug{quoted}"

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 60,
              with_key: bool = True) -> Reply:
        retries = 0
        while True:
            try:
                return self._send(method, url, body, timeout, with_key)
            except ApiFailure as failure:
                if failure.status != 429 or retries == RATE_LIMIT_RETRIES:
                    raise
                retries += 1
                wait = min(failure.retry_after or 1, MAX_RATE_WAIT_SECONDS)
                self._notice(f"The service is rate limiting this caller ({failure.message}); "
                             f"trying again in {wait} s.")
                self._sleep(wait)

    def _send(self, method: str, url: str, body: dict[str, Any] | None, timeout: float, with_key: bool) -> Reply:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if with_key and self._key:
            headers["x-functions-key"] = self._key
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, _lower(response.headers), _json_body(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                raise _failure(error.code, _lower(error.headers), error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            # Only the reason: the url is the user's own, and it never carries the key.
            reason = getattr(error, "reason", error)
            if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
                reason = f"no answer within {timeout:.0f} s"
            raise ApiFailure(0, f"Cannot reach the service at {self.base_url}: {reason}.") from None


def normalize_base_url(url: str) -> str:
    """`http://host:7071`, `http://host:7071/` and `http://host:7071/api` all name the same service."""
    url = url.strip().rstrip("/")
    return url.removesuffix("/api")


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in (headers.items() if headers else [])}


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiFailure(0, "The service answered something that is not JSON; is --url the debug service?") from None


def _failure(status: int, headers: dict[str, str], raw: bytes) -> ApiFailure:
    """The contract's error body ({"error": {code, message, details}}) as an ApiFailure; a body that is
    not one (a proxy's page, an empty 401) still gives a readable message from the status."""
    retry_after = _retry_after(headers.get("retry-after"))
    try:
        error = json.loads(raw.decode("utf-8"))["error"]
        details = [(str(d.get("field", "")), str(d.get("problem", ""))) for d in error.get("details") or []]
        return ApiFailure(status, str(error["message"]), str(error.get("code", "")), details, retry_after)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        meaning = _STATUS_MEANINGS.get(status, "the service failed" if status >= 500 else "the request was refused")
        return ApiFailure(status, meaning[0].upper() + meaning[1:] + ".", retry_after=retry_after)


def _retry_after(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from this service; the caller waits its default instead
