"""HTTP triggers of the debug API. Adapters only: each calls one handler of shared.http.api (or shared.openapi)."""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

from shared.http import api
from shared.openapi.http import serve_document

bp = df.Blueprint()


@bp.route(route="debug", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def start_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.start_session(req, client)


@bp.route(route="debug/{trace_id}/continue", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def continue_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.continue_session(req, client)


@bp.route(route="debug/{trace_id}/feedback", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def feedback_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.feedback_session(req, client)


@bp.route(route="debug/{trace_id}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def get_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.get_session(req, client)


@bp.route(route="debug/{trace_id}/poll", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def poll_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.poll_session(req, client)


@bp.route(route="debug/{trace_id}", methods=["DELETE"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def delete_debug(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return await api.delete_session(req, client)


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    return api.health(req)


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    return serve_document(req)
