"""HTTP routing configuration the report pastes, against the path that was refused: a route's allowed roles (a
Static Web Apps `staticwebapp.config.json`) against the role the user was given, and a Functions host.json's
routePrefix against the /api/ path the callers still use.

Static Web Apps lets a request through a route with `allowedRoles` only when the signed-in user holds one of the
listed role names, compared as names: a user invited with a role spelled otherwise ('admin' for 'administrator') is
signed in but holds none of them and gets 403 on that route only. When the report pastes the routes, names the role
the user was given (an invitation, a role assignment in Role management) and the refused path falls under a route
whose allowed roles do not include it, that route and its roles are the answer. Silent when the role is listed, when
no route covers the refused path, or when the report names no role given
(MicrosoftDocs/azure-docs articles/static-web-apps/configuration.md, authentication-authorization.md)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, SessionState

_ROUTE = re.compile(r'"route"\s*:\s*"(?P<route>/[^"]*)"[^{}]*?"allowedRoles"\s*:\s*\[(?P<roles>[^\]]*)\]')
_BUILT_IN = {"anonymous", "authenticated"}  # roles every visitor or every signed-in user holds
# the role a user was given: "role: admin", "role 'admin'", "--roles admin", "with the admin role"
_GIVEN = re.compile(r"(?i)\broles?\b\s*(?:[:=]\s*|\s)['\"`]?(?P<role>[a-z][\w-]{1,40})['\"`]?"
                    r"|\bthe\s+['\"`]?(?P<before>[a-z][\w-]{1,40})['\"`]?\s+role\b")
_FORBIDDEN = re.compile(r"\b403\b|\bForbidden\b")
_PATH = re.compile(r"(?<![\w.:/])(/[\w-]+)(?:/[\w./-]*)?")


def _routes(text: str) -> list[tuple[str, list[str]]]:
    return [(m.group("route"), re.findall(r'"([^"]+)"', m.group("roles"))) for m in _ROUTE.finditer(text)]


def _covers(route: str, path: str) -> bool:
    """Whether a route pattern (a trailing `*` matches any rest) takes the path."""
    if route.endswith("*"):
        return path.startswith(route[:-1].rstrip("/")) and route[:-1].rstrip("/") != ""
    return path.rstrip("/") == route.rstrip("/")


def _given_roles(text: str, listed: set[str]) -> list[str]:
    found = [(m.group("role") or m.group("before")) for m in _GIVEN.finditer(text)]
    words = {"management", "assignment", "assignments", "name", "names", "is", "was", "of", "to", "in"}
    return [r for r in dict.fromkeys(f for f in found if f) if r.lower() not in words | _BUILT_IN
            and r.lower() not in listed]


def _refused_route(text: str, routes: list[tuple[str, list[str]]]) -> tuple[str, list[str]] | None:
    prose = _ROUTE.sub("", text)
    for path in dict.fromkeys(m.group(0) for m in _PATH.finditer(prose)):
        covering = [(r, roles) for r, roles in routes if _covers(r, path)]
        restricted = [(r, roles) for r, roles in covering if set(roles) - _BUILT_IN]
        if restricted:
            return restricted[0]
    return None


def with_stated_routes(state: SessionState, decision: Decision) -> Decision:
    """A question before anything was asked, or a low guess: the pasted routing configuration decides it."""
    if not (isinstance(decision, AskClient) and not state.requests_asked) and not (
            isinstance(decision, Conclude) and decision.report.confidence == "low"):
        return decision
    text = "\n".join([*state.material.spoken(), *(f.content for f in state.material.files)])[:60_000]
    return _route_prefix_moved(state, text) or _role_not_allowed(state, text) or decision


# host.json's extensions.http.routePrefix set to anything but the default 'api' (MicrosoftDocs azure-functions
# functions-host-json.md: an empty string removes the prefix), and a refused call that still uses /api/
_PREFIX = re.compile(r'"routePrefix"\s*:\s*"(?P<prefix>[^"]*)"')
_API_CALL = re.compile(r"(?i)https?://(?P<host>[\w.-]+)/api/(?P<route>[\w/{}.-]*)")


def _route_prefix_moved(state: SessionState, text: str) -> Decision | None:
    prefix = _PREFIX.search(text)
    called = _API_CALL.search("\n".join(state.material.spoken()))
    if prefix is None or prefix.group("prefix") == "api" or called is None or \
            not re.search(r"\b404\b|Not Found", "\n".join(state.material.spoken())):
        return None
    value = prefix.group("prefix")
    where = f"/{value}/{called.group('route')}" if value else f"/{called.group('route')}"
    said = (f"The host.json the app runs with sets extensions.http.routePrefix to '{value}' instead of the default "
            f"'api', so the HTTP functions answer at {where} rather than /api/{called.group('route')}: callers that "
            f"still call https://{called.group('host')}/api/... get 404 Not Found although every function is listed "
            f"and enabled and the host starts without errors.")
    actions = ["Remove routePrefix from host.json (or set it back to \"api\") and redeploy, or change the callers to "
               "the new paths (the function's invokeUrlTemplate shows the URL it answers at: `az functionapp function "
               "show --name <app> --resource-group <group> --function-name <function> --query invokeUrlTemplate`)."]
    return Conclude(message=said[:300], report=report(
        state, category="functions.host_misconfigured", confidence="medium", root_cause=said, actions=actions,
        evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])]))


def _role_not_allowed(state: SessionState, text: str) -> Decision | None:
    routes = _routes(text)
    if not routes or not _FORBIDDEN.search(text):
        return None
    refused = _refused_route(text, routes)
    listed = {r.lower() for _, roles in routes for r in roles}
    given = _given_roles(_ROUTE.sub("", text), listed) if refused else []
    if refused is None or not given:
        return None
    route, roles = refused
    allowed = ", ".join(f"'{r}'" for r in roles if r not in _BUILT_IN)
    said = (f"The route '{route}' allows only the role(s) {allowed}, and the user was given the role '{given[0]}', "
            f"which is not among them: Static Web Apps compares role names as written, so a signed-in user whose "
            f"roles do not include a listed name gets 403 Forbidden on that route while the rest of the site works.")
    actions = [f"Give the user a listed role: in the Static Web App's Role management, edit the user's roles to "
               f"{allowed} (or invite again with that role); the change applies at the user's next sign-in.",
               f"Or add '{given[0]}' to the route's allowedRoles in staticwebapp.config.json and redeploy."]
    return Conclude(message=said[:300], report=report(
        state, category="auth.rbac_missing", confidence="medium", root_cause=said, actions=actions,
        evidence=[EvidenceItem(source="error", summary=("stated configuration: " + said)[:300])]))
