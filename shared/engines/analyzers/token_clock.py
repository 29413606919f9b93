"""A machine clock that is off, computed from what the failing call printed.

MSAL validates an id token against the machine's own clock ("The current time MUST be before the time represented
by the exp Claim. Current epoch = ...") and prints the token's claims: the token was issued (iat) by Entra ID a
moment earlier, so the distance between the machine's epoch and iat is how far the machine's clock is off.
Azure Storage refuses a request whose date header is more than 15 minutes from its own time and says so in the
response ("Request date header too old: '<the client's date>'"), next to its own time ("Time:<server time>"): the
distance between the two is how far the client's clock is off.
A .NET app validating the token it has just received (the OpenID Connect redirect back from sign-in) prints both
times too (IDX10222 "not yet valid. ValidFrom ... Current time", IDX10223 "expired. ValidTo ... Current time"): a
token that is not yet valid, or one issued seconds ago that is already past its expiry, shows the clock is off.
Entra ID refuses a client assertion (a certificate credential's signed JWT) outside its validity window and prints
its own time next to the assertion's (AADSTS700024 "Current time: ..., assertion valid from ..."): the assertion's
start is stamped from the signing machine's clock, so a start well after Entra ID's time shows that clock ahead. An
assertion whose window is simply over (a federated token reused by a long job) says nothing about a clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_REFUSED = re.compile(r"The current time MUST be (?P<side>before|after) the time represented by the (?P<claim>\w+) "
                      r"Claim\.?\s*Current epoch = (?P<epoch>\d{9,11})")
_ISSUED = re.compile(r"""["']?iat["']?\s*[:=]\s*(?P<iat>\d{9,11})""")
_SLACK_SECONDS = 300  # a token older than this could have waited in a cache; beyond it the clock is off
_DATE_REFUSED = re.compile(r"Request date header (?:is )?too (?P<side>old|new|far in the future)\W{1,3}"
                           r"(?P<sent>\w{3}, \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT)")
_SERVER_TIME = re.compile(r"\bTime:\s*(?P<server>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})")
_STORAGE_SKEW_SECONDS = 15 * 60  # Storage accepts a request date within 15 minutes of its own time
_LIFETIME = re.compile(r"(?P<code>IDX1022[23]):\s*Lifetime validation failed\.\s*"
                       r"The token is (?:not yet valid|expired)\.?\s*"
                       r"Valid(?P<edge>From|To):\s*'(?P<edge_time>[^']+)'[,.]?\s*Current time:\s*'(?P<now>[^']+)'")
# the token was received a moment ago: the app rejected the id token of the sign-in it just made
_FRESH = re.compile(r"(?i)\b(?:right|just|immediately|seconds?) after (?:I )?"
                    r"(?:sign(?:ing|ed)?|log(?:ging|ged)?) ?in\b|"
                    r"\bjust (?:signed|logged) in\b|\bfresh sign-?in\b|\bredirect(?:ed|ion)? back\b|"
                    r"\bafter (?:entering|typing) (?:my|the) (?:credentials|password)\b|"
                    r"\b(?:typed|entered) my password a few seconds\b")
_ASSERTION = re.compile(r"AADSTS700024\b[^\n]{0,120}?Current time:\s*(?P<now>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})"
                        r"(?:\.\d+)?Z?,\s*assertion valid from\s*(?P<start>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})")
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                 "%d/%m/%Y %H:%M:%S")


def clock_off(text: str) -> str | None:
    """How far the machine's clock is from Entra ID's, when MSAL refused a token it had just received."""
    refused, issued = _REFUSED.search(text), _ISSUED.search(text)
    if refused is None or issued is None:
        return None
    off = int(refused.group("epoch")) - int(issued.group("iat"))
    if abs(off) <= _SLACK_SECONDS:
        return None
    direction = "ahead of" if off > 0 else "behind"
    return (f"MSAL refused the id token Entra ID had just issued ({refused.group('claim')} claim): the machine's epoch "
            f"{refused.group('epoch')} is {_hours(abs(off))} {direction} the token's issue time (iat "
            f"{issued.group('iat')})")


def lifetime_off(text: str) -> str | None:
    """How far the machine's clock is off, when .NET's token validation refused a token Entra ID had just issued:
    not yet valid (its ValidFrom after the machine's time), or expired on the sign-in that issued it."""
    refused = _LIFETIME.search(text)
    if refused is None:
        return None
    edge, now = _parsed(refused.group("edge_time")), _parsed(refused.group("now"))
    if edge is None or now is None:
        return None  # PII hidden ('System.DateTime') or a format not read
    if refused.group("edge") == "From":
        off = int((edge - now).total_seconds())
        if off <= _SLACK_SECONDS:
            return None
        return (f"{refused.group('code')}: the token Entra ID issued is valid from {refused.group('edge_time')}, "
                f"{_hours(off)} after the machine's time {refused.group('now')}: the machine's clock is behind")
    off = int((now - edge).total_seconds())
    if off <= _SLACK_SECONDS or _FRESH.search(text) is None:
        return None  # an old token presented again is simply expired
    return (f"{refused.group('code')}: the token of the sign-in just made expired at {refused.group('edge_time')}, "
            f"{_hours(off)} before the machine's time {refused.group('now')}: the machine's clock is ahead")


def assertion_clock_off(text: str) -> str | None:
    """How far the signing machine's clock is ahead of Entra ID's, when Entra ID refused a client assertion that
    starts in its future (AADSTS700024); an expired assertion (its start in the past) says nothing about a clock."""
    refused = _ASSERTION.search(text)
    if refused is None:
        return None
    now, start = _parsed(refused.group("now")), _parsed(refused.group("start"))
    if now is None or start is None:
        return None
    off = int((start - now).total_seconds())
    if off <= _SLACK_SECONDS:
        return None
    return (f"AADSTS700024: the client assertion is valid only from {refused.group('start')}Z, {_hours(off)} after "
            f"Entra ID's time {refused.group('now')}Z: the clock of the machine that signed it is ahead")


def _parsed(value: str) -> datetime | None:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip().rstrip("Z"), form)
        except ValueError:
            continue
    return None


def storage_date_off(text: str) -> str | None:
    """How far the client's clock is from Azure Storage's, when Storage refused the request's date header."""
    refused, server = _DATE_REFUSED.search(text), _SERVER_TIME.search(text)
    if refused is None or server is None:
        return None
    sent = parsedate_to_datetime(refused.group("sent"))
    at = datetime.fromisoformat(server.group("server")).replace(tzinfo=UTC)
    off = int((sent - at).total_seconds())
    if abs(off) <= _STORAGE_SKEW_SECONDS:
        return None
    direction = "ahead of" if off > 0 else "behind"
    return (f"Azure Storage refused the request's date header {refused.group('sent')}: the client's clock is "
            f"{_hours(abs(off))} {direction} the service's time {server.group('server')}Z")


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds // 60} min"
