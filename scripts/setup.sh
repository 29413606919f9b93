#!/usr/bin/env bash
# Creates .venv and installs the app's and the tools' dependencies (idempotent); installs Azurite (the local
# Azure Storage emulator, for the case memory) from npm into .devhost/azurite when Node is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
if command -v npm >/dev/null 2>&1; then
  [ -x .devhost/azurite/node_modules/.bin/azurite-table ] || \
    npm install --silent --no-audit --no-fund --prefix .devhost/azurite azurite@3 >/dev/null
else
  echo "Node.js (npm) not found: Azurite is not installed, so the case memory is off (health says memory: off)." >&2
fi
