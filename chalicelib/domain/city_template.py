"""The city's import template: its layout, staff's mapping of its columns, and its rows.

The city's HR market management information system imports passers from its
own blank workbook, and government importers are strict: the sheet name, the
header rows and the column order exactly as given, ID numbers as text. Staff
upload that blank workbook once and say, for each of its columns, which of our
fields it holds (or a fixed text, or nothing). The export then also writes the
passers in that layout, at most a set number of rows per file.

This module sees only cell texts (the workbook is read and written by
services/city_workbook.py with openpyxl): it reads the layout from the header
area's texts, validates the mapping, builds each row's cells and splits the
rows into files. Every refusal is `CityTemplateInvalid` naming the column as
staff see it in Excel (`「C」列（身份证号码）`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import CityTemplateInvalid
from chalicelib.domain.export import FIELD_NAMES, TEXT_FIELDS, neutralise
from chalicelib.domain.text import has_unprintable

# The fields a column may hold, with the console's labels, in the console's order.
FIELDS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号",
    "sex": "性别（由身份证号得出）",
    "birth_date": "出生日期（由身份证号得出）",
    "phone": "手机号",
    "email": "电子邮箱",
    "score": "成绩",
    "exam_date": "考试日期",
    "submitted_at": "交卷时间",
    "period": "期次名称",
    "row_number": "序号（每个文件从 1 起）",
    "fixed": "固定文字",
    "empty": "留空",
}
# The export's own fields must all be offered (the rest are derived or given).
assert set(FIELD_NAMES) <= set(FIELDS)
REQUIRED_FIELDS = ("name", "id_number")
MAX_HEADER_ROWS = 30
MAX_COLUMNS = 100
FIXED_TEXT_MAX = 100

# Header words that say which field a column holds, for the console's first suggestion.
# Checked in order: "出生日期" before "日期", "身份证" before anything with "号".
_SUGGESTIONS = (
    (("身份证", "证件号", "公民身份号码"), "id_number"),
    (("出生",), "birth_date"),
    (("性别",), "sex"),
    (("姓名",), "name"),
    (("手机", "联系电话", "电话", "联系方式"), "phone"),
    (("邮箱", "电子邮件", "email", "e-mail"), "email"),
    (("成绩", "分数", "得分"), "score"),
    (("考试日期", "考试时间", "考核日期", "培训日期"), "exam_date"),
    (("交卷", "提交时间"), "submitted_at"),
    (("期次", "批次"), "period"),
    (("序号", "编号"), "row_number"),
)


@dataclass(frozen=True)
class Layout:
    """The template's target sheet: its name and the texts of its header area (row by row,
    merged cells carrying their value in every cell they cover)."""

    sheet: str
    rows: tuple[tuple[str, ...], ...]

    @property
    def default_header_row(self) -> int:
        """The last row with any text: in a blank template, the row right above the data."""
        return max(number for number, cells in enumerate(self.rows, start=1) if any(cells))

    def public(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "rows": [list(cells) for cells in self.rows]}


@dataclass(frozen=True)
class Column:
    index: int  # 1-based, as openpyxl counts
    letter: str
    label: str

    def public(self) -> dict[str, Any]:
        return {"column": self.letter, "label": self.label, "suggested": suggest(self.label)}


@dataclass(frozen=True)
class ColumnMap:
    """One column's field; `text` only for a fixed text."""

    column: str
    field: str
    text: str = ""

    def public(self) -> dict[str, Any]:
        found: dict[str, Any] = {"column": self.column, "field": self.field}
        if self.field == "fixed":
            found["text"] = self.text
        return found


@dataclass(frozen=True)
class CityMapping:
    """Every column of the template at `header_row`, in order, with its field."""

    header_row: int
    columns: tuple[ColumnMap, ...]

    def public(self) -> dict[str, Any]:
        return {"header_row": self.header_row, "columns": [c.public() for c in self.columns]}

    @property
    def text_columns(self) -> frozenset[int]:
        """1-based indexes of the columns written as text cells with Excel's Text format."""
        return frozenset(n for n, c in enumerate(self.columns, start=1) if c.field in TEXT_FIELDS)


def column_letter(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA: the column's name in Excel."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value: object) -> str:
    """A header cell as text: a whole number typed as a number reads as that integer."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def layout_from_cells(sheet: str, rows: Sequence[Sequence[object]]) -> Layout:
    """The layout of the template's sheet from its top rows' cell values (trailing empty
    rows and cells dropped); `CityTemplateInvalid` for an empty sheet or one too big to be
    a blank template's header."""
    texts = [tuple(cell_text(value) for value in row) for row in rows]
    texts = [_trimmed(cells) for cells in texts]
    while texts and not any(texts[-1]):
        texts.pop()
    if not texts:
        raise CityTemplateInvalid(
            f"模板的工作表「{sheet}」是空的：请上传市系统提供的空白导入模板（含表头）。"
        )
    if len(texts) > MAX_HEADER_ROWS:
        raise CityTemplateInvalid(
            f"模板的工作表「{sheet}」有 {len(texts)} 行内容：空白导入模板只应有表头"
            f"（最多 {MAX_HEADER_ROWS} 行）。请删除示例数据后重新上传。"
        )
    width = max(len(cells) for cells in texts)
    if width > MAX_COLUMNS:
        raise CityTemplateInvalid(
            f"模板的表头有 {width} 列，超过 {MAX_COLUMNS} 列，请核对是否为市系统的导入模板。"
        )
    return Layout(sheet, tuple(texts))


def _trimmed(cells: tuple[str, ...]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def header_row_of(layout: Layout, value: object) -> int:
    """The header row staff chose (1-based), or the default; `CityTemplateInvalid` otherwise."""
    if value is None:
        return layout.default_header_row
    if isinstance(value, bool) or not isinstance(value, int):
        raise CityTemplateInvalid("表头行应为整数（第几行）。", field="header_row")
    if not 1 <= value <= len(layout.rows) or not any(layout.rows[value - 1]):
        last = len(layout.rows)
        raise CityTemplateInvalid(
            f"第 {value} 行不是模板中有内容的行：表头行应在第 1–{last} 行之间。", field="header_row"
        )
    return value


def columns_at(layout: Layout, header_row: int) -> tuple[Column, ...]:
    """The template's columns: the header row's cells up to its last one with text."""
    cells = layout.rows[header_row - 1]
    return tuple(Column(n, column_letter(n), label) for n, label in enumerate(cells, start=1))


def suggest(label: str) -> str | None:
    """The field a header probably means, for the console to preselect (staff confirm it)."""
    folded = "".join(label.split()).casefold()
    for words, field in _SUGGESTIONS:
        if any(word in folded for word in words):
            return field
    return None


def _where(column: Column) -> str:
    return f"「{column.letter}」列（{column.label or '无表头'}）"


def parse_mapping(body: Mapping[str, object], layout: Layout) -> CityMapping:
    """The mapping staff sent: every column of the template named once, each with a known field.

    Body: `{"header_row": 2, "columns": [{"column": "A", "field": "name"},
    {"column": "B", "field": "fixed", "text": "..."}, {"column": "C", "field": "empty"}, ...]}`."""
    header_row = header_row_of(layout, body.get("header_row"))
    columns = columns_at(layout, header_row)
    by_letter = {column.letter: column for column in columns}
    given = body.get("columns")
    if not isinstance(given, list):
        raise CityTemplateInvalid("请为模板的每一列选择字段（columns 应为列表）。", field="columns")
    chosen: dict[str, ColumnMap] = {}
    for position, entry in enumerate(given):
        where = f"columns[{position}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("column"), str):
            raise CityTemplateInvalid("每一项应写明列（column，如 A）和字段（field）。", field=where)
        column = by_letter.get(str(entry["column"]).strip().upper())
        if column is None:
            letters = f"A–{columns[-1].letter}"
            raise CityTemplateInvalid(
                f"模板的表头（第 {header_row} 行）没有「{entry['column']}」列，只有 {letters} 列。",
                field=f"{where}.column",
            )
        if column.letter in chosen:
            raise CityTemplateInvalid(
                f"{_where(column)}选择了两次，每列只能选一个字段。", field=f"{where}.column"
            )
        chosen[column.letter] = _column_map(column, entry, where)
    missing = [column for column in columns if column.letter not in chosen]
    if missing:
        names = "、".join(_where(column) for column in missing)
        raise CityTemplateInvalid(
            f"{names}还没有选择字段：请选择一个字段，不需要的列选「留空」。", field="columns"
        )
    mapped = tuple(chosen[column.letter] for column in columns)
    for required in REQUIRED_FIELDS:
        if not any(c.field == required for c in mapped):
            raise CityTemplateInvalid(
                f"没有一列选择了「{FIELDS[required]}」：市系统靠它识别人员，请为对应的列选择。",
                field="columns",
            )
    return CityMapping(header_row, mapped)


def _column_map(column: Column, entry: Mapping[str, object], where: str) -> ColumnMap:
    field = entry.get("field")
    if not isinstance(field, str) or field not in FIELDS:
        offered = "、".join(f"{label}（{name}）" for name, label in FIELDS.items())
        raise CityTemplateInvalid(
            f"{_where(column)}的字段「{field}」无法识别，可选：{offered}。", field=f"{where}.field"
        )
    if field != "fixed":
        return ColumnMap(column.letter, field)
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CityTemplateInvalid(
            f"{_where(column)}选择了固定文字，请填写要写入的文字。", field=f"{where}.text"
        )
    text = text.strip()
    if len(text) > FIXED_TEXT_MAX or has_unprintable(text) or "\n" in text or "\r" in text:
        raise CityTemplateInvalid(
            f"{_where(column)}的固定文字应为一行、最多 {FIXED_TEXT_MAX} 个字符。", field=f"{where}.text"
        )
    return ColumnMap(column.letter, field, text)


def mapping_from_stored(document: Mapping[str, Any]) -> CityMapping:
    """A mapping as `public()` stored it (validated when it was saved)."""
    return CityMapping(
        int(document["header_row"]),
        tuple(ColumnMap(c["column"], c["field"], c.get("text", "")) for c in document["columns"]),
    )


def sex_of(id_number: str) -> str:
    """男 or 女, from the 17th character of an 18-character ID number (odd: male)."""
    return "男" if int(id_number[16]) % 2 else "女"


def birth_date_of(id_number: str) -> str:
    """The birth date the ID number carries, as YYYY-MM-DD."""
    # Loaded here: the settings import this module's limits on every cold start.
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    try:
        return ric.get_birth_date(id_number).isoformat()
    except ValidationError:
        # Every stored ID number was validated at registration; never a reason to stop an export.
        return ""


def city_row(mapping: CityMapping, values: Mapping[str, object], number: int) -> tuple[str | int | None, ...]:
    """One passer's cells in the template's column order.

    `values` are the export's cells by field (domain/export.py's `cells`, or a CSV row of
    them); `number` is the row's number within its file (序号). Texts arrive neutralised;
    fixed texts are neutralised here; the ID number's x is upper-case."""
    id_number = str(values.get("id_number", "")).upper()
    found: list[str | int | None] = []
    for column in mapping.columns:
        field = column.field
        if field == "empty":
            found.append(None)
        elif field == "fixed":
            found.append(neutralise(column.text))
        elif field == "row_number":
            found.append(number)
        elif field == "id_number":
            found.append(id_number)
        elif field == "sex":
            found.append(sex_of(id_number))
        elif field == "birth_date":
            found.append(birth_date_of(id_number))
        elif field == "score":
            found.append(_score(values.get("score")))
        else:
            found.append(str(values.get(field, "")))
    return tuple(found)


def _score(value: object) -> int | str:
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isdigit() else text


def chunks(count: int, max_rows: int) -> list[tuple[int, int]]:
    """Rows 1..count as (first, last) ranges of at most `max_rows`, in order: the files."""
    assert max_rows >= 1
    return [(first, min(first + max_rows - 1, count)) for first in range(1, count + 1, max_rows)]
