"""Round 37 G1b: after a reported slot swap the service reads the production app's config/slotConfigNames (the names
of the settings marked as deployment slot settings, never a value). A function app whose content-share settings are
sticky is a host misconfiguration (functions.host_misconfigured); a sticky setting the production app's own settings
lack stayed behind in the other slot (config.missing_app_setting, named). Each check has a near miss that stays
silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.playback import PlaybackServer
from shared.engines.playbooks import FINDINGS, rule_facts, table
from shared.session.state import Evidence, SessionState
from shared.tools.azure_common import _SECRET_BEARING
from tests.helpers.engine_loop import run_engine

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob30G1b"
WEB_VARIANT = "rob30g1b-webapp-mail-500-after-swap-sticky-setting-only-in-staging"
FUNC_VARIANT = "rob30g1b-function-host-down-after-swap-content-share-sticky"
SITE = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app-one"
CONTENT = "app-slot-swap-content-share-sticky"
MISSING = "app-slot-swap-sticky-setting-missing"
SWAPPED = "Since we swapped staging into production the site returns HTTP 500 on every order."


def _scenario(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8"))


def _rule(rule_id: str) -> dict[str, Any]:
    return next(r for r in table(FINDINGS) if r["id"] == rule_id)


def _state(sticky: list[str], production: list[str] | None, kind: str = "functionapp", text: str = SWAPPED,
           listed_site: str = SITE) -> SessionState:
    state = run_engine({"error_description": text}).state
    state.ledger.append(Evidence(tool="get_resource", arguments={"resource_id": SITE}, status="success", summary="",
                                 data={"id": SITE, "name": "app-one", "type": "Microsoft.Web/sites", "kind": kind}))
    if production is not None:
        state.ledger.append(Evidence(tool="list_app_setting_names", arguments={"site_id": listed_site},
                                     status="success", summary="", data={"names": production}))
    state.ledger.append(Evidence(tool="get_resource", arguments={"resource_id": f"{SITE}/config/slotConfigNames"},
                                 status="success", summary="",
                                 data={"id": f"{SITE}/config/slotConfigNames", "type": "Microsoft.Web/sites/config",
                                       "slotAppSettingNames": sticky}))
    return state


def test_slot_config_names_may_be_read_and_app_settings_stay_refused() -> None:
    assert not _SECRET_BEARING.search(f"{SITE}/config/slotConfigNames")
    assert _SECRET_BEARING.search(f"{SITE}/config/appsettings")
    assert _SECRET_BEARING.search(f"{SITE}/config/connectionstrings")


def test_a_sticky_content_share_of_a_function_app_is_found() -> None:
    facts = rule_facts(_state(["WEBSITE_CONTENTSHARE", "Stage"], ["WEBSITE_CONTENTSHARE", "Stage"]), _rule(CONTENT))
    assert facts is not None and facts["settings"] == "WEBSITE_CONTENTSHARE" and facts["app"] == "app-one"


@pytest.mark.parametrize("state", [
    _state(["Stage", "ConnectionStrings__Db"], ["Stage"]),                              # no content setting sticky
    _state(["WEBSITE_CONTENTSHARE"], [], kind="app,linux"),                             # a web app, not Functions
    _state(["WEBSITE_CONTENTSHARE"], [], text="The function host is not running since this morning."),  # no swap
])
def test_near_misses_of_a_sticky_content_share_stay_silent(state: SessionState) -> None:
    assert rule_facts(state, _rule(CONTENT)) is None


def test_a_sticky_setting_production_lacks_is_named() -> None:
    facts = rule_facts(_state(["ASPNETCORE_ENVIRONMENT", "Mail__Key"], ["ASPNETCORE_ENVIRONMENT"], kind="app"),
                       _rule(MISSING))
    assert facts is not None and facts["setting"] == "Mail__Key"


@pytest.mark.parametrize("state", [
    _state(["ASPNETCORE_ENVIRONMENT", "Mail__Key"], ["ASPNETCORE_ENVIRONMENT", "mail__key"], kind="app"),  # present
    _state(["Mail__Key"], None, kind="app"),                                            # production's not read
    _state(["Mail__Key"], [], kind="app", listed_site=f"{SITE}/slots/staging"),         # only the slot's read
    _state(["Mail__Key"], [], kind="app", text="Orders return HTTP 500 since this morning."),  # no swap reported
])
def test_near_misses_of_a_missing_sticky_setting_stay_silent(state: SessionState) -> None:
    assert rule_facts(state, _rule(MISSING)) is None


def test_the_web_app_variant_names_the_sticky_setting_left_in_staging(azure: PlaybackServer) -> None:
    scenario = _scenario(WEB_VARIANT)
    azure.load(scenario["azure"])
    report = run_engine(scenario["request"], azure_access=True).envelope()["report"]
    assert report["category"] == "config.missing_app_setting"
    assert "Mail__RelayApiKey" in report["root_cause"]


def test_the_web_app_variant_with_the_setting_in_production_does_not_blame_it(azure: PlaybackServer) -> None:
    scenario = copy.deepcopy(_scenario(WEB_VARIANT))
    for item in scenario["azure"]:
        body = item.get("body") or {}
        if str(item["match"].get("path") or "").endswith("/sites/web-booking-eu/config/appsettings/list"):
            body["properties"]["Mail__RelayApiKey"] = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)"
    azure.load(scenario["azure"])
    report = run_engine(scenario["request"], azure_access=True).envelope()["report"]
    assert MISSING not in " ".join(e["summary"] for e in report.get("evidence") or [])
    assert "Mail__RelayApiKey' of app" not in report["root_cause"]


def test_the_function_variant_blames_the_sticky_content_share(azure: PlaybackServer) -> None:
    scenario = _scenario(FUNC_VARIANT)
    azure.load(scenario["azure"])
    report = run_engine(scenario["request"], azure_access=True).envelope()["report"]
    assert report["category"] == "functions.host_misconfigured"
    assert "WEBSITE_CONTENTSHARE" in " ".join(report["actions"])
