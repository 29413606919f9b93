"""Benchmark: our redaction engine beside detect-secrets and a one-pass regex floor, on one corpus.

    .venv/bin/python bench/bench_secret_scanners.py [--mb 10] [--every-kb 20]

The corpus is the clean code corpus (tests/unit/redaction_corpus/clean) repeated to the size asked,
with generated canary secrets (tests/helpers/canaries.py, 23 forms) inserted at known places. For each
scanner it prints recall (canary secrets found), precision (findings that are canary secrets) and
throughput. A script, not a test: the figures depend on the machine.

Matching: our engine and the floor report spans; a canary is found when a span covers at least half of
its secret value. detect-secrets reports a line and the value it saw; a canary is found when a value
reported on one of its lines shares 8 or more characters with its secret."""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.security.redaction import find_secrets  # noqa: E402
from tests.helpers.canaries import Canary, canaries  # noqa: E402

CLEAN = ROOT / "tests" / "unit" / "redaction_corpus" / "clean"
# The floor: one compiled alternation of generic secret shapes, one pass; what a quick script would do.
FLOOR = re.compile(
    r"(?i)(?:password|pwd|secret|token|key|sig)\s*[=:]\s*['\"]?([^\s'\";,&]{8,})"
    r"|(eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*)"
    r"|(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----)"
    r"|\b((?:ghp|gho|github_pat|sk|xox[bp])[-_][\w-]{16,})"
    r"|\b(AKIA[0-9A-Z]{16})")


@dataclass
class Planted:
    canary: Canary
    start: int  # where its secret value starts in the text
    lines: range


@dataclass
class Score:
    name: str
    found: int
    findings: int
    true_findings: int
    seconds: float


def build(megabytes: float, every_kb: int, seed: int = 7) -> tuple[str, list[Planted]]:
    clean = [p.read_text(encoding="utf-8") for p in sorted(CLEAN.iterdir()) if p.is_file()]
    rng = random.Random(seed)
    pool = canaries(per_form=40, seed=seed)
    parts: list[str] = []
    planted: list[Planted] = []
    size = line = since = 0
    while size < megabytes * 1_000_000:
        chunk = rng.choice(clean)
        if since >= every_kb * 1000 and pool:
            canary = pool.pop(rng.randrange(len(pool)))
            chunk = f"\n{canary.text}\n"
            offset = size + chunk.index(canary.secret)
            first = line + 2  # the chunk starts with a newline; line numbers count from 1
            planted.append(Planted(canary, offset, range(first, first + canary.text.count("\n") + 1)))
            since = 0
        parts.append(chunk)
        size += len(chunk)
        since += len(chunk)
        line += chunk.count("\n")
    return "".join(parts), planted


def _covered(spans: list[tuple[int, int]], planted: list[Planted]) -> tuple[int, int]:
    """Canaries found, and findings that belong to a canary."""
    found = true_findings = 0
    hits = set()
    for start, end in spans:
        for index, item in enumerate(planted):
            s_start, s_end = item.start, item.start + len(item.canary.secret)
            if min(end, s_end) - max(start, s_start) >= (s_end - s_start) / 2:
                hits.add(index)
                true_findings += 1
                break
    found = len(hits)
    return found, true_findings


def score_ours(text: str, planted: list[Planted]) -> Score:
    began = time.perf_counter()
    spans = [(m.start, m.end) for m in find_secrets(text)]
    seconds = time.perf_counter() - began
    found, true = _covered(spans, planted)
    return Score("this service (shared/security/redaction.py)", found, len(spans), true, seconds)


def score_floor(text: str, planted: list[Planted]) -> Score:
    began = time.perf_counter()
    spans = [m.span(m.lastindex or 0) for m in FLOOR.finditer(text)]
    seconds = time.perf_counter() - began
    found, true = _covered(spans, planted)
    return Score("one-pass regex floor", found, len(spans), true, seconds)


def score_detect_secrets(text: str, planted: list[Planted]) -> Score:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    collection = SecretsCollection()
    began = time.perf_counter()
    with default_settings():
        collection.scan_file(handle.name)
    seconds = time.perf_counter() - began
    Path(handle.name).unlink()
    reported = [(s.line_number, s.secret_value or "") for _, s in collection]
    by_line: dict[int, list[int]] = {}
    for index, item in enumerate(planted):
        for number in item.lines:
            by_line.setdefault(number, []).append(index)
    hits, true = set(), 0
    for number, value in reported:
        owners = [i for i in by_line.get(number, []) if _shares(value, planted[i].canary.secret)]
        if owners:
            hits.add(owners[0])
            true += 1
    return Score("detect-secrets 1.5 (all default plugins)", len(hits), len(reported), true, seconds)


def _shares(value: str, secret: str, at_least: int = 8) -> bool:
    if len(value) < at_least:
        return False
    return value in secret or secret in value or any(value[i:i + at_least] in secret
                                                     for i in range(0, len(value) - at_least + 1, at_least))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB")
    parser.add_argument("--every-kb", type=int, default=20, help="one canary per this many KB of code")
    args = parser.parse_args()
    text, planted = build(args.mb, args.every_kb)
    megabytes = len(text.encode()) / 1_000_000
    print(f"corpus: {megabytes:.1f} MB of ordinary code, {len(planted)} canary secrets in "
          f"{len({p.canary.form for p in planted})} forms")
    print(f"{'scanner':<45}{'recall':>8}{'precision':>11}{'MB/s':>9}{'seconds':>9}")
    for score in (score_ours(text, planted), score_floor(text, planted), score_detect_secrets(text, planted)):
        recall = score.found / len(planted)
        precision = score.true_findings / score.findings if score.findings else 0.0
        print(f"{score.name:<45}{recall:>8.1%}{precision:>11.1%}{megabytes / score.seconds:>9.1f}"
              f"{score.seconds:>9.2f}")


if __name__ == "__main__":
    main()
