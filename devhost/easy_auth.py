"""App Service Authentication ("Easy Auth"), simulated: the platform's principal headers, never a client's.

In Azure the platform removes any `X-MS-CLIENT-PRINCIPAL*` header a client sends and sets its own for
a signed-in user. devhost does the same: it always strips them, and with `--easy-auth` it turns the
devhost-only `X-Devhost-Principal: <object id>` header (a simulated sign-in, standing in for the login
flow) into `X-MS-CLIENT-PRINCIPAL-ID` and a base64 JSON `X-MS-CLIENT-PRINCIPAL` with an `oid` claim."""

from __future__ import annotations

import base64
import json

SIMULATED_LOGIN_HEADER = "x-devhost-principal"
_PLATFORM_PREFIX = "x-ms-client-principal"


def platform_headers(headers: dict[str, str], easy_auth: bool) -> dict[str, str]:
    """The request headers as the function sees them behind the (simulated) platform. Names are lower-case."""
    kept = {name: value for name, value in headers.items()
            if not name.startswith(_PLATFORM_PREFIX) and name != SIMULATED_LOGIN_HEADER}
    principal = headers.get(SIMULATED_LOGIN_HEADER, "").strip()
    if easy_auth and principal:
        claims = [{"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": principal}]
        document = {"auth_typ": "aad", "name_typ": "name", "role_typ": "roles", "claims": claims}
        kept["x-ms-client-principal-id"] = principal
        kept["x-ms-client-principal-idp"] = "aad"
        kept["x-ms-client-principal"] = base64.b64encode(json.dumps(document).encode()).decode()
    return kept
