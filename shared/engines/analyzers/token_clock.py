"""A machine clock that is off, computed from what MSAL printed when it refused a fresh token.

MSAL validates an id token against the machine's own clock ("The current time MUST be before the time represented
by the exp Claim. Current epoch = ...") and prints the token's claims: the token was issued (iat) by Entra ID a
moment earlier, so the distance between the machine's epoch and iat is how far the machine's clock is off."""

from __future__ import annotations

import re

_REFUSED = re.compile(r"The current time MUST be (?P<side>before|after) the time represented by the (?P<claim>\w+) "
                      r"Claim\.?\s*Current epoch = (?P<epoch>\d{9,11})")
_ISSUED = re.compile(r"""["']?iat["']?\s*[:=]\s*(?P<iat>\d{9,11})""")
_SLACK_SECONDS = 300  # a token older than this could have waited in a cache; beyond it the clock is off


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


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds // 60} min"
