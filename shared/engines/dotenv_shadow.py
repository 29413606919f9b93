"""A credential or endpoint conclusion names the .env variable that the shell's own value shadows.

python-dotenv's load_dotenv() leaves a variable that is already in the process environment untouched unless it is
called with override=True; the dotenv packages of other languages behave the same. A report that shows a variable
in its .env file and also says the shell sets it (`echo $NAME` prints another value, a profile exports it) has the
code reading the shell's value, not the .env one: a key for another service, an old endpoint. The comparison is
computed here because no single phrase says it."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_CATEGORIES = frozenset({"auth.credential_invalid", "config.invalid_connection_string", "config.wrong_resource_name"})
_LOADS_DOTENV = re.compile(r"\bload_dotenv\s*\((?P<args>[^)]*)\)|"
                           r"\brequire\(['\"]dotenv['\"]\)\.config\((?P<js>[^)]*)\)")
_OVERRIDES = re.compile(r"(?i)override\s*[=:]\s*(?:True|true)")
_IN_DOTENV = re.compile(r"(?m)^\s*(?:export\s+)?(?P<name>[A-Z][A-Z0-9_]{2,})\s*=")
# the shell (or the process) already holds a value for the name: printed, exported by a profile, set in the session
_IN_SHELL = (r"(?:echo\s+(?:\$|\$env:|%)|printenv\s+|\$env:|export\s+){name}\b|"
             r"{name}\b[^\n]{{0,40}}\b(?:is (?:already )?(?:set|exported) in (?:my|the) (?:shell|terminal|profile|"
             r"environment)|(?:my|the) ~?/?\.?(?:zshrc|bashrc|bash_profile|profile)\b)|"
             r"(?:zshrc|bashrc|bash_profile|profile)\b[^\n]{{0,30}}\bexports?\b[^\n]{{0,20}}\b{name}\b")


def with_dotenv_shadow(state: SessionState, decision: Decision) -> Decision:
    """The credential or endpoint conclusion, with the .env variable the shell's value shadows."""
    if not isinstance(decision, Conclude) or decision.report.category not in _CATEGORIES:
        return decision
    name = shadowed_variable(state.material.spoken_text())
    if name is None or "does not override" in decision.report.root_cause:
        return decision
    decision.report.root_cause = (
        decision.report.root_cause.rstrip() + f" {name} is set in the .env file and also in the shell's environment,"
        f" and load_dotenv() does not override a variable that is already set: the code reads the shell's {name},"
        " not the .env value (unset it in the shell, or call load_dotenv(override=True)).")
    return decision


def shadowed_variable(text: str) -> str | None:
    """The variable a .env file sets that the shell already holds, when dotenv is loaded without override."""
    loads = _LOADS_DOTENV.search(text)
    if loads is None or _OVERRIDES.search(loads.group(0)):
        return None
    for name in dict.fromkeys(m.group("name") for m in _IN_DOTENV.finditer(text)):
        shell = re.search(_IN_SHELL.format(name=re.escape(name)), text)
        if shell is not None and not _is_dotenv_line(text, shell.start()):
            return name
    return None


def _is_dotenv_line(text: str, at: int) -> bool:
    """The match is itself an `export NAME=` line, which a .env listing may carry too: no proof of the shell's."""
    end = text.find("\n", at)
    line = text[text.rfind("\n", 0, at) + 1:end if end >= 0 else len(text)]
    return bool(re.match(r"\s*export\s+[A-Z][A-Z0-9_]*\s*=", line))
