"""Benchmark: the cost of scanning material with the whole error catalog beside a 60-entry catalog.

    .venv/bin/python bench/bench_catalog_scan.py [--mb 9] [--runs 3]

The material is every scenario's error text and files and the project's own source, repeated to the size asked
(default 9 MB), scanned in chunks the size of a session's material (150,000 characters). The catalog index keeps
codes in a dict and phrases in one Aho-Corasick automaton, so the scan cost should not grow with the number of
entries; a per-entry regular-expression scan (what the signatures did) is printed beside it for the 60 entries,
to show what it would cost. A script, not a test: the figures depend on the machine."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import percentile  # noqa: E402
from shared.catalog.index import CatalogIndex  # noqa: E402
from shared.catalog.loader import all_entries  # noqa: E402

CHUNK = 150_000


def corpus(megabytes: float) -> list[str]:
    parts = [p.read_text(encoding="utf-8", errors="replace")
             for folder in ("tests/scenarios", "shared", "devhost")
             for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".yaml", ".py", ".md")]
    text, size = "\n".join(parts), int(megabytes * 1_000_000)
    material = (text * (size // len(text) + 1))[:size]
    return [material[i:i + CHUNK] for i in range(0, len(material), CHUNK)]


def time_index(index: CatalogIndex, chunks: list[str], runs: int) -> tuple[list[float], int]:
    timings, found = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        found = sum(len(index.hits([(chunk, "error")])) for chunk in chunks)
        timings.append(time.perf_counter() - began)
    return timings, found


def time_regex_per_entry(entries: list, chunks: list[str], runs: int) -> list[float]:
    patterns = [re.compile("|".join([rf"\b{re.escape(c)}\b" for c in e.codes] + [re.escape(p) for p in e.phrases]),
                           re.IGNORECASE) for e in entries]
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        for chunk in chunks:
            for pattern in patterns:
                pattern.search(chunk)
        timings.append(time.perf_counter() - began)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=9.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    chunks = corpus(args.mb)
    entries = list(all_entries())
    small = entries[:: max(1, len(entries) // 60)][:60]
    megabytes = sum(map(len, chunks)) / 1e6
    print(f"material: {megabytes:.1f} MB in {len(chunks)} chunks of {CHUNK:,} characters; {args.runs} runs each")
    print(f"{'catalog':<34}{'entries':>8}{'build s':>9}{'scan s p50':>12}{'MB/s':>8}{'hits':>8}")
    for label, subset in (("60 entries (index)", small), ("full catalog (index)", entries)):
        began = time.perf_counter()
        index = CatalogIndex(subset)
        built = time.perf_counter() - began
        timings, found = time_index(index, chunks, args.runs)
        p50 = percentile(timings, 50)
        print(f"{label:<34}{len(subset):>8}{built:>9.3f}{p50:>12.3f}{megabytes / p50:>8.1f}{found:>8}")
    for label, subset in (("60 entries (one regex per entry)", small),):
        p50 = percentile(time_regex_per_entry(subset, chunks, args.runs), 50)
        print(f"{label:<34}{len(subset):>8}{'':>9}{p50:>12.3f}{megabytes / p50:>8.1f}{'':>8}")
    per_entry = percentile(time_regex_per_entry(small, chunks, 1), 50) / len(small)
    print(f"{'full catalog (one regex per entry)':<34}{len(entries):>8}{'':>9}{per_entry * len(entries):>12.3f}"
          f"{megabytes / (per_entry * len(entries)):>8.1f}{'':>8}   (extrapolated from the 60-entry run)")


if __name__ == "__main__":
    main()
