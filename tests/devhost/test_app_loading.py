"""Loading an app folder like `func start`: local.settings.json, host.json, and a clear failure."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers.devhost_process import run_devhost

APP = '''
import os
import azure.functions as func
import azure.durable_functions as df

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
IMPORT_TIME_VALUE = os.environ.get("FROM_SETTINGS")


@app.route(route="settings")
def settings(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"{IMPORT_TIME_VALUE}|{os.environ.get('ALREADY_SET')}")


@app.route(route="environment")
def environment(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(os.environ.get("AZURE_FUNCTIONS_ENVIRONMENT", ""))


@app.route(route="start")
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new("noop")
    return func.HttpResponse(client.create_http_management_payload(instance_id)["statusQueryGetUri"])


@app.orchestration_trigger(context_name="context")
def noop(context):
    return "done"
'''


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("app")
    (folder / "function_app.py").write_text(APP)
    (folder / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {
        "http": {"routePrefix": ""}, "durableTask": {"hubName": "LoadingHub"}}}))
    (folder / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FROM_SETTINGS": "from-file", "ALREADY_SET": "from-file"}}))
    return folder


def test_settings_host_json_and_client_urls(app_dir: Path) -> None:
    with run_devhost(app_dir, env={"ALREADY_SET": "from-env"}) as url:
        assert httpx.get(f"{url}/settings").text == "from-file|from-env"  # the environment wins
        assert httpx.get(f"{url}/api/settings").status_code == 404  # empty route prefix
        status_url = httpx.get(f"{url}/start").text
        assert status_url.startswith(f"{url}/runtime/webhooks/durabletask/instances/")
        assert "taskHub=LoadingHub" in status_url


def test_the_app_runs_in_the_development_environment_unless_told_otherwise(app_dir: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # func start sets AZURE_FUNCTIONS_ENVIRONMENT=Development for a local run; Azure sets Production
    monkeypatch.delenv("AZURE_FUNCTIONS_ENVIRONMENT", raising=False)
    with run_devhost(app_dir) as url:
        assert httpx.get(f"{url}/environment").text == "Development"
    with run_devhost(app_dir, env={"AZURE_FUNCTIONS_ENVIRONMENT": "Staging"}) as url:
        assert httpx.get(f"{url}/environment").text == "Staging"


def test_a_folder_without_an_app_fails_to_start_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no function_app.py"), run_devhost(tmp_path):
        pass
