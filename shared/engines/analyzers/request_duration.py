"""runtime.timeout computed from how long the failing request ran, in whatever form the client pasted it.

App Service's front end (and so every HTTP-triggered function) ends a request that has had no response for about
230 seconds. Clients print that duration in many shapes - curl's time_total (`500 230.041`), the shell's `time`
(`real 3m50.4s`), "after ~3m50s", "3:50", "230 s" - and the error the caller gets is a bare 500, 502 or 504. A
failure whose measured duration falls in that window, on an App Service or Functions host, is the front end's
limit (knowledge/runtime_timeouts.yaml `http-front-end-cut-measured`), whatever the code or functionTimeout say."""

from __future__ import annotations

import re
from itertools import pairwise

from shared.engines.analyzers.common import conclude_entry, facts_for, table_entry
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "runtime_timeouts"
_WINDOW = (225.0, 245.0)  # seconds: the documented 230 s, with the client's own overhead around it
_MINUTES = re.compile(r"(?i)(?:\breal\s+|~\s?|\babout\s+|\baround\s+|\bafter\s+~?\s?|\btook\s+~?\s?)"
                      r"(?P<m>\d{1,2})\s?m(?:in(?:utes?)?)?\s?(?P<s>\d{1,2}(?:\.\d+)?)\s?s(?:ec(?:onds)?)?\b")
# "after almost exactly 4 minutes", "after about four minutes": a whole-minute estimate of the 240 s Linux front end
_FOUR_MINUTES = re.compile(r"(?i)\b(?:after|at|takes?|took|around|about|roughly|nearly|almost|approximately|exactly|"
                           r"approx\.?|~)\s+(?:(?:almost|nearly|about|around|roughly|exactly|approximately)\s+)?"
                           r"(?:4|four)\s?(?:min(?:ute)?s?|mins?)\b(?!\s*(?:and|\d))")
_CLOCK = re.compile(r"(?i)\b(?:after|took|at)\s+~?\s?(?P<m>[0-5]?\d):(?P<s>[0-5]\d)\b(?!:)")
# "the App Service 230 s limit", "a timeout of 240 s": the client names a limit they read about, not how long the
# request ran (that is often far below it: "we are far under that")
_SECONDS = re.compile(r"(?i)(?<![\d.:])(?<!limit of )(?<!limit is )(?<!timeout of )(?<!timeout is )"
                      r"(?P<s>2[2-4]\d(?:\.\d+)?)\s?(?:s|sec|secs|seconds)\b(?![ -]?(?:limit|timeout|cap|max)\b)")
_CURL_TOTAL = re.compile(r"%\{http_code\}\s+%\{time_total\}[^\n]*\n(?:[^\n]*\n){0,3}?\s*"
                         r"(?P<shown>[1-5]\d\d\s+(?P<s>\d{2,4}\.\d+))")
# a log line's time of day
_STAMP = re.compile(r"(?<![\d:])(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d):(?P<s>[0-5]\d)(?![\d:])")
_FAILED = re.compile(r"(?i)\b50[024]\b|bad gateway|gateway time-?out|timed? ?out|error page|\berror\b")
_WEB_HOST = re.compile(r"(?i)azurewebsites\.net|app service|function app|azure functions|http[- ]trigger")
# the platform's container start-up wait (WEBSITES_CONTAINER_START_TIME_LIMIT, 230 s by default) is no request
_CONTAINER_START = re.compile(r"(?i)did not start within expected time limit|didn.?t respond to HTTP pings|"
                              r"WEBSITES_CONTAINER_START_TIME_LIMIT|container start(?:up)? time ?limit")


def front_end_cut(state: SessionState) -> Decision | None:
    """A failed HTTP request to an App Service or Functions host that ran about 230 seconds."""
    said = state.material.spoken_text()
    setting = " ".join([said, *state.material.technologies()])
    if not _FAILED.search(said) or not _WEB_HOST.search(setting) or _CONTAINER_START.search(said):
        return None
    shown = _duration(said)
    if shown is None:
        return None
    seconds, words = shown
    entry = table_entry(TABLE, "http-front-end-cut-measured")
    return conclude_entry(state, None, entry, facts_for(state, None, {"seconds": f"{seconds:.0f}", "shown": words}))


def _duration(said: str) -> tuple[float, str] | None:
    """The first duration in the 230-second window, as seconds and the words that showed it."""
    for pattern, minutes in ((_CURL_TOTAL, False), (_MINUTES, True), (_CLOCK, True), (_SECONDS, False)):
        for found in pattern.finditer(said):
            seconds = float(found.group("s")) + (60 * int(found.group("m")) if minutes else 0)
            if _WINDOW[0] <= seconds <= _WINDOW[1]:
                shown = found.groupdict().get("shown") or found.group(0)
                return seconds, " ".join(shown.split())
    four = _FOUR_MINUTES.search(said)
    if four:
        return 240.0, " ".join(four.group(0).split())
    return _logged_elapsed(said)


def _logged_elapsed(said: str) -> tuple[float, str] | None:
    """The time a log shows between a line and the failure line right after it (a job that logs "calling ..." and,
    3:50 later, the 500 it got), when it falls in the window."""
    stamped = [(found, line) for line in said.splitlines() for found in [_STAMP.search(line)] if found]
    for (before, _), (after, line) in pairwise(stamped):
        if not _FAILED.search(line):
            continue
        seconds = (_seconds_of(after) - _seconds_of(before)) % 86400
        if _WINDOW[0] <= seconds <= _WINDOW[1]:
            return float(seconds), f"logged at {before.group(0)} and failed at {after.group(0)}"
    return None


def _seconds_of(stamp: re.Match[str]) -> int:
    return 3600 * int(stamp.group("h")) + 60 * int(stamp.group("m")) + int(stamp.group("s"))
