"""Brief G1 of the thirtieth session: mechanisms for failing cases of earlier blind sets, each with a near miss."""

from __future__ import annotations

from typing import Any

from shared.engines.near_names import near_pair
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, state_with

# --- Dapr: an invocation the caller's sidecar answered names an app that runs without Dapr -------------------------

_CALLER = {"type": "Microsoft.App/containerApps", "name": "ca-orders", "dapr": {"enabled": True, "appId": "orders"}}
_CALLED = {"type": "Microsoft.App/containerApps", "name": "ca-stock", "dapr": {"enabled": False}}


def _reads(*resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [("get_resource", r) for r in resources]


def test_an_invocation_the_caller_sidecar_answered_names_an_app_id_that_does_not_exist() -> None:
    report = ('POST http://localhost:3500/v1.0/invoke/stock/method/reserve -> 500 {"errorCode":"ERR_DIRECT_INVOKE",'
              '"message":"failed to invoke, id: stock, err: failed to resolve address"}')
    state = state_with(report, _reads(_CALLER, _CALLED))
    assert finding_id(state) == "container-app-dapr-invoke-target-without-dapr"
    assert finding_report(state).category == "config.wrong_resource_name"


def test_a_caller_whose_own_sidecar_is_missing_keeps_the_sidecar_finding() -> None:
    report = "dial tcp 127.0.0.1:3500: connect: connection refused (Dapr sidecar not running?)"
    state = state_with(report, _reads({**_CALLER, "dapr": {"enabled": False}}))
    assert finding_id(state) == "container-app-dapr-sidecar-disabled"
    assert finding_report(state).category == "config.missing_app_setting"


# --- a registry closed to public traffic with no private endpoint, pulled by a cluster's nodes ----------------------

_REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "crfleet", "publicNetworkAccess": "Disabled",
             "privateEndpointConnections": 0}


def test_cluster_nodes_pulling_from_a_closed_registry_without_private_endpoint_miss_the_private_endpoint() -> None:
    report = ('kubelet  Failed to pull image "crfleet.azurecr.io/api:2.0": failed to resolve reference: '
              'unexpected status code [manifests 2.0]: 403 Forbidden\nkubelet  Error: ErrImagePull')
    state = state_with(report, _reads(_REGISTRY))
    assert finding_id(state) == "registry-closed-without-private-endpoint-cluster-pull"
    assert finding_report(state).category == "network.private_endpoint_dns"


def test_a_build_agent_outside_azure_is_refused_by_the_registry_firewall_instead() -> None:
    report = "docker push crfleet.azurecr.io/api:2.0 from the self-hosted build agent: denied, 403 Forbidden"
    state = state_with(report, _reads(_REGISTRY))
    assert finding_id(state) == "registry-public-network-access-disabled"
    with_endpoint = state_with(report.replace("docker push", "kubelet ErrImagePull"),
                               _reads({**_REGISTRY, "privateEndpointConnections": 1}))
    assert finding_id(with_endpoint) != "registry-closed-without-private-endpoint-cluster-pull"


# --- names that differ only in their separators; Databricks secret scope keys ---------------------------------------

def test_names_that_differ_only_in_separators_are_one_name() -> None:
    assert near_pair(["sql_password"], ["sql-password", "storage-key"]) == ("sql_password", "sql-password")
    assert near_pair(["adls.client.secret"], ["adls-client-secret"]) == ("adls.client.secret", "adls-client-secret")


def test_names_that_differ_in_digits_stay_two_names() -> None:
    assert near_pair(["queue01"], ["queue-02"]) is None
    assert near_pair(["orders_v1"], ["orders-v2"]) is None


def test_a_databricks_key_the_scope_does_not_list_is_a_wrong_name_with_its_listed_spelling() -> None:
    text = ('dbutils.secrets.get(scope="kv-ops", key="api_token")\nRESOURCE_DOES_NOT_EXIST: Secret does not exist '
            'with scope: kv-ops and key: api_token\ndbutils.secrets.list("kv-ops") shows api-token and db-password.')
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "api-token" in report["root_cause"]


def test_a_databricks_scope_that_cannot_reach_its_vault_is_not_a_wrong_key() -> None:
    text = "Databricks could not access keyvault: https://kv-ops.vault.azure.net/ (the vault uses RBAC)"
    assert best_entry_id(text) != "integration-databricks-secret-does-not-exist-in-scope"


# --- Functions host storage given only as service URIs --------------------------------------------------------------

_CONSTRUCTOR = ("Could not create BlobServiceClient. Exception: System.InvalidOperationException: Unable to find "
                "matching constructor while trying to create an instance of BlobServiceClient.")


def test_the_host_failing_to_build_its_blob_client_is_a_host_storage_setup() -> None:
    text = _CONSTRUCTOR + "\nHost is unhealthy.\nAzureWebJobsStorage__blobServiceUri = https://stx.blob.core.windows.net"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "functions.host_misconfigured"
    assert "accountName" in report["root_cause"] or "accountName" in " ".join(report["actions"])


def test_the_same_client_error_in_the_apps_own_code_is_not_the_host_entry() -> None:
    own = _CONSTRUCTOR + "\n   at Reports.Exporter.Run() in Program.cs:line 40 (a console tool on my machine)"
    assert best_entry_id(own) != "functions-host-blobserviceclient-no-matching-constructor"


# --- Azure Backup: the Linux agent does not run extensions ----------------------------------------------------------

_BACKUP = ('Backup of vm-app01 (RHEL) fails: "Error Code": "GuestAgentSnapshotTaskStatusError", "Error Message": '
           '"Could not communicate with the VM agent for snapshot status." The agent shows Ready.')


def test_backup_snapshot_status_asks_for_the_agent_configuration_and_its_answer_decides() -> None:
    rules = [{"when_asked_contains": "waagent", "answer": "/etc/waagent.conf:\nExtensions.Enabled=n\nLogs.Verbose=n"}]
    outcome = run_engine({"error_description": _BACKUP}, rules)
    assert len(outcome.requests) == 1
    report = outcome.envelope()["report"]
    assert report["category"] == "config.missing_app_setting" and "Extensions.Enabled" in report["root_cause"]


def test_backup_snapshot_status_with_extensions_enabled_is_not_the_agent_configuration() -> None:
    rules = [{"when_asked_contains": "waagent", "answer": "/etc/waagent.conf:\nExtensions.Enabled=y\nLogs.Verbose=n"}]
    envelope = run_engine({"error_description": _BACKUP}, rules).envelope()
    assert (envelope.get("report") or {}).get("category") != "config.missing_app_setting"


# --- psycopg 3 without a libpq implementation -----------------------------------------------------------------------

def test_psycopg_without_its_binary_package_is_a_missing_dependency() -> None:
    text = ("ImportError: no pq wrapper available.\nAttempts made:\n- couldn't import psycopg 'c' implementation: No "
            "module named 'psycopg_c'\n- couldn't import psycopg 'python' implementation: libpq library not found")
    assert best_entry_id(text) == "python-psycopg3-no-pq-wrapper"
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "runtime.dependency_missing"


def test_a_psycopg_connection_refusal_is_not_the_missing_wrapper() -> None:
    text = 'psycopg.OperationalError: connection failed: FATAL: password authentication failed for user "app"'
    assert best_entry_id(text) != "python-psycopg3-no-pq-wrapper"


# --- the public OpenAI client given the Azure key -------------------------------------------------------------------

_PUBLIC_401 = ("openai.AuthenticationError: Error code: 401 - Incorrect API key provided: ab12****cd34. You can find "
               "your API key at https://platform.openai.com/account/api-keys.\n")


def test_a_public_client_built_beside_an_azure_endpoint_setting_points_at_the_wrong_endpoint() -> None:
    text = (_PUBLIC_401 + "client = OpenAI(api_key=os.environ['AZURE_OPENAI_API_KEY'])\n"
            "AZURE_OPENAI_ENDPOINT=https://aoai-x.openai.azure.com/ is set on the web app.")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string"
    assert "api.openai.com" in report["root_cause"]


def test_an_azure_client_is_not_read_as_the_public_one() -> None:
    text = (_PUBLIC_401 + "client = AzureOpenAI(api_key=key, api_version='2024-10-21')\n"
            "AZURE_OPENAI_ENDPOINT=https://aoai-x.openai.azure.com/ (key copied from Keys and Endpoint)")
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "config.invalid_connection_string"


# --- an AMQP client that hangs without error asks for the port test -------------------------------------------------

_HANGS = ("EventHubClient.fromConnectionString('Endpoint=sb://ns-x.servicebus.windows.net/;SharedAccessKeyName=a;"
          "SharedAccessKey=b').open() - nothing happens, no error, the process waits forever.")


def test_a_hanging_messaging_client_is_asked_for_the_amqp_port_test_and_the_answer_decides() -> None:
    answer = ("Test-NetConnection ns-x.servicebus.windows.net -Port 5671\nTcpTestSucceeded : False\n"
              "Test-NetConnection ns-x.servicebus.windows.net -Port 443\nTcpTestSucceeded : True")
    outcome = run_engine({"error_description": _HANGS}, [{"when_asked_contains": "5671", "answer": answer}])
    assert len(outcome.requests) == 1 and "5671" in outcome.requests[0].request.question
    assert outcome.envelope()["report"]["category"] == "network.nsg_blocked"


def test_a_port_test_that_passes_does_not_decide_a_blocked_port() -> None:
    answer = ("Test-NetConnection ns-x.servicebus.windows.net -Port 5671\nTcpTestSucceeded : True\n"
              "Test-NetConnection ns-x.servicebus.windows.net -Port 443\nTcpTestSucceeded : True")
    envelope = run_engine({"error_description": _HANGS}, [{"when_asked_contains": "5671", "answer": answer}]).envelope()
    report = envelope.get("report") or {}
    assert report.get("category") != "network.nsg_blocked" or report.get("confidence") == "low"


def test_the_python_package_name_alone_is_not_a_listen_only_scaler() -> None:
    text = ("azure-servicebus 7.12 receiver with a listen-only SAS policy on Service Bus never prints the 40 "
            "messages of the queue; no error.")
    envelope = run_engine({"error_description": text}).envelope()
    assert "scaler" not in str((envelope.get("report") or {}).get("root_cause")).lower()
    scaled = text.replace("azure-servicebus 7.12 receiver", "A scale rule of type azure-servicebus")
    assert "scaler" in str(run_engine({"error_description": scaled}).envelope()["report"]["root_cause"]).lower()


# --- the answer's error outranks an undecided context clue ----------------------------------------------------------

_LOCAL = ("Deployed the Flask app to App Service; it works locally against the same Azure PostgreSQL database, but in "
          "Azure every page that reads the database answers 500 Internal Server Error.")


def test_the_error_an_answer_pastes_decides_over_works_locally() -> None:
    answer = ('Log stream: psycopg2.OperationalError: FATAL: no pg_hba.conf entry for host "20.1.2.3", user "app", '
              'database "web", SSL on\nServer firewall rules: AllowMyLaptop 81.2.3.4 only.')
    report = run_engine({"error_description": _LOCAL}, [{"when_asked_contains": "log", "answer": answer}]
                        ).envelope()["report"]
    assert report["category"] == "network.nsg_blocked"


def test_an_answer_that_lists_missing_settings_keeps_works_locally() -> None:
    answer = "App settings in Azure: WEBSITES_PORT only. The code reads DBHOST, DBUSER and DBPASS from .env."
    report = run_engine({"error_description": _LOCAL}, [{"when_asked_contains": "log", "answer": answer}]
                        ).envelope()["report"]
    assert report["category"] == "config.missing_app_setting"


# --- Event Grid: a 200 that comes after 30 seconds ------------------------------------------------------------------

_DUPLICATES = ("Our Event Grid subscription delivers most events two or three times (Delivery Failed in its metrics) "
               "but the webhook only ever returns 200, no errors in our logs.")


def test_a_webhook_answering_after_30_seconds_is_a_timeout() -> None:
    answer = "Request durations of the webhook: p50 44 s, p95 61 s, all 200."
    report = run_engine({"error_description": _DUPLICATES}, [{"when_asked_contains": "long", "answer": answer}]
                        ).envelope()["report"]
    assert report["category"] == "runtime.timeout" and report["confidence"] == "medium"


def test_a_fast_webhook_is_not_read_as_the_30_second_timeout() -> None:
    answer = "Request durations of the webhook: p50 4 s, p95 9 s, all 200."
    report = run_engine({"error_description": _DUPLICATES}, [{"when_asked_contains": "long", "answer": answer}]
                        ).envelope()["report"]
    assert report["confidence"] == "low"
