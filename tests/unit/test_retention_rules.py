"""What has expired: registrations more than RETENTION_YEARS after the exam, audit days and answered
rights requests AUDIT_RETENTION_YEARS after theirs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.retention import (
    answered_requests_through,
    audit_days_due,
    expired,
    is_expired,
    parse_count,
    years_before,
)

D = dt.date


@pytest.mark.parametrize(
    ("exam", "today", "years", "gone"),
    [
        (D(2023, 12, 18), D(2026, 12, 18), 3, False),  # exactly three years: kept
        (D(2023, 12, 18), D(2026, 12, 19), 3, True),  # more than three years
        (D(2023, 12, 19), D(2026, 12, 19), 3, False),
        (D(2024, 2, 29), D(2027, 2, 28), 3, False),  # 29 February is three years old on the 28th
        (D(2024, 2, 29), D(2027, 3, 1), 3, True),
        (D(2025, 6, 1), D(2026, 6, 1), 1, False),
        (D(2025, 5, 31), D(2026, 6, 1), 1, True),
        (D(2026, 12, 18), D(2026, 12, 1), 3, False),  # a later period
    ],
)
def test_a_registration_expires_the_day_after_its_exam_is_n_years_old(exam, today, years, gone):
    assert is_expired(exam, today, years) is gone


@pytest.mark.parametrize(
    ("today", "years", "expected"),
    [
        (D(2026, 12, 19), 3, D(2023, 12, 19)),
        (D(2028, 2, 29), 3, D(2025, 2, 28)),
        (D(2028, 2, 29), 4, D(2024, 2, 29)),
    ],
)
def test_years_before_counts_calendar_years(today, years, expected):
    assert years_before(today, years) == expected


@dataclass(frozen=True)
class P:
    id: str
    exam_date: dt.date


def test_only_periods_past_the_retention_are_expired_oldest_first():
    periods = [P("c", D(2026, 12, 18)), P("b", D(2023, 6, 1)), P("a", D(2022, 1, 5)), P("d", D(2023, 12, 20))]
    assert [p.id for p in expired(periods, D(2026, 12, 19), 3)] == ["a", "b"]


def test_audit_days_due_begin_the_day_before_the_oldest_kept_day():
    days = audit_days_due(D(2026, 12, 19), 3, window_days=3)
    assert days == [D(2023, 12, 18), D(2023, 12, 17), D(2023, 12, 16)]
    assert all(is_expired(day, D(2026, 12, 19), 3) for day in days)


def test_a_request_answered_three_years_ago_to_the_day_is_kept_and_one_a_day_older_goes():
    assert answered_requests_through(D(2029, 8, 22), 3) == D(2026, 8, 21)
    assert answered_requests_through(D(2027, 3, 1), 3) == D(2024, 2, 29)
    assert answered_requests_through(D(2027, 2, 28), 3) == D(2024, 2, 27)  # the 29th is kept on the 28th


@pytest.mark.parametrize(
    ("raw", "value"),
    [(None, 3), ("", 3), (" 5 ", 5), ("1", 1), ("100", 100)],
)
def test_a_count_setting_reads_whole_numbers_with_a_default(raw, value):
    assert parse_count("RETENTION_YEARS", raw, 3, 1, 100) == value


@pytest.mark.parametrize("raw", ["0", "-1", "3.5", "三", "101", "٣", "3 years"])
def test_a_count_setting_refuses_what_is_not_a_whole_number_in_bounds(raw):
    with pytest.raises(ValueError, match="RETENTION_YEARS"):
        parse_count("RETENTION_YEARS", raw, 3, 1, 100)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))


@given(exam=dates, today=dates, years=st.integers(min_value=1, max_value=20))
def test_expiry_agrees_with_counting_whole_years_as_an_age_is_counted(exam, today, years):
    """Expired once more than N whole years have passed: the age of the exam, counted as a
    person's age is (29 February counts as 28 February in a common year)."""
    month_day = (exam.month, exam.day)
    leap_day_in_common_year = month_day == (2, 29) and not _leap(today.year)
    if leap_day_in_common_year:
        month_day = (2, 28)
    age = today.year - exam.year - ((today.month, today.day) < month_day)
    on_the_day = (today.month, today.day) == month_day
    assert is_expired(exam, today, years) is (age > years or (age == years and not on_the_day))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@given(today=dates, years=st.integers(min_value=3, max_value=20))
def test_the_audit_days_due_are_expired_and_the_day_after_them_is_not(today, years):
    newest, *_ = audit_days_due(today, years, window_days=1)
    assert is_expired(newest, today, years)
    assert not is_expired(newest + dt.timedelta(days=1), today, years)


@given(exam=dates, today=dates, years=st.integers(min_value=1, max_value=20))
def test_a_longer_retention_never_expires_more(exam, today, years):
    if is_expired(exam, today, years + 1):
        assert is_expired(exam, today, years)
    if not is_expired(exam, today, years):
        assert not is_expired(exam, today + dt.timedelta(days=-1), years)


@given(today=dates, years=st.integers(min_value=3, max_value=20))
def test_answered_requests_due_are_exactly_the_expired_answer_days(today, years):
    through = answered_requests_through(today, years)
    assert is_expired(through, today, years)
    assert not is_expired(through + dt.timedelta(days=1), today, years)
