"""The Azure Functions app: creates the Durable app and registers the blueprints. Nothing else."""

import azure.durable_functions as df
import azure.functions as func

from shared.blueprints.api import bp as api_bp
from shared.blueprints.limits import bp as limits_bp
from shared.blueprints.maintenance import bp as maintenance_bp
from shared.blueprints.mcp import bp as mcp_bp
from shared.blueprints.session import bp as session_bp
from shared.telemetry import configure_telemetry

configure_telemetry()  # exporters from the settings, once per worker process (shared/telemetry/setup.py)

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(api_bp)
app.register_functions(session_bp)
app.register_functions(maintenance_bp)
app.register_functions(limits_bp)
app.register_functions(mcp_bp)
