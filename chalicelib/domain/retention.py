"""How long personal data is kept: the rules of what has expired, and nothing else.

The registration form's notice promises deletion `RETENTION_YEARS` after the
exam; the audit trail is kept `AUDIT_RETENTION_YEARS` (never under the three
years the contract asks for), and so is an answered rights request, counted
from its answer: it is the record that the person's request was answered, as
the audit events of filing and answering are. The schedule that deletes (services/retention.py)
asks these functions what is due and leaves the deciding to them.

"More than N years before today" is counted by the calendar: an exam on
2023-12-18 is kept through 2026-12-18 and expired from 2026-12-19. An exam
on 29 February is N years old on 28 February of a common year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

DEFAULT_RETENTION_YEARS = 3
DEFAULT_AUDIT_RETENTION_YEARS = 3
# The contract: the audit trail is kept at least three years.
MIN_AUDIT_RETENTION_YEARS = 3
MIN_RETENTION_YEARS = 1
MAX_YEARS = 100
DEFAULT_EXPORT_RETENTION_DAYS = 90


class HasExamDate(Protocol):
    @property
    def exam_date(self) -> dt.date: ...


P = TypeVar("P", bound=HasExamDate)


def years_before(today: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February becomes the 28th in a common year."""
    return _shift(today, -years)


def anniversary(exam_date: dt.date, years: int) -> dt.date:
    """The last day the exam is at most `years` old: the same calendar day `years` later."""
    return _shift(exam_date, years)


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def is_expired(exam_date: dt.date, today: dt.date, years: int) -> bool:
    """True when the exam date lies more than `years` years before `today`."""
    return today > anniversary(exam_date, years)


def expired(periods: Iterable[P], today: dt.date, years: int) -> list[P]:
    """The periods whose registrations are due for deletion, oldest exam first."""
    return sorted((p for p in periods if is_expired(p.exam_date, today, years)), key=lambda p: p.exam_date)


def last_expired_day(today: dt.date, years: int) -> dt.date:
    """The latest day whose records kept `years` years are expired on `today`."""
    day = years_before(today, years)
    while not is_expired(day, today, years):
        day -= dt.timedelta(days=1)
    return day


def audit_days_due(today: dt.date, years: int, window_days: int) -> list[dt.date]:
    """The audit trail's days (one partition each) to delete on `today`, newest first.

    Every day older than the retention is due; a daily run only needs the
    most recent ones, so the walk is bounded by `window_days` (runs missed for
    up to that long are caught up)."""
    last_expired = last_expired_day(today, years)
    return [last_expired - dt.timedelta(days=n) for n in range(window_days)]


def answered_requests_through(today: dt.date, audit_years: int) -> dt.date:
    """Answered rights requests closed on or before this day are due for deletion on `today`
    (kept `AUDIT_RETENTION_YEARS` from the answer, like the audit events about them)."""
    return last_expired_day(today, audit_years)


def parse_count(name: str, raw: str | None, default: int, minimum: int, maximum: int) -> int:
    """A whole number setting within bounds; `ValueError` naming the setting otherwise."""
    text = (raw or "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{name} is not a whole number: {raw!r}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value
