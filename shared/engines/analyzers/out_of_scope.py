"""out_of_scope: the problem is in another cloud; say so instead of guessing."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import EvidenceItem, Report
from shared.session.state import GiveUp, SessionState


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
    quotes = list(dict.fromkeys(hit.quotes))[:5]
    return GiveUp(
        reason="out_of_scope",
        message="This is not an Azure problem (it names another cloud's services and no Azure ones); "
                "this service debugs Azure errors only.",
        report=Report(category="out_of_scope", confidence="high",
                      root_cause="The error comes from another cloud provider's services, not from Azure: it names "
                                 + ", ".join(repr(q[:80]) for q in quotes[:3]) + ".",
                      evidence=[EvidenceItem(source="error", summary=f"mentions {q!r}") for q in quotes],
                      actions=["Use that provider's own troubleshooting tools and documentation."],
                      checked=["the error text and the files sent, for Azure and other-cloud signals"]))
