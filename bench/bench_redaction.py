"""Benchmark redact_text on ~10 MB of mixed code with a few secrets (a script, not a test).

Usage: .venv/bin/python bench/bench_redaction.py [--mb 10] [--repeat 3] [--repetitive]
Prints the size, the best time over the repeats, the throughput in MB/s and how many secrets were
redacted.  The target is well under 2 s for 10 MB.  --repetitive instead times ~100 KB and ~300 KB of one
repeated unit that once made the scans quadratic ("password=" x 30,000), side by side: the 300 KB time
should be about three times the 100 KB one, and well under 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.security.redaction import find_secrets, redact_text  # noqa: E402

CORPUS = ROOT / "tests" / "unit" / "redaction_corpus" / "clean"

SECRETS = (
    "DefaultEndpointsProtocol=https;AccountName=stbench;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo"
    "aWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0g=;EndpointSuffix=core.windows.net",
    'password = "S3cr3t-P@ssw0rd!"',
    "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".c2lnbmF0dXJlMTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A",
    "https://stbench.blob.core.windows.net/c/b.txt?sv=2022-11-02&sp=r&se=2030-01-01T00:00:00Z&sig=AbCdEf"
    "GhIjKlMnOpQrStUvWxYz0123456789%2B%2F%3D",
    # prefixed tokens are assembled so that secret scanners do not flag this file
    "OPENAI_API_KEY=" + "sk-" + "proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "GITHUB_TOKEN=" + "gh" + "p_0123456789abcdefghijABCDEFGHIJklmnop",
)


def build_text(target_bytes: int, seed: int = 1234) -> tuple[str, int]:
    """Concatenate the clean corpus files (shuffled), sprinkle a secret roughly every 200 KB.

    Returns the text and the number of secrets inserted.
    """
    files = sorted(CORPUS.iterdir())
    if not files:
        raise SystemExit(f"no corpus files in {CORPUS}")
    rng = random.Random(seed)
    chunks: list[str] = []
    size = 0
    next_secret = 0
    inserted = 0
    while size < target_bytes:
        path = rng.choice(files)
        chunk = f"\n# ---- {path.name} ----\n" + path.read_text(encoding="utf-8")
        chunks.append(chunk)
        size += len(chunk)
        if size >= next_secret:
            chunks.append("\n" + rng.choice(SECRETS) + "\n")
            inserted += 1
            next_secret += 200_000
    return "".join(chunks), inserted


# units that each took 1-15 s at 200 KB before the scans were made linear
REPETITIVE_UNITS = ("password=", "password:", "x_key=", "AccountKey=", 'password="', "secret set ",
                    "-----BEGIN PRIVATE KEY-----", "name:", "eyJabcdefghijk.", "sk-", "--password ", "://a:")


def time_repetitive(repeat: int) -> None:
    """Best time of redact_text on 100 KB and 300 KB of each repeated unit, and their ratio."""
    print(f"{'unit':<30} {'100 KB':>9} {'300 KB':>9} {'ratio':>6}")
    for unit in REPETITIVE_UNITS:
        best = []
        for size in (100_000, 300_000):
            text = unit * (size // len(unit))
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                redact_text(text)
                runs.append(time.perf_counter() - started)
            best.append(min(runs))
        print(f"{unit!r:<30} {best[0]:>8.3f}s {best[1]:>8.3f}s {best[1] / max(best[0], 1e-9):>6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated text in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best one is reported")
    parser.add_argument("--repetitive", action="store_true", help="time repeated units at 100 and 300 KB instead")
    args = parser.parse_args()
    if args.repetitive:
        time_repetitive(args.repeat)
        return

    text, inserted = build_text(int(args.mb * 1_000_000))
    megabytes = len(text.encode("utf-8", "surrogatepass")) / 1_000_000
    times = []
    redacted = text
    for _ in range(args.repeat):
        started = time.perf_counter()
        redacted = redact_text(text)
        times.append(time.perf_counter() - started)
    best = min(times)
    found = len(find_secrets(text))
    placeholders = redacted.count("[REDACTED:")
    print(f"size: {megabytes:.2f} MB")
    print(f"secrets inserted: {inserted}, found: {found}, placeholders in output: {placeholders}")
    print(f"redact_text: best {best:.3f} s of {args.repeat} ({', '.join(f'{t:.3f}' for t in times)})")
    print(f"throughput: {megabytes / best:.1f} MB/s")


if __name__ == "__main__":
    main()
