"""Round 27 K (robustness: known failures in other words): a setting read in a code line no longer outranks the
catalog's own message in its context (HDInsight's GatewayTimeout with an https storage name), Entra's coded answer
inside a DefaultAzureCredential chain names the cause, a lookup's alias chain is no private DNS zone of the
report's, an image reference on mcr.microsoft.com counts as a public image, the Functions Monitor's invocation list
in portal words, and the portal's runtime-version banner told in the client's own words."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import table, table_entry
from shared.engines.analyzers.network_path import misnamed_zone_in_text
from shared.engines.clues import clue_in
from shared.engines.session_reads import FINDINGS
from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import run_engine

HDI = (
    "azure.core.exceptions.HttpResponseError: (GatewayTimeout) The gateway did not receive a response from "
    "'Microsoft.HDInsight' within the specified time period.\nCode: GatewayTimeout\n\n"
    'storage_profile=StorageProfile(storageaccounts=[StorageAccount(name="https://stlake01.blob.core.windows.net/", '
    'is_default=True, container="hive", key=os.environ["STKEY"])])')


def test_a_setting_read_in_code_does_not_outrank_the_hdinsight_message_in_its_context() -> None:
    final = run_engine({"error_description": HDI}).final
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"


def test_a_setting_read_with_its_key_error_stays_a_missing_setting() -> None:
    final = run_engine({"error_description": (
        'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    key = os.environ["STKEY"]\n'
        '  File "<frozen os>", line 679, in __getitem__\nKeyError: \'STKEY\'')}).final
    assert isinstance(final, (Conclude, AskClient))
    if isinstance(final, Conclude):
        assert final.report.category == "config.missing_app_setting"


CHAIN = (
    "azure.core.exceptions.ClientAuthenticationError: DefaultAzureCredential failed to retrieve a token from the "
    "included credentials.\nAttempted credentials:\n\tEnvironmentCredential: Authentication failed: {inner}")


def test_entras_coded_answer_inside_a_credential_chain_names_the_cause() -> None:
    inner = ("AADSTS500011: The resource principal named https://dps-a.azure-devices-provisioning.net was not found "
             "in the tenant named Contoso.")
    final = run_engine({"error_description": CHAIN.format(inner=inner)}).final
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"


def test_a_chain_without_entras_answer_still_asks_about_the_identity() -> None:
    inner = "EnvironmentCredential authentication unavailable. Environment variables are not fully configured."
    final = run_engine({"error_description": CHAIN.format(inner=inner)}).final
    assert not (isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name")


KV = ("azure.core.exceptions.HttpResponseError: (Forbidden) Public network access is disabled and request is not "
      "from a trusted service nor via an approved private link.\nInner error: {{\"code\": \"ForbiddenByConnection\"}}\n"
      "{zones}\nnslookup kv-app.vault.azure.net -> kv-app.privatelink.vaultcore.azure.net -> 52.1.2.3")


def test_a_misnamed_zone_is_found_beside_a_lookups_alias_chain() -> None:
    outcome = run_engine({"error_description": KV.format(zones='resource "azurerm_private_dns_zone" "kv" '
                                                                 '{ name = "privatelink.vault.azure.net" }')})
    assert isinstance(outcome.final, Conclude) and outcome.final.report.category == "network.private_endpoint_dns"
    assert "privatelink.vault.azure.net" in outcome.final.report.root_cause


def test_the_right_zone_named_as_a_zone_is_no_misnamed_zone() -> None:
    outcome = run_engine({"error_description": KV.format(
        zones="zones: privatelink.vaultcore.azure.net, privatelink.vault.azure.net")})
    assert misnamed_zone_in_text(outcome.state) is None


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_an_mcr_image_reference_that_fails_too_counts_as_a_public_image() -> None:
    text = ("Revisions stay in ImagePullBackOff. Tried mcr.microsoft.com/k8se/quickstart:latest instead of our ACR "
            "image -> same ImagePullBackOff.")
    assert _clue(text) == "image-pull-fails-for-every-registry-platform"
    near = ("Our image cr.azurecr.io/api:1 is in ImagePullBackOff; the Dockerfile uses "
            "mcr.microsoft.com/dotnet/aspnet:8.0 as base image and builds fine.")
    assert _clue(near) != "image-pull-fails-for-every-registry-platform"


def test_the_monitor_invocation_list_in_portal_words_is_the_monitor_symptom() -> None:
    pattern = re.compile(table_entry(FINDINGS, "function-monitor-without-app-insights")["report_matches"])
    assert pattern.search('When I open function > Monitor > Invocations there is "No data" / empty grid.')
    assert pattern.search("The Invocations list is empty since the upgrade.")
    assert not pattern.search("Monitor > Invocations shows every run; one function is slow.")


BANNER = ("Function app func-inv (Node 20, Linux, consumption): after the deploy the Overview shows a red banner "
          "about issues with the runtime version and nothing triggers.")


def test_the_runtime_version_banner_told_in_own_words_asks_for_host_json() -> None:
    assert _clue(BANNER) == "functions-runtime-version-banner-told-in-own-words"
    assert _clue("Which runtime version should our function app use for Node 20?") != (
        "functions-runtime-version-banner-told-in-own-words")


def _answered(timeout: str) -> Conclude | None:
    answer = ('host.json: { "version": "2.0", "functionTimeout": "' + timeout + '" }\nplan sku: '
              '{ "name": "Y1", "tier": "Dynamic" }')
    final = run_engine({"error_description": BANNER}, [{"when_asked_contains": "host.json", "answer": answer}]).final
    return final if isinstance(final, Conclude) else None


def test_a_function_timeout_above_the_consumption_maximum_decides_the_banner() -> None:
    final = _answered("00:45:00")
    assert final is not None and final.report.category == "functions.host_misconfigured"
    assert final.report.confidence == "medium"


def test_a_function_timeout_within_the_consumption_maximum_is_no_decided_verdict() -> None:
    decides = re.compile(next(c for c in table("symptom_clues")
                              if c["id"] == "functions-runtime-version-banner-told-in-own-words")["decides"])
    assert decides.search('consumption "functionTimeout": "00:45:00"')
    assert decides.search('"Y1" "functionTimeout": "01:00:00"')
    assert not decides.search('consumption "functionTimeout": "00:08:00"')
    assert not decides.search('consumption "functionTimeout": "00:10:00"')
    assert not decides.search('premium "functionTimeout": "00:45:00"')
