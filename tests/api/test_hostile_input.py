"""Bodies and queries built to break the parser: refused in the contract's shape, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import Api, body

# Every JSON route that reads a body, with a token where it needs one ("staff" or none;
# the exam routes answer 400 before they look at the token's attempt... or 401 without one).
BODY_ROUTES = [
    ("POST", "/api/registrations"),
    ("POST", "/api/registrations/lookup"),
    ("POST", "/api/exam/sessions"),
    ("POST", "/api/admin/periods"),
    ("PUT", "/api/admin/periods/p1/paper"),
    ("POST", "/api/admin/periods/p1/export"),
]


def send(api: Api, method: str, path: str, raw: str) -> Any:
    token = api.staff_token if path.startswith("/api/admin/") else None
    return api.request(method, path, raw=raw, token=token)


def assert_refused_as_bad_request(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.body
    error: dict[str, Any] = body(response)["error"]
    assert error["code"] == "bad_request" and error["message"]
    return error


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("depth", [33, 1000, 5000])
def test_a_body_nested_deeper_than_32_levels_is_a_400(api: Api, method: str, path: str, depth: int) -> None:
    raw = '{"name":' + "[" * depth + "]" * depth + "}"
    error = assert_refused_as_bad_request(send(api, method, path, raw))
    assert "嵌套" in error["message"]


def test_32_levels_are_still_parsed(api: Api) -> None:
    raw = '{"name":' + "[" * 31 + "]" * 31 + "}"
    response = send(api, "POST", "/api/registrations", raw)
    assert response.status_code == 422
    assert body(response)["error"]["field"] == "name"


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "\\ud800张三"}',
        '{"name": "张三\\udfff"}',
        '{"\\udc00": 1}',
        '{"answers": {"s1": ["\\ud83d"]}}',
    ],
)
def test_a_lone_surrogate_anywhere_is_a_400(api: Api, method: str, path: str, raw: str) -> None:
    error = assert_refused_as_bad_request(send(api, method, path, raw))
    assert "字符" in error["message"]


def test_a_surrogate_pair_is_an_ordinary_character(api: Api) -> None:
    response = send(api, "POST", "/api/registrations", '{"name": "\\ud83d\\ude00"}')
    assert response.status_code in (409, 422)


@pytest.mark.parametrize(
    "raw", ['{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": ' + "9" * 5000 + "}"]
)
def test_numbers_json_does_not_have_are_a_400(api: Api, raw: str) -> None:
    assert_refused_as_bad_request(send(api, "POST", "/api/registrations", raw))


@pytest.mark.parametrize("route", ["/api/exam/answers", "/api/exam/submit"])
def test_the_exam_routes_refuse_hostile_bodies_too(api: Api, route: str) -> None:
    method = "PUT" if route.endswith("answers") else "POST"
    for raw in ('{"a":' + "[" * 2000 + "]" * 2000 + "}", '{"name": "\\ud800"}'):
        response = api.request(method, route, raw=raw, token="not-a-token")
        assert response.status_code in (400, 401)
        assert set(body(response)["error"]) >= {"code", "message"}


@pytest.mark.parametrize("limit", ["²", "٣", "１０", "1e2", "-1", "0", "101", "9" * 5000, "1.0"])
def test_a_page_size_that_is_not_ascii_digits_in_range_is_invalid(api: Api, limit: str) -> None:
    created = api.staff(
        "POST",
        "/api/admin/periods",
        {"name": "十二月", "exam_date": "2099-12-18", "exam_start": "09:00", "exam_end": "11:00"},
    )
    period_id = body(created)["period"]["id"] if created.status_code == 201 else "p1"
    response = api.staff("GET", f"/api/admin/periods/{period_id}/registrations?limit={limit}")
    assert response.status_code in (404, 422), response.body
    if response.status_code == 422:
        assert body(response)["error"] == {**body(response)["error"], "code": "invalid", "field": "limit"}


def test_a_cursor_holding_deep_json_is_invalid(api: Api) -> None:
    import base64

    created = api.staff(
        "POST",
        "/api/admin/periods",
        {"name": "十二月", "exam_date": "2099-12-18", "exam_start": "09:00", "exam_end": "11:00"},
    )
    period_id = body(created)["period"]["id"]
    cursor = base64.urlsafe_b64encode(("[" * 3000 + "]" * 3000).encode()).decode()
    response = api.staff("GET", f"/api/admin/periods/{period_id}/registrations?cursor={cursor}")
    assert response.status_code == 422
    assert body(response)["error"]["field"] == "cursor"
    assert json.loads(response.body)["error"]["code"] == "invalid"


@pytest.mark.parametrize("raw", ['{"2027": {"holidays": ["2027-1-1"]}}', "{not json", "[]"])
def test_malformed_calendar_overrides_never_fail_candidates(api: Api, monkeypatch: Any, raw: str) -> None:
    monkeypatch.setenv("CALENDAR_OVERRIDES", raw)
    assert api.get("/api/today").status_code == 200
    assert api.get("/").status_code == 200
    response = api.post("/api/registrations", {"name": "张三"})
    assert response.status_code < 500
