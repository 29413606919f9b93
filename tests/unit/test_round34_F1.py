"""Round 34 F1 (real81 / docs53 development cases): catalog forms of errors the engine missed (PyPI file-name reuse,
GitHub Actions' job time limit, Cloud Functions' timeout, a retired Istio add-on revision, AKS node pool naming,
Container Apps environment resources denied by policy, dynamic sessions' 403, Kudu on an old Node, a second Static Web
Apps backend, Oryx without the runtime version, VS Code on unparsable JSON, Logic Apps' OSPlatform type load), a
configured timeout that is no storage failure, the emulator host that owns storage readings only, the Gatekeeper
allowed-images regex read from the policy assignment, a Node v4 main glob outside tsconfig's outDir, and a data role
held by another principal than the caller's re-created system-assigned identity."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.access_evidence import with_role_assignments
from shared.engines.outside_host import outside_host
from shared.engines.signatures import classify
from shared.models import Options, Report
from shared.session.state import Conclude, Evidence, GiveUp, Material, RunTool, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import check_round_finding, finding_id, state_with

# --- catalog forms: each text picks its entry, its near miss does not ---------------------------------------

FORMS = [
    ("ERROR    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/\n File already exists. See "
     "https://pypi.org/help/#file-name-reuse for more information.", "third-party-pypi-upload"),
    ("Error: The job running on runner GitHub Actions 3 has exceeded the maximum execution time of 360 minutes.",
     "other-clouds-github-actions-job-maximum-execution-time"),
    ("nightly_sync  Function execution took 540001 ms, finished with status: 'timeout'",
     "other-clouds-gcp-cloud-functions-execution-timeout"),
    ("Message: Requested change in revisions is not allowed. Reason: Revision asm-1-19 is not supported by the "
     "service mesh add-on..", "containers-aks-istio-revision-not-supported"),
    ("(InvalidParameter) The value of parameter agentPoolProfile.name is invalid. Please see "
     "https://aka.ms/aks-naming-rules for more details.", "containers-aks-agentpool-name-invalid"),
    ("ErrorCode: ManagedEnvResourceDisallowedByPolicy, Message: Fail to create managed environment because creation "
     "of required resources was disallowed by policy", "containers-aca-environment-resources-disallowed-by-policy"),
    ("POST https://eastus.dynamicsessions.io/subscriptions/0/resourceGroups/rg/sessionPools/p/code/execute -> 403 "
     "Forbidden", "containers-aca-dynamic-sessions-forbidden"),
    ("Generating deployment script.\nTypeError: util.promisify is not a function",
     "appservice-kudu-deployment-script-node-too-old"),
    ('"Message": "One Static Web App can not have more than one linked backend."',
     "appservice-static-web-app-second-linked-backend"),
    ("[OryxBuildStep] Running oryx build...\nError: Platform 'nodejs' version '24' is unsupported.",
     "functions-oryx-remote-build-platform-version-unsupported"),
    ("Action: azureFunctions.deploy\nError type: SyntaxError\nError Message: Unexpected token \ufeff in JSON at "
     "position 0", "functions-vscode-deploy-json-unparsable"),
    ("Microsoft.Azure.Workflows.WebJobs.Extensions: Could not load type 'System.Runtime.InteropServices.OSPlatform' "
     "from assembly 'System.Runtime, Version=6.0.0.0'", "apps-logicapps-standard-osplatform-type-load-worker-runtime"),
]

NEAR_MISSES = [
    # a dynamic sessions call that is not refused (404: another cause)
    ("POST https://eastus.dynamicsessions.io/subscriptions/0/resourceGroups/rg/sessionPools/p/code/execute -> 404 "
     "Not Found", "containers-aca-dynamic-sessions-forbidden"),
    # util.promisify in an app's own Node process, no Kudu deployment step
    ("node server.js\nTypeError: util.promisify is not a function\n    at Object.<anonymous> (/app/lib/db.js:4:22)",
     "appservice-kudu-deployment-script-node-too-old"),
    # a browser fetch that got HTML instead of JSON, no VS Code deploy
    ("Uncaught (in promise) SyntaxError: Unexpected token < in JSON at position 0 at fetch('/api/orders')",
     "functions-vscode-deploy-json-unparsable"),
    # the same type load outside Logic Apps
    ("MyTool: Could not load type 'System.Runtime.InteropServices.OSPlatform' from assembly 'System.Runtime'",
     "apps-logicapps-standard-osplatform-type-load-worker-runtime"),
    # Oryx building a supported version
    ("[OryxBuildStep] Running oryx build...\nPlatform 'python' version '3.12' detected.",
     "functions-oryx-remote-build-platform-version-unsupported"),
]


@pytest.mark.parametrize(("text", "entry"), FORMS, ids=[e for _, e in FORMS])
def test_each_form_picks_its_entry(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


@pytest.mark.parametrize(("text", "entry"), NEAR_MISSES, ids=[e for _, e in NEAR_MISSES])
def test_each_near_miss_stays_off_the_entry(text: str, entry: str) -> None:
    assert best_entry_id(text) != entry


def test_a_javascript_json_parse_error_is_no_python_syntax_error() -> None:
    assert best_entry_id("SyntaxError: Unexpected token } in JSON at position 12") != "python-syntax-error"
    assert best_entry_id('  File "app.py", line 3\nSyntaxError: invalid syntax') == "python-syntax-error"


def test_the_mesh_revision_names_the_template_parameter_that_pins_it() -> None:
    report = run_engine({"error_description": (
        "Code: BadRequest\nMessage: Requested change in revisions is not allowed. Reason: Revision asm-1-20 is not "
        "supported by the service mesh add-on..\n\nparam meshRev string = 'asm-1-20'")}).envelope()["report"]
    assert report["category"] == "deployment.template_invalid"
    assert "meshRev" in report["root_cause"] and "asm-1-20" in report["root_cause"]


def test_the_node_pool_name_is_counted() -> None:
    report = run_engine({"error_description": (
        "az aks create -g rg -n aks1 --nodepool-name apps_pool_0001\n(InvalidParameter) The value of parameter "
        "agentPoolProfile.name is invalid. Please see https://aka.ms/aks-naming-rules for more details.")}).envelope()
    assert "'apps_pool_0001' (14 characters)" in report["report"]["root_cause"]


# --- a timeout the client configured is no storage failure ----------------------------------------------------

def test_a_configured_timeout_beside_a_storage_account_is_no_unreachable_account() -> None:
    said = classify(Material(error_description="The job (timeout set to 540s) reads exports from their Azure "
                                               "storage account and loads them elsewhere."))
    assert not any(h.signature.id == "storage-account-unreachable" for h in said)
    failed = classify(Material(error_description="The request timed out after 100 s while calling the storage "
                                                 "account stdata01."))
    assert any(h.signature.id == "storage-account-unreachable" for h in failed)


def test_another_clouds_timeout_is_out_of_scope_even_beside_azure_storage() -> None:
    outcome = run_engine({"error_description": (
        "Our Cloud Function (timeout set to 300s) copies blobs from an Azure storage account to GCS.\n"
        "copy_blobs  Function execution took 300001 ms, finished with status: 'timeout'")})
    assert isinstance(outcome.final, GiveUp) and outcome.final.report.category == "out_of_scope"


# --- the local storage emulator host owns storage readings only -------------------------------------------------

EMULATOR_REPORT = ('local.settings.json: "AzureWebJobsStorage": "UseDevelopmentStorage=true"; it all runs on my '
                   "laptop with func start, nothing is deployed yet.")


def _host_reading(root_cause: str) -> Conclude:
    return Conclude(message="x", report=Report(category="functions.host_misconfigured", root_cause=root_cause,
                                               confidence="medium"))


def test_a_missing_worker_runtime_on_the_emulator_machine_stays_a_host_setting() -> None:
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=False,
                         material=Material(error_description=EMULATOR_REPORT))
    kept = outside_host(state, _host_reading("The host needs the app setting FUNCTIONS_WORKER_RUNTIME=dotnet."))
    assert isinstance(kept, Conclude) and kept.report.category == "functions.host_misconfigured"
    # near miss: the host cannot reach its storage there, which is the emulator's own fault
    moved = outside_host(state, _host_reading("The host cannot reach its storage account at 127.0.0.1:10000."))
    assert isinstance(moved, GiveUp) and moved.report.category == "out_of_scope"


# --- Gatekeeper's allowed-images regex, read from the policy assignment ------------------------------------------

GROUP = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-k8s"
DENIED = ('admission webhook "validation.gatekeeper.sh" denied the request: [azurepolicy-k8sazurev2containerallowed'
          'images-1] Container image {image} for container web has not been allowed.')


def _assignments(regex: str) -> dict[str, Any]:
    return {"id": f"{GROUP}/providers/Microsoft.ContainerService/managedClusters/aks1/providers/"
                  "Microsoft.Authorization/policyAssignments", "type": "Microsoft.Authorization/policyAssignments",
            "assignments": [{"name": "only-release-images", "displayName": "Release images only", "scope": GROUP,
                             "parameters": {"effect": {"value": "deny"},
                                            "allowedContainerImagesRegex": {"value": regex}}}]}


def test_an_image_outside_the_assignments_regex_names_the_assignment_and_the_regex() -> None:
    state = state_with(DENIED.format(image="acrci.azurecr.io/web:1.2"),
                       [("get_resource", _assignments(r"^acrrelease\.azurecr\.io/.+$"))])
    check_round_finding(state, "aks-image-outside-allowed-images-regex", "deployment.policy_denied", "acrrelease",
                        commands=("`az ",))


def test_an_image_the_regex_admits_is_not_that_assignments_refusal() -> None:
    state = state_with(DENIED.format(image="acrrelease.azurecr.io/web:1.2"),
                       [("get_resource", _assignments(r"^acrrelease\.azurecr\.io/.+$"))])
    assert finding_id(state) != "aks-image-outside-allowed-images-regex"


# --- a Node.js v4 main glob outside tsconfig's outDir -----------------------------------------------------------

NO_FUNCTIONS = ("[Warning] No job functions found.\npackage.json: \"main\": \"{main}\"\n"
                "tsconfig.json: {{ \"compilerOptions\": {{ \"outDir\": \"{out}\" }} }}")


def test_a_main_glob_outside_the_out_dir_is_the_wrong_path() -> None:
    report = run_engine({"error_description": NO_FUNCTIONS.format(main="lib/functions/*.js", out="./dist")}
                        ).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "lib/functions/*.js" in report["root_cause"] and "./dist" in report["root_cause"]


def test_a_main_glob_inside_the_out_dir_is_not() -> None:
    report = run_engine({"error_description": NO_FUNCTIONS.format(main="dist/src/functions/*.js", out="dist")}
                        ).envelope().get("report") or {}
    assert report.get("category") != "config.wrong_resource_name"


# --- a data role held by another principal than the caller's system-assigned identity ----------------------------

RG = "/subscriptions/8f2c6a40-d3b9-4e17-a5f8-0c4e7b1d9a62/resourceGroups/rg-web"
REGISTRY = f"{RG}/providers/Microsoft.ContainerRegistry/registries/acrweb"
CURRENT = "7a9c1e3f-5b2d-4d60-8f4a-c6e8a0b2d419"
OLD = "1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b"


def _app(name: str, principal: str) -> dict[str, Any]:
    return {"id": f"{RG}/providers/Microsoft.App/containerApps/{name}", "name": name,
            "type": "Microsoft.App/containerApps", "identity": {"type": "SystemAssigned", "principalId": principal}}


def _pull_refused(*apps: dict[str, Any]) -> tuple[SessionState, Conclude]:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="ca-web: acrweb.azurecr.io UNAUTHORIZED. Last week the "
                                                             "system identity was turned off and on again."))
    for resource in [*apps, {"id": REGISTRY, "name": "acrweb", "type": "Microsoft.ContainerRegistry/registries"}]:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=resource["name"], data=resource))
    cause = "Container Apps could not pull from registry acrweb: UNAUTHORIZED."
    return state, Conclude(message=cause, report=Report(category="container.image_pull_failed", root_cause=cause,
                                                        confidence="medium"))


def _answered(state: SessionState, decision: Conclude, everyone: list[dict[str, Any]]) -> Conclude:
    mine = with_role_assignments(state, decision)
    assert isinstance(mine, RunTool) and mine.arguments == {"scope": REGISTRY, "principal_id": CURRENT}
    state.add_evidence(Evidence(tool="list_role_assignments", status="no_data", summary="none",
                                arguments=mine.arguments, data={"assignments": [], "count": 0}))
    all_of_them = with_role_assignments(state, decision)
    assert isinstance(all_of_them, RunTool) and all_of_them.arguments["scope"] == REGISTRY
    assert all_of_them.arguments.get("principal_id") is None  # every principal's assignments
    state.add_evidence(Evidence(tool="list_role_assignments", status="success", summary="all",
                                arguments=all_of_them.arguments, data={"assignments": everyone, "count": 1}))
    final = with_role_assignments(state, decision)
    assert isinstance(final, Conclude)
    return final


def _acr_pull(principal: str) -> dict[str, Any]:
    return {"role": "AcrPull", "scope": REGISTRY, "relation": "at", "principal_type": "ServicePrincipal",
            "principal_id": principal}


def test_acrpull_held_by_an_unknown_principal_is_a_role_missing_for_the_current_identity() -> None:
    state, decision = _pull_refused(_app("ca-web", CURRENT))
    final = _answered(state, decision, [_acr_pull(OLD)])
    assert final.report.category == "auth.rbac_missing"
    assert OLD in final.report.root_cause and CURRENT in final.report.root_cause
    assert "principal" in final.report.root_cause and CURRENT in final.report.actions[0]


def test_acrpull_held_by_another_app_the_session_read_changes_nothing() -> None:
    sibling = "9e1f3a5c-7b2d-4e6f-8a0c-2d4f6b8a0c1e"
    state, decision = _pull_refused(_app("ca-web", CURRENT), _app("ca-jobs", sibling))
    final = _answered(state, decision, [_acr_pull(sibling)])
    assert final.report.category == "container.image_pull_failed"


def test_without_a_recreated_identity_another_principals_acrpull_is_not_read_as_the_old_one() -> None:
    state, decision = _pull_refused(_app("ca-web", CURRENT))
    state.material = Material(error_description="ca-web: acrweb.azurecr.io UNAUTHORIZED. This morning I turned on "
                                                "the system identity and set 'Use managed identity' for the registry.")
    mine = with_role_assignments(state, decision)
    assert isinstance(mine, RunTool) and mine.arguments.get("principal_id") == CURRENT
    state.add_evidence(Evidence(tool="list_role_assignments", status="no_data", summary="none",
                                arguments=mine.arguments, data={"assignments": [], "count": 0}))
    final = with_role_assignments(state, decision)
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"


def test_list_role_assignments_without_a_principal_names_who_holds_each_role(azure: Any) -> None:
    from shared.tools.catalog import run_tool
    sub = "8f2c6a40-d3b9-4e17-a5f8-0c4e7b1d9a62"
    acr_pull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"

    def assignment(principal: str) -> dict[str, Any]:
        return {"properties": {"roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/"
                                                   f"roleDefinitions/{acr_pull}", "principalId": principal,
                               "principalType": "ServicePrincipal", "scope": REGISTRY}}
    azure.load([{"match": {"path": f"{REGISTRY}/providers/Microsoft.Authorization/roleAssignments"},
                 "body": {"value": [assignment(OLD), assignment(CURRENT)]}}])
    material = Material(error_description="test", environment={"azure_subscription": sub})
    everyone = run_tool("list_role_assignments", {"scope": REGISTRY}, material)
    assert [(r["role"], r["principal_id"]) for r in everyone.data["assignments"]] == [("AcrPull", OLD),
                                                                                       ("AcrPull", CURRENT)]
    # with a principal, only that principal's rows, as before (no principal column)
    mine = run_tool("list_role_assignments", {"scope": REGISTRY, "principal_id": CURRENT}, material)
    assert mine.data["assignments"] == [{"role": "AcrPull", "scope": REGISTRY, "relation": "at",
                                         "principal_type": "ServicePrincipal"}]
