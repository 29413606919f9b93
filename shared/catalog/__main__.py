"""python -m shared.catalog check: validate every catalog file and print counts per file, service and category."""

from __future__ import annotations

import sys
from collections import Counter

from shared.catalog.loader import entries_by_file


def main(argv: list[str]) -> int:
    if argv[:1] != ["check"]:
        print(__doc__)
        return 2
    by_file = entries_by_file()
    every = [e for found in by_file.values() for e in found]
    for name, found in sorted(by_file.items()):
        print(f"{name}: {len(found)}")
    for label, counter in (("service", Counter(e.service for e in every)),
                           ("category", Counter(e.category for e in every))):
        print(f"\nper {label}:")
        for key, count in counter.most_common():
            print(f"  {count:5d}  {key}")
    print(f"\n{len(every)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
