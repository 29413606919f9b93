"""Durations as Azure and reports write them, in seconds: a .NET timespan ("1.00:30:00"), an ISO 8601 duration as
Service Bus and Resource Manager give it ("PT1M30S"), .NET's TimeSpan.From*() and a number with its unit."""

from __future__ import annotations

import re
from typing import Any

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_TIMESPAN = re.compile(r"(?:(\d+)\.)?(\d+):(\d{2}):(\d{2})")
_ISO = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
_FROM = re.compile(r"(?i)TimeSpan\.From(Seconds|Minutes|Hours)\(\s*(\d+(?:\.\d+)?)\s*\)")
_NUMBER = re.compile(r"(?i)(\d+(?:\.\d+)?)\s*([smh])\w*")


def timespan_seconds(value: Any) -> float | None:
    """Seconds of a .NET timespan ("0.00:30:00", "12:00:00", "7.00:00:00"), else None."""
    match = _TIMESPAN.fullmatch(str(value or "").strip())
    if not match:
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def iso_seconds(duration: Any) -> float | None:
    """Seconds of an ISO 8601 duration (PT1M, PT30S, PT1M30S, P0DT0H5M0S), else None."""
    match = _ISO.fullmatch(str(duration or ""))
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def span_seconds(value: str) -> float | None:
    """Seconds of a duration in any of the module's forms (TimeSpan.Zero included), else None."""
    text = value.strip()
    if text.lower().startswith("timespan.zero"):
        return 0.0
    made = _FROM.fullmatch(text)
    if made:
        return float(made.group(2)) * UNIT_SECONDS[made.group(1)[0].lower()]
    if text.upper().startswith("P"):
        return iso_seconds(text.upper())
    if _TIMESPAN.fullmatch(text):
        return timespan_seconds(text)
    number = _NUMBER.fullmatch(text)
    return float(number.group(1)) * UNIT_SECONDS[number.group(2).lower()] if number else None
