"""The knowledge the analyzers read: every table loads, names its sources, and fills templates without inventing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shared.engines.analyzers.common import derive, fill, table
from shared.engines.signatures import signatures
from shared.session.state import Material

KNOWLEDGE = Path(__file__).resolve().parents[2] / "shared" / "knowledge"
# The analyzers' tables (other knowledge files belong to other parts of the service).
TABLES = ["auth_credential_errors", "auth_data_plane_roles", "auth_keyvault_errors", "auth_managed_identity_errors",
          "config_connection_string_errors", "config_not_found_errors", "container_pull_errors",
          "deployment_arm_errors", "functions_host_errors", "network_dns_errors", "network_path_outcomes",
          "network_service_firewalls", "network_service_hosts", "network_service_tags", "platform_incident_markers",
          "runtime_exception_hints", "runtime_memory_errors", "runtime_timeouts", "symptoms_questions",
          "throttling_services"]
FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@pytest.mark.parametrize("name", TABLES)
def test_every_table_entry_has_a_source_and_valid_regexes(name: str) -> None:
    for entry in table(name):
        assert entry.get("source"), f"{name}: {entry.get('id')} has no source"
        for pattern in [entry.get("match"), entry.get("when"), *(entry.get("facts") or [])]:
            if pattern:
                re.compile(pattern)


@pytest.mark.parametrize("name", TABLES)
def test_templates_use_only_fact_fields(name: str) -> None:
    for entry in table(name):
        texts = [entry.get("root_cause") or "", entry.get("summary") or "", *(entry.get("actions") or [])]
        for text in texts:
            for field in FIELD.findall(text):
                assert field == field.lower(), f"{name}: {entry.get('id')} uses {{{field}}}"
            assert text.count("[[") == text.count("]]"), f"{name}: {entry.get('id')} has unbalanced [[ ]]"


def test_fill_uses_placeholders_for_facts_not_found() -> None:
    assert fill("az group show --name {resource_group}", {}) == "az group show --name <resource-group>"
    assert fill("vault '{vault}'", {"vault": "kv-a"}) == "vault 'kv-a'"


def test_optional_segments_disappear_without_their_facts() -> None:
    template = "denied[[ for '{resource}']][[ by '{assignment}']]."
    assert fill(template, {"assignment": "allowed-locations"}) == "denied by 'allowed-locations'."
    assert fill(template, {}) == "denied."


def test_json_in_templates_is_not_taken_for_a_field() -> None:
    text = fill('--query "[].{name:name, group:resourceGroup}" --name {name}', {"name": "x"})
    assert text == '--query "[].{name:name, group:resourceGroup}" --name x'


def test_derive_maps_a_fact_to_a_role() -> None:
    entry = {"derive": {"role": {"from": "service", "map": {"^queue$": "Storage Queue Data Contributor"},
                                 "default": "Storage Blob Data Contributor"}}}
    assert derive(entry, {"service": "queue"})["role"] == "Storage Queue Data Contributor"
    assert derive(entry, {})["role"] == "Storage Blob Data Contributor"


def test_every_signature_file_is_a_list_with_sources() -> None:
    for path in sorted((KNOWLEDGE / "signatures").glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(entries, list) and entries, path.name
        assert all(e.get("source") for e in entries), path.name


def test_symptom_signatures_of_the_symptom_analyzer_have_a_question() -> None:
    questions = {q["id"] for q in table("symptoms_questions")}
    for signature in signatures():
        if signature.analyzer == "symptom":
            assert signature.id in questions, signature.id


@pytest.mark.parametrize("text", [
    "Something is broken in Azure.",
    "Our function returns the wrong total for some orders.",
    "The deployment was slow today but finished.",
])
def test_vague_text_matches_no_new_signature(text: str) -> None:
    from shared.engines.signatures import classify

    assert classify(Material(error_description=text)) == []


def test_a_signature_can_route_by_a_knowledge_table_entry_as_it_is():
    marker = next(e["match"] for e in table("platform_incident_markers") if e["id"] == "others-elsewhere-see-the-same")
    platform = next(s for s in signatures() if s.id == "platform-service-incident")
    assert marker in [p.pattern for p in platform.patterns]  # one regex, read from the analyzer's table


def test_every_host_tag_is_a_known_service_tag() -> None:
    """nsg_denies_port rules a rule out by its tag only for tags of one service: a host's tag missing from
    network_service_tags.yaml would make a rule naming it look like it covers every destination."""
    services = {str(e["tag"]) for e in table("network_service_tags")}
    host_tags = {str(t) for h in table("network_service_hosts") for t in h.get("tags") or []}
    assert host_tags and host_tags <= services, sorted(host_tags - services)
