"""Working days: statutory holidays are off, adjusted weekend days (调休) are on."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import CalendarUnknown

D = dt.date
LIBRARY = WorkCalendar()


@pytest.mark.parametrize(
    ("exam", "reopens"),
    [
        # A Friday exam reopens registration on Monday.
        (D(2026, 11, 20), D(2026, 11, 23)),
        # An exam just before National Day reopens after the holiday week (Oct 1-7).
        (D(2026, 9, 30), D(2026, 10, 8)),
        # Friday Oct 9 is followed by Saturday Oct 10, an adjusted working day.
        (D(2026, 10, 9), D(2026, 10, 10)),
        # An exam on a weekday reopens the next day.
        (D(2026, 12, 1), D(2026, 12, 2)),
        # Spring Festival 2026: Saturday Feb 14 is worked, then Feb 15-23 are off.
        (D(2026, 2, 13), D(2026, 2, 14)),
        (D(2026, 2, 14), D(2026, 2, 24)),
    ],
)
def test_first_working_day_after(exam: dt.date, reopens: dt.date) -> None:
    assert LIBRARY.first_working_day_after(exam) == reopens


def test_an_adjusted_saturday_is_a_working_day() -> None:
    saturday = D(2026, 10, 10)
    assert saturday.weekday() == 5
    assert LIBRARY.is_working_day(saturday)


def test_a_statutory_holiday_weekday_is_not_a_working_day() -> None:
    national_day = D(2026, 10, 1)
    assert national_day.weekday() < 5
    assert not LIBRARY.is_working_day(national_day)


def test_an_ordinary_sunday_is_not_a_working_day() -> None:
    assert not LIBRARY.is_working_day(D(2026, 11, 29))


def test_nth_working_day_counts_only_working_days() -> None:
    # Exam on Friday 2026-11-20: the 5th working day after is Friday 2026-11-27.
    assert LIBRARY.nth_working_day_after(D(2026, 11, 20), 5) == D(2026, 11, 27)
    assert LIBRARY.working_days_between(D(2026, 11, 20), D(2026, 11, 27)) == 5


def test_last_working_day_before_skips_a_holiday_week() -> None:
    assert LIBRARY.last_working_day_before(D(2026, 10, 8)) == D(2026, 9, 30)


def test_unknown_year_raises_an_error_naming_the_year() -> None:
    with pytest.raises(CalendarUnknown) as caught:
        LIBRARY.is_working_day(D(2027, 3, 1))
    assert caught.value.year == 2027
    assert "2027" in caught.value.message
    assert caught.value.status == 409


def test_staff_can_supply_an_unknown_year() -> None:
    calendar = WorkCalendar.from_overrides(
        json.dumps(
            {
                "2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-02"]},
            }
        )
    )
    assert not calendar.is_working_day(D(2027, 1, 1))  # a Friday holiday
    assert calendar.is_working_day(D(2027, 1, 2))  # an adjusted Saturday
    assert not calendar.is_working_day(D(2027, 1, 3))  # an ordinary Sunday
    assert calendar.is_working_day(D(2027, 1, 4))  # an ordinary Monday
    assert calendar.first_working_day_after(D(2026, 12, 31)) == D(2027, 1, 2)


def test_overrides_correct_a_known_year_too() -> None:
    calendar = WorkCalendar.from_overrides(json.dumps({"2026": {"holidays": ["2026-12-01"]}}))
    assert not calendar.is_working_day(D(2026, 12, 1))
    # Other days of a year listed in the overrides follow the plain week.
    assert calendar.is_working_day(D(2026, 12, 2))


def test_no_overrides_is_the_library_alone() -> None:
    assert WorkCalendar.from_overrides("") == WorkCalendar()
