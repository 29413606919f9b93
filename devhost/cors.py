"""Cross-origin requests, as `func start` allows them: local.settings.json `Host.CORS` or `--cors`.

In Azure the platform answers CORS (the Function App's `cors.allowedOrigins`; the deployment allows
`https://portal.azure.com` so the Portal's Test/Run works from the browser). Locally the host does it,
so a browser page, or the Portal pointed at a tunnel, sees the same headers. Nothing is allowed unless
configured: without an allowed origin no CORS header is ever sent and a preflight gets no grant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware

from devhost.host_config import read_local_settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFLIGHT_MAX_AGE = "600"


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str]  # exact origins, or "*" for any
    credentials: bool = False

    @classmethod
    def from_settings(cls, app_dir: Path, cli_origins: str | None) -> CorsPolicy:
        """`--cors a,b` wins over local.settings.json's `Host.CORS`, as with func start."""
        host = read_local_settings(app_dir).get("Host") or {}
        listed = cli_origins if cli_origins is not None else str(host.get("CORS") or "")
        origins = frozenset(o.strip().rstrip("/") for o in listed.split(",") if o.strip())
        return cls(origins=origins, credentials=bool(host.get("CORSCredentials", False)))

    def allows(self, origin: str) -> bool:
        return bool(origin) and ("*" in self.origins or origin.rstrip("/") in self.origins)

    def grant(self, origin: str) -> dict[str, str]:
        # With credentials the browser refuses "*", so the origin itself is echoed (and Vary set).
        echoed = origin if self.credentials or "*" not in self.origins else "*"
        headers = {"Access-Control-Allow-Origin": echoed}
        if echoed != "*":
            headers["Vary"] = "Origin"
        if self.credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        return headers


def cors_middleware(policy: CorsPolicy) -> Middleware:
    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin", "")
        if not policy.allows(origin):
            return await handler(request)
        wanted_method = request.headers.get("Access-Control-Request-Method")
        if request.method == "OPTIONS" and wanted_method:
            headers = policy.grant(origin)
            headers["Access-Control-Allow-Methods"] = wanted_method
            asked_headers = request.headers.get("Access-Control-Request-Headers")
            if asked_headers:
                headers["Access-Control-Allow-Headers"] = asked_headers
            headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            return web.Response(status=204, headers=headers)
        response = await handler(request)
        response.headers.update(policy.grant(origin))
        response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"
        return response

    return cors
