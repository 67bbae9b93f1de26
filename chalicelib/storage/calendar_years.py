"""The years of the working-day calendar that staff entered, kept in the table.

There are a handful of them (one a year), all under one partition key: one
strongly consistent Query reads them all, so a year saved in one container is
used by the next working-day rule evaluated in any other.
"""

from __future__ import annotations

import datetime as dt

from chalicelib import clock
from chalicelib.domain.calendar import YearDays
from chalicelib.storage import keys
from chalicelib.storage.dynamo import dynamodb_errors
from chalicelib.storage.models import CalendarYearItem


def load_years() -> list[YearDays]:
    with dynamodb_errors():
        items = list(CalendarYearItem.query(keys.CALENDAR_PK, consistent_read=True))
    return [
        YearDays(
            int(item.sk),
            tuple(dt.date.fromisoformat(day) for day in item.holidays or []),
            tuple(dt.date.fromisoformat(day) for day in item.workdays or []),
        )
        for item in items
    ]


def save_year(days: YearDays, saved_at: dt.datetime) -> None:
    """Replace the year: the last staff member to save it has the word."""
    item = CalendarYearItem(
        keys.CALENDAR_PK,
        keys.calendar_sk(days.year),
        holidays=[day.isoformat() for day in days.holidays],
        workdays=[day.isoformat() for day in days.workdays],
        saved_at=clock.iso(saved_at),
    )
    with dynamodb_errors():
        item.save()
