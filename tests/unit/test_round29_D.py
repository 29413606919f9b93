"""Round 29 D (docs39/docs40/var6-8 development cases): out-of-scope errors of other platforms and of the developer's
own machine (Amazon API Gateway's "Missing Authentication Token", a local Kafka broker not running, a local Node
server's port in use), the create call behind a Cosmos DB 409, gunicorn's SIGKILLed workers as memory, an HTTP
trigger called without its function key, the Data Factory Databricks 3200 in the CLI's JSON, a Hybrid Runbook
Worker's failed connection test, the Azure status page's incident in words, and an AKS workload cut by the
userDefinedRouting firewall. Each fires on its symptom and stays silent for its near miss."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, finding_report, reads_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"


def _hit_ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


AWS_403 = ('$ curl -i https://k3x9abq2d1.execute-api.eu-west-1.amazonaws.com/orders/1\nHTTP/2 403\n'
           'x-amzn-errortype: MissingAuthenticationTokenException\n\n{"message":"Missing Authentication Token"}')
KAFKA_LOCAL = ("WARN org.apache.kafka.clients.NetworkClient : [Consumer clientId=c-1, groupId=g] Connection to node -1 "
               "(localhost/127.0.0.1:9092) could not be established. Broker may not be available.")
NODE_LOCAL = ("`npm run dev` crashes: Error: listen EADDRINUSE: address already in use :::3000\n"
              "    at Object.<anonymous> (/Users/dana/src/web/server.js:41:5)")
NODE_APP_SERVICE = ("2026-12-01T10:00:00 default_docker.log: Error: listen EADDRINUSE: address already in use :::8080"
                    " at /home/site/wwwroot/server.js:12")


@pytest.mark.parametrize(("entry_id", "text"), [
    ("other-clouds-aws-api-gateway-missing-authentication-token", AWS_403),
    ("other-clouds-local-kafka-broker-not-available", KAFKA_LOCAL),
    ("tooling-node-local-port-in-use", NODE_LOCAL),
    ("appservice-node-address-in-use", NODE_APP_SERVICE),
    ("python-gunicorn-worker-sigkill-out-of-memory",
     "[2026-11-18 07:41:12 +0000] [58] [ERROR] Worker (pid:1193) was sent SIGKILL! Perhaps out of memory?"),
])
def test_a_round_29_d_catalog_entry_reads_its_error(entry_id: str, text: str) -> None:
    assert entry_id in _hit_ids(text)


def test_the_out_of_scope_entries_stay_silent_where_azure_is_the_place() -> None:
    # the same words from APIM (no AWS host or header), from an Event Hubs namespace, from an App Service container
    assert "other-clouds-aws-api-gateway-missing-authentication-token" not in _hit_ids(
        'GET https://apim-orders.azure-api.net/orders -> 401 {"message":"Missing Authentication Token"}')
    assert "other-clouds-local-kafka-broker-not-available" not in _hit_ids(
        "Connection to node -1 (evhns-orders.servicebus.windows.net:9093) could not be established. "
        "Broker may not be available.")
    assert "tooling-node-local-port-in-use" not in _hit_ids(NODE_APP_SERVICE)
    assert "appservice-node-address-in-use" not in _hit_ids(NODE_LOCAL)
    assert "tooling-node-local-port-in-use" not in _hit_ids(NODE_LOCAL + "\nIt works locally but not in Azure.")


def test_a_local_only_report_ends_out_of_scope() -> None:
    for text in (AWS_403, KAFKA_LOCAL, NODE_LOCAL):
        final = final_of(text)
        assert isinstance(final, GiveUp) and final.reason == "out_of_scope", text


def test_a_cosmos_conflict_names_the_create_call_the_code_makes() -> None:
    text = ('CosmosException : Response status code does not indicate success: Conflict (409); Substatus: 0; '
            'Reason: (Message: {"Errors":["Entity with the specified id already exists in the system."]})')
    code = "var r = await _products.CreateItemAsync(p, new PartitionKey(p.Category));"
    with_code = run_with_file(text, code)
    assert with_code.report.category == "runtime.code_defect" and "CreateItemAsync" in with_code.report.root_cause
    bare = final_of(text)
    assert isinstance(bare, Conclude) and "create_call" not in bare.report.root_cause
    assert "the code writes with" not in bare.report.root_cause


def run_with_file(text: str, code: str) -> Any:
    from tests.helpers.engine_loop import run_engine
    final = run_engine({"error_description": text, "context": {"source_files": [
        {"path": "src/Writer.cs", "content": code}]}}).final
    assert isinstance(final, Conclude)
    return final


KEYLESS = ("curl -i -X POST https://func-hooks.azurewebsites.net/api/events -d @a.json\nHTTP/1.1 401 Unauthorized\n"
           '[HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequestData req')


def test_an_http_trigger_called_without_its_key_is_the_missing_key() -> None:
    assert concludes(KEYLESS, "auth.credential_invalid")
    assert "function key" in final_of(KEYLESS).report.root_cause  # type: ignore[union-attr]
    clue = "functions-http-trigger-function-key-not-sent"
    with_key = KEYLESS.replace("-d @a.json", "-H \"x-functions-key: abc\" -d @a.json")
    assert (clue_in([with_key]) or {}).get("id") != clue
    anonymous = KEYLESS.replace("AuthorizationLevel.Function", "AuthorizationLevel.Anonymous")
    assert (clue_in([anonymous]) or {}).get("id") != clue


CLI_3200 = ('Pipeline fails on all notebook activities:\n[{"error": {"errorCode": "3200", "failureType": "UserError", '
            '"message": "Error 403.", "target": "nb_enrich"}, "name": "nb_enrich", "status": "Failed"}]')


def test_the_databricks_3200_reads_in_the_cli_activity_run_json() -> None:
    assert concludes(CLI_3200, "auth.credential_invalid")
    copy_only = CLI_3200.replace("all notebook activities", "the copy activity")
    assert (clue_in([copy_only]) or {}).get("id") != "adf-databricks-activity-3200-token-expired"


HRW = ("Jobs on hybrid worker group hwg-linux sit in Queued, then Suspended, since the new outbound firewall.\n"
       "$ curl -sv https://0a1b.jrds.we.azure-automation.net/\n"
       "* Failed to connect to 0a1b.jrds.we.azure-automation.net port 443: Connection timed out")


def test_a_hybrid_worker_whose_connection_test_times_out_is_blocked() -> None:
    assert concludes(HRW, "network.nsg_blocked")
    reached = HRW.replace("* Failed to connect to 0a1b.jrds.we.azure-automation.net port 443: Connection timed out",
                          "< HTTP/1.1 404 Not Found")
    final = final_of(reached)
    assert not (isinstance(final, Conclude) and final.report.confidence == "medium"
                and final.report.category == "network.nsg_blocked")


STATUS = ("Deployment Failed :(\nDeployment Failure Reason: Failed to deploy the Azure Functions.\n"
          "A colleague says the Azure status page has an incident about App Service deployments in West Europe "
          "since 08:20.")


def test_an_incident_on_the_status_page_in_words_is_the_incident() -> None:
    final = final_of(STATUS)
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    assert "App Service deployments in West Europe" in final.report.root_cause
    quiet = STATUS.replace("has an incident about", "shows no incident for")
    after = final_of(quiet)
    assert not (isinstance(after, Conclude) and after.report.category == "platform.service_incident")


def _cluster(outbound: str) -> dict[str, Any]:
    body = {"properties": {"provisioningState": "Succeeded", "powerState": {"code": "Running"},
                           "networkProfile": {"networkPlugin": "azure", "outboundType": outbound}}}
    return {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-research",
            **extracted("Microsoft.ContainerService", "managedClusters", body)}


RESET = ("A new service on the cluster fails every Azure OpenAI call: openai.APIConnectionError: Connection error. "
         "(caused by httpx.ConnectError: [Errno 104] Connection reset by peer)")
EGRESS = "aks-user-defined-routing-workload-egress-cut"


def test_an_aks_workload_cut_behind_the_udr_firewall_names_the_firewall() -> None:
    check_round_finding(reads_state(RESET, [_cluster("userDefinedRouting")]), EGRESS, "network.nsg_blocked",
                        "firewall", commands=("`az ",))
    assert finding_id(reads_state(RESET, [_cluster("loadBalancer")])) != EGRESS
    dns = RESET + " [Errno -2] Name or service not known"
    assert finding_id(reads_state(dns, [_cluster("userDefinedRouting")])) != EGRESS
    assert finding_id(reads_state("The pods restart every hour.", [_cluster("userDefinedRouting")])) != EGRESS


HUBS = f"{SUB}/providers/Microsoft.EventHub/namespaces/evhns-meter/eventhubs"
NOT_FOUND = ("The listener for function 'Functions.Ingest' was unable to start. Azure.Messaging.EventHubs: "
             "The messaging entity 'sb://evhns-meter.servicebus.windows.net/meter-readings' could not be found.")


def _event(operation: str, hub: str, caller: str = "sp-iac", status: str = "Succeeded") -> dict[str, Any]:
    return {"operation": f"Microsoft.EventHub/namespaces/eventhubs/{operation}", "status": status,
            "resource_id": f"{HUBS}/{hub}", "time": "2026-12-04T20:15:40Z", "caller": caller}


def test_a_deleted_entity_names_the_sibling_the_same_caller_wrote_in_its_place() -> None:
    events = [_event("delete", "meter-readings"), _event("write", "meter-readings-raw")]
    report = finding_report(reads_state(NOT_FOUND, [], events=events))
    assert report.category == "config.wrong_resource_name"
    assert "must name 'meter-readings-raw'" in report.root_cause and "{" not in report.root_cause


@pytest.mark.parametrize("sibling", [
    _event("write", "meter-readings-raw", caller="someone@contoso.example"),   # another caller's hub
    _event("write", "meter-readings-raw", status="Failed"),                     # never created
    _event("write", "meter-readings"),                                          # the same hub written again
    {**_event("write", "$Default"), "resource_id": f"{HUBS}/meter-alerts/consumergroups/$Default"},  # elsewhere
])
def test_no_replacement_is_named_without_a_sibling_written_by_the_same_change(sibling: dict[str, Any]) -> None:
    report = finding_report(reads_state(NOT_FOUND, [], events=[_event("delete", "meter-readings"), sibling]))
    assert "was deleted" in report.root_cause and "The same caller wrote" not in report.root_cause
