"""The city's import template as a workbook: reading its layout, writing passers into it.

openpyxl loads only here and in the export's own files (it costs cold-start
time every other route should not pay). The template is opened with cached
values only: no formula is evaluated, no external link followed. Writing
starts from the uploaded workbook itself, so the sheet name, the header rows
(values, styles, merged cells, column widths, data validations) and every
other sheet stay exactly as the city gave them; only the rows below the header
are filled, at most `max_rows` a file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.domain.city_template import (
    MAX_COLUMNS,
    MAX_HEADER_ROWS,
    CityMapping,
    Layout,
    chunks,
    city_row,
    layout_from_cells,
)
from chalicelib.domain.errors import CityTemplateInvalid
from chalicelib.domain.export import FIELD_NAMES, XML_ILLEGAL

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_A_WORKBOOK = (
    "上传的文件不是有效的 Excel 工作簿（.xlsx）。"
    "如果市系统提供的是 .xls 文件，请在 Excel 中另存为 .xlsx 后上传。"
)


def _open(data: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CityTemplateInvalid(NOT_A_WORKBOOK) from exc


def _target_sheet(workbook: Any) -> Any:
    """The first visible worksheet: city templates hide their lists of values on other sheets."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            return sheet
    raise CityTemplateInvalid("模板中没有可见的工作表。")


def read_layout(data: bytes) -> Layout:
    """The template's sheet name and header texts (merged cells filled in); the workbook is
    also written back once, so a template openpyxl cannot write is refused now, not at export."""
    workbook = _open(data)
    sheet = _target_sheet(workbook)
    last_row = min(sheet.max_row, MAX_HEADER_ROWS + 1)
    last_column = min(sheet.max_column, MAX_COLUMNS + 1)
    rows = [
        list(values)
        for values in sheet.iter_rows(min_row=1, max_row=last_row, max_col=last_column, values_only=True)
    ]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, min(merged.max_row, last_row) + 1):
            for column in range(merged.min_col, min(merged.max_col, last_column) + 1):
                rows[row - 1][column - 1] = value
    layout = layout_from_cells(sheet.title, rows)
    try:
        workbook.save(io.BytesIO())
    except Exception as exc:  # what openpyxl cannot write back, the export could not either
        raise CityTemplateInvalid(
            "模板无法按原样写出（可能含有本系统不支持的内容）。请上传市系统提供的原始空白模板。"
        ) from exc
    return layout


@dataclass(frozen=True)
class CityFiles:
    """The export's rows in the city's template: `write` turns an export CSV into its files."""

    template: bytes
    layout: Layout
    mapping: CityMapping
    max_rows: int

    def write(self, csv_path: Path, count: int) -> tuple[Path, ...]:
        """The CSV's rows (the export's columns) as template files beside it, `max_rows` each."""
        ranges = chunks(count, self.max_rows)
        paths = []
        with csv_path.open(encoding="utf-8-sig", newline="") as source:
            reader = csv.reader(source)
            next(reader)
            for number, (first, last) in enumerate(ranges, start=1):
                suffix = "city" if len(ranges) == 1 else f"city-{number}of{len(ranges)}"
                target = csv_path.with_name(f"{csv_path.stem}-{suffix}.xlsx")
                rows = [dict(zip(FIELD_NAMES, next(reader), strict=True)) for _ in range(last - first + 1)]
                self._write_file(rows, target)
                paths.append(target)
        return tuple(paths)

    def _write_file(self, rows: list[dict[str, str]], target: Path) -> None:
        workbook = _open(self.template)
        sheet = workbook[self.layout.sheet]
        header_row = self.mapping.header_row
        _clear_below(sheet, header_row)
        text_columns = self.mapping.text_columns
        for number, values in enumerate(rows, start=1):
            for column, value in enumerate(city_row(self.mapping, values, number), start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=header_row + number, column=column)
                if isinstance(value, str):
                    value = XML_ILLEGAL.sub("", value)
                    # openpyxl reads a leading "=" as a formula; neutralised texts never have one.
                    value = "'" + value if value.startswith("=") else value
                cell.value = value
                if column in text_columns:
                    # "@" is Excel's Text format: the cell stays text if someone edits it.
                    cell.number_format = "@"
        workbook.save(target)


def _clear_below(sheet: Any, header_row: int) -> None:
    """Empty every cell below the header (an example row, say), keeping its format."""
    from openpyxl.cell.cell import MergedCell

    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row > header_row:
            sheet.unmerge_cells(str(merged))
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if not isinstance(cell, MergedCell):
                cell.value = None
