"""Tests drive the API with the evaluation runner's scenario client."""

from evals.client import Session, follow


def start(http, body):  # type: ignore[no-untyped-def]
    response = http.post("/api/debug", json=body)
    assert response.status_code in (200, 202), response.text
    return response


__all__ = ["Session", "follow", "start"]
