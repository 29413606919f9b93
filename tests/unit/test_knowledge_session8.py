"""Facts the eighth session's knowledge adds to conclusions: well-known built-in policies by id, a database role
that grants reads only against a denied write."""

from __future__ import annotations

from tests.helpers.engine_loop import run_engine


def _report(text: str) -> dict:
    return run_engine({"error_description": text}).envelope()["report"]


def test_a_built_in_policy_definition_id_is_named() -> None:
    text = ('{"code":"RequestDisallowedByPolicy","message":"Resource \'tm-orders\' was disallowed by policy. Policy '
            'identifiers: \'[{\\"policyDefinitionId\\":\\"/providers/Microsoft.Authorization/policyDefinitions/'
            'e56962a6-4747-49cd-b67b-bf8b01975c4c\\",\\"policyAssignmentId\\":\\"/subscriptions/2a7f/providers/'
            'Microsoft.Authorization/policyAssignments/CIO\\"}]\'."}')
    cause = _report(text)["root_cause"]
    assert "built-in Allowed locations" in cause and "'CIO'" in cause


def test_a_write_denied_to_a_reader_role_member_names_the_role() -> None:
    text = ("The INSERT permission was denied on the object 'OrderLines', database 'orders', schema 'dbo'.\n"
            "We ran: CREATE USER [app] FROM EXTERNAL PROVIDER; ALTER ROLE db_datareader ADD MEMBER [app];")
    assert "added to db_datareader only" in _report(text)["root_cause"]
    read = text.replace("INSERT", "SELECT")
    assert "added to db_datareader only" not in _report(read)["root_cause"]


def test_a_sender_role_on_a_topic_subscription_is_named_as_below_the_topic() -> None:
    text = ("ServiceBusException: Unauthorized access. 'Send' claim(s) are required to perform this operation. "
            "Resource: 'sb://sb-orders.servicebus.windows.net/order-events'.\nI gave the identity Azure Service Bus "
            "Data Sender on the narrowest scope: the subscription billing of topic order-events.")
    assert "a scope below the topic" in _report(text)["root_cause"]
    namespace = text.replace("on the narrowest scope: the subscription billing of topic order-events",
                             "on the namespace")
    assert "a scope below the topic" not in _report(namespace)["root_cause"]


def test_a_cosmos_firewall_refusal_explains_the_address_it_sees() -> None:
    text = ("Request originated from IP 203.0.113.77 through public internet. This is blocked by your Cosmos DB "
            "account firewall settings. https://cosmos-shop.documents.azure.com")
    assert "egress address" in _report(text)["root_cause"]


def test_a_setting_the_client_tried_does_not_rule_the_firewall_out() -> None:
    text = ("Logic app 'Get blob content (V2)' against storage account stinvoices fails with 403 since the account was "
            "set to \"Enabled from selected virtual networks and IP addresses\": This request is not authorized to "
            "perform this operation. With \"Enabled from all networks\" it works.")
    report = _report(text)
    assert report["category"] == "network.storage_firewall"
    assert "same region as the storage account" in report["root_cause"]


def test_a_report_that_says_the_function_runs_out_of_memory_concludes_so() -> None:
    text = ("Executed 'Functions.Connector' (Failed, Duration=84034ms) on large days. Support confirmed the function "
            "is running out of memory. Plan: Dynamic / Y1.")
    assert _report(text)["category"] == "runtime.out_of_memory"
