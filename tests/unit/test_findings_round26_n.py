"""The twenty-sixth round of findings, helper N (knowledge/evidence_findings.yaml, symptom_clues.yaml): edge and web
pages no knowledge cited before - a Traffic Manager profile with Geographic routing and no World mapping (NODATA for
unmapped regions), a classic CDN endpoint whose origin path is prefixed to every request (404), DNSSEC's chain of
trust broken by a DS record left at the parent, an internal App Service Environment without its
appserviceenvironment.net zone, and Static Web Apps linked backends (direct calls refused, routes without /api).
Each finding fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the new
api_versions fields read a realistic body; the CDN playbook reads the endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    check_case_fires,
    check_case_stays_silent,
    extracted,
    finding_id,
    playbook_reads,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers"

TM = {"type": "Microsoft.Network/trafficManagerProfiles", "name": "tm-shop", "profileStatus": "Enabled",
      "trafficRoutingMethod": "Geographic", "geoMapping": [["GEO-EU"], ["GEO-NA"]],
      "endpoints": [{"name": "ep-weu", "endpointStatus": "Enabled", "endpointMonitorStatus": "Online"},
                    {"name": "ep-eus", "endpointStatus": "Enabled", "endpointMonitorStatus": "Online"}]}
CDN_ENDPOINT = {"type": "Microsoft.Cdn/profiles/endpoints", "name": "media-contoso",
                "hostName": "media-contoso.azureedge.net", "originPath": "/assets",
                "originHostHeader": "stmedia.blob.core.windows.net"}

CASES = [
    Case("traffic-manager-geographic-without-world-mapping", "network.dns_resolution", "World", [TM],
         "Users in Australia cannot resolve shop-contoso.trafficmanager.net: nslookup shows no addresses returned, "
         "Europe works.",
         near_reads=[{**TM, "geoMapping": [["GEO-EU"], ["GEO-NA", "WORLD"]]}]),
    Case("cdn-endpoint-origin-path-prefixed-to-requests", "config.wrong_resource_name", "originPath",
         [CDN_ENDPOINT],
         "https://media-contoso.azureedge.net/assets/logo.png returns 404 on the CDN, the blob URL works.",
         near_reads=[{**CDN_ENDPOINT, "originPath": None}]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_n_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_n_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_a_performance_profile_is_no_geographic_verdict() -> None:
    report = "Users in Australia cannot resolve shop-contoso.trafficmanager.net: no addresses returned."
    state = reads_state(report, [{**TM, "trafficRoutingMethod": "Performance"}])
    assert finding_id(state) != "traffic-manager-geographic-without-world-mapping"


def test_the_traffic_manager_geo_mapping_is_read_from_the_profile() -> None:
    body: dict[str, Any] = {"properties": {"trafficRoutingMethod": "Geographic", "endpoints": [
        {"name": "ep-weu", "properties": {"endpointStatus": "Enabled", "geoMapping": ["GEO-EU", "GEO-ME"]}},
        {"name": "ep-eus", "properties": {"endpointStatus": "Enabled", "geoMapping": ["GEO-NA"]}}]}}
    data = extracted("Microsoft.Network", "trafficManagerProfiles", body)
    assert data["geoMapping"] == [["GEO-EU", "GEO-ME"], ["GEO-NA"]]


def test_the_cdn_endpoint_fields_are_read_from_the_endpoint_and_its_collection() -> None:
    endpoint: dict[str, Any] = {"id": f"{SUB}/Microsoft.Cdn/profiles/cdn-media/endpoints/media-contoso",
                                "properties": {"hostName": "media-contoso.azureedge.net", "originPath": "/assets",
                                               "originHostHeader": "stmedia.blob.core.windows.net",
                                               "resourceState": "Running",
                                               "origins": [{"name": "stmedia", "properties": {
                                                   "hostName": "stmedia.blob.core.windows.net", "httpPort": 80,
                                                   "httpsPort": 443, "enabled": True}}]}}
    data = extracted("Microsoft.Cdn", "profiles/endpoints", endpoint)
    assert data["originPath"] == "/assets"
    assert data["hostName"] == "media-contoso.azureedge.net"
    assert data["originHostHeader"] == "stmedia.blob.core.windows.net"
    assert data["origins"][0]["hostName"] == "stmedia.blob.core.windows.net"
    listed = extracted("Microsoft.Cdn", "profiles/endpoints", {"value": [endpoint]})
    assert listed["ids"] == [endpoint["id"]]


def test_the_cdn_profile_playbook_reads_its_endpoints_for_a_cdn_report() -> None:
    profile = f"{SUB}/Microsoft.Cdn/profiles/cdn-media"
    reads = playbook_reads(profile, "The CDN endpoint media-contoso.azureedge.net returns 404 for every file")
    assert ("get_resource", f"{profile}/endpoints") in reads


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


@pytest.mark.parametrize(("clue_id", "report", "near"), [
    ("traffic-manager-geographic-region-without-mapping",
     "Our Traffic Manager profile uses Geographic routing; users in India get ANSWER: 0 from dig for the name.",
     "Our Traffic Manager profile uses Priority routing; users in India get ANSWER: 0 from dig for the name."),
    ("cdn-origin-path-repeated-in-request-404",
     "We set the origin path of the CDN endpoint to /img and now docdemo.azureedge.net/img/a.png is 404.",
     "The CDN endpoint docdemo.azureedge.net/img/a.png is 404 since the storage account was deleted."),
    ("dnssec-ds-record-without-matching-signed-zone",
     "After we disabled DNSSEC on the Azure DNS zone, dig @8.8.8.8 returns SERVFAIL; the registrar keeps the DS "
     "record.",
     "dig @8.8.8.8 www.contoso.com returns SERVFAIL since this morning."),
    ("ase-internal-app-names-without-dns-zone",
     "From the jump box: nslookup api.ase-prod.appserviceenvironment.net cannot resolve the name.",
     "Our app on ase-prod.appserviceenvironment.net returns 502 since the scale operation."),
    ("static-web-app-linked-app-service-direct-calls-401",
     "Since we linked the web app to our static web app, calls to api-x.azurewebsites.net return 401 Unauthorized.",
     "Our static web app login page returns 401 Unauthorized for GitHub users."),
    ("static-web-app-linked-backend-routes-without-api-prefix",
     "Static web app with a linked App Service backend: /api/orders is 404, the backend serves GET /orders; "
     "we expected /api to be stripped.",
     "Static web app with a linked App Service backend: /api/orders is 404 since the backend was deleted."),
])
def test_a_round_26_n_clue_reads_its_symptom_only(clue_id: str, report: str, near: str) -> None:
    assert _clue(report) == clue_id
    assert _clue(near) != clue_id
    assert _clue(UNRELATED) != clue_id
