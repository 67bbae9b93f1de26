"""Staff keep the working-day calendar: GET/PUT /api/admin/calendar/{year} (contract v2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from chalicelib import runtime
from chalicelib.config import load_settings
from chalicelib.services import calendar, mail
from tests.api.conftest import body
from tests.conftest import beijing

NOTICES = Path(__file__).parents[1] / "unit" / "notices"
# A made-up 2027 arrangement in the notice's words (the real one is not published yet).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月6日（周六）放假。2月20日（周六）上班。
"""
PERIOD_2027 = {
    "name": "2027年1月",
    "exam_date": "2027-01-29",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "",
}


def test_a_year_the_library_knows_is_shown_as_library(api):
    response = api.staff("GET", "/api/admin/calendar/2026")
    assert response.status_code == 200
    year = body(response)
    assert (year["year"], year["source"]) == (2026, "library")
    assert "2026-10-01" in year["holidays"] and "2026-10-10" in year["workdays"]


def test_a_year_nobody_knows_is_unknown_and_empty(api):
    assert body(api.staff("GET", "/api/admin/calendar/2027")) == {
        "year": 2027,
        "source": "unknown",
        "holidays": [],
        "workdays": [],
    }


def test_pasting_the_notice_stores_the_year_as_get_shows_it(api):
    response = api.staff("PUT", "/api/admin/calendar/2027", {"notice": NOTICE_2027})
    assert response.status_code == 200
    saved = body(response)
    assert saved["source"] == "staff"
    assert saved["holidays"] == [
        "2027-01-01",
        *[f"2027-02-{day:02d}" for day in (5, 8, 9, 10, 11, 12)],
    ]
    assert saved["workdays"] == ["2027-02-20"]
    assert body(api.staff("GET", "/api/admin/calendar/2027")) == saved


def test_the_published_2026_notice_matches_the_library(api):
    library = body(api.staff("GET", "/api/admin/calendar/2026"))
    notice = (NOTICES / "2026.txt").read_text(encoding="utf-8")
    saved = body(api.staff("PUT", "/api/admin/calendar/2026", {"notice": notice}))
    assert saved == {**library, "source": "staff"}


def test_ticked_days_are_stored(api):
    response = api.staff(
        "PUT", "/api/admin/calendar/2027", {"holidays": ["2027-01-01"], "workdays": ["2027-02-20"]}
    )
    assert body(response) == {
        "year": 2027,
        "source": "staff",
        "holidays": ["2027-01-01"],
        "workdays": ["2027-02-20"],
    }


@pytest.mark.parametrize(
    ("sent", "field", "names"),
    [
        ({"notice": "一、元旦：1月1日放假。\n二、春节：2月31日放假。"}, "notice", "第 2 行"),
        ({"notice": "一、元旦：1月1日（周四）放假。"}, "notice", "2027年1月1日"),
        ({"holidays": ["2027-02-30"], "workdays": []}, "holidays", "2027-02-30"),
    ],
)
def test_unreadable_input_is_422_calendar_invalid_naming_the_line_or_date(api, sent, field, names):
    response = api.staff("PUT", "/api/admin/calendar/2027", sent)
    assert response.status_code == 422
    error = body(response)["error"]
    assert (error["code"], error["field"]) == ("calendar_invalid", field)
    assert names in error["message"]
    assert body(api.staff("GET", "/api/admin/calendar/2027"))["source"] == "unknown"


@pytest.mark.parametrize(
    ("path", "sent", "field"),
    [
        ("/api/admin/calendar/27", {"notice": NOTICE_2027}, "year"),
        ("/api/admin/calendar/2027", {"notice": 5}, "notice"),
        ("/api/admin/calendar/2027", {}, "holidays"),
        ("/api/admin/calendar/2027", {"holidays": []}, "workdays"),
    ],
)
def test_malformed_requests_are_422_invalid(api, path, sent, field):
    response = api.staff("PUT", path, sent)
    assert response.status_code == 422
    assert (body(response)["error"]["code"], body(response)["error"]["field"]) == ("invalid", field)


def test_the_calendar_needs_a_staff_token(api):
    assert api.get("/api/admin/calendar/2027").status_code == 401
    assert api.put("/api/admin/calendar/2027", {"notice": NOTICE_2027}).status_code == 401


def test_an_unknown_year_sends_staff_to_the_calendar_page(api, travel):
    travel(beijing(2026, 12, 1))
    api.staff("POST", "/api/admin/periods", {**PERIOD_2027, "name": "2026年12月", "exam_date": "2026-12-31"})
    response = api.staff("POST", "/api/admin/periods", PERIOD_2027)
    assert response.status_code == 409
    error = body(response)["error"]
    assert error["code"] == "calendar_unknown"
    assert "工作日日历" in error["message"]


def test_a_staff_year_counts_at_once_for_the_registration_default(api, travel):
    travel(beijing(2026, 12, 1))
    api.staff("POST", "/api/admin/periods", {**PERIOD_2027, "name": "2026年12月", "exam_date": "2026-12-31"})
    api.staff("PUT", "/api/admin/calendar/2027", {"notice": NOTICE_2027})
    created = api.staff("POST", "/api/admin/periods", PERIOD_2027)
    assert created.status_code == 201
    # Thursday Dec 31 exam; Jan 1 is off and Jan 2-3 a weekend: Monday Jan 4 reopens.
    assert body(created)["period"]["registration_opens"] == "2027-01-04"


def test_a_staff_year_wins_over_the_library(api, travel):
    # Staff declare Monday 2026-12-07 a holiday: the reminder moves to the Friday before.
    rt = runtime.current()
    assert mail.reminder_day(rt, dt.date(2026, 12, 8)) == dt.date(2026, 12, 7)
    library = body(api.staff("GET", "/api/admin/calendar/2026"))
    api.staff(
        "PUT",
        "/api/admin/calendar/2026",
        {"holidays": [*library["holidays"], "2026-12-07"], "workdays": library["workdays"]},
    )
    assert mail.reminder_day(runtime.current(), dt.date(2026, 12, 8)) == dt.date(2026, 12, 4)


def test_calendar_overrides_keep_working_and_staff_win_over_them(api):
    overrides = '{"2027": {"holidays": ["2027-01-01"], "workdays": []}}'
    rt = runtime.build(dataclasses.replace(load_settings(), calendar_overrides=overrides))
    assert calendar.calendar_year(rt, "2027")["holidays"] == ["2027-01-01"]
    calendar.save_calendar_year(rt, "2027", {"holidays": ["2027-01-04"], "workdays": []})
    assert calendar.calendar_year(rt, "2027")["holidays"] == ["2027-01-04"]
