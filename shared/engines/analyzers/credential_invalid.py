"""auth.credential_invalid: a key, secret, SAS or token was refused as wrong, expired or revoked.

Entra ID (AADSTS codes), Storage (AuthenticationFailed with its detail), Cosmos DB and Service Bus each say
it differently; the messages and fixes are data (knowledge/auth_credential_errors.yaml). Redaction keeps
a SAS token's expiry (se=) readable, so an expired SAS can be shown by its date."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "auth_credential_errors"


analyze = table_analyzer(TABLE)
