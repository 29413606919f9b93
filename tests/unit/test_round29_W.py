"""Round 29 W (robW variants): a Python web server on the developer's machine that cannot bind its port, the
Python sibling of the Node.js EADDRINUSE entry, is out of scope; the same words from App Service stay Azure's."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index

ENTRY = "tooling-python-local-port-in-use"

LOCAL = {
    "uvicorn": ("I run the FastAPI app locally first and uvicorn exits:\nERROR:    [Errno 98] error while "
                "attempting to bind on address ('127.0.0.1', 8000): address already in use"),
    "windows": ("python manage.py runserver on my laptop: Error: [WinError 10048] Only one usage of each socket "
                "address (protocol/network address/port) is normally permitted"),
    "macos": "Flask dev server on my mac, /Users/ana/src/shop/app.py: OSError: [Errno 48] Address already in use",
}


@pytest.mark.parametrize("name", list(LOCAL))
def test_a_local_python_server_port_clash_is_out_of_scope(name: str) -> None:
    hits = catalog_index().hits([(LOCAL[name], "error")])
    assert hits and hits[0].entry.id == ENTRY, [h.entry.id for h in hits[:3]]


def test_the_same_words_in_an_app_service_log_are_not_called_local() -> None:
    text = ("Log stream of app-shop.azurewebsites.net: [ERROR] Connection in use: ('0.0.0.0', 8000)\n"
            "OSError: [Errno 98] Address already in use, /home/site/wwwroot/startup.sh")
    assert all(h.entry.id != ENTRY for h in catalog_index().hits([(text, "error")]))


def test_no_local_marker_means_no_local_verdict() -> None:
    text = "Container ca-api keeps restarting: OSError: [Errno 98] Address already in use"
    assert all(h.entry.id != ENTRY for h in catalog_index().hits([(text, "error")]))


AOAI = ("openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': 'The API "
        "deployment for this resource does not exist.'}}\n")


def _deployment_facts(text: str) -> dict[str, str]:
    hits = catalog_index().hits([(text, "error")], [text])
    hit = next(h for h in hits if h.entry.id == "openai-deployment-not-found")
    return hit.facts


def test_a_deployment_row_told_in_prose_names_the_deployment() -> None:
    facts = _deployment_facts(AOAI + 'In Foundry > Deployments I have one row: name "helpdesk-4o", model gpt-4o-mini.')
    assert facts.get("named") == "helpdesk-4o"


def test_a_model_name_or_a_code_assignment_is_not_taken_for_the_deployment() -> None:
    assert "named" not in _deployment_facts(AOAI + 'The deployment uses model name "gpt-4o-mini".')
    assert "named" not in _deployment_facts(AOAI + 'options.DeploymentName = "gpt-35-turbo";')


HUB = ("ERROR: failed to solve: node:20-alpine: 429 Too Many Requests - Server message: toomanyrequests: You have "
       "reached your pull rate limit. You may increase the limit by authenticating and upgrading\n")


def test_a_docker_hub_limit_on_a_build_box_stays_out_of_scope_when_acr_is_only_the_push_target() -> None:
    hits = catalog_index().hits([(HUB + "docker build on our on-prem server before pushing to ACR. Is ACR limiting us?",
                                  "error")])
    assert hits and hits[0].entry.id == "third-party-docker-hub-rate-limit", [h.entry.id for h in hits[:3]]


def test_a_pull_made_by_acr_tasks_or_aks_is_not_called_outside_azure() -> None:
    for where in ("az acr build -r crshop . fails:", "AKS pods in ImagePullBackOff:"):
        hits = catalog_index().hits([(where + "\n" + HUB, "error")])
        assert all(h.entry.id != "third-party-docker-hub-rate-limit" for h in hits)
