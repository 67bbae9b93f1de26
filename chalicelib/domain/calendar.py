"""Chinese statutory working days.

Registration reopens on the first working day after an exam, and passers must
reach the city system within 5 working days: both count statutory working
days, where a holiday weekday is off and an adjusted weekend day (调休) is on.
`chinesecalendar` carries the State Council's schedule; it only knows a year
once the schedule is published and the library released, so staff can supply
a year (or correct a day) in the stage setting `CALENDAR_OVERRIDES`:

    {"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}}

A year present there is taken as fully described by its lists plus the usual
Monday-to-Friday week. Staff may also enter a year in the console (pasting the
notice, see notice.py); those years are stored in DynamoDB and layered over
the stage's overrides with `with_years`, so the latest word on a year wins:
staff, then the stage setting, then the library. A date in a year nobody knows
raises `CalendarUnknown` naming the year, which the API answers as a 409,
never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Literal

from chalicelib.domain.errors import CalendarUnknown
from chalicelib.values import FACTORY, value_class

ONE_DAY = dt.timedelta(days=1)
# No run of non-working days in China's calendar is anywhere near this long;
# the bound only stops a corrupt override from looping forever.
_LONGEST_BREAK = 60


YearSource = Literal["staff", "library", "unknown"]


@value_class
class YearDays:
    """One year's exceptions to the Monday-to-Friday week.

    `holidays` are weekdays off, `workdays` weekend days worked. A notice may
    name days of the neighbouring years (a make-up workday in the previous
    December); they are kept, since they belong to this year's arrangement."""

    year: int
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()

    def __init__(
        self,
        year: int,
        holidays: tuple[dt.date, ...] = (),
        workdays: tuple[dt.date, ...] = (),
    ) -> None:
        self.__dict__.update(year=year, holidays=holidays, workdays=workdays)

    def public(self, source: YearSource) -> dict[str, object]:
        return {
            "year": self.year,
            "source": source,
            "holidays": [day.isoformat() for day in self.holidays],
            "workdays": [day.isoformat() for day in self.workdays],
        }


@value_class
class WorkCalendar:
    """Which days are working days: the holiday tables, and the overrides staff or the stage supply."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    supplied_years: frozenset[int] = frozenset()
    years: Mapping[int, YearDays] = field(default_factory=dict, compare=False)

    def __init__(
        self,
        holidays: frozenset[dt.date] = frozenset(),
        workdays: frozenset[dt.date] = frozenset(),
        supplied_years: frozenset[int] = frozenset(),
        years: Mapping[int, YearDays] = FACTORY,
    ) -> None:
        years = dict() if years is FACTORY else years
        self.__dict__.update(
            holidays=holidays,
            workdays=workdays,
            supplied_years=supplied_years,
            years=years,
        )

    @classmethod
    def from_overrides(cls, raw: str) -> WorkCalendar:
        """Build from the JSON of `CALENDAR_OVERRIDES` (empty: the library alone), skipping
        any entry that cannot be read (`override_problems` names them)."""
        return _read_overrides(raw)[0]

    @classmethod
    def from_years(cls, years: Iterable[YearDays]) -> WorkCalendar:
        """Supplied years over the library; a later entry for the same year replaces an earlier one."""
        by_year = {days.year: days for days in years}
        holidays = {day for days in by_year.values() for day in days.holidays}
        workdays = {day for days in by_year.values() for day in days.workdays}
        return cls(frozenset(holidays), frozenset(workdays), frozenset(by_year), by_year)

    def with_years(self, years: Iterable[YearDays]) -> WorkCalendar:
        """This calendar with `years` (staff's) replacing what it knew of them."""
        return WorkCalendar.from_years([*self.years.values(), *years])

    def year(self, year: int) -> tuple[YearSource, YearDays]:
        """A year as staff see it: who describes it, and its holidays and workdays."""
        if year in self.years:
            return "staff", self.years[year]
        import chinese_calendar  # its tables load on the first day no year supplied describes

        first = dt.date(year, 1, 1)
        try:
            chinese_calendar.is_workday(first)
        except NotImplementedError:
            return "unknown", YearDays(year)
        days = [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]
        working = {day: bool(chinese_calendar.is_workday(day)) for day in days}
        return "library", YearDays(
            year,
            tuple(day for day in days if day.weekday() < 5 and not working[day]),
            tuple(day for day in days if day.weekday() >= 5 and working[day]),
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in self.supplied_years:
            return day.weekday() < 5
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            raise CalendarUnknown(day.year) from exc

    def first_working_day_after(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.nth_working_day_after(day, 1)

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after `day` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        candidate = day
        for _ in range(n * _LONGEST_BREAK):
            candidate += ONE_DAY
            if self.is_working_day(candidate):
                n -= 1
                if n == 0:
                    return candidate
        raise ValueError(f"no working day found after {day}")

    def last_working_day_before(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        candidate = day
        for _ in range(_LONGEST_BREAK):
            candidate -= ONE_DAY
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day found before {day}")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days `end` is after `start`."""
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def override_problems(raw: str) -> list[str]:
    """What in a `CALENDAR_OVERRIDES` value cannot be read, one English line each (empty: all of it can).

    Bootstrap and deploy refuse a value with problems; a running app skips the bad
    entries with a logged warning rather than failing candidates' requests."""
    return _read_overrides(raw)[1]


def _read_overrides(raw: str) -> tuple[WorkCalendar, list[str]]:
    if not raw.strip():
        return WorkCalendar(), []
    problems: list[str] = []
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return WorkCalendar(), ["CALENDAR_OVERRIDES is not valid JSON"]
    if not isinstance(data, dict):
        return WorkCalendar(), ['CALENDAR_OVERRIDES must be an object: {"2027": {"holidays": [...], ...}}']
    found: list[YearDays] = []
    for year, lists in data.items():
        if not (isinstance(year, str) and len(year) == 4 and year.isascii() and year.isdigit()):
            problems.append(f"CALENDAR_OVERRIDES: {year!r} is not a year (YYYY)")
            continue
        if not isinstance(lists, dict) or set(lists) - {"holidays", "workdays"}:
            problems.append(f'CALENDAR_OVERRIDES[{year}] must be {{"holidays": [...], "workdays": [...]}}')
            continue
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for name, target in (("holidays", holidays), ("workdays", workdays)):
            days = lists.get(name, [])
            if not isinstance(days, list):
                problems.append(f"CALENDAR_OVERRIDES[{year}].{name} must be a list of YYYY-MM-DD dates")
                continue
            for day in days:
                parsed = _iso_date(day)
                if parsed is None:
                    problems.append(f"CALENDAR_OVERRIDES[{year}].{name}: {day!r} is not a YYYY-MM-DD date")
                    continue
                target.add(parsed)
        found.append(YearDays(int(year), tuple(sorted(holidays)), tuple(sorted(workdays))))
    return WorkCalendar.from_years(found), problems


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# From this day of the year on, staff are warned while next year's calendar is unknown: the State
# Council publishes the arrangement in late October or November, and December exams already
# count working days into January.
WARN_NEXT_YEAR_FROM = (11, 1)


@value_class
class CalendarWarning:
    """Something staff must do about the calendar, shown on the console."""

    code: str
    year: int
    message: str

    def __init__(self, code: str, year: int, message: str) -> None:
        self.__dict__.update(code=code, year=year, message=message)

    def public(self) -> dict[str, object]:
        return {"code": self.code, "year": self.year, "message": self.message}


def calendar_warnings(today: dt.date, calendar: WorkCalendar) -> tuple[CalendarWarning, ...]:
    """The console's calendar warnings on `today`: this year unknown (always), next year unknown
    (from 1 November)."""
    found: list[CalendarWarning] = []
    if calendar.year(today.year)[0] == "unknown":
        found.append(_unknown(today.year, "今年"))
    if (today.month, today.day) >= WARN_NEXT_YEAR_FROM and calendar.year(today.year + 1)[0] == "unknown":
        found.append(_unknown(today.year + 1, "明年"))
    return tuple(found)


def _unknown(year: int, which: str) -> CalendarWarning:
    return CalendarWarning(
        "calendar_unknown",
        year,
        f"{which}（{year} 年）的法定节假日安排尚未录入：考试日期、报名期或导出期限落在 {year} 年的期次"
        f"无法计算工作日。国务院办公厅公布通知后，请在「工作日日历」页面粘贴录入。",
    )
