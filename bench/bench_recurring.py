"""Benchmark: recurring errors with the case memory on (issue 13), through devhost over HTTP with Azurite.

    .venv/bin/python bench/bench_recurring.py [--repeats 3]

Families of errors are played in sequence: the first occurrence, then `--repeats` variants of it (the same error
with other resource names, from another caller), each answered `fixed` through POST /feedback when it ends `done`.
Printed per family, first occurrence beside the repeats' mean: steps, Azure calls (the playback server's count),
time to the final envelope, whether `report.similar_cases` came back with the count of earlier sessions, and
whether the repeat's first Azure check was the decisive one (its conclusion cites the first tool it ran).
Once two sessions of a problem were fixed, the memory's hint (shared/cases/problem.py) runs the check that settled
them first, and the engine concludes as soon as that check shows the same finding. A script, not a test."""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.client import follow  # noqa: E402
from evals.playback import PlaybackServer  # noqa: E402
from shared.security.rate_limit import NO_LIMITS_ENV  # noqa: E402
from tests.helpers.azurite import run_azurite  # noqa: E402
from tests.helpers.devhost_process import run_devhost  # noqa: E402

FAMILIES = ["tests/scenarios/examples/storage-firewall-with-azure.yaml",
            "tests/scenarios/arm-provider-not-registered-container-apps.yaml",
            "tests/scenarios/keyvault-rbac-forbidden-python.yaml",
            "tests/scenarios/azure/az-function-stopped-daily-quota-exceeded.yaml"]


def variant(scenario: dict[str, Any], number: int) -> dict[str, Any]:
    """The same error seen again (a line added to the text); with recorded Azure answers the request stays as it
    is, so that the recordings still answer it."""
    if number == 0 or scenario.get("azure"):
        return scenario["request"]
    request = copy.deepcopy(scenario["request"])
    request["error_description"] += f"\n(seen again in deployment {number})"
    return request


def one(url: str, key: str, scenario: dict[str, Any], number: int, playback: PlaybackServer | None) -> dict:
    calls_before = len(playback.calls) if playback else 0
    began = time.perf_counter()
    with httpx.Client(base_url=url, timeout=120, headers={"x-functions-key": key}) as http:
        first = http.post("/api/debug", json=variant(scenario, number)).json()
        session = follow(http, first, scenario.get("client", []))
        final = session.last
        if final["status"] == "done":
            http.post(f"/api/debug/{final['trace_id']}/feedback", json={"outcome": "fixed"})
    report = final.get("report") or {}
    evidence = [e.get("source") for e in report.get("evidence") or []]
    tools = [e.get("source") for e in report.get("evidence") or [] if e.get("source") not in ("error", "catalog",
                                                                                               "knowledge", "client")]
    similar = report.get("similar_cases") or []
    return {"steps": final.get("steps", 0), "azure": (len(playback.calls) if playback else 0) - calls_before,
            "seconds": time.perf_counter() - began, "similar": similar[0]["seen"] if similar else 0,
            "first_decisive": bool(tools) and tools[0] == (evidence[0] if evidence else None),
            "status": final["status"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    print(f"{'family':48} {'':6} {'steps':>6} {'azure':>6} {'s':>6} {'similar seen':>13} {'first check decisive':>21}")
    with run_azurite() as memory:
        for path in FAMILIES:
            scenario = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))
            with PlaybackServer(scenario.get("azure") or []) as playback, run_devhost(REPO, env={
                    **(playback.app_settings() if scenario.get("azure") else {}), **NO_LIMITS_ENV,
                    "DEBUG_CASE_MEMORY_CONNECTION": memory, "DEVHOST_FUNCTION_KEYS": "first,second"},
                    extra_args=["--require-keys"]) as url:
                runs = [one(url, "first" if n == 0 else "second", scenario, n,
                            playback if scenario.get("azure") else None) for n in range(repeats + 1)]
            _print(scenario["id"], runs)


def _print(family: str, runs: list[dict]) -> None:
    first, rest = runs[0], runs[1:]
    def mean(key: str) -> float:
        return statistics.fmean(float(r[key]) for r in rest) if rest else 0.0
    print(f"{family[:48]:48} {'first':6} {first['steps']:6} {first['azure']:6} {first['seconds']:6.2f} "
          f"{first['similar']:13} {'-':>21}")
    print(f"{'':48} {'repeat':6} {mean('steps'):6.1f} {mean('azure'):6.1f} {mean('seconds'):6.2f} "
          f"{mean('similar'):13.1f} {sum(r['first_decisive'] for r in rest):>17}/{len(rest)}")


if __name__ == "__main__":
    main()
