"""Findings added from the eighth session's development cases: each fires on the read that shows it, with its
symptom, and stays silent for the near miss."""

from __future__ import annotations

from typing import Any

from tests.helpers.finding_checks import finding_id, state_with

SITE = {"type": "Microsoft.Web/sites", "name": "func-payroll", "kind": "functionapp,linux", "sku": "Dynamic"}
SETTINGS = {"names": ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "WEBSITE_TIME_ZONE"], "count": 3,
            "truncated": False}
ORIGINS = {"type": "Microsoft.Cdn/profiles/originGroups/origins",
           "origins": [{"name": "web-primary", "hostName": "app-shop.azurewebsites.net", "originHostHeader": ""}]}
MYSQL = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-orders", "publicNetworkAccess": "Disabled"}


def _found(report: str, reads: list[tuple[str, dict[str, Any]]]) -> str | None:
    return finding_id(state_with(report, reads))


def test_website_time_zone_on_linux_consumption_explains_a_timer_an_hour_late() -> None:
    reads = [("get_resource", SITE), ("list_app_setting_names", SETTINGS)]
    assert _found("The payroll timer fires an hour late every morning.", reads) == \
        "function-time-zone-on-linux-consumption"
    premium = [("get_resource", {**SITE, "sku": "ElasticPremium"}), ("list_app_setting_names", SETTINGS)]
    assert _found("The payroll timer fires an hour late every morning.", premium) != \
        "function-time-zone-on-linux-consumption"


def test_an_app_service_origin_without_its_host_header_explains_front_door_404s() -> None:
    report = "Through Front Door every page answers 404 Web Site not found; the app itself works."
    assert _found(report, [("get_resource", ORIGINS)]) == "front-door-origin-host-header-not-app"
    named = {**ORIGINS, "origins": [{**ORIGINS["origins"][0], "originHostHeader": "app-shop.azurewebsites.net"}]}
    assert _found(report, [("get_resource", named)]) != "front-door-origin-host-header-not-app"


def test_mysql_io_at_its_limit_explains_peak_timeouts_and_private_access_does_not() -> None:
    report = "Order placement times out at peak; outside the peaks everything is fast."
    metrics = {"metrics": [{"name": "io_consumption_percent", "max": 100.0, "avg": 74.0}]}
    reads = [("get_resource", MYSQL), ("query_metrics", metrics)]
    assert _found(report, reads) == "mysql-io-saturated"
    calm = {"metrics": [{"name": "io_consumption_percent", "max": 61.0, "avg": 30.0}]}
    assert _found(report, [("get_resource", MYSQL), ("query_metrics", calm)]) is None
