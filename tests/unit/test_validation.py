"""The contract's limits and schema errors: each a clear 4xx naming the field, never an exception."""

import json

import pytest

from shared.errors import ApiError
from shared.http.validation import parse_continue, parse_start
from shared.models import MAX_FILE_BYTES, MAX_TOTAL_FILE_BYTES


def body(**fields) -> bytes:
    return json.dumps({"error_description": "boom", **fields}).encode()


def refused(raw: bytes, parse=parse_start) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(raw)
    return caught.value


def fields_of(error: ApiError) -> list[str]:
    return [d.field for d in error.details]


def test_minimal_start_gets_the_contract_defaults():
    request = parse_start(body())
    assert request.options.max_depth == 5
    assert request.options.time_limit_seconds == 40
    assert request.options.max_rounds == 5
    assert request.options.auto_continue is False
    assert request.options.wait_seconds == 30
    assert request.context.source_files == []


def test_relevance_defaults_to_secondary_and_size_bytes_is_ignored():
    request = parse_start(body(context={"source_files": [{"path": "a.py", "content": "x", "size_bytes": 999}]}))
    assert request.context.source_files[0].relevance == "secondary"


@pytest.mark.parametrize("raw, code", [
    (b"{not json", "invalid_json"),
    (b"[1, 2]", "invalid_request"),
    (b"\xff\xfe{}", "invalid_encoding"),
    (b"", "invalid_json"),
])
def test_unparseable_bodies_are_400(raw, code):
    error = refused(raw)
    assert (error.status, error.code) == (400, code)
    assert error.details and error.details[0].field == "body"


@pytest.mark.parametrize("fields, field", [
    ({"options": {"max_depth": 0}}, "options.max_depth"),
    ({"options": {"max_depth": 21}}, "options.max_depth"),
    ({"options": {"time_limit_seconds": 4}}, "options.time_limit_seconds"),
    ({"options": {"time_limit_seconds": 601}}, "options.time_limit_seconds"),
    ({"options": {"max_rounds": 21}}, "options.max_rounds"),
    ({"options": {"wait_seconds": 201}}, "options.wait_seconds"),
    ({"options": {"wait_seconds": -1}}, "options.wait_seconds"),
    ({"options": {"max_depth": "5"}}, "options.max_depth"),
    ({"options": {"max_depth": 5.5}}, "options.max_depth"),
    ({"options": {"max_depth": True}}, "options.max_depth"),
    ({"options": {"auto_continue": "yes"}}, "options.auto_continue"),
    ({"options": {"max_dept": 3}}, "options.max_dept"),
    ({"context": {"source_files": [{"path": "a.py", "content": "x", "relevance": "weird"}]}},
     "context.source_files[0].relevance"),
    ({"context": {"source_files": [{"path": "", "content": "x"}]}}, "context.source_files[0].path"),
    ({"context": {"source_files": [{"path": "a.py"}]}}, "context.source_files[0].content"),
    ({"context": {"source_files": "main.py"}}, "context.source_files"),
    ({"context": {"environment_info": {"technologies": "python"}}}, "context.environment_info.technologies"),
])
def test_schema_errors_name_the_field(fields, field):
    error = refused(body(**fields))
    assert error.status == 400
    assert field in fields_of(error)


def test_a_whole_number_written_with_a_fraction_is_that_integer():
    # JSON has one number type; json.dumps(30.0) and Logic Apps expressions write "30.0".
    parsed = parse_start(body(options={"wait_seconds": 30.0, "max_depth": 2e0}))
    assert (parsed.options.wait_seconds, parsed.options.max_depth) == (30, 2)
    assert type(parsed.options.wait_seconds) is int


def test_missing_or_empty_error_description_is_named():
    assert "error_description" in fields_of(refused(json.dumps({"context": {}}).encode()))
    assert "error_description" in fields_of(refused(json.dumps({"error_description": ""}).encode()))
    assert "error_description" in fields_of(refused(json.dumps({"error_description": 5}).encode()))


def test_error_description_over_50000_characters_is_413():
    error = refused(json.dumps({"error_description": "é" * 50_001}).encode())
    assert (error.status, fields_of(error)) == (413, ["error_description"])
    assert parse_start(json.dumps({"error_description": "é" * 50_000}).encode())


def test_51_files_is_400_naming_source_files():
    files = [{"path": f"f{i}.py", "content": "x"} for i in range(51)]
    error = refused(body(context={"source_files": files}))
    assert (error.status, fields_of(error)) == (400, ["context.source_files"])


def test_a_file_over_2_mb_is_413_naming_that_file():
    files = [{"path": "ok.py", "content": "x"}, {"path": "big.py", "content": "a" * (MAX_FILE_BYTES + 1)}]
    error = refused(body(context={"source_files": files}))
    assert (error.status, fields_of(error)) == (413, ["context.source_files[1].content"])


def test_file_size_is_measured_in_utf8_bytes_not_characters():
    content = "é" * (MAX_FILE_BYTES // 2 + 1)  # under the limit in characters, over it in bytes
    error = refused(body(context={"source_files": [{"path": "a.txt", "content": content}]}))
    assert error.status == 413


def test_over_10_mb_in_all_is_413():
    chunk = "a" * (MAX_FILE_BYTES - 10)
    files = [{"path": f"f{i}.py", "content": chunk} for i in range(MAX_TOTAL_FILE_BYTES // len(chunk) + 1)]
    error = refused(body(context={"source_files": files}))
    assert (error.status, fields_of(error)) == (413, ["context.source_files"])


def test_continue_accepts_an_empty_body_and_checks_its_limits():
    assert parse_continue(b"").answer is None
    assert parse_continue(b"{}").options.wait_seconds == 30
    assert refused(json.dumps({"answer": "x" * 50_001}).encode(), parse_continue).status == 413
    assert "options.max_depth" in fields_of(refused(b'{"options": {"max_depth": 3}}', parse_continue))
    assert refused(b'{"answer": 42}', parse_continue).status == 400
