"""Secret redaction for text that is about to be stored or sent to an LLM.

Callers send error descriptions, stack traces, source files and config files.  Durable Functions keeps
orchestration input, history and output in plain text, so every string is passed through
:func:`redact_text` (or :func:`redact_value` for JSON-like structures) before it is stored.

Design
------
* Patterns are data: ``_PATTERNS`` is a table of :class:`SecretPattern` entries, each with the kind of
  secret it finds, a precompiled regex, cheap literal *anchors* (the regex only runs when one of them
  occurs in the lower-cased text) and a *resolver* that turns a regex match into the span of the secret
  VALUE (or rejects it).  Only the value is replaced: key names, connection-string structure, the SAS
  ``sv=/se=/sp=`` fields, URL hosts and user names stay readable.
* Speed (10 MB per request): each pattern is its own ``finditer`` pass and starts with a literal, so the
  regex engine can skip ahead with a fast substring scan; boundary checks are lookbehinds placed AFTER
  the literal.  Case-insensitive patterns are written in lower case and run over one ASCII-lower-cased
  copy of the text (``SecretPattern.lowered``), which is much faster than ``re.IGNORECASE``; their
  resolvers read values from the original text through the match spans (same length, same offsets).
* The candidate spans of all passes are merged: overlapping spans are united and the kind of the entry
  listed first wins.  Idempotence: a match that starts inside an existing ``[REDACTED:...]`` placeholder
  (``[REDACTED:api-key]: x`` is not an ``api-key:`` header) or a secret span overlapping one is dropped,
  and an assignment's value is matched in a lookahead, so an assignment nested in a rejected value is
  found on the first pass, not the second.
* Linear time on hostile input (10 MB of ``password=`` or of ``-----BEGIN PRIVATE KEY-----``): every
  quantifier is bounded, a bare value stops where a nested assignment starts and the PEM END search
  stops at the next BEGIN.  Realistic text runs at ~20 MB/s (``bench/bench_redaction.py``).
* "Key = value" assignments (``password=``, ``"clientSecret": "..."``, ``api-key: ...``) are the hard
  part: code has the same shape (``password = get_password()``).  The key name decides the kind
  (:data:`_NAME_RULES`).  Quoted literals are secrets unless they are references, placeholders or
  templates (:func:`_is_literal_secret`); bare (unquoted) values go through :func:`_is_bare_secret`,
  which tells ``.env``/YAML/DSN/log text from code (calls, attribute chains, type annotations, variable
  names).  Sibling forms are covered too: ``{"name": "DB_PASSWORD", "value": "..."}`` (app settings,
  Kubernetes env), ``<password>...</password>``, ``--client-secret x``, ``az keyvault secret set --value``.

Borderline decisions (documented here because callers and reviewers will ask)
-----------------------------------------------------------------------------
* Placeholders and references are NOT redacted: ``<your-key>``, ``***``, ``xxx``, ``changeme``,
  ``your_api_key_here``, ``${VAR}``, ``$(var)``, ``{{ var }}``, ``%VAR%``, ``#{var}#``, ``__VAR__``,
  ARM expressions ``[parameters('x')]`` and ``@Microsoft.KeyVault(...)`` references.  They hold no secret
  and the engine needs to see them ("you forgot to replace <your-key>").
* A bare value that is a plain identifier (``password = pw``) is treated as a variable in code, except
  in ``.env``/properties lines (``DB_PASSWORD=hunter``), DSN/log/query text terminated by a space, quote,
  ``;`` or ``&`` (``host=x password=hunter sslmode=require``) and YAML lines (``password: hunter``).
  An identifier containing a digit (``password = hunter2``) is treated as a literal everywhere, so a
  variable named ``pw2`` assigned to ``password`` is (harmlessly) redacted.  An identifier that itself
  contains a secret keyword (``password=password``, ``token: accessToken``) is always a variable.
* Generic ``*_key`` / ``*_credential`` names (``cache_key``, ``partition_key``) are only redacted when the
  value looks random (>= 16 chars, letters and digits, mixed case or >= 32 chars).  GUIDs are never
  redacted under such names; under a strong name (``client_secret``, ``password``) any literal is.
* Values holding a SAS signature or a connection string (``sas_token = "sv=...&sig=..."``) are left to the
  SAS / connection-string patterns so that ``se=`` (expiry) and ``AccountName=`` stay readable.
* Base64 data URIs, lock-file hashes, git SHAs and GUIDs are kept: no pattern matches them outside a
  secret-named assignment.  JWTs are redacted as ``jwt`` even after ``Bearer`` (more specific kind).
* ``-p xyz`` is only redacted in the ``-u <user> -p <password>`` shape (``mkdir -p``, ``docker -p``).
  ``curl -u user:pw`` is, except a numeric or repeated pair (docker's ``-u 1000:1000``, ``www-data:www-data``).
* PowerShell: a ``ConvertTo-SecureString '<literal>'`` argument is a password whatever the cmdlet, and a
  single-dash parameter is judged by its name like a ``--flag`` (``-SqlAdministratorPassword 'x'``).
* A ``-----BEGIN ... PRIVATE KEY-----`` without END marker (truncated paste) is redacted through the end
  of its base64 body.
* Free text: "the password is Hunter2!" is redacted, "the password is incorrect" is not (a plain word
  after ``password is/was/to/of`` is prose).
* Bare 88-character base64 values ending ``==`` (Azure Storage and Cosmos DB account keys, as
  ``az storage account keys list -o tsv`` prints them) are redacted by shape, except after ``sha512-`` /
  ``integrity`` (subresource-integrity hashes of the same shape); shorter keys (Service Bus / Event Hubs SAS
  keys, Azure OpenAI keys) only next to a label (``Primary key:``, ``KEY 1:``, ``key1<TAB>FULL<TAB>``).
* Not covered (no reliable shape): cookies / session ids and Azure DevOps PATs outside a key name (``*_PAT=`` is one).
* Known partial leaks, all rare: unquoted YAML values containing spaces (only the first word goes),
  Redis passwords containing ``,``, quoted values containing their own (unescaped) quote character, a
  bare value containing ``key=``/``token:``-like text (it is cut there; the rest is judged on its own).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

__all__ = ["SecretMatch", "SecretPattern", "find_secrets", "placeholder", "redact_text", "redact_value"]


class SecretMatch(NamedTuple):
    """A secret found in a text: its kind and the [start, end) span of the secret value."""

    kind: str
    start: int
    end: int


# A resolver gets the regex match and the ORIGINAL text (the match may be on the lower-cased copy, so
# resolvers read values through spans, never through match.group) and returns the secret or None.
Resolver = Callable[[re.Match[str], str], "SecretMatch | None"]


@dataclass(frozen=True)
class SecretPattern:
    """One entry of the pattern table."""

    kind: str  # kind used in the placeholder (a resolver may refine it, e.g. from the key name)
    regex: re.Pattern[str]
    anchors: tuple[str, ...]  # lower-case literals; the regex only runs if one occurs in the lowered text
    resolve: Resolver
    lowered: bool = False  # the regex is written in lower case and runs over the lower-cased text


class Numbering(Protocol):
    """Numbers secrets within a session (shared/security/redaction_numbers.py); redaction never stores the value."""

    def number(self, kind: str, value: str) -> int: ...


def placeholder(kind: str, number: int | None = None) -> str:
    """The text that replaces a secret of the given kind (`#n`: the secret's number in its session)."""
    return f"[REDACTED:{kind}]" if number is None else f"[REDACTED:{kind}#{number}]"


def _numbered(kind: str, value: str, numbering: Numbering | None) -> str:
    return placeholder(kind, numbering.number(kind, value) if numbering is not None else None)


_PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z0-9-]{1,40}(?:#[0-9]{1,6})?\]")
_FLAGS = re.ASCII  # ASCII-only \s, \w and \d: faster, and what secrets are made of

# --------------------------------------------------------------------------------------------------
# Value checks shared by the resolvers
# --------------------------------------------------------------------------------------------------

# References to a secret stored elsewhere: nothing to hide and the engine needs to see them.
_REFERENCE_RE = re.compile(
    r"""^(?:
        \$\{.*                         # ${VAR}, ${{ secrets.X }}, Bicep ${...}, ${VAR:?message}
      | \$\(.*                         # $(var) Azure Pipelines / shell substitution
      | \$[A-Za-z_][A-Za-z_.:]*        # $dbPassword, $env:VAR (PowerShell / PHP / shell variable) ...
      | \$[A-Z_][A-Z0-9_]*             # ... $DB_PASSWORD_2; but "$uperS3cret" is a literal
      | \{\{.*                         # {{ jinja / helm / handlebars }}
      | %[A-Za-z_][\w.-]*%             # %WINDOWS_VAR%
      | \#\{.*\}\#?                    # #{token}# (replace-tokens tasks)
      | __[A-Za-z0-9_]+__              # __TOKEN__ (release pipelines)
      | @Microsoft\.KeyVault\(.*       # App Service Key Vault reference (even when cut at its ";")
      | \[.*\]                         # ARM template expression [parameters('x')] / a placeholder
      | <[^<>]*>                       # <your-key>
      | /subscriptions/[0-9a-fA-F-]{36}/.*      # an Azure resource id (a Key Vault secret's id names, never holds it)
      | https://[A-Za-z0-9-]+\.vault\.azure\.net/.*  # a Key Vault object URI
    )$""",
    re.X | re.S | _FLAGS,
)

# Values people write instead of a real secret.
_PLACEHOLDER_VALUE_RE = re.compile(
    r"""^(?:
        [xX*.#?_-]{3,}                 # xxx, ***, ..., ---
      | (?:your|insert|enter|paste|put|add)[-_ ].*      # your-api-key, your_password_here
      | my[-_ ]?(?:api[-_ ]?)?(?:password|secret|key|token)  # my-password, my_api_key
      | .*[-_ ](?:here|goes[-_ ]here)   # key_here, secret-goes-here
      | change[-_ ]?(?:me|it|this)      # changeme, change_me, changeit
      | replace[-_ ]?(?:me|this|with.*) # replace_me
      | (?:todo|tbd|fixme|placeholder|redacted|dummy|example|sample|none|null|nil|undefined|n/a|secret)
    )$""",
    re.X | re.I | re.S | _FLAGS,
)

# Language constants, type names and config enum words: `secret = None`, `password: str`,
# `token: string;`, `id-token: write` (GitHub Actions permissions).
_CODE_WORDS = frozenset(
    (
        "none", "null", "nil", "true", "false", "undefined", "default", "yes", "no", "on", "off",
        "str", "string", "int", "integer", "bool", "boolean", "bytes", "object", "any", "number",
        "securestring", "secretstr", "optional", "required", "void", "char", "unknown", "never",
        "self", "this", "await", "new", "async", "lambda", "not", "typeof", "function", "var", "let", "const",
        "read", "write", "enabled", "disabled", "auto", "inherit", "always", "empty", "public", "private",
    )
)

# Code expressions: get_password(), os.environ["X"], a?.b, x => y, f"{pw}".
_CODE_EXPR_RE = re.compile(
    r"""^(?:
        [A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*[\[(].*   # call or subscript
      | [A-Za-z_$][\w$]*(?:\?\.|!\.|::|->)\S*          # a?.b, a!.b, A::b, a->b
      | .*(?:=>|==|!=|&&|\|\|)[^=].*                      # arrow functions, comparisons (not base64 "==")
      | [frbu]{1,2}["'].*                                 # f"..." and other prefixed Python strings
    )$""",
    re.X | re.S | _FLAGS,
)
_ATTRIBUTE_CHAIN_RE = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$", _FLAGS)
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$", _FLAGS)
_SECRET_WORD_RE = re.compile(r"passw|pwd|secret|token|key|credential|auth", re.I | _FLAGS)
_VERSION_RE = re.compile(r"^[\^~<>=v]{0,3}\d+(?:\.(?:\d+|x|\*)){1,3}(?:[-+][\w.]+)?$", _FLAGS)
_GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$", _FLAGS)
# Format/template placeholders inside a literal: "Bearer {token}", "%s", "{0}", `${x}`.
_TEMPLATE_RE = re.compile(r"\{[^{}\s]{0,80}\}|%[sd]|%\([A-Za-z_]\w*\)[sd]", _FLAGS)
# Values the SAS / connection-string patterns handle more precisely (they keep se=, AccountName=...).
_DELEGATED_RE = re.compile(
    r"(?:^|[?&;\s])(?:sig|AccountKey|SharedAccessKey|AccessKey|Password|Pwd|Secret)=", re.I | _FLAGS
)
# YAML syntax that is not a value: block scalars, anchors, aliases, tags.
_YAML_SYNTAX_RE = re.compile(r"^(?:[|>][-+]?\d?|&\S+|\*[A-Za-z_]\w*|!\S+)$", _FLAGS)


def _has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


def _has_placeholder(value: str) -> bool:
    return "[REDACTED:" in value


def _is_reference_or_placeholder(value: str) -> bool:
    stripped = value.strip()
    return bool(
        _REFERENCE_RE.match(stripped) or _PLACEHOLDER_VALUE_RE.match(stripped) or _has_placeholder(stripped)
    )


def _looks_random(value: str) -> bool:
    """True for key-like values: long, no spaces, letters and digits, mixed case or very long."""
    if len(value) < 16 or any(c.isspace() for c in value) or _GUID_RE.match(value) or "://" in value:
        return False
    has_lower = any(c.islower() for c in value)
    has_upper = any(c.isupper() for c in value)
    return _has_digit(value) and (has_lower or has_upper) and ((has_lower and has_upper) or len(value) >= 32)


def _is_literal_secret(value: str, strong: bool) -> bool:
    """Decide whether a quoted literal assigned to a secret-named key is a secret."""
    if len(value.strip()) < 3 or value != value.strip() or value[0] in ",+)":
        return False  # empty/short, or the quotes close and reopen a string: "Bearer " + t, 'Key=', list(
    if _is_reference_or_placeholder(value) or _TEMPLATE_RE.search(value):
        return False
    if _VERSION_RE.match(value) or _DELEGATED_RE.search(value):
        return False  # "jsonwebtoken": "^9.0.0"; SAS / connection strings have their own patterns
    return strong or _looks_random(value)


# Bare values starting like this are syntax, not secrets: `-flag`, `{dict}`, `(tuple)` and the shell
# expansions ${VAR:?message} / ${VAR:+alt} (seen after the inner `PASSWORD:`).
_NOT_A_VALUE_START = ("-", "{", "(", "?", "+")


class _BareContext(NamedTuple):
    """How an unquoted value was written, which decides whether a plain identifier is a literal."""

    identifiers_are_literals: bool  # .env / DSN / query-string text: `PASSWORD=hunter`
    yaml_like: bool  # `password: hunter` on its own line


def _is_bare_secret(value: str, strong: bool, context: _BareContext) -> bool:
    """Decide whether an unquoted value assigned to a secret-named key is a secret."""
    if len(value) < 3 or not any(c.isalnum() for c in value):
        return False
    if _is_reference_or_placeholder(value) or _YAML_SYNTAX_RE.match(value):
        return False
    if value.lower() in _CODE_WORDS or _VERSION_RE.match(value) or _DELEGATED_RE.search(value):
        return False
    if _CODE_EXPR_RE.match(value) or _TEMPLATE_RE.search(value) or value.startswith(_NOT_A_VALUE_START):
        return False
    if _ATTRIBUTE_CHAIN_RE.match(value) and (_SECRET_WORD_RE.search(value) or not _has_digit(value)):
        return False  # settings.SECRET_KEY, os.environ, var.db_password (but ya29.a0AfH6 is a token)
    if value.isdigit() and len(value) < 4:
        return False  # `pass=1`, `secret: 0`
    if _IDENTIFIER_RE.match(value) and not _is_literal_identifier(value, context):
        return False
    return strong or _looks_random(value)


def _is_literal_identifier(value: str, context: _BareContext) -> bool:
    """A bare identifier-shaped value: a variable name in code, or a literal in config text?"""
    if _SECRET_WORD_RE.search(value) and not _looks_random(value):
        return False  # password=password, token: accessToken (but PwdMo4stqD04GHwG7 is a password)
    if context.identifiers_are_literals or _has_digit(value):
        return True
    return context.yaml_like and not value[0].isupper()  # `password: hunter` vs `token: Token`


# --------------------------------------------------------------------------------------------------
# Secret-named assignments: password=..., "clientSecret": "...", api-key: ..., SECRET_KEY='...'
# --------------------------------------------------------------------------------------------------

# Classification of the full key name (camelCase split to snake_case, '-' -> '_', lower-cased).
# The first suffix that matches decides.  `strong` names take any literal value; weak ones
# (generic *_key, *_credential) only values that look random.
_NAME_RULES: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(rx + r"$", _FLAGS), kind, strong)
    for rx, kind, strong in (
        (r"(?:^|_)key_?\d{1,2}", "key", False),  # key1 / key2 in `az ... keys list` output
        (r"(?:^|_)client_?secret", "client-secret", True),
        (r"secret_?access_?key", "aws-secret-key", True),
        (r"pass(?:word|wd|phrase)", "password", True),
        (r"(?:^|_)(?:pwd|pass)", "password", True),
        (r"(?:^|_)private_?key", "private-key", True),
        (r"(?:^|_)(?:account|storage)_?key", "storage-key", True),
        (r"(?:^|_)shared_?access_?key", "connection-string-secret", True),
        (r"(?:^|_)(?:api|subscription|functions?|host|master|openai|search|cosmos|app|system)_?key",
         "api-key", True),
        (r"(?:^|_)access_?key", "access-key", True),
        (r"(?:^|_)(?:secret|signing|encryption|jwt|session)_?key", "secret", True),
        (r"secret", "secret", True),
        (r"token", "token", True),
        (r"(?:^|_)pat", "token", True),  # Azure DevOps personal access tokens: AZURE_DEVOPS_EXT_PAT, PAT:
        (r"(?:^|_)credential", "credential", False),
        (r".+_key", "key", False),
    )
)
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])", _FLAGS)
_NAME_SEGMENT_RE = re.compile(r"[.:/]", _FLAGS)


@functools.lru_cache(maxsize=4096)
def _classify_name(name: str) -> tuple[str, bool] | None:
    """Map a key name (``AZURE_CLIENT_SECRET``, ``apiKey``, ``--password``) to (kind, strong)."""
    last = _NAME_SEGMENT_RE.split(name)[-1].lstrip("-_$@")
    normalized = _CAMEL_BOUNDARY_RE.sub("_", last).replace("-", "_").lower()
    undigited = normalized.rstrip("0123456789").rstrip("_")  # password2, client_secret_1
    for rule, kind, strong in _NAME_RULES:
        if rule.search(normalized) or rule.search(undigited):
            return kind, strong
    return None


_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$@:"


def _name_start(text: str, end: int, limit: int = 128) -> int:
    """Start of the key name (``self.db_password``, ``x-api-key``, ``$env:SECRET``) ending at ``end``."""
    floor = max(0, end - limit)
    return floor + len(text[floor:end].rstrip(_NAME_CHARS))


# What may precede a key name on its line for the value to be "the rest of the line".
_LINE_PREFIX_RE = re.compile(
    r"[ \t]*(?:(?:export|set|ENV|ARG|readonly|declare)[ \t]+|-[ \t]+)?[\"']?\Z", _FLAGS
)
_REST_OF_LINE_RE = re.compile(r"[ \t]*(?:[ \t](?:#|//|;)[^\r\n]{0,1000})?(?:\r?\n|\r|\Z)", _FLAGS)
_TOKEN_TAIL_RE = re.compile(r"\S{0,4096}", _FLAGS)
_PATH_RE = re.compile(r"^(?:/|~/|[A-Za-z]:[\\/])", _FLAGS)
_INLINE_VALUE_END_RE = re.compile(r"[)\]}]", _FLAGS)  # an inline bare value ends at a closing bracket


def _line_prefix(text: str, name_start: int, limit: int = 200) -> str | None:
    """Text between the start of the line and ``name_start``; None if the line starts too far back."""
    floor = max(0, name_start - limit)
    newline = max(text.rfind("\n", floor, name_start), text.rfind("\r", floor, name_start))
    if newline < 0 and floor > 0:
        return None
    return text[newline + 1 : name_start]


# A bare value ends where another secret-named assignment starts.  This keeps `password=password=...`
# linear: each nested assignment is scanned on its own (the value is a lookahead, see below).
_NESTED_ASSIGNMENT = (
    r"(?:pass(?:word|wd|phrase)?|pwd|secret|token|pat|key|credential)[0-9]{0,2}[\"']?\]?[ \t]*[:=]"
)

# Everything after the keyword; shared by the per-keyword passes (run on the lower-cased text).
_ASSIGNMENT_TAIL = (
    r"""
    (?![a-z0-9_])                     # the keyword ends the name: not token_count, max_tokens, password_field
    (?:\\?["'])?\]?                   # end of a quoted key or subscript: "password": / ["pwd"] =
    (?P<sep>[ \t]*(?::=|=>|=(?!=)|:(?![:/\\]))[ \t]*)   # = : := =>; not == (comparison), :: or C:\ paths
    (?=                               # a lookahead: the value is not consumed, so a nested assignment
                                      # inside a rejected value is still scanned (keeps redaction idempotent)
    (?:\{[ \t]*["']value["'][ \t]*:[ \t]*)?   # ARM parameter file: "adminPassword": {"value": "..."}
    (?:
        [rbuf@$]{0,2}(?P<q>\\?["'`])(?P<qv>[^\r\n]{0,4096}?)(?<!\\)(?P=q)   # quoted literal
      | (?P<bv>(?:(?!"""
    + _NESTED_ASSIGNMENT
    + r""")[^\s"'`&,;\x00-\x1f\x7f]){1,1024})          # bare value
    ))
"""
)


def _resolve_assignment(match: re.Match[str], text: str) -> SecretMatch | None:
    """Resolver for the assignment passes: classify the key name, then judge the value."""
    name_start = _name_start(text, match.end("kw"))
    name = text[name_start : match.end("kw")]
    classified = _classify_name(name)
    segment_start = name_start + 1 + max(name.rfind("."), name.rfind(":"))  # `PASSWORD` in `${A:-PASSWORD`
    if classified is None or text.endswith("://", 0, name_start) or text.endswith("${", 0, segment_start):
        return None  # not a secret name; user name of https://x-access-token:...@; ${PASSWORD:-x} expansion
    kind, strong = classified
    if match.start("q") >= 0:
        start, end = match.span("qv")
        return SecretMatch(kind, start, end) if _is_literal_secret(text[start:end], strong) else None
    judged = _line_value(match, text, name_start) or _inline_value(match, text)
    if judged is None:
        return None
    value, context = judged
    if _PATH_RE.match(value) and name.lower() in ("pwd", "oldpwd"):
        return None  # PWD=/home/site/wwwroot in an environment dump is the working directory
    start = match.start("bv")
    return SecretMatch(kind, start, start + len(value)) if _is_bare_secret(value, strong, context) else None


def _line_value(match: re.Match[str], text: str, name_start: int) -> tuple[str, _BareContext] | None:
    """`NAME=value` / `name: value` alone on its line: the value is the whole rest of the line."""
    prefix = _line_prefix(text, name_start)
    if prefix is None or not _LINE_PREFIX_RE.match(prefix):
        return None
    tail = _TOKEN_TAIL_RE.match(text, match.end("bv"))
    line_end = tail.end() if tail else match.end("bv")
    if not _REST_OF_LINE_RE.match(text, line_end):
        return None  # more words follow: `token = await get_token()`
    value = text[match.start("bv") : line_end]
    sep = match.group("sep")
    name = text[name_start : match.end("kw")]
    env_line = sep == "=" and (not name.islower() or "." in name)  # DB_PASSWORD=x, spring.x.password=x
    if value.endswith((",", ";", ")", "]", "}")) and not env_line:
        # `password: pw,` / `token: string;` / `secret=secret)`: a JS/TS/C# member or a call argument
        return value.rstrip(",;)]}"), _BareContext(identifiers_are_literals=False, yaml_like=False)
    return value, _BareContext(identifiers_are_literals=env_line, yaml_like=sep.strip() == ":")


def _inline_value(match: re.Match[str], text: str) -> tuple[str, _BareContext] | None:
    """`password=x` / `password: x` inside a line (DSN, log line, query string, kwargs, dict)."""
    sep = match.group("sep")
    operator = sep.strip()
    if operator not in ("=", ":") or (operator == "=" and sep != "="):
        return None  # `x = y` inside a line, `=>`, `:=`: code
    start, end = match.span("bv")
    raw = text[start:end]
    value = _INLINE_VALUE_END_RE.split(raw, maxsplit=1)[0].rstrip(":.")
    in_call = text[end : end + 1] in (",", ")") or value != raw  # f(password=pw), (password: str)
    return value, _BareContext(identifiers_are_literals=operator == "=" and not in_call, yaml_like=False)


def _resolve_name_value_pair(match: re.Match[str], text: str) -> SecretMatch | None:
    """`{"name": "DB_PASSWORD", "value": "..."}`: the secret-ness is in the sibling name."""
    if match.group("field") == "keyname":
        classified: tuple[str, bool] | None = ("storage-key", False)  # listKeys(): {"keyName": "key1", ...}
    else:
        name_group = "name" if match.start("name") >= 0 else "bname"
        classified = _classify_name(text[match.start(name_group) : match.end(name_group)])
    if classified is None:
        return None
    kind, strong = classified
    if match.start("value") >= 0:
        start, end = match.span("value")
        return SecretMatch(kind, start, end) if _is_literal_secret(text[start:end], strong) else None
    start, end = match.span("bvalue")  # YAML `value: x`; Bicep `value: paramName` is a reference
    context = _BareContext(identifiers_are_literals=False, yaml_like=False)
    return SecretMatch(kind, start, end) if _is_bare_secret(text[start:end], strong, context) else None


def _resolve_xml_element(match: re.Match[str], text: str) -> SecretMatch | None:
    """`<password>hunter2</password>`: the secret-ness is in the tag name."""
    classified = _classify_name(match.group("tag"))
    if classified is None:
        return None
    kind, strong = classified
    start, end = match.span("value")
    return SecretMatch(kind, start, end) if _is_literal_secret(text[start:end], strong) else None


# --------------------------------------------------------------------------------------------------
# Resolvers and checks for patterns whose regex already pins the secret down
# --------------------------------------------------------------------------------------------------


def _value(kind: str, check: Callable[[str], bool] | None = None, extend_left: int = 0) -> Resolver:
    """Resolver reporting the ``value`` group (or the whole match, ``extend_left`` chars wider).

    A value written in quotes (``--password "a b"``) is reported without its quotes.
    """

    def resolve(match: re.Match[str], text: str) -> SecretMatch | None:
        start, end = _unquoted_span(text, *match.span("value" if "value" in match.re.groupindex else 0))
        start -= extend_left
        value = text[start:end]
        if _has_placeholder(value) or (check is not None and not check(value)):
            return None
        return SecretMatch(kind, start, end)

    return resolve


def _unquoted_span(text: str, start: int, end: int) -> tuple[int, int]:
    if end - start >= 2 and text[start] in "\"'" and text[end - 1] == text[start]:
        return start + 1, end - 1
    return start, end


def _trimmed(kind: str, check: Callable[[str], bool]) -> Resolver:
    """Like _value but drops trailing blanks (values that may contain spaces, e.g. SQL passwords)."""

    def resolve(match: re.Match[str], text: str) -> SecretMatch | None:
        start, end = match.span("value")
        value = text[start:end].rstrip()
        return SecretMatch(kind, start, start + len(value)) if check(value) else None

    return resolve


def _not_reference(value: str) -> bool:
    return bool(value.strip()) and not _is_reference_or_placeholder(value)


def _has_digit_and_letter(value: str) -> bool:
    return _has_digit(value) and any(c.isalpha() for c in value)


def _mixed_case_and_digit(value: str) -> bool:
    return _has_digit(value) and any(c.islower() for c in value) and any(c.isupper() for c in value)


def _token_like(value: str) -> bool:
    """Opaque bearer tokens: a digit, or long and not a plain word (`Bearer authentication` is prose)."""
    return _has_digit(value) or (len(value) >= 32 and not value.isalpha())


def _is_basic_credential(value: str) -> bool:
    """`Basic dXNlcjpwYXNz` decodes to `user:pass`; `Basic authentication` doesn't decode."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded or _token_like(value)


_CLI_OPTION_LIST_RE = re.compile(r"^[a-z]+=[^,]*(?:,[a-z]+=[^,]*)+$", _FLAGS)  # --secret id=x,src=y


def _cli_value(value: str) -> bool:
    unquoted = value.strip("\"'")
    if not _not_reference(unquoted) or unquoted.startswith("-") or _CLI_OPTION_LIST_RE.match(unquoted):
        return False
    return _is_bare_secret(unquoted, True, _BareContext(identifiers_are_literals=True, yaml_like=False))


_KEYS_OBJECT_RE = re.compile(r"(?:function|system)Keys[\"']?[ \t]*:[ \t]*\Z", re.I | _FLAGS)


def _resolve_keys_object_entry(match: re.Match[str], text: str) -> SecretMatch | None:
    """A value inside `"functionKeys": {...}` / `"systemKeys": {...}` (az functionapp keys list)."""
    start, end = match.span("value")
    brace = text.rfind("{", max(0, start - 4096), start)
    if brace < 0 or "}" in text[brace:start]:
        return None
    in_keys_object = _KEYS_OBJECT_RE.search(text, max(0, brace - 100), brace)
    if not in_keys_object or not _has_digit_and_letter(text[start:end]):
        return None
    return SecretMatch("function-key", start, end)


_COOKIE_HEADER = re.compile(r"(?i)(?:\b(?:set-)?cookie[\"']?[ \t]*:|(?<![\w-])-b[ \t]+['\"]?)")


def _resolve_cookie_value(match: re.Match[str], text: str) -> SecretMatch | None:
    """A name=value pair inside the value of a Cookie / Set-Cookie header (or of curl's -b argument) on its line."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    headers = list(_COOKIE_HEADER.finditer(text, line_start, match.start()))  # the nearest one before the pair
    between = text[headers[-1].end():match.start()] if headers else "\n"
    if "\n" in between or "'" in between or '"' in between:  # past the header's own (quoted) value
        return None
    start, end = match.span("value")
    return SecretMatch("cookie", start, end)


def _prose_password(value: str) -> bool:
    """`the password is Hunter2!` yes; `the password is incorrect` / `is 12 characters` no."""
    return _is_bare_secret(value, True, _BareContext(identifiers_are_literals=False, yaml_like=False))


def _resolve_user_password(match: re.Match[str], text: str) -> SecretMatch | None:
    """`curl -u user:password`; docker's `-u 1000:1000` and `-u www-data:www-data` are a user and a group."""
    value = match.group("value").rstrip("\"'")
    if value.isdigit() or value == match.group("user") or not _not_reference(value) or _has_placeholder(value):
        return None
    return SecretMatch("password", match.start("value"), match.start("value") + len(value))


_SECRET_SET_RE = re.compile(r"\bsecret[ \t]+set\b", re.I | _FLAGS)


def _resolve_secret_set_value(match: re.Match[str], text: str) -> SecretMatch | None:
    """`--value x` is a secret only in `az keyvault secret set ...` (searched back on the same line)."""
    line_start = max(text.rfind("\n", max(0, match.start() - 1000), match.start()) + 1, match.start() - 1000)
    if not _SECRET_SET_RE.search(text, line_start, match.start()):
        return None
    start, end = _unquoted_span(text, *match.span("value"))
    return SecretMatch("secret", start, end) if _cli_value(text[start:end]) else None


def _resolve_cli_flag(match: re.Match[str], text: str) -> SecretMatch | None:
    """`--client-secret xyz`: the kind comes from the flag name, the value must be a literal."""
    classified = _classify_name(text[match.start("flag") : match.end("flag")])
    start, end = _unquoted_span(text, *match.span("value"))
    value = text[start:end]
    if classified is None or _has_placeholder(value) or not _cli_value(value):
        return None
    kind, strong = classified
    if not strong and not _looks_random(value.strip("\"'")):
        return None
    return SecretMatch(kind, start, end)


# --------------------------------------------------------------------------------------------------
# The pattern table.  Earlier entries win the kind when spans overlap.
# --------------------------------------------------------------------------------------------------


def _entry(
    kind: str,
    pattern: str,
    anchors: tuple[str, ...],
    *,
    check: Callable[[str], bool] | None = None,
    resolve: Resolver | None = None,
    lowered: bool = False,
    flags: int = 0,
) -> SecretPattern:
    """Build a table entry; by default the ``value`` group (or the whole match) is the secret."""
    compiled = re.compile(pattern, flags | _FLAGS)
    return SecretPattern(kind, compiled, anchors, resolve or _value(kind, check), lowered)


def _assignment(keyword: str, anchor: str) -> SecretPattern:
    """One pass of the secret-named assignment scan for names ending in ``keyword``."""
    pattern = rf"(?P<kw>{keyword}[0-9]{{0,2}})" + _ASSIGNMENT_TAIL  # password2, key1
    return _entry("secret", pattern, (anchor,), resolve=_resolve_assignment, lowered=True, flags=re.X)


def _name_value_pair(field: str) -> SecretPattern:
    """One pass of the {"<field>": "<secret name>", ..., "value": "<secret>"} scan (YAML: quotes optional)."""
    pattern = rf"""(?P<field>{field})
        ["']?[ \t]*[:=][ \t]*(?:(?P<nq>["'])(?P<name>[^"'\r\n]{{1,200}})(?P=nq)|(?P<bname>[\w.:-]{{1,200}}))
        (?:[ \t\r\n]*(?:,[ \t\r\n]*)?
           ["']?[a-z]{{1,40}}["']?[ \t]*[:=][ \t]*
           (?:true|false|null|\d{{1,20}}|"[^"\r\n]{{0,200}}"|'[^'\r\n]{{0,200}}')
        ){{0,3}}
        [ \t\r\n]*(?:,[ \t\r\n]*)?
        ["']?value["']?[ \t]*[:=][ \t]*
        (?:(?P<vq>["'])(?P<value>[^"'\r\n]{{0,4096}})(?P=vq)|(?P<bvalue>[^\s"'\#,}}\]]{{1,4096}}))"""
    return _entry("secret", pattern, ("value",), resolve=_resolve_name_value_pair, lowered=True, flags=re.X)


_B64 = r"A-Za-z0-9+/"
_FLAG_VALUE = r"\"[^\"\r\n]{1,1024}\"|'[^'\r\n]{1,1024}'|[^\s\"'-][^\s\"']{0,1024}"  # a CLI argument
_PS_VALUE = r"\"[^\"\r\n]{1,1024}\"|'[^'\r\n]{1,1024}'|[^\s\"'();-][^\s\"'();]{0,1024}"  # ; and ) end a statement
# A connection-string key value: up to `;`, a quote or a blank.
_CONN_VALUE = r"[^;\"'\s]{1,1024}"
_PEM_LABEL = r"[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
# Body of a PEM block whose END is missing: whole lines of base64, `Proc-Type: ...` headers or blanks, each
# ending at a real or JSON-escaped newline, a quote or the end of the text; the next ordinary line stays.
_PEM_NEWLINE = r"(?:\r?\n|\\r?\\n)"
_PEM_TRUNCATED_BODY = (
    rf"(?:{_PEM_NEWLINE}[ \t]*"
    rf"(?:[A-Za-z0-9+/=]{{1,128}}|[A-Za-z-]{{1,20}}:[^\r\n\\]{{0,200}}|(?={_PEM_NEWLINE}))"  # a blank only
    rf"(?=[ \t]*(?:{_PEM_NEWLINE}|[\"']|\Z))){{0,512}}"  # if another line follows
)

_INTEGRITY_PREFIX_RE = re.compile(r"(?:sha(?:256|384|512)[-:]|integrity[\"']?[ \t]*[:=][ \t]*[\"']?)$", re.I | _FLAGS)


def _bare_account_key(match: re.Match[str], text: str) -> SecretMatch | None:
    """The 88-character key ending at this "==", unless it is a subresource-integrity hash (sha512-...)."""
    start, end = match.start() - 86, match.end()
    if _INTEGRITY_PREFIX_RE.search(text[max(0, start - 40):start]):
        return None
    value = text[start:end]
    return SecretMatch("storage-key", start, end) if _has_digit(value) and not _has_placeholder(value) else None


def _random_key(value: str) -> bool:
    """A labelled key value: long and random-looking (a word or a placeholder after "key 1:" is not a key)."""
    return len(value) >= 20 and _has_digit(value) and any(c.isalpha() for c in value)


_PATTERNS: tuple[SecretPattern, ...] = (
    # PEM private keys (RSA/EC/DSA/OPENSSH/ENCRYPTED/PGP), BEGIN through END, also with JSON "\n" escapes.
    # Without END (truncated paste) the base64 body that follows is taken.
    _entry(
        "private-key",
        # the search for END stops at the next BEGIN, so repeated BEGINs cost linear time
        rf"-----BEGIN{_PEM_LABEL}(?:(?:[^-]|-(?!----BEGIN)){{0,32768}}?-----END{_PEM_LABEL}|{_PEM_TRUNCATED_BODY})",
        ("private key",),
    ),
    # JSON Web Tokens: header.payload[.signature], base64url, both JSON objects (start with eyJ / ey).
    _entry(
        "jwt",
        r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,8192}\.ey[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{0,8192}",
        ("eyj",),
    ),
    # Azure Storage / Cosmos DB account keys in connection strings: AccountKey=<base64>;
    _entry(
        "storage-key",
        rf"accountkey(?<![a-z0-9_]accountkey)[ \t]*=[ \t]*(?P<value>{_CONN_VALUE})",
        ("accountkey",), check=_not_reference, lowered=True,
    ),
    # Service Bus / Event Hubs / IoT Hub SharedAccessKey=, SignalR / Web PubSub AccessKey=.
    # `SharedAccessKeyName=` is a name and is not matched.
    _entry(
        "connection-string-secret",
        rf"accesskey(?:(?<=sharedaccesskey)|(?<![a-z0-9_]accesskey))[ \t]*=[ \t]*(?P<value>{_CONN_VALUE})",
        ("accesskey",), check=_not_reference, lowered=True,
    ),
    # AzureServiceTokenProvider: RunAs=App;AppId=...;TenantId=...;AppKey=<client secret>
    _entry(
        "client-secret",
        rf"appkey(?<![a-z0-9_]appkey)[ \t]*=[ \t]*(?P<value>{_CONN_VALUE})",
        ("appkey",), check=_not_reference, lowered=True,
    ),
    # App Configuration: Endpoint=https://x.azconfig.io;Id=...;Secret=<base64>
    _entry(
        "connection-string-secret",
        rf";[ \t]*secret[ \t]*=[ \t]*(?P<value>{_CONN_VALUE})",
        ("secret",), check=_not_reference, lowered=True,
    ),
    # SQL / ADO.NET / ODBC: ...;Password=p@ss w0rd;  values may hold spaces; {braced} and 'quoted' forms.
    _entry(
        "password",
        r";[ \t]*(?:password|pwd)[ \t]*=[ \t]*"
        r"(?P<value>\{[^}\r\n]{0,1024}\}|'[^'\r\n]{0,1024}'|[^;\"'\r\n]{1,1024})",
        ("password", "pwd"), resolve=_trimmed("password", _not_reference), lowered=True,
    ),
    # SAS tokens: only the signature (sv=, se=, sp=, sr= stay).  Also HTML &amp;, JSON \u0026 and
    # `SharedAccessSignature sig=...` (Service Bus) forms.
    _entry(
        "sas-signature",
        r"sig=(?:(?<=[?&;]sig=)|(?<=\\u0026sig=)|(?<=signature sig=))(?P<value>[a-z0-9%+/=_-]{8,1024})",
        ("sig=",), lowered=True,
    ),
    # An OAuth authorization code in a redirect URL or a token request (Entra's are dotted: code=0.AXoA...): it is
    # redeemed for tokens, so it is a credential like the function key below, which has no dot.
    _entry(
        "authorization-code",
        r"code=(?<=[?&#]code=)(?P<value>[a-z0-9_-]{1,8}\.[a-z0-9._~%=/+-]{20,4096})",
        ("code=",), lowered=True,
    ),
    # The PKCE verifier sent with that code (RFC 7636: 43 to 128 characters of [A-Za-z0-9._~-]).
    _entry(
        "code-verifier",
        r"code_verifier[\"']?[ \t]*[=:][ \t]*[\"']?(?P<value>[a-z0-9._~-]{43,128})",
        ("code_verifier",), lowered=True,
    ),
    # A kubeconfig's client-key-data: the user's private key, base64 of a PEM block (az aks get-credentials --admin).
    _entry(
        "private-key",
        r"client-key-data[\"']?[ \t]*:[ \t]*[\"']?(?P<value>[a-z0-9+/=]{40,65536})",
        ("client-key-data",), lowered=True,
    ),
    # A Teams incoming webhook URL: the segment after IncomingWebhook/ is the secret that lets anyone post.
    _entry(
        "webhook-secret",
        r"/incomingwebhook/(?P<value>[a-z0-9]{20,128})(?=/)",
        ("incomingwebhook",), lowered=True,
    ),
    # A SAML response posted to an app's assertion consumer: a signed bearer assertion, replayable while valid.
    _entry(
        "saml-response",
        r"samlresponse[\"']?[ \t]*[=:][ \t]*[\"']?(?P<value>[a-z0-9+/=%]{40,65536})",
        ("samlresponse",), lowered=True,
    ),
    # A session cookie (App Service's AppServiceAuthSession, ASP.NET's .AspNetCore.Cookies) in a Cookie or
    # Set-Cookie header or curl's -b: whoever holds it is signed in. Each long value goes; names and short flags stay.
    _entry(
        "cookie",
        r"(?<![\w.-])[\w.-]{1,128}=(?P<value>[^;\s'\"]{16,8192})",
        ("cookie", "-b "), resolve=_resolve_cookie_value,
    ),
    # Azure Functions keys passed in the URL: https://app.azurewebsites.net/api/f?code=<key>
    _entry(
        "function-key",
        r"code=(?<=[?&]code=)(?P<value>[a-z0-9_%=/+-]{20,1024})",
        ("code=",), check=_has_digit_and_letter, lowered=True,
    ),
    # URL user info: scheme://user:PASSWORD@host (postgres://, mongodb://, https://x-access-token:...@)
    _entry(
        "password",
        r"://[^:/?#@\s\"'<>]{0,256}:(?P<value>[^@/?#\s\"'<>]{1,256})@",
        ("://",), check=_not_reference,
    ),
    # Authorization: Bearer <token> (anywhere; the token must look opaque, not a word of prose).  RFC 6750
    # b64token: the token ends after its "=" padding, whatever is glued behind it.
    _entry(
        "bearer-token",
        r"bearer(?<![a-z0-9_-]bearer)[ \t]+(?P<value>[a-z0-9._~+/-]{16,16384}=*)",
        ("bearer",), check=_token_like, lowered=True,
    ),
    # Authorization: Basic base64(user:pass)
    _entry(
        "basic-auth",
        r"basic(?<![a-z0-9_-]basic)[ \t]+(?P<value>[a-z0-9+/]{8,4096}={0,2})",
        ("basic",), check=_is_basic_credential, lowered=True,
    ),
    # Azure Storage REST: Authorization: SharedKey account:<base64 HMAC>
    _entry(
        "shared-key-signature",
        r"sharedkey(?<![a-z0-9_]sharedkey)(?:lite)?[ \t]+[\w-]{1,64}:(?P<value>[a-z0-9+/]{20,256}={0,2})",
        ("sharedkey",), lowered=True,
    ),
    # GitHub tokens: classic PAT / OAuth / user-to-server / server-to-server / refresh.
    _entry("github-token", r"gh[pousr]_(?<![A-Za-z0-9_]....)[A-Za-z0-9]{36,255}",
           ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    # GitHub fine-grained PATs.
    _entry("github-token", r"github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{22,255}", ("github_pat_",)),
    # OpenAI / Anthropic keys: sk-<32+ alnum> (legacy) or sk-proj-/sk-svcacct-/sk-admin-/sk-ant-...;
    # mixed case + digit required, so resource names like sk-rg-prod-001 stay.
    _entry(
        "openai-key",
        r"sk-(?<![A-Za-z0-9_-]sk-)(?:(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,400}|[A-Za-z0-9]{32,200})",
        ("sk-",), check=_mixed_case_and_digit,
    ),
    # AWS access key ids (long-term AKIA, temporary ASIA).
    _entry("aws-access-key-id", r"A[KS]IA(?<![A-Z0-9]A[KS]IA)[0-9A-Z]{16}(?![0-9A-Z])", ("akia", "asia")),
    # Slack bot/app/user/refresh tokens.
    _entry("slack-token", r"xox[baprs]-(?<![A-Za-z0-9]xox.-)[A-Za-z0-9-]{10,250}", ("xox",)),
    # Slack incoming webhooks: the last path segment is the secret.
    _entry(
        "slack-webhook",
        r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/(?P<value>[A-Za-z0-9]{16,64})",
        ("hooks.slack.com",),
    ),
    # Google API keys.
    _entry("google-api-key", r"AIza(?<![A-Za-z0-9_-]AIza)[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", ("aiza",)),
    # Stripe live/test secret and restricted keys: sk_live_..., rk_test_...
    _entry(
        "stripe-key",
        r"k_(?:live|test)_(?<=[sr]k_live_|[sr]k_test_)(?<![A-Za-z0-9]...live_)(?<![A-Za-z0-9]...test_)"
        r"[0-9A-Za-z]{16,250}",
        ("_live_", "_test_"), resolve=_value("stripe-key", extend_left=1),
    ),
    # npm automation/publish tokens.
    _entry("npm-token", r"npm_(?<![A-Za-z0-9_]npm_)[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_",)),
    # Hugging Face access tokens.
    _entry(
        "huggingface-token", r"hf_(?<![A-Za-z0-9_]hf_)[A-Za-z0-9]{34,40}(?![A-Za-z0-9])", ("hf_",),
        check=_mixed_case_and_digit,
    ),
    # SendGrid API keys.
    _entry("sendgrid-key", r"SG\.(?<![A-Za-z0-9_]SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", ("sg.",)),
    # Microsoft Entra ID (Azure AD) client secrets: 3 chars, a digit, "Q~", 31-34 chars.  The regex starts
    # at "Q~" (fast literal scan) and the resolver widens the span to the 4 characters before it.
    _entry(
        "client-secret",
        r"Q~(?<=[A-Za-z0-9_~.-]{3}\dQ~)(?<![A-Za-z0-9_~.-]....Q~)[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        ("q~",), resolve=_value("client-secret", extend_left=4),
    ),
    # CLI flags: --password xyz, --client-secret xyz, --account-key xyz (`--x=y` is an assignment, below).
    _entry(
        "password",
        rf"(?P<flag>--(?<![\w-]--)(?:[a-z]+-){{0,3}}(?:password|passwd|secret|token|key))[ \t]+"
        rf"(?P<value>{_FLAG_VALUE})",
        ("--",), resolve=_resolve_cli_flag, lowered=True,
    ),
    # az keyvault secret set ... --value <secret>  (--value is not secret-named, the command is)
    _entry(
        "secret",
        r"--value(?<![\w-]--value)[ \t]+"
        r"(?P<value>\"[^\"\r\n]{1,1024}\"|'[^'\r\n]{1,1024}'|[^\s\"'-][^\s\"']{0,1024})",
        ("secret set",), resolve=_resolve_secret_set_value, lowered=True,
    ),
    # `az functionapp keys list`: {"functionKeys": {"default": "<key>"}, "systemKeys": {"x": "<key>"}}
    _entry(
        "function-key",
        r"\"[^\"\r\n]{1,100}\"[ \t]*:[ \t]*\"(?P<value>[A-Za-z0-9_/+=-]{20,1024})\"",
        ("functionkeys", "systemkeys"), resolve=_resolve_keys_object_entry,
    ),
    # az login -u <user> -p <password>, docker login -u x -p 'pw', mysql -u root -p <pw>, sshpass -p <pw>.
    _entry(
        "password",
        rf"-u(?<![\w-]-u)[ \t]+\S{{1,256}}[ \t]+-p[ \t]+(?P<value>{_FLAG_VALUE})",
        (" -p ",), check=_cli_value,
    ),
    _entry(
        "password", rf"sshpass(?<![\w-]sshpass)[ \t]+-p[ \t]*(?P<value>{_FLAG_VALUE})", ("sshpass",), check=_cli_value
    ),
    # curl -u user:password / --user user:password (docker's `-u 1000:1000` uid:gid is not a password).
    _entry(
        "password",
        r"(?:-u|--user)(?<![\w-]-u)(?<![\w-]--user)[ \t]+[\"']?(?P<user>[^\s:\"']{1,256}):(?P<value>[^\s\"'@]{1,1024})",
        (" -u ", "--user "), resolve=_resolve_user_password,
    ),
    # PowerShell: ConvertTo-SecureString 'P@ss' -AsPlainText (the literal is the secret whatever the cmdlet).
    _entry(
        "password",
        r"convertto-securestring(?:[ \t]+-(?:string|asplaintext|force))*[ \t]+"
        r"(?P<value>\"[^\"\r\n]{1,1024}\"|'[^'\r\n]{1,1024}')",
        ("convertto-securestring",), check=_not_reference, lowered=True,
    ),
    # PowerShell parameters: -SqlAdministratorPassword 'x', -ClientSecret x, -AccountKey x (the name decides). A
    # hyphen right after a word or a placeholder ("my-secret value", "[REDACTED:x]-secret value") joins a word.
    _entry(
        "password",
        rf"(?P<flag>-(?<![\w\]-]-)[a-z]{{0,40}}(?:password|passwd|secret|token|key))[ \t]+(?P<value>{_PS_VALUE})",
        ("password ", "passwd ", "secret ", "token ", "key "), resolve=_resolve_cli_flag, lowered=True,
    ),
    # Docker's config.json: {"auths": {"x.azurecr.io": {"auth": "<base64 of user:password>"}}}
    _entry(
        "basic-auth",
        r"\"auth\"[ \t]*:[ \t]*\"(?P<value>[a-z0-9+/]{8,4096}={0,2})\"",
        ('"auth"',), check=_is_basic_credential, lowered=True,
    ),
    # Free text: "my password is Hunter2!", "set the password to S3cret" (a plain word is not taken).
    _entry(
        "password",
        r"pass(?:word|wd|phrase)?(?<![a-z0-9_]pass)(?<![a-z0-9_]password)(?<![a-z0-9_]passwd)"
        r"(?<![a-z0-9_]passphrase)[ \t]+(?:is|was|to|of)[ \t]+[\"']?(?P<value>[^\s\"']{2,255}[^\s\"'.,;:)])",
        ("pass",), check=_prose_password, lowered=True,
    ),
    # Secret-named assignments in code and config, one pass per keyword the name ends with:
    # password=..., "clientSecret": "...", api-key: ..., SECRET_KEY='...', <name>Token: ...
    _assignment("pass(?:word|wd|phrase)?", "pass"),
    _assignment("pwd", "pwd"),
    _assignment("secret", "secret"),
    _assignment("token", "token"),
    _assignment("pat", "pat"),
    _assignment("key", "key"),
    _assignment("credential", "credential"),
    # {"name": "DB_PASSWORD", "value": "..."} (az webapp config appsettings list, ARM/Bicep appSettings,
    # up to 3 fields in between), <add key="ApiKey" value="..."/> (web.config) and listKeys() output.
    _name_value_pair("name(?<![a-z0-9_]name)"),
    _name_value_pair("key(?<![a-z0-9_]key)(?:name)?"),
    # <password>hunter2</password>, <ClientSecret>...</ClientSecret> in XML configs.
    _entry(
        "secret",
        r"<(?P<tag>[A-Za-z][\w:.-]{0,80})>(?P<value>[^<>\r\n]{1,4096})</(?P=tag)>",
        ("</",), resolve=_resolve_xml_element,
    ),
    # Listed last: a more specific kind found by another entry (a named credential) wins on overlap.
    # A bare Azure Storage / Cosmos DB account key (64 random bytes: 86 base64 characters and "=="), as
    # `az storage account keys list -o tsv` prints it. Found from its "==" (a literal scan), the 86 characters
    # before it checked by a fixed-width lookbehind; a sha512/sha384 integrity hash of the same shape is kept.
    _entry(
        "storage-key",
        rf"(?<=(?<![{_B64}=_-])[{_B64}]{{86}})==(?![{_B64}=_-])",
        ("==",), resolve=lambda match, text: _bare_account_key(match, text),
    ),
    # A key printed next to its label: "Primary key: ...", "KEY 1: ...", "key1<TAB>FULL<TAB>..." (az ... keys list
    # -o tsv), Azure OpenAI / Cognitive Services (32 hex or 84 characters), Service Bus / Event Hubs SAS keys.
    _entry(
        "key",
        r"(?:(?:primary|secondary)[ _-]?(?:access[ _-]?)?key|\bkey[ _]?[12])(?![a-z0-9_])"
        r"(?:[ \t]*[:=][ \t]*|\t(?:full|read)\t)[\"']?(?P<value>[a-z0-9+/_=-]{20,200})",
        ("key",), check=_random_key, lowered=True,
    ),
)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower_same_length(text: str) -> str:
    """Lower-cased copy with the same offsets as ``text`` (str.lower() expands U+0130 to 2 chars)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


class _Placeholders:
    """The ``[REDACTED:...]`` placeholders already in a text (sorted, non-overlapping spans)."""

    def __init__(self, text: str) -> None:
        spans = [m.span() for m in _PLACEHOLDER_RE.finditer(text)] if "[REDACTED:" in text else []
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def overlap(self, start: int, end: int) -> bool:
        """Does [start, end) overlap a placeholder?  (end == start + 1 tests a single position.)"""
        index = bisect.bisect_left(self._ends, start + 1)  # first placeholder ending after `start`
        return index < len(self._starts) and self._starts[index] < end


def _candidates(text: str, placeholders: _Placeholders) -> Iterator[tuple[int, SecretMatch]]:
    """Every (priority, match) the table finds.

    A match that starts inside a placeholder is skipped: `[REDACTED:api-key]: x` must not read as an
    `api-key:` assignment (that would break idempotence), and neither may a span overlapping one.
    """
    lowered = _lower_same_length(text)
    for priority, pattern in enumerate(_PATTERNS):
        if not any(anchor in lowered for anchor in pattern.anchors):
            continue
        for match in pattern.regex.finditer(lowered if pattern.lowered else text):
            if placeholders.overlap(match.start(), match.start() + 1):
                continue
            found = pattern.resolve(match, text)
            if found is None or found.end <= found.start or placeholders.overlap(found.start, found.end):
                continue
            yield priority, found


def _merge(candidates: list[tuple[int, SecretMatch]]) -> list[SecretMatch]:
    """Unite overlapping spans; the kind of the highest-priority (earliest) table entry wins."""
    merged: list[tuple[int, SecretMatch]] = []
    for priority, found in sorted(candidates, key=lambda c: (c[1].start, -c[1].end, c[0])):
        if merged and found.start < merged[-1][1].end:
            top_priority, top = merged[-1]
            kind = top.kind if top_priority <= priority else found.kind
            merged[-1] = (min(top_priority, priority), SecretMatch(kind, top.start, max(top.end, found.end)))
        else:
            merged.append((priority, found))
    return [found for _, found in merged]


def find_secrets(text: str) -> list[SecretMatch]:
    """Find the secrets in ``text``: sorted, non-overlapping (kind, start, end) spans of secret values.

    Spans overlapping an existing ``[REDACTED:...]`` placeholder are ignored, so redacted text has none.
    """
    if not text:
        return []
    return _merge(list(_candidates(text, _Placeholders(text))))


def redact_text(text: str, numbering: Numbering | None = None) -> str:
    """Return ``text`` with every secret value replaced by ``[REDACTED:<kind>]``; idempotent.

    With a ``numbering`` the placeholder carries the value's number in the session (``[REDACTED:jwt#2]``)."""
    secrets = find_secrets(text)
    if not secrets:
        return text
    parts: list[str] = []
    position = 0
    for found in secrets:
        parts.append(text[position : found.start])
        parts.append(_numbered(found.kind, text[found.start : found.end], numbering))
        position = found.end
    parts.append(text[position:])
    return "".join(parts)


def redact_value(value: object, numbering: Numbering | None = None) -> object:
    """Recursively redact every str in dicts, lists and tuples; other types are returned as they are.

    Dict keys are redacted as text (a key can be a pasted secret) and give context: a str value under a secret-named key
    (``{"DB_PASSWORD": "hunter2"}``) or the "value" of a ``{"name": "DB_PASSWORD", "value": "hunter2"}``
    entry is replaced whole, because the value alone does not say it is a secret.  Containers are
    rebuilt (dict, list, tuple, NamedTuple); a reference cycle is left as it is rather than recursed into.
    """
    return _redact_value(value, set(), numbering)


def _redact_value(value: object, active: set[int], numbering: Numbering | None) -> object:
    if isinstance(value, str):
        return redact_text(value, numbering)
    if not isinstance(value, (dict, list, tuple)) or id(value) in active:
        return value
    active.add(id(value))
    try:
        if isinstance(value, dict):
            return _redact_dict(value, active, numbering)
        items = [_redact_value(item, active, numbering) for item in value]
        if isinstance(value, list):
            return items
        if hasattr(value, "_make"):  # NamedTuple
            return value._make(items)
        return tuple(items)
    finally:
        active.discard(id(value))


def _redact_dict(value: dict[object, object], active: set[int], numbering: Numbering | None) -> dict[object, object]:
    pair_kind = _pair_secret_kind(value)
    result: dict[object, object] = {}
    for key, item in value.items():
        kind = pair_kind if key == "value" else _key_secret_kind(key, item)
        # A kind is only ever found for a str item (see _key_secret_kind); the check is for the type checker.
        is_secret = kind is not None and isinstance(item, str)
        # A key can hold a secret too ({"<a pasted key>": ""} in environment_info): it is redacted like any text.
        safe_key = redact_text(key, numbering) if isinstance(key, str) else key
        result[safe_key] = (_numbered(str(kind), str(item), numbering) if is_secret
                            else _redact_value(item, active, numbering))
    return result


def _key_secret_kind(key: object, item: object) -> str | None:
    """Kind of secret a str ``item`` is, judged by its dict ``key`` (None if not a secret by name)."""
    if not isinstance(key, str) or not isinstance(item, str) or _has_placeholder(item):
        return None
    classified = _classify_name(key)
    if classified is None or not _is_literal_secret(item, classified[1]):
        return None
    return classified[0]


def _pair_secret_kind(value: dict[object, object]) -> str | None:
    """Kind for the "value" of a {"name": "DB_PASSWORD", "value": "..."} entry, else None."""
    name = value.get("name", value.get("key"))
    if not isinstance(name, str) or not isinstance(value.get("value"), str):
        return None
    return _key_secret_kind(name, value["value"])
