"""Round 39 F2 (the thirty-second session's docs-style development cases docs68-70): how the engine reads and decides.

- another vendor's own words on the failing call: ClickHouse Cloud's 516, Stripe's SDK error classes (and its answer
  shown even when the story also tells of a timeout), the Cloudflare DNS providers of cert-manager and lego;
- catalog entries: IIS's duplicate collection entry, TimeGenerated in Application Insights tables, the MARS agent that
  cannot reach Azure Backup, the Durable Task Scheduler's PermissionDenied, Bicep BCP165's existing ancestor;
- a symptom clue: Azure Managed Redis reached on the ports of Azure Cache for Redis;
- the Azure Pipelines tasks' "Failed to get resource ID ... resource name" completed with the near name listed;
- the missing FUNCTIONS_WORKER_RUNTIME finding stays silent when the report shows a function executing.
Each with a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.listed_in_azure import with_listed_in_azure
from shared.models import Report, StartRequest
from shared.session.material import material_from_start
from shared.session.state import Conclude, Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, client: list[dict[str, Any]] | None = None) -> tuple[str, dict[str, Any], int]:
    outcome = run_engine({"error_description": text}, client)
    env = outcome.envelope()
    return env["status"], env.get("report") or {}, len(outcome.requests)


# ---- vendors' own words -----------------------------------------------------------------------------------------

CLICKHOUSE = ("Loader job on Azure Container Apps fails:\nclickhouse_connect.driver.exceptions.DatabaseError: "
              "HTTPDriver for https://ab12cd.westeurope.azure.clickhouse.cloud:8443 returned response code 516)\n "
              "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there is no user "
              "with such name. (AUTHENTICATION_FAILED)")
STRIPE = ("Our queue-triggered Azure Function retries a charge:\nStripeIdempotencyError: Keys for idempotent "
          "requests can only be used with the same parameters they were first used with.\n  type: "
          "'idempotency_error', statusCode: 400, requestId: 'req_abc123'\nThe first attempt timed out on a lookup, "
          "the retry recomputes the amount.")
CERT_MANAGER = ('cert-manager on AKS: Reason: Error presenting challenge: Cloudflare API Error for GET "/zones?name='
                'example.org"\n Error: 10000: Authentication error')


def test_clickhouse_cloud_authentication_failure_is_clickhouses() -> None:
    status, report, _ = _final(CLICKHOUSE)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "ClickHouse" in report["root_cause"] and "516" in report["root_cause"]


def test_stripe_idempotency_error_is_stripes_despite_a_timeout_told_elsewhere() -> None:
    status, report, _ = _final(STRIPE)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "Stripe" in report["root_cause"] and "Idempotency-Key" in report["root_cause"]


def test_a_stripe_call_that_only_timed_out_is_not_declared_stripes() -> None:
    # near miss: the SDK's connection error with a timeout shows no answer from Stripe: the network path may be Azure's
    status, report, _ = _final("Azure Function calling Stripe:\nStripeConnectionError: Request to Stripe timed out "
                               "after 80000ms (node_modules/stripe/lib/net/NodeHttpClient.js)")
    assert not (status == "fail" and report.get("category") == "out_of_scope")


def test_cert_manager_cloudflare_dns01_refusal_is_cloudflares() -> None:
    status, report, _ = _final(CERT_MANAGER)
    assert status == "fail" and report["category"] == "out_of_scope"
    assert "Cloudflare" in report["root_cause"] and "DNS > Edit" in report["root_cause"]


def test_cloudflare_named_without_its_api_error_is_no_vendor_answer() -> None:
    # near miss: the zone is on Cloudflare, but the failure quoted is AKS's own image pull
    assert not regex(_provider("Cloudflare")["failing"]).search(
        "Our DNS is on Cloudflare. Pod shows ErrImagePull: failed to authorize: 401 Unauthorized from myacr.azurecr.io")


def _provider(name: str) -> dict[str, Any]:
    return next(p for p in table("foreign_providers") if p["provider"] == name)


# ---- catalog entries --------------------------------------------------------------------------------------------

def test_duplicate_mimemap_names_the_remove_fix() -> None:
    text = ("HTTP Error 500.19 - Internal Server Error\nError Code    0x800700b7\nConfig Error  Cannot add duplicate "
            "collection entry of type 'mimeMap' with unique key attribute 'fileExtension' set to '.json'")
    assert best_entry_id(text) == "appservice-iis-500-19-duplicate-collection-entry"
    status, report, _ = _final(text)
    assert status == "done" and report["category"] == "runtime.code_defect"
    assert "remove" in report["root_cause"] and "'.json'" in report["root_cause"]


def test_another_500_19_stays_the_generic_invalid_config() -> None:
    # near miss: a malformed web.config (another 500.19) is not a duplicate entry
    text = ("HTTP Error 500.19 - Internal Server Error\nThe requested page cannot be accessed because the related "
            "configuration data for the page is invalid.\nError Code 0x8007000d\nConfig Error Configuration file is "
            "not well-formed XML")
    assert best_entry_id(text) == "appservice-iis-500-19-invalid-config"


def test_timegenerated_on_an_application_insights_table_names_timestamp() -> None:
    text = ("requests\n| where TimeGenerated > ago(1h)\n'where' operator: Failed to resolve scalar expression "
            "named 'TimeGenerated'")
    assert best_entry_id(text) == "integration-app-insights-classic-table-timegenerated"
    status, report, _ = _final(text)
    assert status == "done" and "timestamp" in report["root_cause"]


def test_another_unresolved_column_is_not_the_timegenerated_entry() -> None:
    # near miss: another column the query names (a typo) is the generic semantic error, not this entry
    text = ("AppRequests | where ResultCod == 500\n'where' operator: Failed to resolve scalar expression named "
            "'ResultCod'")
    assert best_entry_id(text) != "integration-app-insights-classic-table-timegenerated"


MARS = ("Error: Azure Backup Agent was unable to connect to the Azure Backup service. Check your network settings and "
        "make sure that you are able to connect to the Internet. (ID: 100050)")


def test_mars_agent_unreachable_asks_about_the_proxy_then_concludes() -> None:
    answer = "Yes, the server only reaches the internet through proxy.corp.local:8080 and the agent has no proxy set."
    status, report, asked = _final(MARS, [{"when_asked_contains": "proxy", "answer": answer}])
    assert asked == 1 and status == "done"
    assert report["category"] == "config.missing_app_setting" and "proxy" in report["root_cause"]
    assert report["confidence"] != "high"


def test_mars_agent_error_alone_does_not_conclude() -> None:
    # near miss: without the answer the text names a symptom (proxy or firewall), so the engine asks first
    outcome = run_engine({"error_description": MARS})
    assert outcome.requests and "proxy" in str(outcome.requests[0]).lower()


DTS = ("Grpc.Core.RpcException: Status(StatusCode=\"PermissionDenied\", Detail=\"The caller is not authorized to "
       "perform 'Microsoft.DurableTask/schedulers/taskHubs/orchestrations/write' on task hub 'claims'.\")")


def test_durable_task_scheduler_permission_denied_is_a_missing_data_role() -> None:
    status, report, _ = _final(DTS)
    assert status == "done" and report["category"] == "auth.rbac_missing"
    assert "Durable Task Data Contributor" in report["root_cause"] and "'claims'" in report["root_cause"]


def test_another_service_caller_not_authorized_is_not_the_scheduler() -> None:
    # near miss: Key Vault's own "Caller is not authorized to perform action on resource" keeps its entry
    assert best_entry_id("Caller is not authorized to perform action on resource. ForbiddenByRbac") != \
        "functions-durable-task-scheduler-permission-denied"


BCP165 = ("main.bicep(48,1) : Error BCP165: A resource's computed scope must match that of the Bicep file for it to be "
          "deployed. This resource's scope is computed from the \"scope\" property value assigned to ancestor resource "
          "\"lake\".\n\nresource lake 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {\n  name: 'stlake'\n"
          "  scope: resourceGroup('rg-data-shared')\n}\nresource ra "
          "'Microsoft.Authorization/roleAssignments@2022-04-01'"
          " = {\n  scope: lake\n  name: guid(lake.id)\n}")


def test_bcp165_names_the_existing_ancestors_group() -> None:
    status, report, _ = _final(BCP165)
    assert status == "done" and report["category"] == "deployment.template_invalid"
    assert "rg-data-shared" in report["root_cause"] and "lake" in report["root_cause"]


def test_an_existing_reference_no_resource_scopes_to_is_not_named() -> None:
    # near miss: the existing resource in another group is only read (no extension resource takes its scope)
    text = BCP165.replace("scope: lake", "scope: resourceGroup()")
    status, report, _ = _final(text)
    assert "rg-data-shared" not in report.get("root_cause", "")


# ---- Azure Managed Redis on the old ports ------------------------------------------------------------------------

AMR = ("redis.exceptions.TimeoutError: Timeout connecting to server\nREDIS_HOST=cache1.westeurope.redis.azure.net "
       "REDIS_PORT=6380 REDIS_SSL=true")


def test_managed_redis_on_port_6380_is_the_wrong_port() -> None:
    status, report, _ = _final(AMR)
    assert status == "done" and report["category"] == "config.invalid_connection_string"
    assert "10000" in report["root_cause"]


def test_cache_for_redis_on_6380_is_not_the_managed_redis_port() -> None:
    # near miss: Azure Cache for Redis (redis.cache.windows.net) does listen on 6380
    status, report, _ = _final(AMR.replace("cache1.westeurope.redis.azure.net", "cache1.redis.cache.windows.net"))
    assert report.get("category") != "config.invalid_connection_string"


# ---- the pipeline task's lookup by name against the group's listing --------------------------------------------

LOOKUP = ("##[error]Error: Failed to get resource ID for resource type 'Microsoft.Web/Sites' and resource name "
          "'app-invoice-web'. Error: Could not find the resource with name app-invoice-web")


def _listed_state(text: str, names: list[str]) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    state.add_evidence(Evidence(tool="list_resources_in_group", status="success", summary="s",
                                arguments={"resource_group": "rg1"},
                                data={"resources": [{"name": n, "type": "Microsoft.Web/sites"} for n in names]}))
    return state


def _not_found() -> Conclude:
    return Conclude(message="m", report=Report(category="config.wrong_resource_name", root_cause="Not found.",
                                               confidence="medium"))


def test_pipeline_lookup_names_the_near_app_listed() -> None:
    decision = with_listed_in_azure(_listed_state(LOOKUP, ["app-invoicing-web", "app-billing-api"]), _not_found())
    assert "app-invoicing-web" in decision.report.root_cause


def test_pipeline_lookup_of_an_app_that_exists_names_nothing() -> None:
    # near miss: the app the task sought is listed (the lookup failed for another reason): nothing is added
    decision = with_listed_in_azure(_listed_state(LOOKUP, ["app-invoice-web", "app-invoicing-web"]), _not_found())
    assert decision.report.root_cause == "Not found."


# ---- a function that executed has a worker runtime --------------------------------------------------------------

def test_worker_runtime_finding_yields_to_a_function_that_executed() -> None:
    finding = next(f for f in table("evidence_findings") if f.get("id") == "function-app-without-worker-runtime")
    assert regex(finding["unless_report"]).search("[Error] Executed 'Functions.StartOrder' (Failed, Id=1)")
    # near miss: a host that says it found no functions is what the missing setting causes
    assert not regex(finding["unless_report"]).search("No job functions found. Try making your job classes public.")


# ---- an SFTP session that reached the account rules its firewall out ---------------------------------------------

def _contradiction(rule_id: str) -> dict[str, Any]:
    return next(c for c in table("contradictions") if c["id"] == rule_id)


def test_sftp_session_that_listed_before_a_refused_upload_rules_the_firewall_out() -> None:
    rule = _contradiction("storage-sftp-session-lists-then-write-denied")
    session = ("Connected to st1.blob.core.windows.net.\nsftp> ls\na.csv\nsftp> put b.csv\n"
               "Uploading b.csv to /in/b.csv\nremote open(\"/in/b.csv\"): Permission denied")
    assert rule["category"] == "network.storage_firewall" and regex(rule["pattern"]).search(session)


def test_sftp_session_that_never_connected_keeps_the_firewall() -> None:
    # near miss: the connection itself was closed (what a firewall does): nothing rules the firewall out
    rule = _contradiction("storage-sftp-session-lists-then-write-denied")
    closed = "$ sftp u@st1.blob.core.windows.net\nConnection closed by 20.1.2.3 port 22"
    assert not regex(rule["pattern"]).search(closed)


# ---- the Table service's OData error body names the storage service refused --------------------------------------

def test_odata_error_body_names_the_table_service() -> None:
    from shared.engines.computed_findings.network import _clients_refused
    body = '403 AuthorizationFailure Content: {"odata.error":{"code":"AuthorizationFailure"}}'
    assert _clients_refused([body]) == {"table"}


def test_an_xml_error_body_names_no_table_service() -> None:
    # near miss: Blob and Queue answer in XML: the body alone names no table call
    from shared.engines.computed_findings.network import _clients_refused
    assert "table" not in _clients_refused(["403 <Error><Code>AuthorizationFailure</Code></Error>"])


# ---- an Event Hubs application group's throttling policy --------------------------------------------------------

def _groups_state(text: str, groups: list[dict[str, Any]]) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="s",
                                arguments={"resource_id": "/subscriptions/s/resourceGroups/g/providers/"
                                           "Microsoft.EventHub/namespaces/n/applicationGroups"},
                                data={"type": "Microsoft.EventHub/namespaces/applicationGroups", "entities": groups}))
    return state


_CAPPED = {"name": "ag-jobs", "isEnabled": True, "clientAppGroupIdentifier": "SASKeyName=jobs",
           "policies": [{"type": "ThrottlingPolicy", "name": "cap", "metricId": "IncomingMessages",
                         "rateLimitThreshold": 500}]}


def test_application_group_cap_explains_the_throttled_client() -> None:
    from shared.engines.computed_findings.messaging import application_group_throttles
    facts = application_group_throttles(_groups_state("EventHubsException(ServiceBusy): the entity is being "
                                                      "throttled", [_CAPPED]))
    assert facts is not None and facts["group"] == "ag-jobs" and facts["threshold"] == "500"


def test_application_group_cap_is_silent_without_throttling() -> None:
    # near miss: the same group on a namespace whose client fails for another reason (unauthorized) explains nothing
    from shared.engines.computed_findings.messaging import application_group_throttles
    assert application_group_throttles(_groups_state("Unauthorized: ExpiredToken", [_CAPPED])) is None
