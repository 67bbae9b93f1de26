"""Reading the State Council's holiday notice into one year's working-day exceptions.

Every autumn the State Council publishes 《国务院办公厅关于YYYY年部分节假日安排的通知》;
`chinesecalendar` follows months later (its newest release knows nothing after 2026).
Staff paste the notice as published and this module turns it into the two lists
the working-day rules need: the weekdays off (`holidays`) and the weekend days
worked (`workdays`, 调休).

The notice is regular enough to read without guessing: each holiday is one
numbered item (`一、元旦：…`), whose sentences name dates or ranges followed by
what happens on them (`放假`, `放假调休`, `补休` — off; `上班` — worked). A range
may cross months (`1月28日至2月4日`), a date may carry its own year (a make-up
workday in the previous December: `2018年12月29日（星期六）上班`), and the weekday
printed beside a date is checked against the calendar, which catches a notice
pasted under the wrong year. Anything else in the item (`共8天`, `与周末连休`,
the encouragement to rest on 除夕) is not a date and is ignored. A date that
cannot be read or classified raises `CalendarInvalid` naming its line.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from chalicelib.domain.calendar import YearDays
from chalicelib.domain.errors import CalendarInvalid

ONE_DAY = dt.timedelta(days=1)
# The longest statutory break so far is 9 days; a longer range is a misreading.
_LONGEST_RANGE = 16

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

# After NFKC, full-width digits, colons and parentheses are half-width.
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.]\s*(?P<name>[^:]{1,20}?)\s*:(?P<body>.*)$")
_ITEM_START = re.compile(r"(?<=[。.;])\s*(?=[一二三四五六七八九十]{1,3}、)")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年部分节假日安排")
_DATE = r"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*)?(?P<{p}d>\d{{1,2}})\s*日"
_NOTE = r"(?:\s*\((?P<{p}note>[^()]*)\))?"
_TOKEN = re.compile(
    _DATE.format(p="a")
    + _NOTE.format(p="a")
    + r"(?:\s*[至到~\-－—]\s*"
    + _DATE.format(p="b")
    + _NOTE.format(p="b")
    + r")?"
    + r"|(?P<off>补休|放假|休假)|(?P<on>上班)"
)
# Where the last item ends when the notice was pasted as one line.
_CLOSING = re.compile(r"节假日期间|国务院办公厅")
_ASIDE = re.compile(r"(?<!日)\s*\([^()]*\)")
_WEEKDAY_NOTE = re.compile(r"(?:星期|周)([一二三四五六日天])")


def parse_notice(text: str, year: int) -> YearDays:
    """Read the State Council's notice for `year`, pasted as published."""
    text = unicodedata.normalize("NFKC", text)
    title = _TITLE_YEAR.search(text)
    if title and int(title.group(1)) != year:
        raise CalendarInvalid(
            f"粘贴的是 {title.group(1)} 年的通知，不是 {year} 年的。"
            f"请粘贴《国务院办公厅关于{year}年部分节假日安排的通知》。"
        )
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    items = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        for line in _ITEM_START.split(raw):
            match = _ITEM.match(line)
            if match is None:
                continue
            items += 1
            off, on = _read_item(match.group("body"), year, _where(number, line))
            holidays.update(day for day in off if day.weekday() < 5)
            workdays.update(on)
    if not items:
        raise CalendarInvalid("没有读到任何节假日安排。请粘贴通知的全文，包括“一、元旦：……”这样的各条安排。")
    both = holidays & workdays
    if both:
        day = min(both)
        raise CalendarInvalid(f"{_show(day)} 在通知中既是放假日又是上班日，请核对通知原文。")
    return YearDays(year, tuple(sorted(holidays)), tuple(sorted(workdays)))


def days_from_lists(year: int, holidays: Iterable[object], workdays: Iterable[object]) -> YearDays:
    """Staff ticked the days by hand: holidays must be weekdays, workdays weekend days."""
    off = {_list_date(value, year, "holidays") for value in holidays}
    on = {_list_date(value, year, "workdays") for value in workdays}
    for day in sorted(off):
        if day.weekday() >= 5:
            raise CalendarInvalid(f"{_show(day)} 本来就是周末，不必列为放假日。", field="holidays")
    for day in sorted(on):
        if day.weekday() < 5:
            raise CalendarInvalid(f"{_show(day)} 本来就是工作日，不必列为调休上班日。", field="workdays")
    both = off & on
    if both:
        raise CalendarInvalid(f"{_show(min(both))} 不能既放假又上班。", field="holidays")
    return YearDays(year, tuple(sorted(off)), tuple(sorted(on)))


def _list_date(value: object, year: int, field: str) -> dt.date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        shown = str(value)[:20]
        raise CalendarInvalid(f"日期「{shown}」无法识别，请写成 YYYY-MM-DD。", field=field) from None
    if abs(day.year - year) > 1:
        raise CalendarInvalid(f"{value} 不属于 {year} 年的节假日安排。", field=field)
    return day


def _read_item(body: str, year: int, where: str) -> tuple[list[dt.date], list[dt.date]]:
    off: list[dt.date] = []
    on: list[dt.date] = []
    pending: list[dt.date] = []
    # A remark in parentheses that does not follow a date (除夕（2月9日）休息) is not an arrangement.
    body = _ASIDE.sub("", _CLOSING.split(body, maxsplit=1)[0])
    for token in _TOKEN.finditer(body):
        if token.group("off"):
            off.extend(pending)
            pending = []
        elif token.group("on"):
            on.extend(pending)
            pending = []
        else:
            pending.extend(_read_dates(token, year, where))
    if pending:
        raise CalendarInvalid(
            f"{where}：读不出 {_show(pending[0])} 是放假还是上班。请粘贴通知原文，不要删改句子。"
        )
    for day in on:
        if day.weekday() < 5:
            raise CalendarInvalid(f"{where}：{_show(day)} 本来就是工作日，通知里不会写它“上班”，请核对。")
    return off, on


def _read_dates(token: re.Match[str], year: int, where: str) -> list[dt.date]:
    if token.group("am") is None:
        raise CalendarInvalid(f"{where}：「{token.group(0)}」缺少月份，无法识别。")
    start = _date(token, "a", year, int(token.group("am")), where)
    _check_weekday(start, token.group("anote"), where)
    if token.group("bd") is None:
        return [start]
    end_year = int(token.group("by") or start.year)
    end_month = int(token.group("bm") or start.month)
    end = _date(token, "b", end_year, end_month, where)
    if end < start and token.group("by") is None:
        end = _date(token, "b", end_year + 1, end_month, where)
    _check_weekday(end, token.group("bnote"), where)
    if not start <= end or (end - start).days > _LONGEST_RANGE:
        raise CalendarInvalid(f"{where}：「{token.group(0)}」不是一个合理的日期范围。")
    days = []
    day = start
    while day <= end:
        days.append(day)
        day += ONE_DAY
    return days


def _date(token: re.Match[str], part: str, default_year: int, month: int, where: str) -> dt.date:
    year = int(token.group(f"{part}y") or default_year)
    try:
        day = dt.date(year, month, int(token.group(f"{part}d")))
    except ValueError:
        raise CalendarInvalid(f"{where}：「{token.group(0)}」不是有效的日期。") from None
    if abs(year - default_year) > 1 and part == "a":
        raise CalendarInvalid(f"{where}：{_show(day)} 不属于这一年的节假日安排。")
    return day


def _check_weekday(day: dt.date, note: str | None, where: str) -> None:
    weekday = _WEEKDAY_NOTE.search(note or "")
    if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
        raise CalendarInvalid(
            f"{where}：通知写 {_show(day)} 是{weekday.group(0)}，但这一天是{_weekday_name(day)}。"
            "请确认粘贴的是这一年的通知。"
        )


def _where(number: int, line: str) -> str:
    snippet = line.strip()
    if len(snippet) > 24:
        snippet = snippet[:24] + "……"
    return f"第 {number} 行「{snippet}」"


def _show(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _weekday_name(day: dt.date) -> str:
    return "星期" + "一二三四五六日"[day.weekday()]
