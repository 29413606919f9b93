"""python -m evals run DIR [DIR...] [--engine E ...] [--paste-form F ...] [--quiet] [--report-only] [--url URL]

Plays every scenario file of the folders through the app on devhost (Azure calls answered from the scenario's
recordings), prints one line per scenario, then per engine: the pass rate, the confidently wrong answers (high
confidence, wrong category), steps, Azure calls, duplicate Azure calls, p50 time and (with a model) tokens per
case, and ends with `N passed, M failed`. Exits 1 when a scenario fails, unless --report-only.

--quiet prints only the summary: how a blind set is scored without reading its failures. --engine runs the set
once per engine (rules, hybrid, llm; default: the app's own choice, hybrid when AZURE_OPENAI_ENDPOINT is set).
--paste-form runs it again with every error text re-rendered in that form (evals/paste_forms.py: terraform-box,
arm-escaped, oauth-redirect, wrapped, one-line, pipeline-annotations); `as-written` is the files' own text."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evals.paste_forms import FORMS, in_form
from evals.runner import Result, run_all
from evals.scenarios import load_scenarios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate the service on scenarios.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="play scenario folders and score them")
    run.add_argument("folders", nargs="+", type=Path)
    run.add_argument("--report-only", action="store_true", help="exit 0 even when scenarios fail")
    run.add_argument("--url", help="a running service instead of devhost (plays only scenarios without azure:)")
    run.add_argument("--engine", action="append", choices=("rules", "hybrid", "llm"),
                     help="the engine to evaluate (repeatable); default: the app's own choice")
    run.add_argument("--quiet", action="store_true", help="print only the summary, not each scenario's result")
    run.add_argument("--show", action="store_true", help="print the questions and the final envelope of a failure")
    run.add_argument("--paste-form", action="append", choices=("as-written", *FORMS),
                     help="also play the set with every error text in this form (repeatable)")
    args = parser.parse_args(argv)
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    scenarios = load_scenarios(*args.folders)
    passed = failed = 0
    for engine, form in [(e, f) for e in args.engine or [None] for f in args.paste_form or ["as-written"]]:
        results = []
        played = scenarios if form == "as-written" else in_form(scenarios, form)
        with _engine(engine):
            for result in run_all(played, args.url):
                results.append(result)
                if not args.quiet:
                    reasons = "; ".join(result.reasons)
                    print(f"PASS {result.scenario_id}" if result.passed
                          else f"FAIL {result.scenario_id}: {reasons}", flush=True)
                    if args.show and not result.passed:
                        print(json.dumps(result.extra, indent=1)[:6000], flush=True)
        label = engine or os.environ.get("DEBUG_ENGINE") or "default"
        print(summary(label if form == "as-written" else f"{label} ({form})", results), flush=True)
        passed += sum(r.passed for r in results)
        failed += sum(not r.passed for r in results)
    print(f"{passed} passed, {failed} failed")
    return 0 if (args.report_only or failed == 0) and passed + failed > 0 else 1


def summary(engine: str, results: list[Result]) -> str:
    """One line of figures for an engine's run."""
    if not results:
        return f"engine {engine}: no scenarios"
    count = len(results)
    passed = sum(r.passed for r in results)
    tokens = [r.tokens for r in results if r.tokens is not None]
    per_case = f"{statistics.mean(tokens):.0f}" if tokens else "-"
    return (f"engine {engine}: {passed}/{count} passed ({100 * passed / count:.0f}%), "
            f"confidently wrong {sum(r.confidently_wrong for r in results)}, "
            f"steps {statistics.mean(r.steps for r in results):.1f} per case, "
            f"requests {sum(r.requests for r in results)}, Azure calls {sum(r.azure_calls for r in results)}, "
            f"duplicate calls {sum(r.duplicate_calls for r in results)}, "
            f"p50 {statistics.median(r.seconds for r in results):.2f} s, tokens per case {per_case}")


@contextmanager
def _engine(name: str | None) -> Iterator[None]:
    """DEBUG_ENGINE for the devhosts started inside (they inherit the environment)."""
    before = os.environ.get("DEBUG_ENGINE")
    if name:
        os.environ["DEBUG_ENGINE"] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DEBUG_ENGINE", None)
        else:
            os.environ["DEBUG_ENGINE"] = before


if __name__ == "__main__":
    sys.exit(main())
