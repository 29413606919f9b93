"""A credential whose expiry date the report itself shows, earlier than the failures the report's own timestamps show:
the certificate, secret or key ran out before the first failure (an APNs certificate copied from a hub's settings, a
client secret's "Expires" column, a TLS certificate's "Not After"). Computed from the dates, never from the words
alone: an expiry date after the failures, or a report without a dated failure, says nothing."""

from __future__ import annotations

import re
from datetime import datetime

from shared.engines.analyzers.common import report
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_DATE = (r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|"
         r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}|"
         r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})")
# "Expiration: 01/12/2026", "Expires: 2026-11-27", "valid until 2026-11-30", "Not After : Nov 27 2026"
_EXPIRY = re.compile(r"(?i)\b(?:expiration(?: date)?|expiry(?: date)?|expires(?: on)?|expired on|"
                     r"valid (?:until|to|thru)|not after)\s*[:=]?\s*" + _DATE)
# what expired: a credential named on the expiry's line or the few lines above it
_CREDENTIAL = re.compile(r"(?i)\b(?:certificate|cert|\.p12|\.pfx|client secret|secret|credential|api key|access key|"
                         r"password|token|apns|push services)\b")
# a failure's own timestamp: an ISO date on a log line, or a date on a line that says something failed
_LOGGED = re.compile(r"(?m)^\W{0,4}\[?(?P<date>\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
_FAILURE_LINE = re.compile(r"(?i)\b(?:fail\w*|error|denied|refused|rejected|unreachable|stopp?ed|since)\b")


def _parsed(text: str) -> list[datetime]:
    """Every date the text can mean (a day/month order that the text does not settle gives both readings)."""
    text = text.strip().lower().replace(",", "")
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        return _valid(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        return _valid(year, second, first) + _valid(year, first, second)
    words = text.split()
    if words[0].isdigit():  # 27 nov 2026
        return _valid(int(words[2]), _MONTHS[words[1][:3]], int(words[0]))
    return _valid(int(words[2]), _MONTHS[words[0][:3]], int(words[1]))  # nov 27 2026


def _valid(year: int, month: int, day: int) -> list[datetime]:
    try:
        return [datetime(year, month, day)]
    except ValueError:
        return []


def expired_before_failures(state: SessionState) -> Conclude | None:
    """The report shows a credential's expiry date, and the failures it shows are dated after every reading of it."""
    text = state.material.error_description
    lines = text.splitlines()
    failures = [day for logged in _LOGGED.finditer(text) for day in _parsed(logged["date"])]
    failures += [day for line in lines if _FAILURE_LINE.search(line) and not _EXPIRY.search(line)
                 for date in re.finditer(_DATE, line, re.IGNORECASE) for day in _parsed(date["date"])]
    if not failures:
        return None
    stated = []  # (the words, the lines around them, the latest reading of the date) of each credential's expiry
    for found in _EXPIRY.finditer(text):
        line_no = text.count("\n", 0, found.start())
        near = "\n".join(lines[max(0, line_no - 4):line_no + 1])
        expiry = _parsed(found["date"])
        if _CREDENTIAL.search(near) and expiry:
            stated.append((found.group(0), near, max(expiry)))
    # a credential valid past the failures (a renewed one beside the old) leaves nothing the dates decide
    if not stated or any(expiry >= max(failures) for _, _, expiry in stated):
        return None
    said, near, ran_out = stated[0]
    return _conclude(state, said, near, ran_out, max(failures))


def _conclude(state: SessionState, said: str, near: str, expiry: datetime, failed: datetime) -> Conclude:
    what = "certificate" if re.search(r"(?i)cert|\.p12|\.pfx|apns|push services", near) else "credential"
    root_cause = (f"The {what} the service uses expired ('{' '.join(said.split())}', before the failures the "
                  f"report shows on {failed:%Y-%m-%d}): a {what} past its expiry date is refused by the service that "
                  f"checks it, so every call that needs it fails from that day on while everything that does not "
                  f"use it keeps working. Nothing else has to have changed.")
    actions = [f"Renew the {what} (a new one from its issuer: for push notifications the Apple or Google developer "
               "portal, for an app registration a new client secret or certificate), then replace it everywhere it "
               "is configured (the resource's settings, Key Vault, the app's configuration) and retry.",
               f"Track the new {what}'s expiry date (an alert or a calendar reminder a few weeks ahead) so it is "
               "renewed before it runs out."]
    evidence = [EvidenceItem(source="error", summary=f"the report shows the expiry: {' '.join(near.split())[-280:]}"),
                EvidenceItem(source="knowledge", summary=(
                    f"expiry {expiry:%Y-%m-%d} earlier than the failures dated {failed:%Y-%m-%d}; MicrosoftDocs "
                    "azure-docs articles/notification-hubs/notification-hubs-push-notification-fixer.md (expired "
                    "APNs credentials) and articles/active-directory/develop/howto-create-service-principal-portal.md "
                    "(secrets and certificates expire)"))]
    found = report(state, category="auth.credential_invalid", confidence="medium", root_cause=root_cause,
                   actions=actions, evidence=evidence)
    return Conclude(message=root_cause[:300], report=found)
