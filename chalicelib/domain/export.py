"""The passers' export: its rows, its files, its deadline.

Staff must enter every passer into the city's HR market management
information system within 5 working days of the exam, working from the CSV
and XLSX of these rows. The rules here are the contract's: the columns
and their order, the formats, formula neutralisation, and the deadline.

Writing the files is not a rule: `services/export_files.py` streams these rows
to the CSV and XLSX on disk.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from chalicelib.clock import BEIJING
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.periods import Period

# The export's columns, defined once: (field, title). `row()` gives the cells in this
# order, the files take their header from it, and the city's template maps its own
# columns to these fields (domain/city_template.py).
EXPORT_FIELDS = (
    ("period", "期次"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("email", "邮箱"),
    ("score", "成绩"),
    ("exam_date", "考试日期"),
    ("submitted_at", "提交时间"),
)
FIELD_NAMES = tuple(name for name, _ in EXPORT_FIELDS)
COLUMNS = tuple(title for _, title in EXPORT_FIELDS)
SCORE_COLUMN = FIELD_NAMES.index("score")
# Fields that are long digit strings: a spreadsheet would turn them into
# numbers and lose the last digits (and the X of an ID number).
TEXT_FIELDS = frozenset({"id_number", "phone"})
TEXT_COLUMNS = frozenset(FIELD_NAMES.index(name) for name in TEXT_FIELDS)

# A spreadsheet treats a cell starting with one of these as a formula, and
# some (LibreOffice, Excel's import) read the full-width forms as the ASCII
# ones. Tab and carriage return at the start are neutralised too (version 1).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_OPERATORS = frozenset("=+-@＝＋－＠")

DEADLINE_WORKING_DAYS = 5
WARNING_WORKING_DAYS = 4

# Submissions are accepted until the exam's end plus its grace; a transaction
# accepted at the last second may still be in flight then. Waiting a little
# longer before exporting means no passer can arrive after an export has
# read the period, so "exported" and "not yet exported" never race.
EXPORT_SETTLE = dt.timedelta(minutes=5)

# XML 1.0 forbids these control characters; openpyxl refuses them outright.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Passer:
    """One row of the export, as stored at submission."""

    name: str
    id_number: str
    phone: str
    email: str
    score: int
    submitted_at: dt.datetime


def clean_cell(text: str) -> str:
    """The text without control characters other than tab and line breaks (XML 1.0 and
    spreadsheets refuse or hide them), nor code points XML cannot carry."""
    return "".join(ch for ch in text if _keeps(ch))


def _keeps(ch: str) -> bool:
    if ch in "\t\n\r":
        return True
    category = unicodedata.category(ch)
    return category not in ("Cc", "Cs") and ch not in "\ufffe\uffff"


def _hides(ch: str) -> bool:
    """Characters a formula can hide behind: whitespace, what control characters remain
    after cleaning, and invisible format characters (zero-width space, RTL marks, BOM)."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def neutralise(text: str) -> str:
    """The cell's text cleaned, then prefixed with `'` when a spreadsheet would run it as a
    formula: when it begins, after anything invisible, with an operator (ASCII or full-width).

    Cleaning comes first, so a removed control character cannot make the check miss
    the operator behind it."""
    cleaned = clean_cell(text)
    if cleaned.startswith(FORMULA_STARTS):
        return "'" + cleaned
    for ch in cleaned:
        if not _hides(ch):
            return "'" + cleaned if ch in FORMULA_OPERATORS else cleaned
    return cleaned


def row(period: Period, passer: Passer) -> tuple[str | int, ...]:
    """The contract's row for one passer: formatted, every text cell neutralised."""
    values = cells(period, passer)
    return tuple(values[name] for name in FIELD_NAMES)


def cells(period: Period, passer: Passer) -> dict[str, str | int]:
    """The passer's export cells by field: the score a number, every text neutralised."""
    submitted = passer.submitted_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    texts = {
        "period": period.name,
        "name": passer.name,
        "id_number": passer.id_number,
        "phone": passer.phone,
        "email": passer.email,
        "exam_date": period.exam_date.isoformat(),
        "submitted_at": submitted,
    }
    found: dict[str, str | int] = {name: neutralise(text) for name, text in texts.items()}
    found["score"] = passer.score
    return found


def exam_has_ended(period: Period, now: dt.datetime) -> bool:
    """Whether the period's passers are final and may be exported."""
    tz = now.tzinfo
    assert tz is not None, "the clock always gives aware datetimes"
    return now > period.submissions_close_at(tz) + EXPORT_SETTLE


def deadline(calendar: WorkCalendar, period: Period) -> dt.date:
    """The day by which staff must have entered the passers: the 5th working day after the exam.

    Raises `CalendarUnknown` when the calendar does not know those days yet."""
    return calendar.nth_working_day_after(period.exam_date, DEADLINE_WORKING_DAYS)


def warning_possible(period: Period, today: dt.date) -> bool:
    """Whether `warning_due` can be true yet: the 4th working day is at least 4 days after the exam
    (so the calendar need not be read before)."""
    return today >= period.exam_date + dt.timedelta(days=WARNING_WORKING_DAYS)


def warning_due(calendar: WorkCalendar, period: Period, today: dt.date) -> bool:
    """From the 4th working day after the exam on, unexported passers deserve a warning.

    Raises `CalendarUnknown` when the calendar does not know those days yet."""
    return today >= calendar.nth_working_day_after(period.exam_date, WARNING_WORKING_DAYS)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


@dataclass(frozen=True)
class ExportPart:
    """One e-mail's share of an export too large for one: rows `first` to `last` (1-based,
    as numbered in the whole export) in a CSV and an XLSX of their own."""

    number: int
    of: int
    first: int
    last: int
    csv_path: Path
    xlsx_path: Path
    # The same rows in the city's import template, when staff have set one up.
    city_paths: tuple[Path, ...] = ()


def parts_for(message_bytes: int, limit: int) -> int:
    """Into how many e-mails a message of `message_bytes` is split so that each stays under
    `limit` bytes: a tenth of the limit is kept for each e-mail's headers and text, and for
    parts whose rows are longer than the average."""
    budget = limit * 9 // 10
    return max(2, -(-message_bytes // budget))
