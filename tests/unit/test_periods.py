"""Periods: default registration windows, validation, and what today is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import CalendarUnknown, DomainError, Invalid
from chalicelib.domain.periods import Period, new_period, today_mode

D = dt.date
T = dt.time
CALENDAR = WorkCalendar()
TODAY = D(2026, 11, 2)


def period(pid: str, exam: dt.date, opens: dt.date, closes: dt.date) -> Period:
    return Period(
        id=pid,
        name=pid,
        exam_date=exam,
        exam_start=T(9),
        exam_end=T(11),
        registration_opens=opens,
        registration_closes=closes,
    )


def request(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "2026年12月",
        "exam_date": "2026-12-18",
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "开卷考试",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def create(
    body: dict[str, Any],
    existing: list[Period] | None = None,
    today: dt.date = TODAY,
    calendar: WorkCalendar = CALENDAR,
) -> Period:
    return new_period(body, lambda day: f"p{day:%Y%m%d}", today, calendar, existing or [])


def test_first_period_opens_on_the_day_of_creation_and_closes_the_day_before_the_exam() -> None:
    created = create(request())
    assert created.registration_opens == TODAY
    assert created.registration_closes == D(2026, 12, 17)
    assert created.id == "p20261218"


def test_registration_opens_on_the_first_working_day_after_the_previous_exam() -> None:
    # The previous exam is on Friday 2026-11-20: the next period opens Monday 2026-11-23.
    previous = period("nov", D(2026, 11, 20), D(2026, 10, 26), D(2026, 11, 19))
    created = create(request(), [previous])
    assert created.registration_opens == D(2026, 11, 23)


def test_the_previous_exam_is_the_latest_one_before_this_exam() -> None:
    earlier = period("oct", D(2026, 9, 30), D(2026, 9, 1), D(2026, 9, 29))
    previous = period("nov", D(2026, 11, 20), D(2026, 10, 8), D(2026, 11, 19))
    created = create(request(), [previous, earlier])
    assert created.registration_opens == D(2026, 11, 23)


def test_an_exam_before_a_holiday_reopens_after_it() -> None:
    previous = period("sep", D(2026, 9, 30), D(2026, 9, 1), D(2026, 9, 29))
    created = create(request(exam_date="2026-10-23"), [previous], today=D(2026, 9, 20))
    assert created.registration_opens == D(2026, 10, 8)


def test_explicit_window_is_kept() -> None:
    created = create(request(registration_opens="2026-12-01", registration_closes="2026-12-10"))
    assert (created.registration_opens, created.registration_closes) == (D(2026, 12, 1), D(2026, 12, 10))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"exam_date": None}, "exam_date"),
        ({"exam_date": "2026/12/18"}, "exam_date"),
        ({"exam_date": "2026-02-30"}, "exam_date"),
        ({"exam_date": 20261218}, "exam_date"),
        ({"exam_date": "2026-11-01"}, "exam_date"),  # in the past
        ({"exam_start": "9:00"}, "exam_start"),
        ({"exam_start": "25:00"}, "exam_start"),
        ({"exam_end": "08:00"}, "exam_end"),  # before the start
        ({"exam_end": "09:00"}, "exam_end"),  # equal to the start
        ({"name": "1月\n考试"}, "name"),
        ({"name": "1月\r考试"}, "name"),
        ({"name": "1月\u2028考试"}, "name"),
        ({"name": "\x01=HYPERLINK(C2)"}, "name"),
        ({"name": "1月\x0b考试"}, "name"),
        ({"name": "1月\ud800"}, "name"),
        ({"notes": 5}, "notes"),
        ({"notes": "带上\x00身份证"}, "notes"),
        ({"notes": "带上\t身份证"}, "notes"),
        ({"notes": "带上\x0b身份证"}, "notes"),
        ({"notes": "x" * 2001}, "notes"),
        ({"registration_opens": "2026-13-01"}, "registration_opens"),
        ({"registration_closes": "2026-12-18"}, "registration_closes"),  # the exam day itself
    ],
)
def test_invalid_requests_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        create(request(**changes))
    assert caught.value.field == field
    assert caught.value.status == 422


def test_notes_may_hold_line_breaks() -> None:
    notes = "请带身份证。\n提前 15 分钟到场。\r\n第三行\u2028第四行"
    assert create(request(notes=notes)).notes == notes


def test_notes_are_optional() -> None:
    body = request()
    del body["notes"]
    assert create(body).notes == ""


def test_same_exam_date_is_taken() -> None:
    existing = period("a", D(2026, 12, 18), D(2026, 11, 23), D(2026, 12, 17))
    with pytest.raises(DomainError) as caught:
        create(request(), [existing])
    assert (caught.value.code, caught.value.field, caught.value.status) == (
        "exam_date_taken",
        "exam_date",
        409,
    )


def test_overlapping_windows_are_refused() -> None:
    existing = period("a", D(2026, 12, 4), D(2026, 11, 2), D(2026, 12, 3))
    with pytest.raises(DomainError) as caught:
        create(request(registration_opens="2026-12-01"), [existing])
    assert caught.value.code == "registration_overlap"


def test_an_exam_inside_another_window_is_refused() -> None:
    existing = period("a", D(2027, 1, 20), D(2026, 12, 1), D(2027, 1, 19))
    with pytest.raises(DomainError) as caught:
        create(request(registration_opens="2026-11-10", registration_closes="2026-11-20"), [existing])
    assert (caught.value.code, caught.value.field) == ("registration_overlap", "exam_date")


def test_an_empty_window_is_refused() -> None:
    # The previous exam is the day before: the window would open after it closes.
    previous = period("a", D(2026, 12, 17), D(2026, 11, 2), D(2026, 12, 16))
    with pytest.raises(DomainError) as caught:
        create(request(), [previous])
    assert caught.value.code == "registration_window_empty"


def test_a_year_the_calendar_does_not_know_is_a_clear_conflict() -> None:
    previous = period("a", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 30))
    with pytest.raises(CalendarUnknown) as caught:
        create(request(exam_date="2027-01-29"), [previous], today=D(2026, 12, 20))
    assert (caught.value.status, caught.value.field, caught.value.year) == (409, "exam_date", 2027)


NOV = period("nov", D(2026, 11, 20), D(2026, 10, 26), D(2026, 11, 19))
DEC = period("dec", D(2026, 12, 18), D(2026, 11, 23), D(2026, 12, 17))
JAN = period("jan", D(2027, 1, 15), D(2027, 1, 4), D(2027, 1, 8))


@pytest.mark.parametrize(
    ("day", "mode", "pid"),
    [
        (D(2026, 10, 20), "closed", "nov"),  # before anything opens: the next one
        (D(2026, 10, 26), "register", "nov"),
        (D(2026, 11, 19), "register", "nov"),  # the last day is inclusive
        (D(2026, 11, 20), "exam", "nov"),
        (D(2026, 11, 21), "closed", "dec"),  # the weekend after the exam
        (D(2026, 11, 23), "register", "dec"),
        (D(2026, 12, 18), "exam", "dec"),
        (D(2026, 12, 19), "closed", "jan"),
        (D(2027, 1, 16), "closed", None),  # nothing known after
        (D(2027, 1, 10), "closed", "jan"),  # registration closed early, the exam still ahead
        (D(2027, 1, 14), "closed", "jan"),
    ],
)
def test_today_mode(day: dt.date, mode: str, pid: str | None) -> None:
    today = today_mode([DEC, NOV, JAN], day)
    assert today.mode == mode
    assert (today.period.id if today.period else None) == pid


def test_an_exam_date_wins_over_an_open_window() -> None:
    # Registration is refused all day on any exam date.
    odd = period("odd", D(2026, 11, 25), D(2026, 11, 1), D(2026, 11, 24))
    assert today_mode([DEC, odd], D(2026, 11, 25)).mode == "exam"


def test_exam_window_and_grace() -> None:
    tz = dt.timezone(dt.timedelta(hours=8))
    p = period("x", D(2026, 12, 18), D(2026, 11, 23), D(2026, 12, 17))
    at = lambda h, m: dt.datetime(2026, 12, 18, h, m, tzinfo=tz)  # noqa: E731
    assert not p.exam_is_open(at(8, 59))
    assert p.exam_is_open(at(9, 0))
    assert not p.exam_is_open(at(11, 0))
    assert p.accepts_submissions(at(11, 10))
    assert not p.accepts_submissions(at(11, 11))
    assert p.exam_is_over(at(11, 11))
