"""auth.credential_invalid: a key, secret, SAS or token was refused as wrong, expired or revoked.

Entra ID (AADSTS codes), Storage (AuthenticationFailed with its detail), Cosmos DB and Service Bus each say
it differently; the messages and fixes are data (knowledge/auth_credential_errors.yaml). Redaction keeps
a SAS token's expiry (se=) readable, so an expired SAS can be shown by its date. One thing is computed: which
bound of a SAS's validity window the request missed (Storage prints Start, Expiry and Current)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from shared.engines.analyzers.common import conclude_entry, facts_for, matched_entry
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

TABLE = "auth_credential_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    found = matched_entry(state, hit, TABLE)
    if not isinstance(found, tuple):
        return found
    entry, facts = found
    window = sas_window(facts)
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts, {"window": window} if window else {}))


def sas_window(facts: dict[str, str]) -> str | None:
    """Which bound the request missed, from the Start, Expiry and Current times Storage printed (RFC 1123)."""
    start, expiry, now = (_moment(facts.get(key)) for key in ("start", "expiry", "now"))
    if now is None:
        return None
    if start is not None and now < start:
        ahead = int((start - now).total_seconds() // 60)
        hours = round(ahead / 60)
        why = (f"about {hours} h ahead is a UTC offset: the start was computed from the signing machine's local time "
               "instead of UTC" if hours and abs(ahead - hours * 60) <= 5
               else "the signing machine's clock runs ahead, or the code sets a start in the future")
        return (f"it was not valid yet - its start time ({facts['start']}) lies {_span(start - now)} after the "
                f"request ({facts['now']}); {why}")
    if expiry is not None and now > expiry:
        return f"it expired at {facts['expiry']}, {_span(now - expiry)} before the request ({facts['now']})"
    return None


def _moment(text: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
