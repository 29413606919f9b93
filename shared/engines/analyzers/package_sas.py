"""A run-from-package URL whose SAS expired before the failure began, computed from the dates the material shows.

A function app that runs from a package URL (WEBSITE_RUN_FROM_PACKAGE) fetches the package with the URL's SAS every
time it starts. When the SAS's expiry (`se=` in the URL, or the expiry a Terraform/Bicep SAS definition sets) is not
later than the day the failure began (a date the report gives), the host can no longer fetch its code: the runtime is
unreachable, the functions list is empty, calls return 503, without any change on the user's side."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

from shared.engines.analyzers.common import conclude_entry, facts_for, table_entry
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "computed_causes"
_PACKAGE = re.compile(r"(?i)\bWEBSITE_RUN_FROM_PACKAGE\b")
_URL_EXPIRY = re.compile(r"[?&]se=(\d{4}-\d{2}-\d{2})")
_DEFINED_EXPIRY = re.compile(r'(?i)\bexpiry\s*[:=]\s*["\'](\d{4}-\d{2}-\d{2})')
_SAS_DATES = re.compile(r"(?i)(?:[?&](?:st|se)=|\b(?:start|expiry)\s*[:=]\s*[\"'])\d{4}-\d{2}-\d{2}")
_DAY = re.compile(r"(?<![\w=\"'-])(\d{4}-\d{2}-\d{2})(?![\d-])")


def expired_package_sas(state: SessionState) -> Decision | None:
    """The package URL's SAS expired on or before the latest day the report names (the failure's day)."""
    text = unquote("\n".join([state.material.error_description, *state.material.answers]))
    if not _PACKAGE.search(text):
        return None
    expiries = [_day(d) for d in _URL_EXPIRY.findall(text) + _DEFINED_EXPIRY.findall(text)]
    reported = [_day(d) for d in _DAY.findall(_SAS_DATES.sub(" ", text))]
    expiry = min((d for d in expiries if d), default=None)
    failure = max((d for d in reported if d), default=None)
    if expiry is None or failure is None or failure < expiry:
        return None
    facts = {"expiry": expiry.isoformat(), "failure_day": failure.isoformat()}
    return conclude_entry(state, None, table_entry(TABLE, "package-sas-expired"), facts_for(state, None, facts))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
