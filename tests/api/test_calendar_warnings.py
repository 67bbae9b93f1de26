"""GET /api/admin/warnings: from 1 November the console warns while next year's calendar is unknown."""

from __future__ import annotations

from chalicelib import runtime
from chalicelib.domain.staff import Role
from tests.api.conftest import body
from tests.conftest import beijing

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
"""


def test_no_warning_before_november_while_next_year_is_unknown(api, travel):
    travel(beijing(2026, 10, 31, 18))
    response = api.staff("GET", "/api/admin/warnings")
    assert response.status_code == 200
    assert body(response) == {"warnings": []}


def test_from_the_first_of_november_next_years_unknown_calendar_is_warned_about(api, travel):
    travel(beijing(2026, 11, 1, 8))
    warnings = body(api.staff("GET", "/api/admin/warnings"))["warnings"]
    assert [(w["code"], w["year"]) for w in warnings] == [("calendar_unknown", 2027)]
    assert "工作日日历" in warnings[0]["message"]


def test_the_warning_goes_once_staff_enter_the_year(api, travel):
    travel(beijing(2026, 12, 1, 9))
    assert body(api.staff("PUT", "/api/admin/calendar/2027", {"notice": NOTICE_2027}))["source"] == "staff"
    assert body(api.staff("GET", "/api/admin/warnings")) == {"warnings": []}


def test_viewers_see_the_warnings(api, travel):
    travel(beijing(2026, 11, 2, 9))
    viewer = runtime.current().secrets.add_staff_token("只读", Role.VIEWER)
    response = api.request("GET", "/api/admin/warnings", None, token=viewer)
    assert response.status_code == 200
    assert [w["year"] for w in body(response)["warnings"]] == [2027]
