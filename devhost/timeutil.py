"""UTC timestamps in the shapes the Durable extension and the SDK exchange."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"\.(\d+)")


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_event_time(moment: datetime) -> str:
    """History timestamps: seven fraction digits and a `Z`, like the .NET extension writes them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def format_api_time(moment: datetime) -> str:
    """Times in management API bodies (createdTime, lastUpdatedTime)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time as the SDK or a user sends it; naive times are taken as UTC.

    Accepts `Z` or an offset and any number of fraction digits (the SDK sends six, .NET seven)."""
    value = text.strip().replace(" ", "+")  # a `+` offset arrives as a space when not URL-encoded
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    value = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], value, count=1)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
