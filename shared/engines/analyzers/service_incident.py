"""platform.service_incident: an Azure platform incident or resource health event, not the app's own fault.

Resource health ("Unavailable" with a platform-initiated reason) and Service Health notices (with a
tracking ID) say so outright; words like "platform issue" without them only make it likely. What to
check and do is data (knowledge/platform_incident_markers.yaml)."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "platform_incident_markers"


analyze = table_analyzer(TABLE, files=True)
