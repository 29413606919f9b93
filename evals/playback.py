"""A local HTTPS server that answers like Azure from a scenario's recorded `azure:` entries.

Matching follows ../shared/design/scenarios.md: scheme and host are ignored unless an entry gives `host`;
the query string is ignored; paths compare case-insensitively; `path` is exact, `path_contains` a
substring, `body_contains` a substring of the request body, `method` the HTTP method; the first entry that
matches wins. An unmatched call gets 404 `{"error": {"code": "ResourceNotFound", ...}}`. An entry answers
its `status`, `body` (JSON, or a string as is) and `headers` (e.g. Retry-After).

Additions to the format, for tests: `times: N` on an entry answers only its first N matches (then the
entries after it are tried), so "429, then 200" is two entries; `delay: seconds` waits before answering.

The server has one address and two names: the app reaches Resource Manager as https://127.0.0.1:PORT and
Log Analytics as https://localhost:PORT, so `host: management.azure.com` or `host: api.loganalytics.io` in a
match tells them apart.

Every request must carry the bearer token of `app_settings()` or one of `caller_tokens` (else 401, as Azure
answers a bad token).
`faults` (a probability) and `fault_seed` inject a 429 with Retry-After: 1, a 503, or a dropped
connection before matching; with `fault_delay` also an answer that late (a timeout for the caller).
`calls` records method, host, path (no query) and status, never a body."""

from __future__ import annotations

import datetime
import ipaddress
import json
import random
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOGICAL_HOSTS = {"127.0.0.1": "management.azure.com", "localhost": "api.loganalytics.io"}
DROPPED = 599  # the status recorded for a dropped connection (nothing was answered)


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    body: Any
    delay: float = 0.0  # seconds to wait before answering (an entry's `delay`, for timeout tests)


def matches(match: dict[str, Any], method: str, host: str, path: str, body: str) -> bool:
    """Whether a recorded `match` selects this request (see the module docstring)."""
    if "method" in match and str(match["method"]).upper() != method.upper():
        return False
    if "host" in match and str(match["host"]).lower() not in (host.lower(), LOGICAL_HOSTS.get(host.lower(), "")):
        return False
    lowered = _canonical(path)
    if "path" in match and _canonical(str(match["path"])).rstrip("/") != lowered.rstrip("/"):
        return False
    # a fragment names a deployment by either address too (Resource Manager answers both)
    if "path_contains" in match and _canonical(str(match["path_contains"])) not in lowered:
        return False
    return not ("body_contains" in match and str(match["body_contains"]) not in body)


# Resource Manager serves a resource group's deployments at two addresses: the SDK's
# /resourcegroups/{rg}/deployments/... and /resourceGroups/{rg}/providers/Microsoft.Resources/deployments/...
_DEPLOYMENTS_ALIAS = re.compile(r"/providers/microsoft\.resources(?=/deployments/)")


def _canonical(path: str) -> str:
    """A path as Resource Manager resolves it: case-insensitive, one address per deployment."""
    return _DEPLOYMENTS_ALIAS.sub("", path.lower())


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (its own CA), and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "azure playback")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "playback-cert.pem", folder / "playback-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class PlaybackServer:
    """Serve recorded Azure answers over HTTPS in a background thread (see the module docstring)."""

    def __init__(self, entries: list[dict[str, Any]] | None = None, *, faults: float = 0.0,
                 fault_seed: int | None = None, fault_delay: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.ca_file = ""
        self.token = secrets.token_urlsafe(24)
        # Callers' own tokens (delegated identity): accepted besides `token`; a call made with one is recorded
        # with "bearer": "caller#<index>", so a test can tell whose rights Azure saw.
        self.caller_tokens: list[str] = []
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._used: list[int] = []
        self._faults = faults
        self._random = random.Random(fault_seed)
        self._fault_delay = fault_delay  # > 0 adds a fourth fault: an answer this late (a client timeout)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._folder: Path | None = None
        self.port = 0
        self.load(entries or [])

    # --- lifecycle ---

    def start(self) -> str:
        """Start serving on a free port of 127.0.0.1; the base URL https://127.0.0.1:PORT."""
        self._folder = Path(tempfile.mkdtemp(prefix="azure-playback-"))
        cert_file, key_file = make_certificate(self._folder)
        self.ca_file = str(cert_file)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        server = _Server(("127.0.0.1", 0), _Handler)
        server.playback = self
        # The handshake happens in each connection's thread (see _Handler.setup), not in the accepting one.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server, self.port = server, server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, name="azure-playback", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> PlaybackServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def app_settings(self) -> dict[str, str]:
        """The settings that point the app's Azure calls at this server."""
        return {"AZURE_RESOURCE_MANAGER_ENDPOINT": self.base_url,
                "AZURE_LOG_ANALYTICS_ENDPOINT": f"https://localhost:{self.port}",
                "DEBUG_AZURE_CA_BUNDLE": self.ca_file, "DEBUG_AZURE_STATIC_TOKEN": self.token,
                "DEBUG_AZURE_ACCESS": "app"}

    # --- answers ---

    def load(self, entries: list[dict[str, Any]]) -> None:
        """Swap the recorded answers (the calls made so far are kept)."""
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("match"), dict):
                raise ValueError(f"azure entry {index} needs a `match` mapping")
        with self._lock:
            self._entries = list(entries)
            self._used = [0] * len(entries)

    def answer(self, method: str, host: str, path: str, body: str, authorization: str | None) -> Reply | None:
        """The reply to a request, or None to drop the connection; records the call."""
        with self._lock:
            fault = False
            reply: Reply | None
            bearer = (authorization or "").removeprefix("Bearer ")
            caller = self.caller_tokens.index(bearer) if bearer in self.caller_tokens else None
            if bearer != self.token and caller is None:
                reply = Reply(401, {}, {"error": {"code": "InvalidAuthenticationToken",
                                                  "message": "The access token is invalid."}})
            elif self._faults and self._random.random() < self._faults:
                fault, reply = True, self._fault()
            else:
                reply = self._recorded(method, host, path, body)
            call: dict[str, Any] = {"method": method, "host": LOGICAL_HOSTS.get(host, host), "path": path,
                                    "status": DROPPED if reply is None else reply[0]}
            if caller is not None:
                call["bearer"] = f"caller#{caller}"
            self.calls.append({**call, "fault": True} if fault else call)
        return reply

    def _fault(self) -> Reply | None:
        """A 429 with Retry-After: 1, a 503, None (drop the connection) or, with `fault_delay`, a 504 sent only
        after that delay (the caller should have timed out), chosen by the seeded generator."""
        kind = self._random.choice(["429", "503", "drop"] + (["late"] if self._fault_delay > 0 else []))
        if kind == "late":
            late = {"error": {"code": "GatewayTimeout", "message": "The gateway timed out."}}
            return Reply(504, {}, late, self._fault_delay)
        if kind == "429":
            throttled = {"error": {"code": "TooManyRequests", "message": "Rate limit hit."}}
            return Reply(429, {"Retry-After": "1"}, throttled)
        if kind == "503":
            return Reply(503, {}, {"error": {"code": "ServiceUnavailable", "message": "The service is unavailable."}})
        return None

    def _recorded(self, method: str, host: str, path: str, body: str) -> Reply:
        for index, entry in enumerate(self._entries):
            limit = entry.get("times")
            if limit is not None and self._used[index] >= int(limit):
                continue
            if matches(entry["match"], method, host, path, body):
                self._used[index] += 1
                headers = {str(k): str(v) for k, v in (entry.get("headers") or {}).items()}
                return Reply(int(entry.get("status", 200)), headers, entry.get("body"), float(entry.get("delay", 0)))
        message = f"The Resource '{path}' was not found (no recorded answer)."
        return Reply(404, {}, {"error": {"code": "ResourceNotFound", "message": message}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # stop() must not wait for idle keep-alive connections
    playback: PlaybackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up or fail the handshake are not the server's problem


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        self.request.settimeout(30)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # calls are recorded in PlaybackServer.calls; nothing is printed

    def _serve(self) -> None:
        body = self._read_body()
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        path = urlsplit(self.path).path
        reply = self.server.playback.answer(self.command, host, path, body, self.headers.get("Authorization"))
        if reply is None:
            self.close_connection = True  # a dropped connection: no answer at all
            return
        if reply.delay:
            time.sleep(reply.delay)  # outside the lock: other requests are answered meanwhile
        self._send(reply.status, reply.headers, reply.body)

    def _read_body(self) -> str:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while (size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks).decode("utf-8", "replace")
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
        payload = b"" if body is None or status in (204, 304) else (
            body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8"))
        self.send_response(status)
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        if payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve
