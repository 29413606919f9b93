"""python -m evals run DIR [DIR...] [--report-only] [--url URL]

Plays every scenario file of the folders through the app on devhost (Azure calls answered from the
scenario's recordings), prints one line per scenario and ends with `N passed, M failed`. Exits 1 when
a scenario fails, unless --report-only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.runner import run_all
from evals.scenarios import load_scenarios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate the service on scenarios.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="play scenario folders and score them")
    run.add_argument("folders", nargs="+", type=Path)
    run.add_argument("--report-only", action="store_true", help="exit 0 even when scenarios fail")
    run.add_argument("--url", help="a running service instead of devhost (plays only scenarios without azure:)")
    args = parser.parse_args(argv)
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    passed = failed = 0
    for result in run_all(load_scenarios(*args.folders), args.url):
        reasons = "; ".join(result.reasons)
        print(f"PASS {result.scenario_id}" if result.passed else f"FAIL {result.scenario_id}: {reasons}", flush=True)
        passed, failed = passed + result.passed, failed + (not result.passed)
    print(f"{passed} passed, {failed} failed")
    return 0 if (args.report_only or failed == 0) and passed + failed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
