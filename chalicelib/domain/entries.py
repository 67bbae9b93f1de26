"""Passers entered into the city's system: the lists staff mark them from, the entry date, the counts.

The obligation is not the export e-mail but the entry into the city's HR
market management information system within 5 working days of the exam.
Staff record that entry here: for every exported passer of a period at once,
or from a list of ID numbers, pasted as text or taken from a column of the
city system's own result file. These rules read such a list the way the
registration form reads one ID number (`identity.normalise_id_number`; an old
15-digit number is read as its 18-character form), and say which lines could
not be read, by line number only: a line may hold someone's personal data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import EntriesInvalid, Invalid
from chalicelib.domain.identity import normalise_id_number, upgrade_old_id_number

# More than a period ever has passers; keeps one request within API Gateway's 29 seconds.
MAX_IDS = 5000
# A token with fewer digits than this is not meant as an ID number (a name, a date, a
# phone, a row number) and is passed over; one with this many that is no valid ID
# number is reported by its line.
ID_DIGITS = 15
# What separates ID numbers on a line besides whitespace (after NFKC: full-width , and ; are ASCII).
_SEPARATORS = re.compile(r"[\s,;、|/]+")
_DIGIT = re.compile(r"[0-9]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A header cell naming the column of ID numbers in the city system's result.
_ID_HEADERS = ("身份证", "证件号", "公民身份号码", "身份号码")
# How many rows at the top of a table may be titles before the header row.
_HEADER_ROWS = 10


@dataclass(frozen=True)
class Listed:
    """One ID number of a list, and the line (or row) it was first found on (1-based)."""

    id_number: str
    line: int


@dataclass(frozen=True)
class IdList:
    """A list of ID numbers as read: each once, in the order given, and the lines not read."""

    listed: tuple[Listed, ...]
    unreadable: tuple[int, ...] = ()
    repeated: int = 0

    @property
    def id_numbers(self) -> tuple[str, ...]:
        return tuple(item.id_number for item in self.listed)


class _Collector:
    def __init__(self) -> None:
        self.listed: list[Listed] = []
        self.seen: set[str] = set()
        self.unreadable: list[int] = []
        self.repeated = 0

    def add(self, id_number: str, line: int) -> None:
        if id_number in self.seen:
            self.repeated += 1
            return
        self.seen.add(id_number)
        self.listed.append(Listed(id_number, line))

    def refuse(self, line: int) -> None:
        if not self.unreadable or self.unreadable[-1] != line:
            self.unreadable.append(line)

    def result(self) -> IdList:
        if len(self.listed) > MAX_IDS:
            raise EntriesInvalid(
                f"一次最多标记 {MAX_IDS} 个身份证号，本次有 {len(self.listed)} 个，请分批提交。"
            )
        return IdList(tuple(self.listed), tuple(self.unreadable), self.repeated)


def _id_or_none(text: str, today: dt.date) -> str | None:
    """The ID number a list's entry stands for; a first-generation 15-digit one (the city's
    older records) as the 18-character number passers registered with."""
    try:
        return normalise_id_number(text, today)
    except Invalid:
        pass
    try:
        return upgrade_old_id_number(text, today)
    except Invalid:
        return None


def _read_line(text: str, line: int, today: dt.date, found: _Collector) -> None:
    """One line: an ID number written with spaces in it, or several separated by whitespace or commas."""
    text = unicodedata.normalize("NFKC", text)
    if len(_DIGIT.findall(text)) < ID_DIGITS:
        return
    whole = _id_or_none(text, today)
    if whole is not None:
        found.add(whole, line)
        return
    for token in _SEPARATORS.split(text):
        if len(_DIGIT.findall(token)) < ID_DIGITS:
            continue
        number = _id_or_none(token, today)
        if number is None:
            found.refuse(line)
        else:
            found.add(number, line)


def parse_id_text(text: str, today: dt.date) -> IdList:
    """ID numbers pasted as text: one a line, or separated by whitespace, commas or semicolons.

    Lines without an ID-number-like token (a header, a name, a blank) are passed over;
    a line with one that is no valid ID number is reported by its number."""
    found = _Collector()
    for number, line in enumerate(text.splitlines(), start=1):
        _read_line(line, number, today, found)
    return found.result()


def parse_id_values(values: Sequence[object], today: dt.date) -> IdList:
    """A JSON list of ID numbers: each must be one (its position is its line), strictly."""
    found = _Collector()
    for number, value in enumerate(values, start=1):
        id_number = _id_or_none(value, today) if isinstance(value, str) else None
        if id_number is None:
            found.refuse(number)
        else:
            found.add(id_number, number)
    return found.result()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A number cell has lost an ID number's last digits already; it is read (and refused) as is.
        return str(int(value))
    return str(value).strip()


def id_column(rows: Sequence[Sequence[object]], today: dt.date) -> tuple[int, int]:
    """Which column of a table holds the ID numbers, and the row its values start after (0 = none).

    The column whose header names it (身份证号码, 证件号码, ...) in the first rows; without
    such a header, the column with the most valid ID numbers."""
    for index, row in enumerate(rows[:_HEADER_ROWS], start=1):
        for column, value in enumerate(row):
            text = unicodedata.normalize("NFKC", _cell_text(value))
            if text and len(text) <= 20 and any(name in text for name in _ID_HEADERS):
                return column, index
    counts: dict[int, int] = {}
    for row in rows:
        for column, value in enumerate(row):
            if _id_or_none(_cell_text(value), today) is not None:
                counts[column] = counts.get(column, 0) + 1
    if not counts:
        raise EntriesInvalid(
            "文件中没有找到身份证号：请确认上传的是市系统导出的结果文件，且有身份证号一列。", "file"
        )
    return max(counts, key=lambda column: (counts[column], -column)), 0


def parse_id_table(rows: Sequence[Sequence[object]], today: dt.date) -> IdList:
    """The ID numbers of a table (a CSV or a worksheet, row by row): its ID number column, each
    non-empty cell below the header one ID number; a cell that is not is reported by its row."""
    column, header = id_column(rows, today)
    found = _Collector()
    for number, row in enumerate(rows, start=1):
        if number <= header or column >= len(row):
            continue
        text = _cell_text(row[column])
        if not text:
            continue
        id_number = _id_or_none(text, today)
        if id_number is None:
            found.refuse(number)
        else:
            found.add(id_number, number)
    return found.result()


def entry_date(value: object, today: dt.date, exam_date: dt.date) -> dt.date:
    """The day the passers were entered (`YYYY-MM-DD`, default today): not before the exam,
    nor after today."""
    if value is None or value == "":
        return today
    if not isinstance(value, str):
        raise Invalid("entered_on", "录入日期应为 YYYY-MM-DD 格式的日期。")
    try:
        if not _DATE.fullmatch(value.strip()):
            raise ValueError(value)
        day = dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid("entered_on", "录入日期应为 YYYY-MM-DD 格式的日期，例如 2026-12-22。") from exc
    if day > today:
        raise Invalid("entered_on", "录入日期不能晚于今天。")
    if day < exam_date:
        raise Invalid("entered_on", f"录入日期不能早于考试日期 {exam_date.isoformat()}。")
    return day


MODES = ("all", "id_numbers", "text", "file")


def marking_mode(body: Mapping[str, object]) -> str:
    """Which of `all`, `id_numbers`, `text` or `file` the request marks by: exactly one."""
    given = [mode for mode in MODES if body.get(mode) not in (None, False)]
    if len(given) != 1:
        raise Invalid(
            "all",
            "请选择一种方式：全部标记（all: true），或提供身份证号列表（id_numbers）、"
            "粘贴的文本（text）或上传的文件（file）之一。",
        )
    mode = given[0]
    if mode == "all" and body["all"] is not True:
        raise Invalid("all", "all 应为 true。")
    if mode == "id_numbers" and not isinstance(body["id_numbers"], list):
        raise Invalid("id_numbers", "id_numbers 应为身份证号的列表。")
    if mode == "text" and not isinstance(body["text"], str):
        raise Invalid("text", "text 应为粘贴的文本。")
    return mode


@dataclass(frozen=True)
class EntryCounts:
    """A period's passers: how many, how many exported, how many entered into the city's system."""

    passers: int = 0
    exported: int = 0
    entered: int = 0

    @property
    def outstanding(self) -> int:
        """Passers not entered yet, exported or not."""
        return self.passers - self.entered

    @property
    def not_exported(self) -> int:
        return self.passers - self.exported

    def public(self) -> dict[str, int]:
        return {
            "passers": self.passers,
            "exported": self.exported,
            "not_exported": self.not_exported,
            "entered": self.entered,
            "outstanding": self.outstanding,
        }


def count_entries(passers: Iterable[tuple[bool, bool]]) -> EntryCounts:
    """Counts from each passer's (exported, entered)."""
    total = exported = entered = 0
    for was_exported, was_entered in passers:
        total += 1
        exported += was_exported
        entered += was_entered
    return EntryCounts(total, exported, entered)


@dataclass(frozen=True)
class Entry:
    """Who recorded passers as entered into the city's system, for which day, and when."""

    entered_on: dt.date
    staff: str
    at: dt.datetime


@dataclass(frozen=True)
class EntryWarning:
    """The console's banner, from the 4th working day after an exam while passers are not entered."""

    period_id: str
    period_name: str
    counts: EntryCounts
    deadline: dt.date
    today: dt.date

    code = "entries_outstanding"

    @property
    def late(self) -> bool:
        return self.today > self.deadline

    @property
    def message(self) -> str:
        counts = self.counts
        unexported = f"（其中 {counts.not_exported} 名尚未导出）" if counts.not_exported else ""
        due = f"{self.deadline.year}年{self.deadline.month}月{self.deadline.day}日"
        return (
            f"「{self.period_name}」还有 {counts.outstanding} 名通过人员尚未录入市系统{unexported}，"
            f"录入截止 {due}{'，已超期' if self.late else ''}。录入后请在「录入市系统」中标记。"
        )

    def public(self) -> dict[str, object]:
        return {
            "code": self.code,
            "period_id": self.period_id,
            "outstanding": self.counts.outstanding,
            "deadline": self.deadline.isoformat(),
            "late": self.late,
            "message": self.message,
        }


MARKED = "marked"
ALREADY = "already"
NOT_PASSER = "not_passer"
