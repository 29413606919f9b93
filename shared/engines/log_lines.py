"""Which lines of a pasted log decide: the failing operation's own line, not the noise around it.

A pasted log (kubectl events, a host's start-up log, a CI step's output) holds, besides the line that names the cause,
lines that follow from it or have nothing to do with it: a probe that fails because the container never started, a
retry, a deprecation or telemetry warning, the step's "exit code 1". Reading the whole paste as one text lets those
lines answer for the cause (a readiness probe's "connection refused" on the pod's own address read as a registry
that cannot be reached). These readers give a family's analyzer the text without those lines, and the lines of the
failing operation itself, where the names it printed (the image, the path) are the ones that failed."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Lines that are a consequence of the failure or noise beside it, whatever the tool that printed them:
# - a Kubernetes probe of a container that is not running yet (its own pod address refusing the connection);
# - a retry, a back-off or a deprecation / telemetry warning;
# - the step's or job's wrapper ("Process completed with exit code 1", "job failed with exit code").
CONSEQUENCE = re.compile(
    r"(?i)\b(?:readiness|liveness|startup) probe (?:failed|errored)\b|"
    r"\bBack-off restarting failed container\b|"
    r"\bretry(?:ing)?\b[^\n]{0,40}\b(?:attempt|after|in \d)|\bwas retried\b|\battempt number \d|"
    r"\bDeprecationWarning\b|\bis deprecated\b|\btelemetry\b|"
    r"\bProcess completed with exit code \d+|\bexit(?:ed)? (?:with )?code [1-9]\d*\s*$")


def cause_text(text: str) -> str:
    """The text without the lines that are a consequence of the failure or noise beside it."""
    return "\n".join(line for line in text.split("\n") if not CONSEQUENCE.search(line))


def failing_lines(texts: Iterable[str], failing: re.Pattern[str]) -> list[str]:
    """The lines of the texts where the failing operation printed its error (the pattern), in order."""
    return [line for text in texts for line in text.split("\n") if failing.search(line)
            and not CONSEQUENCE.search(line)]
