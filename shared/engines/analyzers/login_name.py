"""A database login refused for a user name one character away from the login the client says exists
(knowledge/login_names.yaml): the connection string sends a mistyped user name, so the server knows no such login and
answers as for a wrong password. Computed from what the client pasted: the refused name against the names the report
gives as the admin or login. Also: a login sent as user@suffix to an Azure Database for MySQL / PostgreSQL server whose
name is not the suffix (single server logins are user@servername, flexible server logins carry no suffix)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import conclude_entry, facts_for, table_entry
from shared.engines.base import Decision
from shared.engines.session_reads import one_edit_apart
from shared.session.state import SessionState

TABLE = "login_names"
# the user name a database refused: SQL Server / Azure SQL, PostgreSQL, MySQL
_REFUSED = re.compile(r"""Login failed for user '(?P<a>[^'<>\s]{4,128})'"""
                      r"""|password authentication failed for user "(?P<b>[^"<>\s]{4,128})\""""
                      r"""|Access denied for user '(?P<c>[^'<>\s@]{4,128})'@""", re.IGNORECASE)
# a sentence that names the login that exists: the server admin, the login, the user name created
_NAMES_LOGIN = re.compile(r"\b(?:admin\w*|login|user ?name|user id)\b", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z][\w.-]{3,127}")


def _stated_login(text: str, refused: str) -> str | None:
    """A name one edit away from the refused one, in a sentence that names it as the admin or the login."""
    for sentence in re.split(r"[.;!?\n]+", text):
        if not _NAMES_LOGIN.search(sentence):
            continue
        found = next((n for n in _NAME.findall(sentence) if one_edit_apart(n, refused)), None)
        if found is not None:
            return found
    return None


def login_name_mistyped(state: SessionState) -> Decision | None:
    """The refused user name and the login the client names differ by one character: a typo in the connection
    string's user name decides, whatever the login error's usual causes (a wrong password, a missing user)."""
    said = state.material.spoken_text()
    refused = _REFUSED.search(said)
    if refused is None:
        return None
    user = refused.group("a") or refused.group("b") or refused.group("c")
    login = _stated_login(said, user)
    if login is None or len(user) < 6:  # a short name one edit from another word is chance, not a typo
        return None
    return conclude_entry(state, None, table_entry(TABLE, "login-name-mistyped"),
                          facts_for(state, None, {"user": user, "login": login}))


# an Azure Database for MySQL / PostgreSQL host: the server name is its first label
_DB_HOST = re.compile(r"\b(?P<server>[a-z0-9][a-z0-9-]{1,62})\.(?:mysql|postgres)\.database\.azure\.com\b",
                      re.IGNORECASE)
# a refused login of MySQL or PostgreSQL
_DB_REFUSED = re.compile(r"Access denied for user '|password authentication failed for user|ERROR 1045"
                         r"|FATAL:\s+password", re.IGNORECASE)
# the login as the client sends it, with its @-suffix: a command line option or a connection string key
_SENT_LOGIN = re.compile(r"""(?:--user(?:name)?[= ]|(?<![\w-])-u ?|\b(?:user ?id|uid|username|user)\s*=\s*)"""
                         r"""["']?(?P<user>(?P<name>[A-Za-z_][\w.-]{0,62})@(?P<suffix>[A-Za-z0-9][\w.-]{0,62}))""",
                         re.IGNORECASE)


def login_suffix_other_server(state: SessionState) -> Decision | None:
    """A MySQL or PostgreSQL login on Azure refused while the client sends it as user@suffix and the suffix is not the
    name of the server it connects to: the login's format is wrong (single server wants user@servername, flexible
    server the plain user), whatever else a refused login usually means."""
    said = state.material.spoken_text()
    host = _DB_HOST.search(said)
    if host is None or _DB_REFUSED.search(said) is None:
        return None
    server = host.group("server").lower()
    for sent in _SENT_LOGIN.finditer(said):
        suffix = sent.group("suffix").rstrip(".")
        if suffix.lower() == server or suffix.lower().startswith(server + "."):
            return None  # the suffix names the server itself: the format is right, something else refused it
        return conclude_entry(state, None, table_entry(TABLE, "login-suffix-names-other-server"),
                              facts_for(state, None, {"user": sent.group("user").rstrip("."),
                                                      "name": sent.group("name"), "suffix": suffix, "server": server}))
    return None
