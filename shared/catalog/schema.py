"""The shape of one catalog entry (knowledge/catalog/README.md explains each field)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
GENERIC_CODES = frozenset({
    "Conflict", "BadRequest", "Forbidden", "NotFound", "InternalServerError", "Unauthorized", "ServiceUnavailable",
    "GatewayTimeout", "BadGateway", "TooManyRequests", "Error", "Failed", "Failure", "Exception", "Timeout",
    "InvalidRequest", "OK", "Accepted", "Created", "Unknown"})
# a name, or a Windows HRESULT as tools print it (0x80c8305f, or in decimal -2134364065): distinctive by its 8 hex
# or 10 decimal digits, matched case-insensitively at word edges like a phrase
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_]|[A-Za-z]|0x[0-9A-Fa-f]{8}|-[12][0-9]{9}")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Category id -> what it means (knowledge/taxonomy.yaml)."""
    return dict(yaml.safe_load((KNOWLEDGE / "taxonomy.yaml").read_text(encoding="utf-8")))


class Check(BaseModel):
    """What decides the error: the Azure read the service makes, and the command a client runs."""

    model_config = ConfigDict(extra="forbid")
    azure: str = Field(min_length=8)
    command: str = Field(min_length=4)


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    service: str = Field(min_length=2)
    category: str
    codes: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    meaning: str = Field(min_length=20)
    check: Check
    fix: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=10)
    wrapper: bool = False
    conclusive: bool = True
    # Categories of errors this error causes downstream (an unresolved Key Vault reference makes the connection
    # string the SDK receives invalid): when both show, this one is the cause to decide on.
    explains: tuple[str, ...] = ()
    # A regex the report (or anything the session read) must also match: a message two settings share (the local
    # emulator's "high demand" and a region's) counts for this entry only where its setting shows.
    requires: str = ""
    # For an inconclusive entry: a regex over the report that shows its check's output is there already (the
    # response body --debug prints, the Code="..." inside an envelope). Asking for it again cannot help, so the
    # engine reads the report's own words instead of asking.
    shown_by: str = ""

    @field_validator("requires", "shown_by")
    @classmethod
    def _requires_compiles(cls, value: str) -> str:
        re.compile(value)
        return value

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError("id must be kebab-case")
        return value

    @field_validator("explains")
    @classmethod
    def _explained_in_taxonomy(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in taxonomy()]
        if unknown:
            raise ValueError(f"explains names categories outside the taxonomy: {unknown}")
        return value

    @field_validator("category")
    @classmethod
    def _in_taxonomy(cls, value: str) -> str:
        if value not in taxonomy():
            raise ValueError(f"category {value!r} is not in knowledge/taxonomy.yaml")
        return value

    @field_validator("codes")
    @classmethod
    def _distinctive(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not _CODE.fullmatch(code) or code in GENERIC_CODES or len(code) < 5:
                raise ValueError(f"code {code!r} is not a distinctive identifier (use a phrase with context)")
        return codes

    @field_validator("phrases")
    @classmethod
    def _specific(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        for phrase in phrases:
            if len(phrase.strip()) < 12:
                raise ValueError(f"phrase {phrase!r} is shorter than 12 characters")
        return tuple(p.strip() for p in phrases)

    @field_validator("facts")
    @classmethod
    def _compiles(cls, facts: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in facts:
            if not re.compile(pattern).groupindex:
                raise ValueError(f"fact pattern {pattern!r} has no named group")
        return facts

    @model_validator(mode="after")
    def _matchable(self) -> CatalogEntry:
        if not self.codes and not self.phrases:
            raise ValueError("an entry needs codes or phrases")
        return self
