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
# A local host serves one developer and the tools they point at it (the contract client playing scenarios, an
# evaluation, an IDE agent): one caller by design, so the per-caller limits are lifted here unless the environment
# sets them (export DEBUG_RATE_PER_MINUTE=30 to try the limits). A deployed app keeps its app settings' limits
# (docs/configuration.md: 30 a minute, burst 10, 10 open sessions).
export DEBUG_RATE_PER_MINUTE="${DEBUG_RATE_PER_MINUTE:-10000}" DEBUG_RATE_BURST="${DEBUG_RATE_BURST:-10000}"
export DEBUG_MAX_OPEN_SESSIONS="${DEBUG_MAX_OPEN_SESSIONS:-10000}"
.venv/bin/python -m devhost "$@"
