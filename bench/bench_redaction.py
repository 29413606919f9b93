"""Benchmark redact_text on ~10 MB of mixed code with a few secrets (a script, not a test).

Usage: .venv/bin/python bench/bench_redaction.py [--mb 10] [--repeat 3]
Prints the size, the best time over the repeats, the throughput in MB/s and how many secrets were
redacted.  The target is well under 2 s for 10 MB.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated text in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best one is reported")
    args = parser.parse_args()

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
