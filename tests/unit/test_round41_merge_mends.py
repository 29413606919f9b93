"""Mends of the thirty-fourth session's full run (four earlier passes lost to this session's new clues):
- the trigger-sync clue (a function runs only after the portal is opened) stays silent on a Dedicated plan, where
  the idle host is Always On's;
- an Event Grid subscription created from cmd.exe with an unquoted '&' in the webhook URL stays the shell's cut,
  neither the function-key clue nor the webhook-not-found entry;
- a Flex Consumption app that cannot be deleted is not the unregistered Microsoft.App provider."""

from __future__ import annotations

from typing import Any

from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


def _said(envelope: dict[str, Any]) -> str:
    report = envelope.get("report") or {}
    request = envelope.get("request") or {}
    return f"{report.get('root_cause') or ''} {request.get('question') or ''}"


PORTAL_VISIT = ("Our timer function app only runs when I open it in the portal, then the timer fires and the overnight "
                "runs are missing. {plan}")


def test_the_portal_visit_on_consumption_is_the_trigger_sync() -> None:
    said = _said(_envelope(PORTAL_VISIT.format(plan="It is on the Consumption plan, deployed by a pipeline.")))
    assert "sync" in said.lower()


def test_the_portal_visit_on_a_dedicated_plan_is_not_the_trigger_sync() -> None:
    said = _said(_envelope(PORTAL_VISIT.format(plan="The app runs on an S1 App Service plan; Always On is off.")))
    assert "triggers are not synced" not in said and "sync the function triggers" not in said


CMD_EVENTGRID = "\n".join([
    "C:\\> az eventgrid event-subscription create --name new-orders --source-resource-id "
    "/subscriptions/<sub>/resourceGroups/rg-shop/providers/Microsoft.EventGrid/topics/egt-shop --endpoint-type webhook "
    "--endpoint https://func-shop.azurewebsites.net/api/NewOrder?code=<redacted>&functionName=NewOrder",
    "(Url validation) Webhook validation handshake failed for https://func-shop.azurewebsites.net/api/NewOrder. "
    "Http OPTIONS request failed with response code NotFound.",
    "'functionName' is not recognized as an internal or external command,",
    "operable program or batch file.",
    "It returned 401 Unauthorized yesterday from the Logic App too."])


def test_an_unquoted_ampersand_in_cmd_is_the_shell_cutting_the_url() -> None:
    report = _envelope(CMD_EVENTGRID).get("report") or {}
    assert report.get("category") == "config.invalid_connection_string" and "'&'" in report["root_cause"]


def test_a_handshake_404_without_the_shell_complaint_stays_the_endpoint() -> None:
    text = "\n".join(line for line in CMD_EVENTGRID.splitlines() if "not recognized" not in line
                     and "batch file" not in line)
    report = _envelope(text).get("report") or {}
    assert "'&'" not in (report.get("root_cause") or "")


def test_a_flex_app_that_cannot_be_deleted_is_not_the_unregistered_provider() -> None:
    said = _said(_envelope(
        "I cannot delete our Flex Consumption function app with VNet integration (subnet delegated to "
        "Microsoft.App/environments). Failed to delete app 'func-sbx': An error has occurred. Since then "
        "az functionapp show returns (InternalServerError) An error has occurred. This is a new sandbox subscription."))
    assert "Microsoft.App resource provider" not in said


def test_a_flex_deployment_failing_in_a_new_subscription_asks_for_the_provider() -> None:
    said = _said(_envelope(
        "Deploying our Flex Consumption function app with VNet integration (subnet delegated to "
        "Microsoft.App/environments) fails with InternalServerError in the new sandbox subscription; the same "
        "Bicep works in our other subscription."))
    assert "Microsoft.App" in said
