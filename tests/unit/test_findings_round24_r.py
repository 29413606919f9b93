"""The round 24 r knowledge (Functions and App Service, round 3): a custom container on a port App Service does not
know, Health check on a Free or Shared plan, a Docker Compose app behind VNet integration, the v4 wording of the
Cosmos DB trigger's missing-lease-container error, and clues for Health check redirects, triggers sharing a lease
container, Listen-only Service Bus connections and git deployments with basic auth off. Each fires on recorded-like
reads or text with the symptom it explains and stays silent for its near miss; the new api_versions field is taken
from a realistic Resource Manager body."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.tools.azure_fields import extract_fields
from shared.tools.azure_resources import type_spec
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-apps"

CONTAINER_SITE = {"type": "Microsoft.Web/sites", "name": "app-reports", "kind": "app,linux,container",
                  "siteConfig": {"linuxFxVersion": "DOCKER|acr.azurecr.io/reports:2"}}
PORT_REPORT = ("2026-12-05T09:16:35Z ERROR - Container app-reports_0_1 didn't respond to HTTP pings on port: 80, "
               "failing site start.\nThe container log says Tomcat started on port(s): 8080 (http).")
PLAN = {"type": "Microsoft.Web/serverFarms", "name": "asp-free", "sku": {"name": "F1", "tier": "Free"}}
WEB_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "healthCheckPath": "/status", "alwaysOn": False}
HC_REPORT = ("Health check shows the instance unhealthy since 06:00, the /status path returns 503, but the instance "
             "was never replaced or restarted.")
COMPOSE_SITE = {"type": "Microsoft.Web/sites", "name": "app-crm", "kind": "app,linux,container",
                "virtualNetworkSubnetId": SUBNET_ID, "vnetRouteAllEnabled": True}
COMPOSE_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "linuxFxVersion": "COMPOSE|dmVyc2lvbjogJzMn"}
COMPOSE_REPORT = "From the php container: SQLSTATE[HY000] [2002] Connection timed out to 10.40.2.4:3306."

CASES = [
    Case("app-service-container-port-not-set", "config.missing_app_setting", "WEBSITES_PORT", [CONTAINER_SITE],
         PORT_REPORT, names=["DOCKER_REGISTRY_SERVER_URL", "SPRING_PROFILES_ACTIVE"],
         near_report=PORT_REPORT.replace("8080", "80")),
    Case("health-check-free-shared-plan-not-replaced", "quota.sku_not_available", "Free", [WEB_CONFIG, PLAN],
         HC_REPORT, near_reads=[WEB_CONFIG, {**PLAN, "sku": {"name": "B1", "tier": "Basic"}}]),
    Case("app-docker-compose-with-vnet-integration", "quota.sku_not_available", "Docker Compose",
         [COMPOSE_SITE, COMPOSE_CONFIG], COMPOSE_REPORT,
         near_reads=[COMPOSE_SITE, {**COMPOSE_CONFIG, "linuxFxVersion": "DOCKER|php:8.2-apache"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_container_that_listens_on_80_is_not_a_missing_port_setting() -> None:
    report = PORT_REPORT.replace("8080", "80")
    state = reads_state(report, [CONTAINER_SITE], names=["DOCKER_REGISTRY_SERVER_URL"])
    assert finding_id(state) not in ("app-service-container-port-not-set", "app-service-port-not-listened")


def test_a_code_site_is_not_a_custom_container_without_a_port() -> None:
    site = {**CONTAINER_SITE, "kind": "app,linux", "siteConfig": {"linuxFxVersion": "JAVA|17-java17"}}
    assert finding_id(reads_state(PORT_REPORT, [site], names=["JAVA_OPTS"])) == "app-service-port-not-listened"


def test_a_free_plan_without_health_check_is_not_blamed_on_health_check() -> None:
    config = {**WEB_CONFIG, "healthCheckPath": None}
    assert finding_id(reads_state(HC_REPORT, [config, PLAN])) != "health-check-free-shared-plan-not-replaced"


def test_a_compose_app_outside_any_subnet_gets_no_vnet_verdict() -> None:
    site = {**COMPOSE_SITE, "virtualNetworkSubnetId": None}
    assert finding_id(reads_state(COMPOSE_REPORT, [site, COMPOSE_CONFIG])) != "app-docker-compose-with-vnet-integration"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_health_check_301_from_the_default_domain_is_the_redirect() -> None:
    report = ("Our middleware 301-redirects docs-site.azurewebsites.net to https://docs.contoso.example. Since then "
              "Health check reports all instances as unhealthy.")
    assert _clue(report) == "health-check-redirect-from-default-domain"
    assert _clue("Health check reports all instances as unhealthy since the release.") \
        != "health-check-redirect-from-default-domain"


def test_two_cosmos_triggers_on_one_lease_container_are_the_missing_prefix() -> None:
    report = ("Two function apps have Cosmos DB triggers on the container 'events' and both use the same lease "
              "container 'leases'. Each one misses about half of the changes.")
    assert _clue(report) == "cosmos-triggers-share-lease-container-without-prefix"
    assert _clue("Our Cosmos DB trigger misses about half of the changes.") \
        != "cosmos-triggers-share-lease-container-without-prefix"


def test_a_listen_only_service_bus_policy_that_scales_slowly_is_the_rights() -> None:
    report = ("The Service Bus triggered function uses a policy with the Listen claim only; under a burst it adds "
              "instances slowly, one at a time.")
    assert _clue(report) == "service-bus-trigger-listen-only-scales-incrementally"
    assert _clue("The Service Bus triggered function adds instances slowly, one at a time.") \
        != "service-bus-trigger-listen-only-scales-incrementally"


def test_a_git_push_refused_with_basic_auth_off_is_the_basic_auth_setting() -> None:
    report = ("git push to https://app.scm.azurewebsites.net:443/app.git: remote: Unauthorized. The portal says "
              "SCM Basic Auth Publishing Credentials is Off.")
    found = clue_in([report])
    assert found is not None and found["id"] == "scm-basic-auth-publishing-credentials-refused"


@pytest.mark.parametrize("text", [
    "Either the source container 'orders' (in database 'shop') or the lease container 'leases' (in database 'shop') "
    "does not exist. Both containers must exist before the listener starts. To automatically create the lease "
    "container, set 'CreateLeaseContainerIfNotExists' to 'true'.",
    "Either the source collection 'orders' (in database 'shop') or the lease collection 'leases' (in database "
    "'shop') does not exist. Both collections must exist before the listener starts.",
])
def test_the_missing_lease_container_entry_knows_both_wordings(text: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "cosmos-functions-lease-collection-missing", [h.entry.id for h in hits[:3]]


def test_the_health_check_path_is_read_from_the_web_config() -> None:
    spec = type_spec("Microsoft.Web", "sites/config")
    assert spec is not None
    body: dict[str, Any] = {"properties": {"healthCheckPath": "/healthz", "alwaysOn": True}}
    assert extract_fields(body, spec["fields"]).get("healthCheckPath") == "/healthz"
