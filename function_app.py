"""The Azure Functions app: creates the Durable app and registers the blueprints. Nothing else."""

import azure.durable_functions as df
import azure.functions as func

from shared.blueprints.api import bp as api_bp
from shared.blueprints.maintenance import bp as maintenance_bp
from shared.blueprints.session import bp as session_bp

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(api_bp)
app.register_functions(session_bp)
app.register_functions(maintenance_bp)
