#!/usr/bin/env bash
# Sets up (first time) and runs the service locally with devhost at http://localhost:7071.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m devhost "$@"
