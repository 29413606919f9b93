"""Round 40 L1: the deciding line of a long pasted log (probe and retry lines are no cause, the failing pull's line
names the image), and the deciding facts such logs carry beside it (the registry the build pushed to, the listed folder
nearest a missing path, the sibling app a publish meant, local.settings.json behind a setting that works locally, the
empty identity behind a literal Key Vault reference, the outbound address a plan move changed)."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.listed_paths import nearest_folder
from shared.engines.log_lines import cause_text, failing_lines
from shared.engines.pushed_elsewhere import pushed_elsewhere
from shared.engines.wrong_target import wrong_target
from tests.helpers.engine_loop import run_engine


def _start(text: str, **environment: str) -> dict[str, Any]:
    return {"error_description": text, "context": {"environment_info": environment}}


def _report(text: str, **environment: str) -> Any:
    outcome = run_engine(_start(text, **environment))
    assert outcome.envelope()["status"] == "done", outcome.envelope()
    return outcome.final.report  # type: ignore[union-attr]


# --- a probe's line is no pull error ---------------------------------------------------------------------------

_IMAGE = "crshop01.azurecr.io/web/front:2.0.0"
PULL_EVENTS = (
    "pods never start on the new cluster:\n"
    '  Warning  Unhealthy  5m  kubelet  Readiness probe failed: Get "http://10.244.2.9:8080/ready": dial tcp '
    "10.244.2.9:8080: connect: connection refused\n"
    f'  Warning  Failed     4m  kubelet  Failed to pull image "{_IMAGE}": failed to pull and unpack image "{_IMAGE}": '
    f'failed to resolve reference "{_IMAGE}": failed to authorize: failed to fetch anonymous token: unexpected status '
    "from GET request to https://crshop01.azurecr.io/oauth2/token?scope=repository%3Aweb%2Ffront%3Apull"
    "&service=crshop01.azurecr.io: 401 Unauthorized\n"
    "  Warning  Failed     4m  kubelet  Error: ErrImagePull\n")


def test_cause_text_drops_probe_retry_and_exit_code_lines() -> None:
    text = ("Readiness probe failed: connect: connection refused\nRetrying (Retry(total=2)) after connection broken\n"
            "real error: 401 Unauthorized\n##[error]Process completed with exit code 1.")
    assert cause_text(text) == "real error: 401 Unauthorized"
    assert cause_text("dial tcp 20.1.2.3:443: i/o timeout") == "dial tcp 20.1.2.3:443: i/o timeout"


def test_a_readiness_probe_refusal_does_not_make_a_401_pull_a_network_block() -> None:
    report = _report(PULL_EVENTS)
    assert report.category == "container.image_pull_failed" and "AcrPull" in report.root_cause


def test_a_pull_that_really_cannot_connect_still_reads_as_unreachable() -> None:
    text = ('Warning Failed 4m kubelet Failed to pull image "crshop01.azurecr.io/web/front:2.0.0": rpc error: '
            'failed to do request: Head "https://crshop01.azurecr.io/v2/web/front/manifests/2.0.0": dial tcp '
            '20.61.99.1:443: i/o timeout')
    assert _report(text).category == "network.nsg_blocked"


def test_the_failing_pull_line_names_the_image_not_the_first_mention() -> None:
    texts = ["docker push crone.azurecr.io/a/b:1\nFailed to pull image \"crtwo.azurecr.io/a/b:1\": not found"]
    assert failing_lines(texts, re.compile("Failed to pull")) == [
        'Failed to pull image "crtwo.azurecr.io/a/b:1": not found']


# --- pushed to one registry, pulled from another ----------------------------------------------------------------

_PULLED = "crappprd.azurecr.io/shop/api:4.1.0"
PUSH_THEN_PULL = (
    "Run docker push crappdev.azurecr.io/shop/api:4.1.0\n"
    "The push refers to repository [crappdev.azurecr.io/shop/api]\n"
    "4.1.0: digest: sha256:aa size: 1789\n"
    f"Run az containerapp update -n ca-api -g rg-shop --image {_PULLED}\n"
    f'{{"Type":"Warning","Msg":"Failed to pull image \'{_PULLED}\', error: rpc error: code = NotFound desc = failed '
    f'to pull and unpack image \\"{_PULLED}\\": failed to resolve reference \\"{_PULLED}\\": {_PULLED}: not found"}}\n')


def test_a_missing_image_names_the_registry_the_log_pushed_it_to() -> None:
    assert pushed_elsewhere([PUSH_THEN_PULL]) == (_PULLED, "crappdev.azurecr.io/shop/api:4.1.0")
    report = _report(PUSH_THEN_PULL)
    assert report.category == "container.image_pull_failed"
    assert "crappdev.azurecr.io" in report.root_cause and "crappprd.azurecr.io/shop/api:4.1.0" in report.root_cause


def test_another_tag_pushed_elsewhere_is_not_the_missing_image() -> None:
    other_tag = PUSH_THEN_PULL.replace("crappdev.azurecr.io/shop/api:4.1.0", "crappdev.azurecr.io/shop/api:4.0.9")
    assert pushed_elsewhere([other_tag]) is None
    assert pushed_elsewhere([PUSH_THEN_PULL.replace("crappdev", "crappprd")]) is None  # the same registry


# --- the listed folder nearest a missing path -------------------------------------------------------------------

MISSING_PATH = (
    "Copy failed: ErrorCode=UserErrorFileNotFound, The required Blob is missing. ContainerName: "
    "https://stlake01.blob.core.windows.net/raw, path: raw/events/2026/11/30/.\n"
    '$ az storage blob list --account-name stlake01 -c raw --prefix events/ --query "[].name" -o tsv\n'
    "events/day=2026-11-29/a.json\n"
    "events/day=2026-11-30/a.json\n")


def test_a_missing_path_names_the_listed_folder_nearest_to_it() -> None:
    found = nearest_folder(MISSING_PATH)
    assert found is not None and found[0] == "events/2026/11/30" and found[1] == "events/day=2026-11-30"


def test_a_listing_that_holds_the_path_says_nothing() -> None:
    assert nearest_folder(MISSING_PATH.replace("events/day=2026-11-30/a.json", "events/2026/11/30/a.json")) is None
    assert nearest_folder(MISSING_PATH.split("$ az storage")[0]) is None  # no listing


# --- a publish to the wrong app ----------------------------------------------------------------------------------

PUBLISH = """$ func azure functionapp publish fa-billing-web
Getting site publishing info...
Your Azure Function App has 'FUNCTIONS_WORKER_RUNTIME' set to 'node' while your local project is set to 'python'.
You can pass --force to update your Azure app with 'python' as a 'FUNCTIONS_WORKER_RUNTIME'
$ az functionapp list -g rg-billing --query "[].{name:name, runtime:siteConfig.linuxFxVersion}" -o table
Name            Runtime
fa-billing-web  Node|20
fa-billing-etl  Python|3.11
"""


def test_a_refused_publish_with_a_sibling_of_the_local_runtime_is_the_wrong_app() -> None:
    assert wrong_target(PUBLISH) is not None
    report = _report(PUBLISH)
    assert report.category == "config.wrong_resource_name" and "fa-billing-etl" in report.root_cause


def test_without_a_sibling_of_the_local_runtime_it_stays_a_runtime_mismatch() -> None:
    alone = PUBLISH.replace("fa-billing-etl  Python|3.11", "fa-billing-etl  Java|17")
    assert wrong_target(alone) is None
    assert _report(alone).category == "functions.host_misconfigured"


# --- local.settings.json behind a setting that works locally ------------------------------------------------------

SETTING = ("Published the app, the queue function never fires; works fine with func start.\n"
           "[Error] Error indexing method 'Functions.Ingest'. Storage account connection string 'IngestStorage' "
           "does not exist. Make sure that it is a defined App Setting.")


def test_a_setting_that_works_under_func_start_names_local_settings_json() -> None:
    report = _report(SETTING, service="Azure Functions")
    assert report.category == "config.missing_app_setting" and "local.settings.json" in report.root_cause


def test_without_working_locally_local_settings_json_is_not_named() -> None:
    report = _report(SETTING.replace("; works fine with func start", ""), service="Azure Functions")
    assert report.category == "config.missing_app_setting" and "local.settings.json" not in report.root_cause


# --- symptom clues ------------------------------------------------------------------------------------------------

LITERAL = ("the app crashes at start: TypeError: Invalid URL, input: '@Microsoft.KeyVault(VaultName=kv-a01;"
           "SecretName=db-url)'\n$ az webapp identity show -g rg-a -n app-a01\n(empty output)\n")


def test_a_literal_reference_with_an_empty_identity_is_a_missing_identity() -> None:
    report = _report(LITERAL, service="App Service")
    assert report.category == "auth.managed_identity_missing" and "managed identity" in report.root_cause


def test_a_literal_reference_with_an_identity_shown_is_not_decided_so() -> None:
    shown = LITERAL.replace("(empty output)", '{\n  "principalId": "5f0c2b1a-0000-4000-8000-000000000001",\n'
                            '  "type": "SystemAssigned"\n}')
    outcome = run_engine(_start(shown, service="App Service"))
    final = outcome.envelope()
    assert final["status"] == "request" or final["report"]["category"] != "auth.managed_identity_missing"


SQL = ("since we moved the api to a new P2v3 plan every query fails: Cannot open server 'sql-a' requested by the "
       "login. Client with IP address '20.50.1.2' is not allowed to access the server. (40615)")


def test_a_firewall_refusal_after_a_plan_move_names_the_changed_outbound_address() -> None:
    report = _report(SQL, service="App Service")
    assert report.category == "network.nsg_blocked" and "outbound" in report.root_cause


def test_a_firewall_refusal_without_a_move_keeps_the_firewall_reading() -> None:
    report = _report(SQL.replace("since we moved the api to a new P2v3 plan ", ""), service="App Service")
    assert report.category == "network.nsg_blocked" and "moved to another App Service plan" not in report.root_cause
