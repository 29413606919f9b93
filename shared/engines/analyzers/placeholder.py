"""config.missing_app_setting (a placeholder): the error quotes a value that is still a sample's placeholder.

Samples ship configuration with values such as ENTER_YOUR_CLIENT_ID or <your-resource-name>; when one reaches the
service, the service answers with its own error about that value (an application not found, a host that does not
resolve). The error's quote of the value decides it; the entries are data (knowledge/config_placeholder_values.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "config_placeholder_values"

analyze = table_analyzer(TABLE)
