"""How a pasted text is made readable before redaction and matching: the layout other tools add around an error
(JSON string escapes, HTML entities, Terraform's box, a redirect URL's form encoding, a word processor's curly
quotes and non-breaking spaces) is taken off, so that every matcher reads the words the service printed.

Only the client's own words go through here (the error text and answers); files are code and stay as sent."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import unquote_plus

# A pasted CLI or REST answer carries the error inside a JSON string: an escaped key (\"code\":) or a message
# field whose text goes on with \n escapes. Redaction and every matcher read the text as the service printed it.
_ESCAPED_KEY = re.compile(r'\\"[A-Za-z_]\w*\\"\s*:')
_MESSAGE_FIELD = re.compile(r'"(?:message|Message|error|details)"\s*:\s*[\[{"]')
_JSON_ESCAPE = re.compile(r'\\(?:u[0-9a-fA-F]{4}|["\\/nrt])')
# A JSON string's value copied on its own (a Logic App's output, a deployment operation's statusMessage): the whole
# text is one string body when every backslash in it starts a JSON escape and it has line or quote escapes. A
# Windows path has a drive letter before its unescaped backslash ("C:\new\node.exe") or other backslashes (\home).
_ANY_BACKSLASH = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.|$)", re.DOTALL)
_WINDOWS_PATH = re.compile(r"(?<![\w\\])[A-Za-z]:\\(?!\\)")
_BODY_ESCAPES = re.compile(r'\\[n"]')
# Resource Manager's JSON bodies escape an apostrophe or a bracket as \u0027 / \u003c even in a message pasted on
# its own ("The client \u0027ci-deployer\u0027 with object id ..."); an ASCII escape never occurs in a Windows path.
_ASCII_ESCAPE = re.compile(r"\\u00[2-7][0-9a-fA-F]")
# Terraform prints each diagnostic in a box: a gutter "│ " before every line, "╷" and "╵" around it (also in CI logs,
# wrapped at 78 columns). The gutter is layout, not text: without it a message reads as the provider printed it.
_BOX_GUTTER = re.compile(r"(?m)^[ \t]*(?:[╷╵][ \t]*$|│[ \t]?)")
# An OAuth error answer in a redirect URL, as the browser's address bar shows it (RFC 6749 4.1.2.1): its
# error_description is form-encoded ("AADSTS50011%3a+The+redirect+URI..."), the words read only once decoded.
_OAUTH_ERROR_PARAM = re.compile(r"(?i)([?&#](?:error_description|error_uri|error|error_codes|suberror)=)([^&#\s]+)")
# entities a web page's source escapes quotes and brackets with; one bare &amp; in a URL does not make a text escaped
_HTML_ENTITY = re.compile(r"&(?:quot|lt|gt|#39|#x27|#34|apos);")
# What a chat client, a word processor or a web page puts in place of plain characters when an error is copied
# through it: curly quotes, non-breaking and zero-width spaces, typographic hyphens.
_TYPOGRAPHIC = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    "\u2010": "-", "\u2011": "-", "\u2012": "-"})
# A word processor makes a command's "--name" a dash ("–name"): a dash glued to the option word after a space.
_OPTION_DASH = re.compile(r"(?<=\s)[\u2013\u2014](?=[a-z][a-z-]*\b)")


# A structured log prints each record as one JSON object (pino, Serilog's compact form, Python's json loggers); the
# words are in its message and exception fields. A record has a level or a time; an error body (Resource
# Manager's {"code", "message"}, an API's {"statusCode", "message"}) has neither and is read as it is.
_LOG_RECORD_KEYS = frozenset({"level", "Level", "@l", "severity", "levelname", "time", "timestamp", "@t", "ts",
                              "Timestamp", "asctime"})
_LOG_MESSAGE_KEYS = ("msg", "message", "Message", "@m", "@mt", "log", "MessageTemplate")
_LOG_DETAIL_KEYS = ("err", "error", "exception", "Exception", "@x", "stack", "stack_trace", "exc_info")
# A log multiplexer prefixes every line with where it came from ("api-1  | " from docker compose, "[pod/x/c] " from
# kubectl logs --prefix); PowerShell prints an error's lines behind a "     | " gutter under its "Line |" header.
_SOURCE_PREFIX = re.compile(r"(?m)^(?:[\w.-]+ +\| |\[pod/[^\]\n]+\] )")
_POWERSHELL_GUTTER = re.compile(r"(?m)^ {2,}(?:\d+ )? *\| ?")
_POWERSHELL_HEADER = re.compile(r"(?m)^Line \|[ \t]*$")


def readable_paste(text: str) -> str:
    """The text with its copy-and-paste layout taken off (see the module's docstring), else unchanged (a Windows
    path's \\new stays as it is)."""
    text = _without_line_layout(_OPTION_DASH.sub("--", text.translate(_TYPOGRAPHIC)))
    if _HTML_ENTITY.search(text):
        text = html.unescape(text)
    text = _BOX_GUTTER.sub("", _ASCII_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:], 16)), text))
    text = _OAUTH_ERROR_PARAM.sub(lambda m: m.group(1) + unquote_plus(m.group(2)), text)
    if not (_ESCAPED_KEY.search(text) or (_MESSAGE_FIELD.search(text) and "\\n" in text) or _string_body(text)):
        return text
    return _JSON_ESCAPE.sub(lambda m: str(json.loads(f'"{m.group(0)}"')), text)


def _string_body(text: str) -> bool:
    """Whether the whole text is one JSON string's escaped body (see _ANY_BACKSLASH)."""
    escapes = _ANY_BACKSLASH.findall(text)
    return (len(_BODY_ESCAPES.findall(text)) >= 2 and not _WINDOWS_PATH.search(text)
            and all(_JSON_ESCAPE.fullmatch(escape) for escape in escapes))


def _without_line_layout(text: str) -> str:
    """Structured log records read as their messages; a multiplexer's source prefix is kept on the first line only
    (it says where the lines come from once); PowerShell's gutter goes."""
    lines = [_log_record(line) if line.lstrip().startswith("{") else line for line in text.split("\n")]
    text = "\n".join(_source_prefix_once(lines))
    return _POWERSHELL_GUTTER.sub("", text) if _POWERSHELL_HEADER.search(text) else text


def _source_prefix_once(lines: list[str]) -> list[str]:
    """The lines with a multiplexer's prefix taken off all but the first prefixed line, when at least three and 80%
    of the non-empty lines carry one of at most three prefixes; else the lines as they are."""
    found = [_SOURCE_PREFIX.match(line) for line in lines]
    prefixes = [m.group(0) for m in found if m]
    said = sum(1 for line in lines if line.strip())
    if len(prefixes) < 3 or len(prefixes) < 0.8 * said or len(set(prefixes)) > 3:
        return lines
    first = next(i for i, m in enumerate(found) if m)
    later = zip(lines[first + 1:], found[first + 1:], strict=True)
    return lines[:first + 1] + [line[m.end():] if m else line for line, m in later]


def _log_record(line: str) -> str:
    """One structured log record as its message, its exception, then its other fields (level, time) as JSON; any
    other line as it is. The message leads its line, as the service printed it; no field is dropped."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict) or _LOG_RECORD_KEYS.isdisjoint(record):
        return line
    key = next((k for k in _LOG_MESSAGE_KEYS if isinstance(record.get(k), str)), None)
    if key is None:
        return line
    shown = [k for k in _LOG_DETAIL_KEYS if record.get(k)]
    rest = {k: v for k, v in record.items() if k != key and k not in shown}
    return "\n".join([record[key], *(_detail(record[k]) for k in shown), *([json.dumps(rest)] if rest else [])])


def _detail(value: object) -> str:
    """An exception field: its text, or an error object's stack (else message), or the value as JSON."""
    if isinstance(value, dict):
        value = next((value[k] for k in ("stack", "Stack", "StackTrace", "message", "Message")
                      if isinstance(value.get(k), str)), value)
    return value if isinstance(value, str) else json.dumps(value)
