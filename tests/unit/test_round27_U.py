"""Round 27, helper U: catalog meanings that named the symptom but not the setting that causes it. A 40607 Windows
login comes from Integrated Security / Trusted_Connection in the connection string; a 40615 for a private client
address comes from a Microsoft.Sql service endpoint on the caller's subnet; a Logic Apps foreach over the trigger
body finds no array when the trigger debatches with Split On. Each root cause now names that cause, and a near miss
(a public address, a non-null foreach) keeps its own verdict."""

from __future__ import annotations

from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine

WINDOWS_LOGIN = ("Microsoft.Data.SqlClient.SqlException (0x80131904): Windows logins are not supported in this version "
                 "of SQL Server.\nError Number:40607,State:1,Class:14")
FIREWALL = ("Microsoft.Data.SqlClient.SqlException (0x80131904): Cannot open server 'sql-app' requested by the login. "
            "Client with IP address '{ip}' is not allowed to access the server.  To enable access, use the Azure "
            "Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this "
            "IP address or IP address range.\nError Number:40615,State:1,Class:14")
FOREACH = ("ExpressionEvaluationFailed. The execution of template action 'For_each_item' failed: the result of the "
           "evaluation of 'foreach' expression '@triggerBody()?['Items']' is of type 'Null'. The result must be a "
           "valid array.")


def _conclusion(text: str) -> Conclude:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude), final
    return final


def test_a_windows_login_names_the_connection_string_keyword() -> None:
    final = _conclusion(WINDOWS_LOGIN)
    assert final.report.category == "config.invalid_connection_string"
    assert "Integrated Security" in final.report.root_cause
    assert any("Trusted_Connection" in action for action in final.report.actions)


def test_a_firewall_refusal_explains_a_private_address_by_the_service_endpoint() -> None:
    final = _conclusion(FIREWALL.format(ip="10.62.4.37"))
    assert final.report.category == "network.nsg_blocked"
    assert "service endpoint" in final.report.root_cause
    # the address is no longer called public: a private one is exactly the case the old wording got wrong
    assert "client public address" not in final.report.root_cause


def test_a_firewall_refusal_of_a_public_address_keeps_the_ip_rule_fix() -> None:
    final = _conclusion(FIREWALL.format(ip="203.0.113.77"))
    assert final.report.category == "network.nsg_blocked"
    assert any("firewall-rule create" in action and "203.0.113.77" in action for action in final.report.actions)


def test_a_null_foreach_names_split_on_of_the_trigger() -> None:
    final = _conclusion(FOREACH)
    assert final.report.category == "runtime.code_defect"
    assert "Split On" in final.report.root_cause
    assert any("Split On" in action for action in final.report.actions)


def test_an_unrelated_template_failure_is_not_blamed_on_split_on() -> None:
    text = ("InvalidTemplate. Unable to process template language expressions in action 'Compose' inputs at line '0' "
            "and column '0': 'The template language function 'int' was invoked with a parameter that is not valid.")
    final = run_engine({"error_description": text}).final
    assert not (isinstance(final, Conclude) and "Split On" in final.report.root_cause)
