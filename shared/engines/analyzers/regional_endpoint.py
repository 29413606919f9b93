"""A regional AI service called in one region with the key of a resource in another: computed from the region of
the endpoint the report shows and the resource's location it states (knowledge/regional_endpoints.yaml)."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import conclude_entry, facts_for, table_entry
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.base import Decision
from shared.session.state import SessionState

TABLE = "regional_endpoints"
_SERVICE = re.compile(r"(?i)\b(?:speech|text[- ]to[- ]speech|speech[- ]to[- ]text|translator|cognitive ?services?|"
                      r"computer vision|face api|language service|ai services|text analytics)\b|"
                      r"\.api\.cognitive\.microsoft\.com\b")
# the region the client calls: a regional host, a region setting, Translator's region header
_CALLED = re.compile(r"(?i)\b(?:wss?|https)://(?P<host>[a-z]+\d?)\.(?:stt|tts|s2s|voice|api)\.(?:speech|cognitive)\."
                     r"microsoft\.com|\b(?:region|Ocp-Apim-Subscription-Region)\s*[:=]\s*['\"]?(?P<setting>[a-z]+\d?)\b")
# the region the resource is in, as the portal or the client states it
_LOCATED = re.compile(r"(?i)\b(?:created in|location\s*:|located in|deployed (?:in|to)|lives in|resource is in|"
                      r"resource group is in)\W{0,2}\s*"
                      r"(?:the\s+)?(?P<where>[A-Za-z]+(?: [A-Za-z]+){0,2}(?: \d)?)")


_ENV_REGION = re.compile(r"(?i)^(?:resource_)?(?:region|location)$")


# a setting that names the region an AI service's SDK or REST call uses (SPEECH_REGION, TRANSLATOR_REGION, REGION)
_REGION_SETTING = re.compile(r"(?i)^(?!.*openai)(?:(?:azure_?)?(?:region|location)|.*(?:speech|translat|cognitive|"
                             r"vision|face|language|text_?analytics|ai_?services?).*(?:region|location).*)$")
# the regional AI resources whose key works only with their own region (not Azure OpenAI: its own host decides)
_REGIONAL_KINDS = re.compile(r"(?i)^(?:SpeechServices|TextTranslation|CognitiveServices|AIServices|ComputerVision|"
                             r"Face|TextAnalytics|Language)$")


def _configured_regions(state: SessionState) -> set[str]:
    """The regions the app's configuration read from Azure passes to the service: a container app's plain env values
    and an app's settings named as the service's region (get_resource's envRegions, list_app_setting_names' regions:
    only values that are a region's name are kept)."""
    found: set[str] = set()
    for evidence in state.ledger:
        if evidence.status != "success":
            continue
        regions = evidence.data.get("envRegions") or evidence.data.get("regions") or {}
        if isinstance(regions, dict):
            found |= {str(r) for name, r in regions.items() if _REGION_SETTING.match(str(name))}
    return found


def _read_locations(state: SessionState, known: set[str]) -> set[str]:
    """The locations of the regional AI resources the session read (a key from one works only in its region)."""
    return {r for read in reads_of_type(state, r"(?i)^Microsoft\.CognitiveServices/accounts$")
            if _REGIONAL_KINDS.match(str(read.get("kind") or ""))
            for r in [_region(str(read.get("location") or ""), known)] if r}


def _regions() -> set[str]:
    return set(table_entry(TABLE, "regions")["names"])


def _region(name: str, known: set[str]) -> str | None:
    """The Resource Manager name of a region written either way ('West Europe', 'westeurope'), or None."""
    words = re.sub(r"[^a-z0-9 ]", "", name.lower()).split()
    for count in range(len(words), 0, -1):  # "West Europe (its endpoint...)" reads as West Europe
        joined = "".join(words[:count])
        if joined in known:
            return joined
    return None


def regional_endpoint_mismatch(state: SessionState) -> Decision | None:
    """The called region and the resource's region both shown and different: decisive whatever the symptom."""
    said = state.material.spoken_text()
    if not _SERVICE.search(said):
        return None
    known = _regions()
    called = {r for m in _CALLED.finditer(said) for r in [_region(m.group("host") or m.group("setting"), known)] if r}
    located = {r for m in _LOCATED.finditer(said) for r in [_region(m.group("where"), known)] if r}
    # environment_info's own statement of where the resource is (resource_region: southcentralus)
    located |= {r for key, value in state.material.environment.items() if _ENV_REGION.match(str(key))
                for r in [_region(str(value or ""), known)] if r}
    called |= _configured_regions(state)
    located |= _read_locations(state, known)
    elsewhere = called - located  # the resource's own endpoint, quoted from its Overview, is no mismatch
    if len(located) != 1 or len(elsewhere) != 1:
        return None
    service = _SERVICE.search(said).group(0)  # type: ignore[union-attr]  # searched above
    if service.startswith("."):  # named only by its host: the multi-service endpoint of Azure AI services
        service = "Azure AI services"
    facts = {"endpoint_region": elsewhere.pop(), "resource_region": located.pop(), "service": service}
    return conclude_entry(state, None, table_entry(TABLE, "endpoint-region-not-resource-region"),
                          facts_for(state, None, facts))
