#!/usr/bin/env bash
# Sets up (first time) and runs the whole test suite: unit, orchestrator replay, devhost, end to end.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2   # exit 5: treat as a failure, a suite that runs nothing proves nothing
  exit 1
fi
exit "$rc"
