"""The export's files on disk: the CSV and the XLSX, streamed, and their share per e-mail.

Rows go to a CSV file on disk as they arrive, and the XLSX is then written
from that file by openpyxl's write-only workbook, so rows never pile up in
memory (openpyxl keeps only its table of distinct strings). When staff have
set up the city's import template, the same rows are also written in that
layout (services/city_workbook.py), from the same CSV. What the rows hold is
decided in domain/export.py; this module only writes them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from chalicelib.domain.export import (
    COLUMNS,
    SCORE_COLUMN,
    TEXT_COLUMNS,
    XML_ILLEGAL,
    ExportPart,
    Passer,
    display_width,
    row,
)
from chalicelib.domain.periods import Period

if TYPE_CHECKING:
    from chalicelib.services.city_workbook import CityFiles

Progress = Callable[[int], None]
_WIDTH_CAP = 60


class ExportFiles:
    """The CSV and XLSX of one export, streamed to files in `directory`.

    `add` writes each row to the CSV at once and remembers only the widest
    cell of each column; `finish` then writes the XLSX from the CSV, with the
    column widths known before the first row (write-only worksheets need them
    up front).
    """

    def __init__(self, period: Period, directory: Path, stem: str, city: CityFiles | None = None) -> None:
        self.period = period
        self.city = city
        # The whole export in the city's template, once `finish` has written it.
        self.city_paths: tuple[Path, ...] = ()
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
        """Close the CSV and write the XLSX from it (and the city template's files, when set up)."""
        self._close_csv()
        _write_xlsx(self.csv_path, self.xlsx_path, self._widths, self.count, progress)
        if self.city is not None:
            self.city_paths = self.city.write(self.csv_path, self.count)

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
                city = () if self.city is None else self.city.write(csv_path, last - first + 1)
                found.append(ExportPart(number, total, first, last, csv_path, xlsx_path, city))
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
                cell = WriteOnlyCell(sheet, value=XML_ILLEGAL.sub("", value))
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
