"""Round 42, brief S4 (session 35): the mechanisms added for the list's cases, each shown on a text of its own and
with a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from evals.playback import PlaybackServer
from shared.engines.budget import PLAYBOOK_STEPS, planned_options
from shared.models import Options
from shared.session.state import Material
from shared.tools.catalog import run_tool
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

SUB = "/subscriptions/5b1e2c3d-4f50-4617-8a9b-0c1d2e3f4a5b/resourceGroups/rg-s4"


def _report(start: dict[str, Any], client: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    envelope = run_engine(start, client).envelope()
    return {"status": envelope["status"], **(envelope.get("report") or {})}


# --- the step budget: with Azure access a known code reads the playbook too ------------------------------------------

def test_a_known_code_with_azure_access_gets_the_playbook_budget() -> None:
    known = Material(error_description="Status: 404 (Not Found) ErrorCode: DeploymentNotFound")
    assert planned_options(Options(), known, azure_access=True).max_depth == PLAYBOOK_STEPS
    assert planned_options(Options.model_validate({"max_depth": 3}), known, azure_access=True).max_depth == 3


# --- Resource Health: the status list is read once -------------------------------------------------------------------

def test_resource_health_lists_the_statuses_once_when_the_current_read_has_no_properties(azure: PlaybackServer) -> None:
    rid = f"{SUB}/providers/Microsoft.Cache/redis/redis-s4"
    azure.load([{"match": {"method": "GET", "path": f"{rid}/providers/Microsoft.ResourceHealth/availabilityStatuses"},
                 "status": 200, "body": {"value": [{"id": f"{rid}/providers/Microsoft.ResourceHealth/"
                                                          "availabilityStatuses/current", "name": "current",
                                                    "properties": {"availabilityState": "Degraded"}}]}},
                {"match": {"method": "GET", "path_contains": "/availabilityStatuses/current"}, "status": 200,
                 "body": {"name": "current"}}])
    evidence = run_tool("get_resource_health", {"resource_id": rid}, Material(error_description=f"{rid} is slow."))
    assert evidence.data["availabilityState"] == "Degraded"
    listed = [c for c in azure.calls if c["path"].lower().endswith("/availabilitystatuses")]
    assert len(listed) == 1


# --- an async def that blocks the event loop --------------------------------------------------------------------------

_SLOW = ("fn-rates answers one caller at a time: with 8 parallel requests the log lines come strictly one after "
         "another, 1.5 s apart.")


def _coroutine_code(body: str) -> dict[str, Any]:
    code = ("import time\nimport requests\nimport azure.functions as func\n\n"
            f"async def main(req: func.HttpRequest) -> func.HttpResponse:\n{body}\n"
            "    return func.HttpResponse('ok')\n")
    return {"error_description": _SLOW, "context": {"source_files": [{"path": "rates/__init__.py", "content": code}]}}


def test_a_coroutine_with_a_blocking_call_and_serialized_requests_is_the_event_loop_held() -> None:
    report = _report(_coroutine_code("    requests.post('https://rates.example.org/q', timeout=5)"))
    assert report["category"] == "runtime.code_defect" and "event loop" in report["root_cause"]
    assert "requests.post" in report["root_cause"] and report["confidence"] == "medium"


def test_an_awaited_call_or_a_nested_helper_is_no_blocking_coroutine() -> None:
    awaited = _report(_coroutine_code("    import asyncio\n    await asyncio.sleep(1)"))
    nested = _report(_coroutine_code("    def later():\n        time.sleep(1)\n    return later"))
    for report in (awaited, nested):
        assert "event loop" not in str(report.get("root_cause"))


def test_a_blocking_coroutine_without_the_serialized_symptom_is_not_concluded() -> None:
    start = _coroutine_code("    time.sleep(2)")
    start["error_description"] = "fn-rates returns 500 for some callers since this morning."
    assert "event loop" not in str(_report(start).get("root_cause"))


def test_a_blocking_coroutine_in_a_system_said_to_run_outside_azure_stays_out_of_scope() -> None:
    start = _coroutine_code("    time.sleep(2)")
    start["error_description"] = ("Nothing of this runs in Azure: it is our own server room. " + _SLOW)
    report = _report(start)
    assert report["status"] == "fail" and report["category"] == "out_of_scope"


# --- Key Vault 401 without a token, when the credential gave none -----------------------------------------------------

def test_a_credential_that_gave_no_token_before_the_missing_bearer_401_is_the_credential() -> None:
    text = ("token = await cred.getToken('https://vault.azure.net/.default') returns null\n"
            "RestError: Request is missing a Bearer or PoP token. statusCode: 401")
    assert best_entry_id(text) == "keyvault-missing-bearer-token-credential-got-no-token"


def test_the_missing_bearer_401_alone_stays_the_challenge_entry() -> None:
    text = "GET https://kv-x.vault.azure.net/secrets/a -> 401 Request is missing a Bearer or PoP token."
    assert best_entry_id(text) == "keyvault-missing-bearer-token"


# --- a binding extension's startup missing from the published extensions.json ----------------------------------------

_BIND = ("Error indexing method 'Ledger.Run' Cannot bind parameter 'store' to type IStore. Make sure the parameter "
         "Type is supported by the binding.")


def test_an_extension_binding_that_indexes_locally_but_not_published_is_the_extensions_json() -> None:
    report = _report({"error_description": _BIND + "\nThe binding comes from our IWebJobsStartup extension. "
                                                   "It works locally; after publish to Azure it fails."})
    assert report["category"] == "functions.host_misconfigured" and "extensions.json" in report["root_cause"]


def test_the_same_indexing_error_without_a_local_run_stays_the_signature_reading() -> None:
    report = _report({"error_description": _BIND + "\nThe binding comes from our IWebJobsStartup extension."})
    assert report.get("category") != "functions.host_misconfigured"


# --- a binding entity missing from the client's listing ---------------------------------------------------------------

def _scripthost(listing: str) -> dict[str, Any]:
    answer = ('jobs/function.json:\n{"bindings": [{"type": "queueTrigger", "direction": "in", "name": "m", '
              '"queueName": "invoices-outbox", "connection": "Jobs"}]}\n\n'
              f'$ az storage queue list --account-name stjobs --query "[].name" -o tsv\n{listing}\n')
    report = _report({"error_description": "The portal shows: A ScriptHost error has occurred. No function runs."},
                     [{"when_asked_contains": "function.json", "answer": answer}])
    return report


def test_a_binding_queue_missing_from_the_listing_with_a_near_name_is_its_wrong_name() -> None:
    report = _scripthost("invoice-outbox\ninvoices-archive")
    assert report["category"] == "config.wrong_resource_name"
    assert "invoices-outbox" in report["root_cause"] and "invoice-outbox" in report["root_cause"]


def test_a_binding_queue_that_is_listed_is_no_wrong_name() -> None:
    assert _scripthost("invoices-outbox\ninvoices-archive").get("category") != "config.wrong_resource_name"


# --- a registry lookup that goes on to the public front end outranks the refused pull ---------------------------------

_PULL = ('Failed to pull image "crs4.azurecr.io/app:1": failed to authorize: failed to fetch anonymous token: '
         "unexpected status from GET request to https://crs4.azurecr.io/oauth2/token: 403 Forbidden\n")


def test_a_privatelink_alias_answered_by_the_public_front_end_is_the_name_resolution() -> None:
    lookup = ("crs4.azurecr.io canonical name = crs4.privatelink.azurecr.io.\n"
              "crs4.privatelink.azurecr.io canonical name = neu.fe.azcr.io.\nAddress: 20.50.1.2")
    report = _report({"error_description": _PULL + lookup})
    assert report["category"] == "network.private_endpoint_dns" and "168.63.129.16" in report["root_cause"]


def test_a_lookup_answered_privately_leaves_the_refused_pull() -> None:
    lookup = ("crs4.azurecr.io canonical name = crs4.privatelink.azurecr.io.\n"
              "Name: crs4.privatelink.azurecr.io\nAddress: 10.4.0.7")
    assert _report({"error_description": _PULL + lookup}).get("category") != "network.private_endpoint_dns"
