"""`GET /api/openapi.json`: the API description, with the URL it was requested at as its server."""

from __future__ import annotations

from urllib.parse import urlsplit

import azure.functions as func

from shared.openapi.document import document_json


def serve_document(req: func.HttpRequest) -> func.HttpResponse:
    """The cached document; its `servers` entry is this request's scheme and host, so a client that loads
    it (the Portal, an API client, a code generator) calls the same deployment."""
    parts = urlsplit(req.url)
    base_url = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
    return func.HttpResponse(document_json(base_url), status_code=200, mimetype="application/json",
                             headers={"Cache-Control": "no-cache"})
