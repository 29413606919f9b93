"""Round 29 (twenty-second session, main): repairs after the full run. An app whose FUNCTIONS_EXTENSION_VERSION is
`beta` follows every new major release; the queue-encoding clue stays away from a host that does not start."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.playbooks import finding
from shared.models import Options
from shared.session.state import Conclude, Evidence, Material, SessionState
from tests.helpers.engine_loop import run_engine

BETA = "FUNCTIONS_EXTENSION_VERSION"


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "answer")])]


def test_an_unpinned_runtime_version_is_read_in_a_settings_table() -> None:
    table = f"  Name                         Value\n  {BETA}  beta\n  FUNCTIONS_WORKER_RUNTIME     dotnet\n"
    assert "functions-extension-version-beta-follows-new-major" in _ids(table)
    assert "functions-extension-version-beta-follows-new-major" in _ids(f'{{"{BETA}": "beta"}}')


def test_a_pinned_major_version_is_not_the_unpinned_case() -> None:
    assert "functions-extension-version-beta-follows-new-major" not in _ids(f"{BETA}=~4\nbeta testers reported it")


def test_a_host_that_does_not_start_is_not_the_queue_encoding_case() -> None:
    start = ("Our C# function app with timer and queue triggers doesn't start any more, the queue trigger does not "
             "fire.\nA host error has occurred during startup operation '3f1c'.")
    clue = clue_in([start])
    assert clue is None or clue["id"] != "functions-queue-trigger-message-encoding", clue
    poison = ("Our queue trigger does not fire; every message lands in orders-poison. The sender uses "
              "Azure.Storage.Queues QueueClient.")
    clue = clue_in([poison])
    assert clue is not None and clue["id"] == "functions-queue-trigger-message-encoding", clue


def test_a_public_access_refusal_without_a_private_path_is_a_network_block() -> None:
    refusal = "Reason: Connection was denied because Deny Public Network Access is set to Yes. Server sql-x."
    assert "sql-public-network-access-denied-no-private-path" in _ids(refusal)
    assert "sql-public-network-access-denied" not in _ids(refusal)
    behind = refusal + " The server has a private endpoint; nslookup from the app returns the public IP."
    assert "sql-public-network-access-denied" in _ids(behind)
    assert "sql-public-network-access-denied-no-private-path" not in _ids(behind)


def test_other_clouds_gke_plugin_and_google_default_credentials() -> None:
    gke = "getting credentials: exec: executable gke-gcloud-auth-plugin not found"
    assert "other-clouds-gke-auth-plugin-missing" in _ids(gke)
    adc = "System.InvalidOperationException: The Application Default Credentials are not available."
    assert "other-clouds-gcp-default-credentials" in _ids(adc)
    aks = "az aks get-credentials --name aks-x; kubelogin not found"
    assert "other-clouds-gke-auth-plugin-missing" not in _ids(aks)


PINGS = ("INFO  - docker run -d --expose=8080 --name app_0 -e PORT=8080 {image}\n"
         "> Ready on http://localhost:{listen}\n"
         "ERROR - Container app_0 didn't respond to HTTP pings on port: 8080, failing site start.")


def test_code_on_a_built_in_image_listening_on_a_fixed_port_is_a_code_defect() -> None:
    fixed = run_engine({"error_description": PINGS.format(image="appsvc/node:20-lts_20241201.1", listen=9001)}).final
    assert isinstance(fixed, Conclude) and fixed.report.category == "runtime.code_defect"
    assert "PORT" in fixed.report.root_cause and "WEBSITES_PORT" not in " ".join(fixed.report.actions)
    # a custom image: WEBSITES_PORT, not the code; listening on the pinged port: no port mismatch at all
    custom = run_engine({"error_description": PINGS.format(image="crshop.azurecr.io/shop:1.4", listen=9001)}).final
    assert isinstance(custom, Conclude) and custom.report.category == "config.missing_app_setting"
    same = run_engine({"error_description": PINGS.format(image="appsvc/node:20-lts_20241201.1", listen=8080)}).final
    assert not isinstance(same, Conclude) or "listens on port" not in same.report.root_cause


def _with_containers(report: str, names: list[str]) -> SessionState:
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    data = {"type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stckpt/blobServices"
                  "/default/containers", "containers": [{"name": n} for n in names]}
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="containers", data=data))
    return state


def test_a_missing_blob_container_names_the_containers_the_account_has() -> None:
    report = "Event processor error in operation 'ClaimOwnership': ErrorCode: ContainerNotFound"
    rule, facts = finding(_with_containers(report, ["eh-checkpoints", "scan-archive"])) or ({}, {})
    assert rule.get("id") == "storage-blob-container-not-found"
    assert facts["existing"] == "eh-checkpoints, scan-archive" and facts["account"] == "stckpt"
    # the container the error names exists after all: no finding of this kind
    there = "https://stckpt.blob.core.windows.net/eh-checkpoints?comp=lease ErrorCode: ContainerNotFound"
    found = finding(_with_containers(there, ["eh-checkpoints"]))
    assert found is None or found[0].get("id") != "storage-blob-container-not-found"


def _with_group(report: str, names: list[str]) -> SessionState:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    resources = [{"name": n, "type": "Microsoft.ServiceBus/namespaces"} for n in names]
    state.add_evidence(Evidence(tool="list_resources_in_group", status="success", summary="listing",
                                data={"resources": resources}))
    return state


def test_a_missing_parent_whose_longer_name_is_in_the_group_is_named() -> None:
    report = ('{"code": "ParentResourceNotFound", "message": "Can not perform requested operation on nested resource. '
              "Parent resource 'sb-orders-prod' not found.\"}")
    rule, facts = finding(_with_group(report, ["sb-orders-prod-weu", "kv-orders"])) or ({}, {})
    assert rule.get("id") == "deployment-parent-misnamed-in-group" and facts["actual"] == "sb-orders-prod-weu"
    # the parent is there (a scope or ordering problem), or two candidates: no guess
    for names in (["sb-orders-prod", "sb-orders-prod-weu"], ["sb-orders-prod-weu", "sb-orders-prod-neu"]):
        found = finding(_with_group(report, names))
        assert found is None or found[0].get("id") != "deployment-parent-misnamed-in-group"


def test_a_container_app_secret_the_vault_refused_is_not_read_as_an_empty_secret() -> None:
    refused = ("ERROR: (ContainerAppSecretInvalid) Failed to provision revision for container app 'ca-x'. Field "
               "'configuration.secrets' is invalid with details: 'Invalid value: \"db\": Unable to get value using "
               "Managed identity id-x for secret db. RESPONSE 403: 403 Forbidden'")
    assert "containers-aca-secret-invalid" not in _ids(refused)
    assert "containers-containerapp-keyvault-secret-identity" in _ids(refused)
    empty = "ERROR: (ContainerAppSecretInvalid) value or keyVaultUrl and identity should be provided for secret db"
    assert "containers-aca-secret-invalid" in _ids(empty)


def test_minikube_named_only_as_what_was_not_used_places_nothing_outside_azure() -> None:
    from shared.engines.analyzers.common import regex, table
    host = next(h for h in table("outside_hosts") if h["id"] == "local-kubernetes-or-lab-machine")
    said = "After creating the AKS resource group, I used Docker Desktop instead of minikube for the local part."
    assert not regex(host["pattern"]).search(said)
    assert regex(host["pattern"]).search("the pods of our minikube cluster cannot pull from Docker Hub")
