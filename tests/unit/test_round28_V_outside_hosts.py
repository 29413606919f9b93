"""Round 28 V, outside hosts (robV, session 22; test_round28_V.py is an earlier round V): a failure on a host
outside Azure is out of scope even when its runtime error is platform-neutral (gunicorn on a Heroku dyno, an image
pull in a local kind cluster, a GitLab runner's Docker engine): outside_hosts.yaml places the runtime by the host's
own log lines and commands. Hosts that print their own words (Vercel, Netlify, Render, Fly.io, Railway, Elastic
Beanstalk, DigitalOcean App Platform, kind, WSL, debugpy, the Docker engine of a build machine) have out-of-scope
catalog entries. The same errors where Azure runs the step (App Service's log stream, an AKS pull from ACR, Container
Apps) stay Azure's; a container log that listens on another port than App Service pings is WEBSITES_PORT."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex, table
from tests.helpers.scope_checks import final_decision as _final
from tests.helpers.scope_checks import out_of_scope as _out_of_scope


def _category(text: str, technologies: list[str] | None = None) -> str | None:
    report = getattr(_final(text, technologies), "report", None)
    return None if report is None else report.category


def _host(host_id: str) -> dict:
    return next(h for h in table("outside_hosts") if h["id"] == host_id)


GUNICORN = ("[2024-05-14 08:11:04 +0000] [2] [INFO] Listening at: http://0.0.0.0:41873 (2)\n"
            "Failed to find attribute 'app' in 'app'.\n[2024-05-14 08:11:04 +0000] [2] [INFO] Reason: App failed to "
            "load.")


def test_gunicorn_on_a_heroku_dyno_is_out_of_scope_and_names_heroku() -> None:
    text = ("The API still runs on Heroku; we move it to App Service next quarter.\n"
            + "\n".join(f"2024-05-14T08:11:04+00:00 app[web.1]: {line}" for line in GUNICORN.splitlines())
            + '\n2024-05-14T08:11:19+00:00 heroku[router]: at=error code=H10 desc="App crashed" method=GET path="/" '
              "host=acme.herokuapp.com status=503")
    assert "heroku" in _out_of_scope(text, ["python", "gunicorn"]).lower()


def test_the_same_gunicorn_error_in_app_services_log_stream_stays_a_code_defect() -> None:
    text = ("Web app on App Service Linux, log stream:\n" + GUNICORN
            + "\nERROR - Container app-x_0_5c1e2a9d didn't respond to HTTP pings on port: 8000, failing site start.")
    assert _category(text, ["app-service", "python"]) not in (None, "out_of_scope")


KIND_PULL = ('Warning  Failed  9s  kubelet  Failed to pull image "orders-api:0.3.1": rpc error: code = Unknown desc = '
             'failed to pull and unpack image "docker.io/library/orders-api:0.3.1": failed to resolve reference '
             '"docker.io/library/orders-api:0.3.1": pull access denied, repository does not exist or may require '
             "authorization: server message: insufficient_scope: authorization failed\n"
             "Warning  Failed  9s  kubelet  Error: ErrImagePull")


def test_an_image_pull_in_a_local_kind_cluster_is_out_of_scope_and_names_kind() -> None:
    text = "Created the cluster with `kind create cluster --name dev` and built the image locally.\n" + KIND_PULL
    assert "kind" in _out_of_scope(text, ["kubernetes"]).lower()


def test_a_pull_from_acr_on_aks_after_a_minikube_test_stays_an_image_pull() -> None:
    text = ("Tested it in minikube first, then rolled it out to AKS aks-claims-prod:\n"
            'Warning  Failed  14s  kubelet  Failed to pull image "crclaims.azurecr.io/claims/api:3.2.0": rpc error: '
            'code = NotFound desc = failed to pull and unpack image "crclaims.azurecr.io/claims/api:3.2.0": failed to '
            'resolve reference "crclaims.azurecr.io/claims/api:3.2.0": crclaims.azurecr.io/claims/api:3.2.0: not '
            "found\nWarning  Failed  14s  kubelet  Error: ErrImagePull")
    assert _category(text, ["aks", "container-registry"]) == "container.image_pull_failed"


def test_the_local_cluster_host_steps_aside_for_an_azure_registry_or_aks() -> None:
    host = _host("local-kubernetes-cluster")
    assert regex(host["pattern"]).search("kind load docker-image web:1 --name dev")
    assert regex(host["pattern"]).search("I test it in minikube first")
    assert not regex(host["pattern"]).search("a kind of error we never saw")  # the English word is no cluster
    assert regex(host["unless"]).search('kubelet  Failed to pull image "cr.azurecr.io/a:1": not found')
    assert regex(host["unless"]).search("then rolled it out to AKS")


def test_the_platform_host_needs_the_platforms_own_marks_not_its_name() -> None:
    host = _host("app-platform-outside-azure")
    for said in ("heroku[web.1]: State changed from starting to crashed", "Running with gitlab-runner 16.9.1",
                 "[Pipeline] sh", "$ fly deploy", "ERROR: (gcloud.run.deploy) Revision 'x' is not ready",
                 "START RequestId: 6b2d1f0e-8a3c-4a55-9b4f-2f3c0c9d1e77 Version: $LATEST"):
        assert regex(host["pattern"]).search(said), said
    for prose in ("We migrated from Heroku to App Service last year.", "Our old Jenkins is gone.",
                  "It used to run on Cloud Run."):
        assert not regex(host["pattern"]).search(prose), prose
    assert regex(host["unless"]).search("2024-06-03T09:16:31Z log stream of app-x.azurewebsites.net")


def test_a_gitlab_runner_whose_docker_engine_is_down_is_out_of_scope_not_an_azd_dependency() -> None:
    text = ("Running with gitlab-runner 16.9.1 (782c6ecb)\nPreparing the \"docker\" executor\n"
            "ERROR: Preparation failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
            "docker daemon running? (docker.go:958:0s)\nERROR: Job failed (system failure): Cannot connect to the "
            "Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? (docker.go:958:0s)")
    assert "gitlab" in _out_of_scope(text, ["gitlab", "docker"]).lower()


def test_azd_without_docker_on_the_laptop_keeps_its_own_reading() -> None:
    text = ("azd deploy\nERROR: failed building service 'api': Cannot connect to the Docker daemon at "
            "unix:///var/run/docker.sock. Is the docker daemon running?")
    assert _category(text, ["azd"]) == "runtime.dependency_missing"  # the near miss: no runner's own words


OWN_WORDS = {
    "outside-platform-vercel-build-output": ('Error: No Output Directory named "public" found after the Build '
                                             "completed. You can configure the Output Directory in your Project "
                                             "Settings.", "vercel"),
    "outside-platform-render-port-scan": ("==> Port scan timeout reached, no open ports detected. Bind your service "
                                          "to at least one port.", "render"),
    "outside-platform-fly-proxy-refused": ("proxy[2874365a46e318] lhr [error] instance refused connection. is your "
                                           "app listening on 0.0.0.0:8080? make sure it is not only listening on "
                                           "127.0.0.1", "fly"),
    "outside-platform-railway-nixpacks": ("Nixpacks build failed\n\nNixpacks was unable to generate a build plan for "
                                          "this app.", "nixpacks"),
    "outside-platform-elastic-beanstalk-deployment": ("ERROR Instance deployment failed. For details, see "
                                                      "'eb-engine.log'.", "beanstalk"),
    "outside-platform-debugpy-debuggee": ("F5 in VS Code shows: Timed out waiting for debuggee to spawn", "debug"),
    "outside-platform-docker-socket-permission": ("+ docker build -t shop-web:218 .\npermission denied while trying "
                                                  "to connect to the Docker daemon socket at "
                                                  "unix:///var/run/docker.sock", "docker"),
    "outside-platform-wsl-register-distribution": ("WslRegisterDistribution failed with error: 0x80370102", "wsl"),
    "outside-platform-heroku-router-codes": ('heroku[router]: at=error code=H14 desc="No web processes running" '
                                             'method=GET path="/"', "heroku"),
    "outside-platform-kind-cluster": ('ERROR: failed to create cluster: node(s) already exist for a cluster with the '
                                      'name "kind"', "kind"),
    "outside-platform-docker-image-platform-mismatch": ("The requested image's platform (linux/amd64) does not match "
                                                        "the detected host platform (linux/arm64/v8) and no specific "
                                                        "platform was requested\nexec /usr/local/bin/"
                                                        "docker-entrypoint.sh: exec format error", "arm64"),
}


@pytest.mark.parametrize("entry_id", sorted(OWN_WORDS))
def test_a_hosts_own_error_words_are_out_of_scope_and_named(entry_id: str) -> None:
    text, word = OWN_WORDS[entry_id]
    assert any(h.entry.id == entry_id for h in catalog_index().hits([(text, "error")]))
    assert word in _out_of_scope(text).lower()


def test_an_arm64_image_refused_by_container_apps_stays_an_image_pull() -> None:
    text = ("az containerapp update -n ca-pricing -g rg --image cr.azurecr.io/pricing:2.7.0\nERROR: Failed to "
            "provision revision for container app 'ca-pricing'. Error details: Field "
            "'template.containers.ca-pricing.image' is invalid with details: 'Invalid value: "
            "\"cr.azurecr.io/pricing:2.7.0\": image OS/Arc must be linux/amd64 but found linux/arm64';..")
    assert _category(text, ["container-apps"]) == "container.image_pull_failed"


def test_the_platform_mismatch_entry_steps_aside_where_azure_runs_the_container() -> None:
    entry = next(e for e in catalog_index().entries if e.id == "outside-platform-docker-image-platform-mismatch")
    assert regex(entry.requires).search("docker compose up on my Mac")
    assert not regex(entry.requires).search("log stream of app-x.azurewebsites.net: exec format error")


PINGS = ("2024-02-20T10:17:47Z INFO - [web] Server listening on port 3000\n2024-02-20T10:21:36Z ERROR - Container "
         "app-portal_web_0_15 for site app-portal did not start within expected time limit. Elapsed time = 230.3 "
         "sec\n2024-02-20T10:21:36Z ERROR - Container app-portal_web_0_15 didn't respond to HTTP pings on port: 80, "
         "failing site start.")


def test_a_container_listening_on_another_port_than_pinged_is_websites_port_not_a_slow_start() -> None:
    final = _final(PINGS, ["app-service", "docker-compose"])
    assert final.report.category == "config.missing_app_setting"
    assert "WEBSITES_PORT" in final.report.root_cause + " ".join(final.report.actions)


def test_the_same_port_in_the_listening_line_and_the_pings_is_no_port_mismatch() -> None:
    final = _final(PINGS.replace("port 3000", "port 80"), ["app-service", "docker-compose"])
    assert final.report.category != "config.missing_app_setting"
