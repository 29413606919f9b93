"""A machine clock that is off, computed from what the failing call printed.

MSAL validates an id token against the machine's own clock ("The current time MUST be before the time represented
by the exp Claim. Current epoch = ...") and prints the token's claims: the token was issued (iat) by Entra ID a
moment earlier, so the distance between the machine's epoch and iat is how far the machine's clock is off.
Azure Storage refuses a request whose date header is more than 15 minutes from its own time and says so in the
response ("Request date header too old: '<the client's date>'"), next to its own time ("Time:<server time>"): the
distance between the two is how far the client's clock is off."""

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
