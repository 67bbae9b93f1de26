"""The one clock of the system.

Every date and time the system shows, stores or compares is Beijing time
(`Asia/Shanghai`), whatever zone the host runs in: Lambda runs in UTC, and a
candidate registering at 00:30 in Beijing must land on the Beijing date.
Tests move this clock with time-machine; nothing else reads the system time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current instant as an aware datetime in Beijing time."""
    return dt.datetime.now(BEIJING)


def today() -> dt.date:
    """Today's date in Beijing."""
    return now().date()


def beijing(date: dt.date, time: dt.time) -> dt.datetime:
    """The Beijing instant of a date and a wall-clock time."""
    return dt.datetime.combine(date, time, tzinfo=BEIJING)


def iso(instant: dt.datetime) -> str:
    """ISO 8601 with offset, in Beijing time, to the second."""
    return instant.astimezone(BEIJING).isoformat(timespec="seconds")


def parse_iso(text: str) -> dt.datetime:
    """Read back an instant written by `iso`."""
    return dt.datetime.fromisoformat(text).astimezone(BEIJING)
