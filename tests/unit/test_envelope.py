"""Envelopes published through custom status: contract shapes, monotonic progress, the 16 KB limit."""

import json

from shared.models import ClientRequest, EvidenceItem, Options, Report
from shared.orchestration import envelope
from shared.session.state import Material, SessionState


def state(**kw) -> SessionState:
    return SessionState(trace_id="a" * 32, options=Options(**kw), ttl_seconds=60,
                        material=Material(error_description="x"))


def test_statuses_pair_with_their_next_actions():
    s = state()
    report = Report(category="out_of_scope", root_cause="r")
    assert (envelope.working(s, "m").status, envelope.working(s, "m").next_action) == ("continue", "poll")
    asked = envelope.asking(s, ClientRequest(question="q?", why="w"))
    assert (asked.status, asked.next_action, asked.request.question) == ("request", "answer", "q?")
    assert (envelope.paused(s).status, envelope.paused(s).next_action) == ("continue", "continue")
    assert envelope.done(s, "m", report).to_json_dict()["progress"] == 100
    failed = envelope.failed(state(), "expired", "m", report).to_json_dict()
    assert (failed["status"], failed["next_action"], failed["reason"], failed["progress"]) == (
        "fail", "none", "expired", 100)
    assert "reason" not in envelope.done(s, "m", report).to_json_dict()


def test_progress_never_goes_down_and_stays_below_100_while_working():
    s = state(max_depth=2, max_rounds=1)
    seen = []
    for steps in (1, 2, 3, 1, 0, 40):
        s.steps = steps
        envelope.advance_progress(s)
        seen.append(s.progress)
    assert seen == sorted(seen)
    assert seen[-1] < 100


def test_custom_status_fits_16_kb_even_for_a_huge_report():
    s = state()
    report = Report(category="c", root_cause="é" * 20_000,
                    evidence=[EvidenceItem(source="t", summary="x" * 3_000) for _ in range(40)],
                    actions=["a" * 2_000] * 30, checked=["c" * 1_000] * 40)
    status = envelope.custom_status(envelope.done(s, "m" * 5_000, report), turn=3)
    size = len(json.dumps(status, ensure_ascii=False).encode("utf-16-le"))
    assert size <= envelope.CUSTOM_STATUS_LIMIT_BYTES
    assert status["turn"] == 3 and status["envelope"]["status"] == "done"
    assert status["envelope"]["report"]["root_cause"].startswith("é")


def test_custom_status_leaves_a_small_envelope_untouched():
    s = state()
    env = envelope.done(s, "short", Report(root_cause="because", actions=["fix it"]))
    assert envelope.custom_status(env, 0)["envelope"] == env.to_json_dict()
