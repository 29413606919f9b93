"""HTTP-triggered functions over real HTTP: routing, methods, requests, responses, errors."""

from __future__ import annotations

import httpx

from tests.helpers.devhost_process import devhost_log


def test_host_status_answers(http: httpx.Client) -> None:
    response = http.get("/admin/host/status")
    assert response.status_code == 200
    assert response.json()["state"] == "Running"


def test_request_carries_method_url_route_params_query_headers_and_body(http: httpx.Client) -> None:
    response = http.post("/api/echo/hi/3?x=1&x=2&y=z", content=b"hello", headers={"x-sample": "yes"})
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["url"].endswith("/api/echo/hi/3?x=1&x=2&y=z")
    assert echoed["route"] == {"word": "hi", "count": "3"}
    assert echoed["params"] == {"x": "1,2", "y": "z"}
    assert (echoed["body"], echoed["header"]) == ("hello", "yes")


def test_optional_parameter_may_be_left_out_and_constraints_apply(http: httpx.Client) -> None:
    assert http.get("/api/echo/hi").json()["route"] == {"word": "hi"}
    assert http.get("/api/echo/hi/abc").status_code == 404  # {count:int?} refuses a word
    assert http.get("/api/echo/caf%C3%A9%2F1").json()["route"] == {"word": "café/1"}


def test_literal_segments_beat_parameters(http: httpx.Client) -> None:
    assert http.get("/api/items/new").json() == {"item": "new"}
    assert http.get("/api/items/42").json() == {"item": 42}
    assert http.get("/api/items/new/").json() == {"item": "new"}
    assert http.get("/api/items/forty-two").status_code == 404


def test_catch_all_parameter_and_case_insensitive_literals(http: httpx.Client) -> None:
    assert http.get("/api/files/a/b/c.txt").json() == {"path": "a/b/c.txt"}
    assert http.get("/api/files").json() == {"path": None}
    assert http.get("/API/Echo/x").status_code == 200


def test_unknown_route_is_404_and_wrong_method_is_405(http: httpx.Client) -> None:
    assert http.get("/api/does-not-exist").status_code == 404
    assert http.get("/elsewhere").status_code == 404
    response = http.delete("/api/echo/hi")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


def test_response_status_headers_repeated_and_content_type(http: httpx.Client) -> None:
    response = http.get("/api/cookies")
    assert response.status_code == 201
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<p>hi</p>"


def test_function_exception_is_a_generic_500_and_logged_without_content(http: httpx.Client,
                                                                        devhost_url: str) -> None:
    response = http.post("/api/boom", content=b"body-marker-7Q2")
    assert response.status_code == 500
    assert "ValueError" not in response.text and "Traceback" not in response.text
    assert "body-marker-7Q2" not in response.text
    log = devhost_log(devhost_url)
    assert "function boom raised: ValueError" in log
    assert "body-marker-7Q2" not in log


def test_keys_are_not_demanded_by_default(http: httpx.Client) -> None:
    assert http.get("/api/items/new").status_code == 200  # a function-level route, no key sent
    assert http.get("/api/admin-only").status_code == 200
