"""A Graph permission conclusion names the permission the failing call needs that the report's lists lack.

Reports of a denied Microsoft Graph call (ErrorAccessDenied, Authorization_RequestDenied, 403) often show both the
call (`/me/sendMail`, `graphClient.Me.MailFolders.Inbox.Messages`) and what the app has: the scopes its
configuration requests ("GraphScopes": "User.Read Mail.Send") or the API permissions of its registration. The
catalog's entry can only say "the permission the call needs"; which one that is, and that it is absent from what the
report lists, is computed here because no single phrase says it."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_DENIED = "auth.rbac_missing"
# A Graph call, by the operation it makes, and the least-privileged permission it needs with the permissions that
# also satisfy it (microsoft-graph-docs: user-sendmail, user-list-messages, user-list-events, permissions-reference).
_CALLS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"(?i)/sendMail\b|\.SendMail\b|\bsend_mail\(|\.sendMail\("), "Mail.Send", ("Mail.Send",)),
    (re.compile(r"(?i)/(?:messages|mailFolders)\b|\.(?:MailFolders|Messages)\b|\.mail_folders\b|\.messages\b"
                r"(?=[\s\S]{0,80}?(?:\.Request\(|\.GetAsync\(|\.get\(|\bGET\b))"),
     "Mail.Read", ("Mail.Read", "Mail.ReadWrite")),
    (re.compile(r"(?i)/(?:events|calendar|calendarView)\b|\.(?:Events|Calendar|CalendarView)\b"),
     "Calendars.Read", ("Calendars.Read", "Calendars.ReadWrite")),
    (re.compile(r"(?i)/contacts\b|\.Contacts\b"), "Contacts.Read", ("Contacts.Read", "Contacts.ReadWrite")),
    # reading or listing users (user-list, user-get): app-only needs User.Read.All; the signed-in user's own
    # User.Read reads only /me
    (re.compile(r"(?i)graph\.microsoft\.com/(?:v1\.0|beta)/users\b|\.Users\.GetAsync\(|\.users\.get\(|\bGet-MgUser\b"),
     "User.Read.All", ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")),
)
_GRAPH = re.compile(r"(?i)graph\.microsoft\.com|graphClient|GraphServiceClient|Microsoft\.Graph\b|msgraph|\bGraph\b")
_PERMISSION = re.compile(r"\b(?:Mail|Calendars|Contacts|User|Users|Group|Directory|Files|Sites|Application|"
                         r"People|Tasks|Notes|Chat|Team|Channel)\.[A-Z][A-Za-z]+(?:\.[A-Z][A-Za-z]+)*\b")
# where the app's registration lists its permissions, and where its configuration lists the scopes it requests
_REGISTRATION = re.compile(r"(?i)\bAPI permissions\b|\bRequired permissions\b|\bconfigured permissions\b|"
                           r"\bpermissions (?:on|of) the (?:app )?registration\b")
# the app signs in as itself: its token carries only Application permissions (app roles), never Delegated ones
_APP_ONLY = re.compile(r"(?i)acquire_token_for_client|acquireTokenByClientCredential|AcquireTokenForClient|"
                       r"client[ _-]credentials?\b|ClientSecretCredential|ClientCertificateCredential")
# a client secret alone is also a web app's that signs users in (its delegated permissions are right): it counts only
# when no line outside the permission lists speaks of a signed-in user
_SECRET = re.compile(r"(?i)\bclient[ _-]?secret\b")
_USER_FLOW = re.compile(r"(?i)\bsign(?:s|ed|ing)?[ -]?in\b|\blog(?:s|ged|ging)?[ -]?in\b|/me\b|"
                        r"\bauthori[sz]ation code\b|acquire_?token_?(?:by_?auth|interactive|silent|on_?behalf)|"
                        r"redirect ?ur[il]|\bon[ -]behalf[ -]of\b|"
                        r"\bOBO\b|\bdelegated flow\b")
_DELEGATED = re.compile(r"(?i)\bDelegated\b")
_APPLICATION = re.compile(r"(?i)\bApplication\b(?! ID\b)")
_REQUESTED = re.compile(r"(?i)scopes?\b[\"']?\s*[:=]|scopes?\"?\s+value=|\bscopes?:\s|\.WithScopes\(|scopes\s*=\s*\[")
_FOLLOWING_LINES = 4


def with_graph_permission(state: SessionState, decision: Decision) -> Decision:
    """The Graph permission conclusion, with the permission the call needs that the listed ones lack."""
    if not isinstance(decision, Conclude) or decision.report.category != _DENIED:
        return decision
    text = state.material.spoken_text()
    found = missing_graph_permission(text)
    if found is None or found[0] in decision.report.root_cause:
        return decision
    decision.report.root_cause = decision.report.root_cause.rstrip() + " " + found[1]
    return decision


def missing_graph_permission(text: str) -> tuple[str, str] | None:
    """The permission a Graph call in the text needs and a sentence saying which list the text shows lacks it."""
    if not _GRAPH.search(text):
        return None
    registered, requested = _listed(text, _REGISTRATION), _listed(text, _REQUESTED)
    for call, needed, satisfying in _CALLS:
        found = call.search(text)
        if found is None:
            continue
        shown = found.group(0).strip("(.")
        for where, listed in (("the app registration's API permissions", registered),
                              ("the scopes the app requests", requested)):
            if listed and not any(p in listed for p in satisfying):
                return needed, (f"The call {shown} needs {needed}"
                                + (f" (or {', '.join(satisfying[1:])})" if len(satisfying) > 1 else "")
                                + f"; {where} ({', '.join(listed)}) do not include it: add it and consent again.")
    return _delegated_for_app_only(text, registered)


def _delegated_for_app_only(text: str, registered: list[str]) -> tuple[str, str] | None:
    """A permission the registration lists only as Delegated while the app signs in as itself (client credentials):
    the app-only token carries none of it (permissions-reference: application and delegated permissions)."""
    lines = text.split("\n")
    plain = "\n".join(line for line in lines if not _PERMISSION.search(line))
    app_only = _APP_ONLY.search(text) or (_SECRET.search(text) and not _USER_FLOW.search(plain))
    if not registered or not app_only:
        return None
    delegated = [p for line in lines if _DELEGATED.search(line) for p in _PERMISSION.findall(line)]
    application = {p for line in lines if _APPLICATION.search(line) and not _DELEGATED.search(line)
                   for p in _PERMISSION.findall(line)}
    for permission in registered:
        if permission in delegated and permission not in application:
            return permission, (f"{permission} is on the app registration only as a Delegated permission, while the"
                                " app signs in as itself (client credentials): an app-only token carries only"
                                f" Application permissions, so add {permission} as an Application permission and"
                                " grant admin consent.")
    return None


def _listed(text: str, where: re.Pattern[str]) -> list[str]:
    """The permission names on the lines a heading or a setting marks, and on the few lines after a heading."""
    lines = text.split("\n")
    names: list[str] = []
    for i, line in enumerate(lines):
        found = where.search(line)
        if found is None:
            continue
        names += _PERMISSION.findall(line[found.start():])
        if where is _REGISTRATION:
            for after in lines[i + 1:i + 1 + _FOLLOWING_LINES]:
                if not after.strip():
                    break
                names += _PERMISSION.findall(after)
    return list(dict.fromkeys(names))
