"""The passers' export: its rows, its files, its deadline.

Staff must enter every passer into the city's HR market management
information system within 5 working days of the exam, working from the CSV
and XLSX this module writes. The rules here are the contract's: the columns
and their order, the formats, formula neutralisation, and the deadline.

The files are streamed: rows go to a CSV file on disk as they arrive, and the
XLSX is then written from that file by openpyxl's write-only workbook, so rows
never pile up in memory (openpyxl keeps only its table of distinct strings).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from chalicelib.clock import BEIJING
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.periods import Period

COLUMNS = ("期次", "姓名", "身份证号", "手机号", "邮箱", "成绩", "考试日期", "提交时间")
SCORE_COLUMN = COLUMNS.index("成绩")
# Columns that are long digit strings: a spreadsheet would turn them into
# numbers and lose the last digits (and the X of an ID number).
TEXT_COLUMNS = frozenset({COLUMNS.index("身份证号"), COLUMNS.index("手机号")})

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
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WIDTH_CAP = 60


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
    texts = (
        period.name,
        passer.name,
        passer.id_number,
        passer.phone,
        passer.email,
    )
    submitted = passer.submitted_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return (
        *(neutralise(text) for text in texts),
        passer.score,
        neutralise(period.exam_date.isoformat()),
        neutralise(submitted),
    )


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


Progress = Callable[[int], None]


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


def parts_for(message_bytes: int, limit: int) -> int:
    """Into how many e-mails a message of `message_bytes` is split so that each stays under
    `limit` bytes: a tenth of the limit is kept for each e-mail's headers and text, and for
    parts whose rows are longer than the average."""
    budget = limit * 9 // 10
    return max(2, -(-message_bytes // budget))


class ExportFiles:
    """The CSV and XLSX of one export, streamed to files in `directory`.

    `add` writes each row to the CSV at once and remembers only the widest
    cell of each column; `finish` then writes the XLSX from the CSV, with the
    column widths known before the first row (write-only worksheets need them
    up front).
    """

    def __init__(self, period: Period, directory: Path, stem: str) -> None:
        self.period = period
        self.csv_path = directory / f"{stem}.csv"
        self.xlsx_path = directory / f"{stem}.xlsx"
        self.count = 0
        self._widths = [display_width(title) for title in COLUMNS]
        # utf-8-sig writes the byte-order mark Excel needs to read UTF-8.
        self._csv: IO[str] | None = self.csv_path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._csv, lineterminator="\r\n")
        self._writer.writerow(COLUMNS)

    def add(self, passer: Passer) -> None:
        cells = row(self.period, passer)
        self._writer.writerow(cells)
        for index, cell in enumerate(cells):
            width = display_width(str(cell))
            if width > self._widths[index]:
                self._widths[index] = width
        self.count += 1

    def finish(self, progress: Progress | None = None) -> None:
        """Close the CSV and write the XLSX from it."""
        self._close_csv()
        _write_xlsx(self.csv_path, self.xlsx_path, self._widths, self.count, progress)

    def split(self, parts: int) -> list[ExportPart]:
        """After `finish`: the same rows, in order, as `parts` CSV and XLSX pairs of about
        equal size (fewer when there are fewer rows), written beside the whole files."""
        assert self._csv is None, "split() reads the finished CSV"
        per_part = -(-self.count // max(1, parts))
        total = -(-self.count // per_part) if self.count else 0
        found: list[ExportPart] = []
        with self.csv_path.open(encoding="utf-8-sig", newline="") as source:
            reader = csv.reader(source)
            next(reader)
            for number in range(1, total + 1):
                first = (number - 1) * per_part + 1
                last = min(number * per_part, self.count)
                stem = f"{self.csv_path.stem}-part{number}of{total}"
                csv_path = self.csv_path.with_name(f"{stem}.csv")
                with csv_path.open("w", encoding="utf-8-sig", newline="") as target:
                    writer = csv.writer(target, lineterminator="\r\n")
                    writer.writerow(COLUMNS)
                    for _ in range(last - first + 1):
                        writer.writerow(next(reader))
                xlsx_path = self.xlsx_path.with_name(f"{stem}.xlsx")
                _write_xlsx(csv_path, xlsx_path, self._widths, last - first + 1, None)
                found.append(ExportPart(number, total, first, last, csv_path, xlsx_path))
        return found

    def _close_csv(self) -> None:
        if self._csv is not None:
            self._csv.close()
            self._csv = None

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close_csv()


def _write_xlsx(source: Path, target: Path, widths: list[int], count: int, progress: Progress | None) -> None:
    """The same rows as the CSV, in a write-only (streaming) workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet: Any = workbook.create_sheet("通过人员")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _WIDTH_CAP)
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    centred = Alignment(horizontal="center", vertical="center")
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill, cell.alignment = header_font, header_fill, centred
        header.append(cell)
    sheet.append(header)

    with source.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for number, values in enumerate(reader, start=1):
            cells: list[Any] = []
            for index, value in enumerate(values):
                if index == SCORE_COLUMN:
                    cells.append(int(value))
                    continue
                cell = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("", value))
                if index in TEXT_COLUMNS:
                    # "@" is Excel's Text format: the cell stays text if someone edits it.
                    cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
            if progress is not None and number % 500 == 0:
                progress(number)
    workbook.save(target)
    if progress is not None:
        progress(count)
