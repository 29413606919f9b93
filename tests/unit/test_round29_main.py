"""Round 29 (twenty-second session, main): repairs after the full run. An app whose FUNCTIONS_EXTENSION_VERSION is
`beta` follows every new major release; the queue-encoding clue stays away from a host that does not start."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in

BETA = "FUNCTIONS_EXTENSION_VERSION"


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "answer")])]


def test_an_unpinned_runtime_version_is_read_in_a_settings_table() -> None:
    table = f"  Name                         Value\n  {BETA}  beta\n  FUNCTIONS_WORKER_RUNTIME     dotnet\n"
    assert "functions-extension-version-beta-follows-new-major" in _ids(table)
    assert "functions-extension-version-beta-follows-new-major" in _ids(f'{{"{BETA}": "beta"}}')


def test_a_pinned_major_version_is_not_the_unpinned_case() -> None:
    assert "functions-extension-version-beta-follows-new-major" not in _ids(f"{BETA}=~4\nbeta testers reported it")


def test_a_host_that_does_not_start_is_not_the_queue_encoding_case() -> None:
    start = ("Our C# function app with timer and queue triggers doesn't start any more, the queue trigger does not "
             "fire.\nA host error has occurred during startup operation '3f1c'.")
    clue = clue_in([start])
    assert clue is None or clue["id"] != "functions-queue-trigger-message-encoding", clue
    poison = ("Our queue trigger does not fire; every message lands in orders-poison. The sender uses "
              "Azure.Storage.Queues QueueClient.")
    clue = clue_in([poison])
    assert clue is not None and clue["id"] == "functions-queue-trigger-message-encoding", clue
