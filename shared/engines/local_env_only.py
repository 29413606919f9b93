"""A name or endpoint the deployed app gets wrong because its values exist only in the local .env file.

An app deployed to App Service or Functions (`az webapp up`, a zip deploy, the log stream of the site) reads its
configuration from the app's application settings; a `.env` file next to the code is the local configuration only
(usually excluded from the deployment, and never the app's settings). When the report says the values are in that
file and nothing says they were set on the app, a "deployment / resource not found" answer from the service the code
calls means the code sent its default or empty value: the settings are missing in Azure, not misspelled. azd's own
environment file (`.azure/<env>/.env`) is provisioned into the app's settings, so it does not count.

Source: MicrosoftDocs/azure-docs articles/app-service/configure-common.md (app settings are passed to the app as
environment variables) and articles/app-service/configure-language-python.md (a .env file is a local convention)."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_CATEGORIES = frozenset({"config.wrong_resource_name", "config.invalid_connection_string"})
# the writer says where the values live: "I added the variables in .env", "My .env next to app.py:" (never a
# comparison such as "the same value works in the local .env")
_LOCAL_ENV = re.compile(r"(?i)\b(?:added|put|set|have|keep|kept|stored?|defined|wrote)\b[^.\n]{0,60}"
                        r"\bin (?:my |the |our )?(?:local )?\.env\b(?!\.\w)|"
                        r"\b(?:my|our|the) (?:local )?\.env(?: file)?(?: next to [\w./-]+)?\s*(?:has|holds|contains|:)")
_AZD_ENV = re.compile(r"(?i)\.azure[/\\][\w.-]+[/\\]\.env|\bazd\b")
_DEPLOYED = re.compile(r"(?i)\baz (?:webapp|functionapp) (?:up|deploy)\b|\bfunc azure functionapp publish\b|"
                       r"\bdeployed (?:it |the (?:code|app|sample) )?(?:in)?to (?:an? )?(?:Azure )?"
                       r"(?:App Service|web ?app|function app)|\blog ?stream\b")
# the writer says the values are on the app too: then the .env file is not why they are missing
_SET_ON_APP = re.compile(
    r"(?i)(?:app(?:lication)? settings?|environment variables?|Configuration blade)[^.\n]{0,60}\b(?:are|is|were|was) "
    r"(?:(?:all|also) )?(?:set|there|present|configured)\b|"
    r"\b(?:set|added|configured|put) (?:them|it|these|those|the (?:same )?values)(?: also)? (?:in|as|under) (?:the )?"
    r"(?:app(?:lication)? settings|Configuration|environment variables)")
_VARIABLE = re.compile(r"(?m)^\s*(?:export\s+)?([A-Z][A-Z0-9_]{2,})\s*=")


def with_local_env_only(state: SessionState, decision: Decision) -> Decision:
    """A name or endpoint conclusion for a deployed app whose values the report keeps only in a local .env file."""
    if not isinstance(decision, Conclude) or decision.report.confidence == "high" \
            or decision.report.category not in _CATEGORIES:
        return decision
    text = state.material.spoken_text()
    if not (_LOCAL_ENV.search(text) and _DEPLOYED.search(text)) or _AZD_ENV.search(text) or _SET_ON_APP.search(text):
        return decision
    names = list(dict.fromkeys(_VARIABLE.findall(text)))[:6]
    listed = f" ({', '.join(names)})" if names else ""
    decision.report.category = "config.missing_app_setting"
    decision.report.confidence = "medium"
    decision.report.root_cause = (
        f"The values the code reads{listed} are only in the local .env file. The deployed app reads its "
        "configuration from the app's application settings (the .env file is the local configuration, usually not "
        "deployed and never the app's settings), and nothing shows them set there, so in Azure the code sends its "
        "default or empty value and the service answers that the name does not exist. " + decision.report.root_cause)
    decision.report.actions = [
        "Create each value of the .env file as an application setting of the app (az webapp config appsettings set "
        "--name <app> --resource-group <resource-group> --settings NAME=value; secrets as Key Vault references), "
        "then restart the app.", *decision.report.actions]
    return decision
