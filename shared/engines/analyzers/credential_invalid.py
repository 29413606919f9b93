"""auth.credential_invalid: a key, secret, SAS or token was refused as wrong, expired or revoked.

Entra ID (AADSTS codes), Storage (AuthenticationFailed with its detail), Cosmos DB and Service Bus each say
it differently; the messages and fixes are data (knowledge/auth_credential_errors.yaml). Redaction keeps
a SAS token's expiry (se=) readable, so an expired SAS can be shown by its date."""

from __future__ import annotations

from shared.engines.analyzers.common import conclude_entry, facts_for, first_entry, grounded, table, unknown
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "auth_credential_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    found = first_entry(table(TABLE), state)
    if found is None:
        return unknown(state)
    entry, facts = found
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
