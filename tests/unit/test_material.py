"""Material merging: what counts as the client's reply on a turn."""

from __future__ import annotations

from shared.models import Context, StartRequest
from shared.session.material import MAX_ANSWER_CHARS, apply_delta, delta_from_continue, material_from_start

RULES = '{"defaultAction": "Deny", "ipRules": []}'


def _start() -> StartRequest:
    return StartRequest.model_validate({"error_description": "AuthorizationFailure", "context": {
        "source_files": [{"path": "function_app.py", "content": "print('hello')"}]}})


def test_files_of_the_start_are_material_not_a_reply() -> None:
    material = material_from_start(_start())
    assert material.answers == [] and [f.path for f in material.files] == ["function_app.py"]


def test_files_attached_on_a_client_turn_are_part_of_its_reply_and_kept_as_files() -> None:
    material = material_from_start(_start())
    context = Context.model_validate({"source_files": [{"path": "rules.json", "content": RULES}]})
    apply_delta(material, delta_from_continue(0, "here is the output", context))
    assert material.answers == [f"here is the output\n\n(attached rules.json)\n{RULES}"]
    assert [f.path for f in material.files] == ["function_app.py", "rules.json"]


def test_a_reply_of_many_attachments_is_clipped_to_the_answer_budget() -> None:
    material = material_from_start(_start())
    files = [{"path": f"log{i}.txt", "content": "x" * 6_000} for i in range(3)]
    apply_delta(material, delta_from_continue(0, None, Context.model_validate({"source_files": files})))
    assert len(material.answers) == 1 and len(material.answers[0]) <= MAX_ANSWER_CHARS + 100
    assert material.answers[0].startswith("(attached log0.txt)")
