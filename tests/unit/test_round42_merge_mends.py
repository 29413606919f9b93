"""Round 42 (session 35) mends found while merging: each shows the mechanism and a near miss."""

from __future__ import annotations

from shared.engines.playbooks import finding
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from tests.helpers.finding_checks import finding_id

SITE = {"type": "Microsoft.Web/sites", "name": "app-shop", "kind": "app,linux"}
CERT = {"type": "Microsoft.Web/certificates", "name": "shop-cert", "hostNames": ["shop.fabrikam.example"],
        "expirationDate": "2025-03-01T00:00:00Z"}


def _state(text: str) -> SessionState:
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=text))
    for data in (SITE, CERT):
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data), data=data))
    return state


def test_an_expired_certificate_whose_renewal_the_report_shows_failing_is_not_the_answer() -> None:
    # the renewal's failure is why it expired: its cause decides, not the date (a scenario's recorded expiry
    # passing on the wall clock must not turn such a case into "the certificate expired")
    for said in ("The managed certificate could not be renewed; browsers warn now.",
                 "Failed to renew certificate shop-cert. Error: validation for hostname failed.",
                 "The renewal keeps failing since the access restrictions went in."):
        assert finding_id(_state(said)) != "app-service-certificate-expired"


def test_an_expired_certificate_still_decides_when_nothing_says_the_renewal_failed() -> None:
    rule, facts = finding(_state("Browsers say NET::ERR_CERT_DATE_INVALID on our custom domain.")) or ({}, {})
    assert rule.get("id") == "app-service-certificate-expired" and facts["expired"] == "2025-03-01"


def test_a_setting_named_in_advice_after_instead_of_is_no_former_error_but_a_code_expected_instead_is() -> None:
    from shared.catalog.index import negated

    advice = "Try allowing access from 'all networks' instead of 'selected networks'."
    at = advice.index("selected networks")
    assert not negated(advice, at, at + len("selected networks"))
    got = "Since the upgrade we get a 401 instead of MessagingEntityNotFound for a missing queue."
    at = got.index("MessagingEntityNotFound")
    assert negated(got, at, at + len("MessagingEntityNotFound"))
