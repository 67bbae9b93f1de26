"""The console's calendar warning: this year unknown always, next year unknown from 1 November."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import WorkCalendar, YearDays, calendar_warnings

# Far years nobody describes (the library stops long before), so the table holds whatever
# chinesecalendar release is installed; staff years stand for a year entered in the console.


def staff(*years: int) -> WorkCalendar:
    return WorkCalendar.from_years(YearDays(year) for year in years)


@pytest.mark.parametrize(
    ("today", "calendar", "warned"),
    [
        (dt.date(2098, 10, 31), staff(2098), []),
        (dt.date(2098, 11, 1), staff(2098), [2099]),
        (dt.date(2098, 12, 31), staff(2098), [2099]),
        (dt.date(2098, 12, 31), staff(2098, 2099), []),
        (dt.date(2099, 1, 1), staff(2099), []),
        (dt.date(2099, 6, 1), staff(), [2099]),
        (dt.date(2099, 11, 1), staff(), [2099, 2100]),
        (dt.date(2099, 11, 1), staff(2100), [2099]),
        (dt.date(2024, 11, 1), WorkCalendar(), []),  # the library knows 2024 and 2025
    ],
)
def test_calendar_warnings_name_the_unknown_years(today, calendar, warned):
    warnings = calendar_warnings(today, calendar)
    assert [w.year for w in warnings] == warned
    for warning in warnings:
        assert warning.code == "calendar_unknown"
        assert f"{warning.year} 年" in warning.message and "工作日日历" in warning.message
        assert warning.public() == {
            "code": "calendar_unknown",
            "year": warning.year,
            "message": warning.message,
        }


@settings(deadline=None)
@given(
    today=st.dates(dt.date(2090, 1, 1), dt.date(2099, 12, 31)),
    known=st.sets(st.integers(2090, 2100), max_size=4),
)
def test_next_year_is_warned_about_exactly_from_november_while_unknown(today, known):
    years = [w.year for w in calendar_warnings(today, staff(*known))]
    assert (today.year in years) == (today.year not in known)
    assert (today.year + 1 in years) == (today.month >= 11 and today.year + 1 not in known)
    assert set(years) <= {today.year, today.year + 1}
