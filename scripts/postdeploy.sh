#!/bin/sh
# azd's postdeploy hook (azure.yaml): check the new deployment from outside with scripts/smoke_deployment.py.
# azd passes its environment's values (the Bicep outputs) as variables. Keys travel in the environment, not
# on a command line. Never fails the deployment (azure.yaml: continueOnError); says what to run by hand.
set -u
if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI is not installed; check the deployment by hand (docs/deploying.md)"
  exit 0
fi
app="${AZURE_FUNCTION_APP_NAME:?}"
group="${AZURE_RESOURCE_GROUP:?}"
if ! AZDEBUG_KEY="$(az functionapp keys list -g "$group" -n "$app" --query functionKeys.default -o tsv)"; then
  echo "postdeploy: could not read the app's function key (az login?); check the deployment by hand (docs/deploying.md)"
  exit 1
fi
AZDEBUG_MCP_KEY="$(az functionapp keys list -g "$group" -n "$app" --query systemKeys.mcp_extension -o tsv 2>/dev/null)"
export AZDEBUG_KEY AZDEBUG_MCP_KEY
python3 "$(dirname "$0")/smoke_deployment.py" "${SERVICE_API_URI:?}"
