"""Round 28, robustness set Q (known failures in other people's words): an App Service (Oryx) build whose pip
retries show Python's full certificate message, a laptop named only as the place where the build works, stages
that failed at once with nothing changed, a Key Vault reference on an app without an identity, a paraphrase of
the provider-registration message and Front Door's error page pasted without its 503."""

from __future__ import annotations

from shared.catalog.index import catalog_index, first_affirmed
from shared.engines.analyzers.common import regex, table
from shared.engines.clues import clue_in
from shared.session.state import GiveUp
from tests.helpers.clue_checks import concludes, final_of

ORYX_PIP = (
    "Zip deploy with SCM_DO_BUILD_DURING_DEPLOYMENT=true to app-claims (Linux, Python 3.12, VNet route all through "
    "the hub firewall). From the Kudu deployment log:\n"
    "Running pip install...\n"
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken "
    "by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to "
    "get local issuer certificate (_ssl.c:1006)'))': /simple/fastapi/\n"
    "ERROR: Could not find a version that satisfies the requirement fastapi==0.115.5 (from versions: none)\n"
    "ERROR: No matching distribution found for fastapi==0.115.5\n"
    "Same requirements.txt builds fine on my laptop and in GitHub Actions.")


def _hit(text: str) -> str:
    return catalog_index().hits([(text, "error")])[0].entry.id


def test_an_oryx_build_whose_pip_retries_show_the_certificate_error_is_the_inspecting_proxy() -> None:
    assert _hit(ORYX_PIP) == "appservice-oryx-build-behind-inspecting-proxy"
    final = final_of(ORYX_PIP)
    assert not isinstance(final, GiveUp), final
    assert concludes(ORYX_PIP, "config.missing_app_setting")


def test_a_pip_failure_without_a_certificate_error_stays_a_missing_package() -> None:
    plain = ("Kudu deployment log, Running pip install...\nERROR: Could not find a version that satisfies the "
             "requirement fastapi==9.9.9 (from versions: 0.115.4, 0.115.5)\nERROR: No matching distribution found "
             "for fastapi==9.9.9")
    assert _hit(plain) == "python-pip-no-matching-distribution"
    laptop = ("On my laptop: pip install -r requirements.txt\nWARNING: Retrying after connection broken by "
              "'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
              "unable to get local issuer certificate (_ssl.c:1006)'))': /simple/requests/")
    assert _hit(laptop) != "appservice-oryx-build-behind-inspecting-proxy"  # no App Service build in the report


def _own_machine() -> dict:
    return next(h for h in table("outside_hosts") if h["id"] == "developer-machine-local-toolchain")


def test_a_laptop_named_as_where_it_works_is_not_the_failing_machine() -> None:
    unless = regex(_own_machine()["unless"])
    assert first_affirmed(unless, "The same requirements.txt builds fine on my laptop off VPN.")
    assert first_affirmed(unless, "It works without any problems on our dev laptop")
    assert first_affirmed(unless, "From the Kudu deployment log: Running pip install...")


def test_a_laptop_where_it_fails_is_still_the_failing_machine() -> None:
    unless = regex(_own_machine()["unless"])
    assert not first_affirmed(unless, "pip install fails on my laptop with unable to get local issuer certificate")
    assert not first_affirmed(unless, "On my work laptop the build breaks in the Command Prompt")


STAGES = ("Since 09:12 this morning the live dashboard does not update in dev, staging AND prod at once. Console: "
          "Error: Server returned an error on close: Connection closed with an error. No server available. "
          "Nobody deployed anything since Friday, no config changes. Restarting the app services fixed it.")


def test_stages_that_broke_at_once_with_nothing_changed_are_a_service_incident() -> None:
    assert concludes(STAGES, "platform.service_incident")


def test_one_stage_or_a_change_on_our_side_decides_no_incident() -> None:
    one = STAGES.replace("in dev, staging AND prod at once", "in prod")
    assert not concludes(one, "platform.service_incident")
    two = STAGES.replace("dev, staging AND prod", "dev and prod")  # two stages are no list of three
    assert not concludes(two, "platform.service_incident")


KV_NO_IDENTITY = (
    "Node 20 function app func-mailer. App setting SMTP_PASSWORD = @Microsoft.KeyVault(VaultName=kv-shared;"
    "SecretName=smtp-password). The code gets the reference text itself instead of the password. Our ops group "
    "has Get/List in the vault access policies. `az functionapp identity show -g rg-mailer -n func-mailer` prints "
    "nothing.")


def test_a_key_vault_reference_on_an_app_without_identity_is_the_missing_identity() -> None:
    assert clue_in([KV_NO_IDENTITY])["id"] == "appservice-keyvault-reference-app-without-identity"
    assert concludes(KV_NO_IDENTITY, "auth.managed_identity_missing")
    status = KV_NO_IDENTITY.replace("`az functionapp identity show -g rg-mailer -n func-mailer` prints nothing",
                                    "The portal shows the reference status MSINotEnabled")
    assert clue_in([status])["id"] == "appservice-keyvault-reference-app-without-identity"


def test_a_key_vault_reference_of_an_app_with_an_identity_is_no_missing_identity() -> None:
    with_identity = KV_NO_IDENTITY.replace(
        "`az functionapp identity show -g rg-mailer -n func-mailer` prints nothing",
        "The system-assigned identity is On (principal 3f2a...).")
    found = clue_in([with_identity])
    assert found is None or found["id"] != "appservice-keyvault-reference-app-without-identity"
    no_reference = KV_NO_IDENTITY.replace("@Microsoft.KeyVault(VaultName=kv-shared;SecretName=smtp-password)", "xyz")
    found = clue_in([no_reference])
    assert found is None or found["id"] != "appservice-keyvault-reference-app-without-identity"


def test_a_paraphrase_of_the_registration_message_is_the_unregistered_provider() -> None:
    text = ("The portal error says something like the subscription is not registered to use the namespace "
            "Microsoft.ApiManagement and there is a link aka.ms/rps-not-found.")
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits[0].entry.id == "arm-missing-subscription-registration"
    assert hits[0].facts.get("provider") == "Microsoft.ApiManagement"
    assert concludes(text, "deployment.provider_not_registered")


def test_a_namespace_mentioned_without_the_registration_message_is_no_unregistered_provider() -> None:
    text = "Our API Management instance in the namespace Microsoft.ApiManagement returns 401 for every call."
    assert "arm-missing-subscription-registration" not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


AFD_PAGE = (
    "Export yearly report: after ~30 s users see a white page - Our services aren't available right now. We're "
    "working to restore all services as soon as possible. Please check back soon. The route goes through our Front "
    "Door Standard profile to func-reports; Application Insights shows resultCode 200 and duration 51.3 s for the "
    "same calls, and calling the function directly returns the file after 50 seconds.")


def test_front_doors_error_page_after_a_long_wait_is_the_origin_timeout() -> None:
    assert concludes(AFD_PAGE, "runtime.timeout")


def test_front_doors_error_page_without_a_long_response_is_not_decided_as_a_timeout() -> None:
    quick = ("Every page of our site behind Front Door shows: Our services aren't available right now. We're working "
             "to restore all services as soon as possible. Please check back soon. The web app was stopped yesterday.")
    assert not concludes(quick, "runtime.timeout")
