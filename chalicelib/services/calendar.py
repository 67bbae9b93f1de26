"""Staff keep the working-day calendar: read a year, enter it from the notice or by hand.

`work_calendar(rt)` is what every working-day rule uses: the stage's calendar
(library and `CALENDAR_OVERRIDES`) with the years staff entered on top, read
fresh, so a year saved in the console counts at once everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain.calendar import WorkCalendar, YearDays, calendar_warnings
from chalicelib.domain.errors import Invalid
from chalicelib.domain.notice import days_from_lists, parse_notice
from chalicelib.runtime import Runtime
from chalicelib.storage import calendar_years

# A notice is about 1,500 characters; anything far longer is not one.
MAX_NOTICE_CHARS = 20_000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def work_calendar(rt: Runtime) -> WorkCalendar:
    return rt.calendar.with_years(calendar_years.load_years())


def calendar_year(rt: Runtime, year: str) -> dict[str, Any]:
    """The year as the console shows it: source, holidays and workdays."""
    number = _year(year)
    source, days = work_calendar(rt).year(number)
    return days.public(source)


def warnings(rt: Runtime) -> dict[str, Any]:
    """What staff must do about the calendar today (next year unknown from 1 November)."""
    return {"warnings": [w.public() for w in calendar_warnings(clock.today(), work_calendar(rt))]}


def save_calendar_year(rt: Runtime, year: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Enter a year from the pasted notice, or from the days staff ticked."""
    number = _year(year)
    days = _days(number, body)
    calendar_years.save_year(days, clock.now())
    return calendar_year(rt, year)


def _days(year: int, body: Mapping[str, object]) -> YearDays:
    if "notice" in body:
        notice = body["notice"]
        if not isinstance(notice, str) or not notice.strip():
            raise Invalid("notice", "请粘贴国务院办公厅关于节假日安排的通知全文。")
        if len(notice) > MAX_NOTICE_CHARS:
            raise Invalid("notice", "粘贴的内容太长，请只粘贴通知本身。")
        return parse_notice(notice, year)
    holidays, workdays = body.get("holidays"), body.get("workdays")
    if not isinstance(holidays, list):
        raise Invalid(
            "holidays", "请粘贴通知（notice），或给出放假日（holidays）与调休上班日（workdays）的列表。"
        )
    if not isinstance(workdays, list):
        raise Invalid("workdays", "请给出调休上班日（workdays）的列表，没有就写 []。")
    return days_from_lists(year, holidays, workdays)


def _year(year: str) -> int:
    if not (year.isascii() and year.isdigit() and len(year) == 4) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise Invalid("year", f"年份应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字。")
    return int(year)
