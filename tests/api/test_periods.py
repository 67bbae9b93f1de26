"""Staff create and list periods; everyone asks what today is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from chalicelib import runtime
from chalicelib.config import load_settings
from chalicelib.services import periods
from tests.api.conftest import body
from tests.conftest import beijing

DECEMBER = {
    "name": "2026年12月",
    "exam_date": "2026-12-18",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "开卷考试，请带好课程资料。",
}


def test_today_is_closed_with_no_periods(api, travel):
    travel(beijing(2026, 12, 1))
    response = api.get("/api/today")
    assert response.status_code == 200
    assert body(response) == {"date": "2026-12-01", "mode": "closed", "period": None}


def test_create_period_fills_the_default_window(api, travel):
    travel(beijing(2026, 11, 27))
    created = api.staff("POST", "/api/admin/periods", DECEMBER)
    assert created.status_code == 201
    period = body(created)["period"]
    assert period["registration_opens"] == "2026-11-27"  # no previous exam: the day of creation
    assert period["registration_closes"] == "2026-12-17"
    assert {k: period[k] for k in DECEMBER} == DECEMBER
    listed = body(api.staff("GET", "/api/admin/periods"))["periods"]
    # Staff's listing adds whether the paper is uploaded to the contract's Period.
    assert [{k: v for k, v in p.items() if k != "has_paper"} for p in listed] == [period]
    assert listed[0]["has_paper"] is False


def test_next_period_opens_the_first_working_day_after_the_previous_exam(api, travel):
    travel(beijing(2026, 11, 2))
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-11-20"})
    created = body(api.staff("POST", "/api/admin/periods", DECEMBER))["period"]
    assert created["registration_opens"] == "2026-11-23"  # Friday exam, Monday reopening


def test_today_follows_the_calendar_of_periods(api, travel):
    travel(beijing(2026, 11, 2))
    november = body(api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-11-20"}))[
        "period"
    ]
    december = body(api.staff("POST", "/api/admin/periods", DECEMBER))["period"]
    for day, mode, period in [
        (beijing(2026, 11, 10), "register", november),
        (beijing(2026, 11, 20), "exam", november),
        (beijing(2026, 11, 21), "closed", december),
        (beijing(2026, 11, 23), "register", december),
    ]:
        travel(day)
        today = body(api.get("/api/today"))
        assert (today["mode"], today["period"]) == (mode, period), day


def test_the_day_follows_beijing_when_the_host_runs_in_utc(api, travel, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    travel(beijing(2026, 11, 2))
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-11-20"})
    # 2026-11-19 16:30 UTC is already 00:30 on the exam day in Beijing.
    travel(dt.datetime(2026, 11, 19, 16, 30, tzinfo=dt.UTC))
    today = body(api.get("/api/today"))
    assert (today["date"], today["mode"]) == ("2026-11-20", "exam")
    # And 15:59 UTC is still the day before.
    travel(dt.datetime(2026, 11, 19, 15, 59, tzinfo=dt.UTC))
    today = body(api.get("/api/today"))
    assert (today["date"], today["mode"]) == ("2026-11-19", "register")


def test_same_exam_date_is_refused(api, travel):
    travel(beijing(2026, 11, 27))
    assert api.staff("POST", "/api/admin/periods", DECEMBER).status_code == 201
    again = api.staff("POST", "/api/admin/periods", {**DECEMBER, "name": "重复"})
    assert again.status_code == 409
    assert body(again)["error"]["code"] == "exam_date_taken"
    assert body(again)["error"]["field"] == "exam_date"


def test_invalid_period_names_the_field(api, travel):
    travel(beijing(2026, 11, 27))
    response = api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_end": "08:00"})
    assert response.status_code == 422
    assert body(response)["error"] == {
        "code": "invalid",
        "field": "exam_end",
        "message": body(response)["error"]["message"],
    }
    assert body(response)["error"]["message"]


def test_a_year_the_calendar_does_not_know_is_409_naming_the_year(api, travel):
    travel(beijing(2026, 12, 1))
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-12-31"})
    response = api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2027-01-29"})
    assert response.status_code == 409
    error = body(response)["error"]
    assert (error["code"], error["field"]) == ("calendar_unknown", "exam_date")
    assert "2027" in error["message"]


def test_an_explicit_window_needs_no_calendar(api, travel):
    travel(beijing(2026, 12, 1))
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-12-31"})
    response = api.staff(
        "POST",
        "/api/admin/periods",
        {
            **DECEMBER,
            "exam_date": "2027-01-29",
            "registration_opens": "2027-01-04",
            "registration_closes": "2027-01-28",
        },
    )
    assert response.status_code == 201


def test_staff_supplied_year_lets_the_default_window_be_computed(api, travel):
    travel(beijing(2026, 12, 1))
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-12-31"})
    overrides = json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}})
    rt = runtime.build(dataclasses.replace(load_settings(), calendar_overrides=overrides))
    created = periods.create_period(rt, {**DECEMBER, "exam_date": "2027-01-29"})
    # Thursday Dec 31 exam; Friday Jan 1 is the supplied holiday: Monday Jan 4 reopens.
    assert created.registration_opens == dt.date(2027, 1, 4)
