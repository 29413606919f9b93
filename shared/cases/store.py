"""Cases in Azure Table Storage (azure-data-tables): the app's own storage account, a table of its own.

Connection: `DEBUG_CASE_MEMORY_CONNECTION` (a connection string; tests point it at their Azurite), else the
host's storage: `AzureWebJobsStorage` as a connection string (`UseDevelopmentStorage=true` locally: Azurite), or
`AzureWebJobsStorage__accountName` with the managed identity (`AzureWebJobsStorage__clientId`), as the Functions
host itself connects; the identity has Storage Table Data Contributor on the account (infra/modules/storage.bicep).
`DEBUG_CASE_MEMORY=off` turns memory off. Without any of these, memory is off: `report.similar_cases` is absent,
health says `memory: off`, feedback answers 503.

Three tables: `debugcases` (PartitionKey = category, RowKey = signature key: tokens, fix template, outcome counts,
last seen), `debugcaseoutcomes` (one row per session: which case it counted for, its latest outcome), so that a
session is counted once per outcome however often it ends or its feedback is sent (the last feedback counts), and
`debugproblems` (PartitionKey = problem key of shared/cases/problem.py, RowKey = the case its sessions concluded:
the check that settled it and the newest sessions' step counts), read when a session starts. Concurrent writers
update a row with its ETag and retry the read-modify-write on a conflict."""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode
from rank_bm25 import BM25Plus

from shared.cases.signature import CaseSignature
from shared.models import SimilarCase

CASES_TABLE = "debugcases"
OUTCOMES_TABLE = "debugcaseoutcomes"
PROBLEMS_TABLE = "debugproblems"
Outcome = Literal["concluded", "fixed", "not_fixed", "partly", "verified", "still_failing"]
OUTCOMES: tuple[Outcome, ...] = ("concluded", "fixed", "not_fixed", "partly", "verified", "still_failing")
_CONFLICT_RETRIES = 30  # optimistic concurrency: each retry re-reads what the other writer stored
_NEAREST_SCAN = 200  # cases of the category read for the ranking
_PROBLEM_CASES = 20  # cases one problem's sessions concluded, read at a session's start
_STEPS_KEPT = 20     # the newest sessions' step counts kept per problem and case


def _connection() -> tuple[str | None, str | None, str | None]:
    """(connection string, account name, client id) of the storage the memory uses, from the settings."""
    explicit = os.environ.get("DEBUG_CASE_MEMORY_CONNECTION", "").strip()
    # The Functions host's own setting names, case and all.
    host = os.environ.get("AzureWebJobsStorage", "").strip()  # noqa: SIM112
    account = os.environ.get("AzureWebJobsStorage__accountName", "").strip()  # noqa: SIM112
    client_id = os.environ.get("AzureWebJobsStorage__clientId") or None  # noqa: SIM112
    return (explicit or host or None, account or None, client_id)


@dataclass(frozen=True)
class PastProblem:
    """One case a past session of the problem concluded: its category, the check that settled it, how many of its
    sessions' fixes worked, and the steps of those sessions' concluding rounds (newest last)."""

    category: str
    decisive: str
    fixed: int
    steps: tuple[int, ...]


@lru_cache(maxsize=1)
def case_memory() -> CaseMemory | None:
    """The case memory of this deployment, or None when it is off (see the module docstring)."""
    if os.environ.get("DEBUG_CASE_MEMORY", "on").strip().lower() == "off":
        return None
    connection, account, client_id = _connection()
    if connection:
        service = TableServiceClient.from_connection_string(connection)
    elif account:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential(managed_identity_client_id=client_id)
        service = TableServiceClient(f"https://{account}.table.core.windows.net", credential=credential)
    else:
        return None
    return CaseMemory(service.get_table_client(CASES_TABLE), service.get_table_client(OUTCOMES_TABLE),
                      service.get_table_client(PROBLEMS_TABLE))


class CaseMemory:
    def __init__(self, cases: TableClient, outcomes: TableClient, problems: TableClient) -> None:
        self._cases, self._outcomes, self._problems = cases, outcomes, problems
        self._ready = False

    def _ensure_tables(self) -> None:
        if self._ready:
            return
        for table in (self._cases, self._outcomes, self._problems):
            with contextlib.suppress(ResourceExistsError):  # made by another instance, or earlier
                table.create_table()
        self._ready = True

    def record(self, trace_id: str, signature: CaseSignature, outcome: Outcome, note: str | None = None) -> bool:
        """Count `trace_id`'s `outcome` for its case, once: a repeated outcome changes nothing (False); a different
        one replaces the session's earlier feedback (the last one counts; `concluded` is counted apart)."""
        self._ensure_tables()
        previous = self._previous_outcome(trace_id, outcome)
        if previous == outcome:
            return False
        self._update_case(signature, lambda counts: _moved(counts, previous, outcome))
        self._store_outcome(trace_id, outcome, signature.category, signature.key, note)
        return True

    def _store_outcome(self, trace_id: str, outcome: Outcome, category: str, case: str, note: str | None) -> None:
        """The session's row: per session, never shown to other callers; the note is already redacted."""
        self._outcomes.upsert_entity({"PartitionKey": trace_id[:2], "RowKey": _row(trace_id, outcome),
                                      "Category": category, "Case": case, "Outcome": outcome,
                                      "Note": note or ""}, mode=UpdateMode.REPLACE)

    def case_of(self, trace_id: str) -> tuple[str, str] | None:
        """(category, case key) the session was counted for when it concluded, if it was."""
        self._ensure_tables()
        try:
            row = self._outcomes.get_entity(trace_id[:2], _row(trace_id, "concluded"))
        except ResourceNotFoundError:
            return None
        return str(row["Category"]), str(row["Case"])

    def record_feedback(self, trace_id: str, outcome: Outcome, note: str | None) -> bool:
        """Count feedback for the case the session concluded; False when it concluded none (then only the
        session's own row keeps it)."""
        found = self.case_of(trace_id)
        if found is None:
            self._store_outcome(trace_id, outcome, "", "", note)
            return False
        category, key = found
        entity = self._cases.get_entity(category, key)
        signature = CaseSignature(category, tuple(str(entity.get("Entries", "")).split()),
                                  tuple(str(entity.get("Codes", "")).split()), str(entity.get("Fix", "")))
        self.record(trace_id, signature, outcome, note)
        return True

    def similar(self, signature: CaseSignature, limit: int = 3) -> list[SimilarCase]:
        """The same signature's case first, then the nearest cases of its category (BM25 over signature tokens)."""
        self._ensure_tables()
        rows = list(self._cases.query_entities("PartitionKey eq @category", parameters={"category": signature.category},
                                               results_per_page=_NEAREST_SCAN))[:_NEAREST_SCAN]
        if not rows:
            return []
        exact = [r for r in rows if r["RowKey"] == signature.key]
        wanted = set(signature.tokens()) - {signature.category}  # every case of the partition has the category
        others = [r for r in rows if r["RowKey"] != signature.key and wanted & set(str(r.get("Tokens", "")).split())]
        if others:  # BM25+ keeps scores positive on a handful of cases, where plain BM25's idf goes negative
            scores = BM25Plus([str(r.get("Tokens", "")).split() for r in others]).get_scores(signature.tokens())
            others = [row for _, row in sorted(zip(scores, others, strict=True), key=lambda pair: -pair[0])]
        return [_similar(r) for r in [*exact, *others][:limit]]

    def _previous_outcome(self, trace_id: str, outcome: Outcome) -> Outcome | None:
        """The session's earlier outcome of the same kind (`concluded`, or its latest feedback)."""
        try:
            row = self._outcomes.get_entity(trace_id[:2], _row(trace_id, outcome))
        except ResourceNotFoundError:
            return None
        return row["Outcome"] if row["Outcome"] in OUTCOMES else None

    def _update_case(self, signature: CaseSignature, change: Callable[[dict[str, int]], dict[str, int]]) -> None:
        """Count an outcome on one case (read-modify-write under its ETag)."""
        def row(known: dict[str, Any]) -> dict[str, Any]:
            counts = change({o: int(known.get(o, 0)) for o in OUTCOMES})
            return {"PartitionKey": signature.category, "RowKey": signature.key,
                    "Tokens": " ".join(signature.tokens()), "Entries": " ".join(signature.entries),
                    "Codes": " ".join(signature.codes), "Fix": signature.fix[:2000],
                    "LastSeen": datetime.now(UTC).isoformat(), **counts}
        _read_modify_write(self._cases, signature.category, signature.key, row)

    def record_problem(self, problem: str, signature: CaseSignature, decisive: str, steps: int) -> None:
        """Note that a session of `problem` concluded `signature`'s case, settled by `decisive` in `steps` steps
        (called once per concluded session: after `record` counted it)."""
        def row(known: dict[str, Any]) -> dict[str, Any]:
            history = [*str(known.get("Steps", "")).split(), str(steps)][-_STEPS_KEPT:]
            return {"PartitionKey": problem, "RowKey": signature.key, "Category": signature.category,
                    "Decisive": decisive or str(known.get("Decisive", "")), "Steps": " ".join(history)}
        self._ensure_tables()
        _read_modify_write(self._problems, problem, signature.key, row)

    def recall(self, problem: str) -> list[PastProblem]:
        """The cases past sessions of `problem` concluded, with how many of their fixes worked."""
        self._ensure_tables()
        rows = list(self._problems.query_entities("PartitionKey eq @problem", parameters={"problem": problem},
                                                  results_per_page=_PROBLEM_CASES))[:_PROBLEM_CASES]
        past = []
        for row in rows:
            try:
                case = self._cases.get_entity(str(row["Category"]), str(row["RowKey"]))
            except ResourceNotFoundError:
                continue
            past.append(PastProblem(category=str(row["Category"]), decisive=str(row.get("Decisive", "")),
                                    fixed=int(case.get("fixed", 0)) + int(case.get("verified", 0)),
                                    steps=tuple(int(s) for s in str(row.get("Steps", "")).split() if s.isdigit())))
        return past


def _read_modify_write(table: TableClient, partition: str, key: str,
                       row: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Write `row(what is stored)` under the stored entity's ETag; a concurrent writer's change makes it read again."""
    for attempt in range(_CONFLICT_RETRIES):
        try:
            entity = table.get_entity(partition, key)
        except ResourceNotFoundError:
            entity = None
        new = row(dict(entity or {}))
        try:
            if entity is None:
                table.create_entity(new)
            else:
                table.update_entity(new, mode=UpdateMode.REPLACE, etag=entity.metadata["etag"],
                                    match_condition=MatchConditions.IfNotModified)
            return
        except (ResourceExistsError, ResourceModifiedError):
            # Another session wrote in between: read what it stored and apply ours again, after a short random
            # pause so that writers colliding on one row spread out.
            time.sleep(random.uniform(0, 0.02) * (attempt + 1))
    raise RuntimeError("the row kept changing under concurrent writers")


def _row(trace_id: str, outcome: Outcome) -> str:
    """One row for the conclusion, one for the latest feedback or verification of a session."""
    return f"{trace_id}-{'concluded' if outcome == 'concluded' else 'feedback'}"


def _moved(counts: dict[str, int], previous: Outcome | None, outcome: Outcome) -> dict[str, int]:
    if previous is not None and previous != "concluded" and counts.get(previous, 0) > 0:
        counts[previous] -= 1
    counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _similar(row: Any) -> SimilarCase:
    return SimilarCase(category=str(row["PartitionKey"]), fix=str(row.get("Fix", "")),
                       seen=int(row.get("concluded", 0)), fixed=int(row.get("fixed", 0)) + int(row.get("verified", 0)),
                       not_fixed=int(row.get("not_fixed", 0)) + int(row.get("still_failing", 0)))
