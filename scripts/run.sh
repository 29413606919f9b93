#!/usr/bin/env bash
# Sets up (first time) and runs the service locally with devhost at http://localhost:7071, with Azurite (Table
# storage, for the case memory) when it is installed; without it the service runs with the memory off.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
AZURITE=.devhost/azurite/node_modules/.bin/azurite-table
if [ -x "$AZURITE" ]; then
  mkdir -p .devhost/azurite-data
  "$AZURITE" --silent --location .devhost/azurite-data --tablePort 10002 >/dev/null 2>&1 &
  trap 'kill $! 2>/dev/null' EXIT
  export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
else
  echo "Azurite is not installed (no Node.js): the case memory is off." >&2
fi
.venv/bin/python -m devhost "$@"
