"""Reading the State Council's holiday notice, checked day by day against chinesecalendar.

The fixtures in `notices/` are the notices as published (2019's 劳动节 line is the
one of the supplementary notice of March 2019, which chinesecalendar follows).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import CalendarInvalid
from chalicelib.domain.notice import YearDays, days_from_lists, parse_notice

NOTICES = Path(__file__).parent / "notices"
D = dt.date


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def is_workday(days: YearDays, day: dt.date) -> bool:
    if day in days.workdays:
        return True
    if day in days.holidays:
        return False
    return day.weekday() < 5


@pytest.mark.parametrize("year", [2017, 2019, 2022, 2023, 2024, 2025, 2026])
def test_notice_matches_the_library_day_by_day(year: int) -> None:
    days = parse_notice(notice(year), year)
    named = set(days.holidays) | set(days.workdays)
    every_day = {D(year, 1, 1) + dt.timedelta(days=n) for n in range(366)} | named
    wrong = sorted(
        day
        for day in every_day
        if day.year in (year - 1, year, year + 1)
        and (day.year == year or day in named)
        and is_workday(days, day) != chinese_calendar.is_workday(day)
    )
    assert wrong == []


@pytest.mark.parametrize(
    ("year", "holidays", "workdays"),
    [
        # A range crossing the year and a make-up workday in the previous December.
        (2019, [D(2018, 12, 31), D(2019, 1, 1)], [D(2018, 12, 29)]),
        # 补休: the Monday after a Sunday holiday.
        (2017, [D(2017, 1, 2)], [D(2017, 1, 22)]),
        # A range across months, the weekday notes in parentheses.
        (2025, [D(2025, 1, 28), D(2025, 2, 3), D(2025, 2, 4)], [D(2025, 1, 26), D(2025, 2, 8)]),
    ],
)
def test_notice_reads_the_hard_cases(year: int, holidays: list[dt.date], workdays: list[dt.date]) -> None:
    days = parse_notice(notice(year), year)
    assert set(holidays) <= set(days.holidays)
    assert set(workdays) <= set(days.workdays)


def test_weekend_days_of_a_break_are_not_listed_as_holidays() -> None:
    days = parse_notice(notice(2026), 2026)
    assert all(day.weekday() < 5 for day in days.holidays)
    assert all(day.weekday() >= 5 for day in days.workdays)


def test_preamble_and_signature_dates_are_not_holidays() -> None:
    # 2025's preamble cites 2024年11月10日 and the notice is signed 2024年11月12日.
    days = parse_notice(notice(2025), 2025)
    assert D(2024, 11, 11) not in days.holidays and D(2024, 11, 12) not in days.holidays


def test_a_notice_pasted_as_one_line_is_read() -> None:
    text = notice(2024).replace("\n", "")
    assert parse_notice(text, 2024) == parse_notice(notice(2024), 2024)


def test_full_width_digits_are_read() -> None:
    text = "一、元旦：１月１日放假，与周末连休。"
    assert parse_notice(text, 2024).holidays == (D(2024, 1, 1),)


@pytest.mark.parametrize(
    ("text", "year", "names"),
    [
        ("国务院办公厅关于2025年部分节假日安排的通知\n一、元旦：1月1日放假。", 2026, "2025 年的通知"),
        ("通知正文没有条目", 2027, "没有读到任何节假日安排"),
        ("标题\n一、元旦：1月1日放假。\n二、春节：2月30日至3月2日放假调休。", 2027, "第 3 行"),
        ("一、元旦：1月1日放假。\n二、春节：2月6日（周三）上班。", 2027, "第 2 行"),
        # The weekday printed beside the date belongs to another year.
        ("一、元旦：1月1日（周四）放假。", 2027, "星期五"),
        ("一、元旦：1月1日，共1天。", 2027, "放假还是上班"),
        ("一、春节：2月10日至3月30日放假调休。", 2027, "不是一个合理的日期范围"),
        ("一、元旦：2030年1月1日放假。", 2027, "不属于这一年"),
    ],
)
def test_unreadable_notice_names_the_line_or_date(text: str, year: int, names: str) -> None:
    with pytest.raises(CalendarInvalid) as caught:
        parse_notice(text, year)
    assert caught.value.status == 422
    assert caught.value.code == "calendar_invalid"
    assert names in caught.value.message


@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_with_calendar_invalid(text: str) -> None:
    try:
        days = parse_notice(text, 2027)
    except CalendarInvalid:
        return
    assert all(abs(day.year - 2027) <= 1 for day in days.holidays + days.workdays)


def test_ticked_lists_are_sorted_and_checked() -> None:
    days = days_from_lists(2027, ["2027-01-01", "2026-12-31"], ["2027-02-06"])
    assert days == YearDays(2027, (D(2026, 12, 31), D(2027, 1, 1)), (D(2027, 2, 6),))


@pytest.mark.parametrize(
    ("holidays", "workdays", "field", "names"),
    [
        (["2027-13-01"], [], "holidays", "2027-13-01"),
        ([20270101], [], "holidays", "20270101"),
        (["2027-01-02"], [], "holidays", "本来就是周末"),
        ([], ["2027-01-04"], "workdays", "本来就是工作日"),
        (["2030-01-01"], [], "holidays", "不属于 2027 年"),
    ],
)
def test_ticked_lists_name_the_date_they_refuse(
    holidays: list[object], workdays: list[object], field: str, names: str
) -> None:
    with pytest.raises(CalendarInvalid) as caught:
        days_from_lists(2027, holidays, workdays)
    assert caught.value.field == field
    assert names in caught.value.message
