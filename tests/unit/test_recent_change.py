"""The report names the recent change behind a concluded cause (knowledge/change_kinds.yaml,
shared/engines/recent_change.py): the newest successful change of a fitting kind on a resource the report names."""

from __future__ import annotations

from typing import Any

from shared.engines.recent_change import fitting_change, with_recent_change
from shared.models import ClientRequest, Options, Report
from shared.session.state import AskClient, Conclude, Evidence, Material, SessionState

GROUP = "/subscriptions/1c3e5a7b-9d2f-4b68-a0c4-f2a4c6e8b035/resourceGroups/rg-dns"
CNAME_DELETED = {"time": "2025-11-20T12:03:27Z", "operation": "Microsoft.Network/dnszones/CNAME/delete",
                 "status": "Succeeded", "caller": "b.keller@contoso.example",
                 "resource_id": f"{GROUP}/providers/Microsoft.Network/dnszones/tailspin.example/CNAME/api"}
SITE_RESTARTED = {"time": "2025-11-20T13:00:00Z", "operation": "Microsoft.Web/sites/restart/action",
                  "status": "Succeeded", "caller": "ops@contoso.example",
                  "resource_id": f"{GROUP}/providers/Microsoft.Web/sites/app-travel"}


def state_with(text: str, events: list[dict[str, Any]]) -> SessionState:
    state = SessionState(trace_id="c" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=text))
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary=f"{len(events)} operations",
                                data={"events": events}))
    return state


def concluded(category: str, root_cause: str = "The host name does not resolve.") -> Conclude:
    return Conclude(message=root_cause, report=Report(category=category, root_cause=root_cause, confidence="medium"))


def test_a_deleted_record_of_the_failing_name_is_cited_with_who_and_when():
    state = state_with("curl: (6) Could not resolve host: api.tailspin.example", [SITE_RESTARTED, CNAME_DELETED])
    decision = with_recent_change(state, concluded("network.dns_resolution"))
    assert isinstance(decision, Conclude)
    assert "dnszones/tailspin.example/CNAME/api" in decision.report.root_cause
    assert "b.keller@contoso.example" in decision.report.root_cause
    assert decision.report.evidence[-1].source == "list_activity_log"
    assert decision.report.confidence == "medium"  # a change is cited, never a reason for more confidence


def test_a_change_of_another_kind_or_on_an_unnamed_resource_or_that_failed_is_not_cited():
    text = "curl: (6) Could not resolve host: api.tailspin.example"
    assert fitting_change("network.dns_resolution", [SITE_RESTARTED], text.replace(".", "")) is None
    assert fitting_change("runtime.out_of_memory", [CNAME_DELETED], "tailspinexample") is None
    assert fitting_change("network.dns_resolution", [CNAME_DELETED], "somethingelse") is None
    failed = {**CNAME_DELETED, "status": "Failed"}
    assert fitting_change("network.dns_resolution", [failed], "tailspinexample") is None


def test_a_name_is_matched_across_separators_and_the_newest_fitting_change_wins():
    rule = {"time": "2025-11-20T11:15:00Z",
            "operation": "Microsoft.Network/dnsForwardingRulesets/forwardingRules/delete", "status": "Succeeded",
            "caller": "net@contoso.example",
            "resource_id": f"{GROUP}/providers/Microsoft.Network/dnsForwardingRulesets/dnsfrs-a/forwardingRules/"
                           "corp-northwind"}
    older = {**rule, "time": "2025-11-19T09:00:00Z", "operation": "Microsoft.Network/virtualNetworks/write",
             "resource_id": f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-corp-northwind"}
    state = state_with("Failed to resolve 'erp.corp.northwind.example'", [rule, older])
    decision = with_recent_change(state, concluded("network.dns_resolution"))
    assert "forwardingRules/corp-northwind" in decision.report.root_cause


def test_the_subscription_and_group_names_do_not_tie_a_change_to_the_report():
    lock = {"time": "2025-11-20T10:00:00Z", "operation": "Microsoft.Authorization/locks/write", "status": "Succeeded",
            "caller": "x@contoso.example", "resource_id": f"{GROUP}/providers/Microsoft.Authorization/locks/nodelete"}
    state = state_with("ScopeLocked in rg-dns, subscription 1c3e5a7b-9d2f-4b68-a0c4-f2a4c6e8b035", [lock])
    decision = with_recent_change(state, concluded("deployment.resource_locked", "A lock blocks the delete."))
    assert "activity log" not in decision.report.root_cause  # the lock's own name is not in the report
    state = state_with("The scope is locked by 'nodelete'", [lock])
    decision = with_recent_change(state, concluded("deployment.resource_locked", "A lock blocks the delete."))
    assert "locks/nodelete" in decision.report.root_cause


def test_a_question_or_a_session_without_an_activity_log_read_is_left_as_it_is():
    question = AskClient(request=ClientRequest(question="Paste the output of nslookup", why="decides the DNS"))
    assert with_recent_change(state_with("api.tailspin.example", [CNAME_DELETED]), question) is question
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="api.tailspin.example does not resolve"))
    decision = with_recent_change(state, concluded("network.dns_resolution"))
    assert "activity log" not in decision.report.root_cause and not decision.report.evidence


def test_a_change_to_the_named_app_s_plan_is_cited_with_the_sku_the_plan_has_now():
    plan = f"{GROUP}/providers/Microsoft.Web/serverfarms/asp-quotes"
    scaled = {"time": "2025-06-14T18:02:51Z", "operation": "Microsoft.Web/serverfarms/write", "status": "Succeeded",
              "caller": "finops-bot@contoso.example", "resource_id": plan}
    state = state_with("app-quotes-api returns 502, OutOfMemoryException in the logs", [scaled])
    decision = with_recent_change(state, concluded("runtime.out_of_memory", "The process ran out of memory."))
    assert "activity log" not in decision.report.root_cause  # nothing ties the plan to the app yet
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="site",
                                data={"id": f"{GROUP}/providers/Microsoft.Web/sites/app-quotes-api",
                                      "name": "app-quotes-api", "serverFarmId": plan}))
    state.add_evidence(Evidence(tool="list_resources_in_group", status="success", summary="2 resources",
                                data={"resources": [{"id": plan, "name": "asp-quotes",
                                                     "sku": {"name": "B1", "tier": "Basic", "capacity": 1}}]}))
    decision = with_recent_change(state, concluded("runtime.out_of_memory", "The process ran out of memory."))
    assert "serverfarms/asp-quotes (now sku B1 Basic 1)" in decision.report.root_cause
    assert "finops-bot@contoso.example" in decision.report.root_cause
