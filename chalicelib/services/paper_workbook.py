"""The paper's Excel workbook: the template staff download, and reading the one they upload.

openpyxl loads only here (it costs cold-start time every other route should
not pay). An upload is opened read-only with cached values only: no formula is
evaluated, no macro or external link followed; what the cells hold goes to the
pure reader in domain/paper_sheet.py.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import PaperInvalid
from chalicelib.domain.paper_sheet import HEADER, OPTION_LETTERS, PAPER_SHEET, SETTINGS_SHEET, TYPES

MAX_ROWS = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXAMPLE_ROW = (
    "s1",
    "单选",
    "劳动合同期限三个月以上不满一年的，试用期不得超过多久？",
    "半个月",
    "一个月",
    "两个月",
    "三个月",
    None,
    None,
    None,
    None,
    "B",
    2,
)


PAPER_SHEETS = {PAPER_SHEET: len(HEADER), SETTINGS_SHEET: 2}


def read_sheets(data: bytes, known: Mapping[str, int] = PAPER_SHEETS) -> dict[str, list[tuple[object, ...]]]:
    """The cell values of the sheets the reader knows (`known`: name → columns read), never
    evaluating anything; other sheets are listed by name only."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise PaperInvalid(
            "上传的文件不是有效的 Excel 工作簿（.xlsx）。请用下载的模板填写后另存为 .xlsx。"
        ) from exc
    try:
        sheets: dict[str, list[tuple[object, ...]]] = {}
        for sheet in workbook.worksheets:
            width = known.get(sheet.title)
            if width is None:
                sheets[sheet.title] = []
                continue
            rows = []
            for row in sheet.iter_rows(max_col=width, max_row=MAX_ROWS + 1, values_only=True):
                rows.append(tuple(row))
            if len(rows) > MAX_ROWS:
                raise PaperInvalid(f"「{sheet.title}」超过 {MAX_ROWS} 行，请只保留题目。")
            sheets[sheet.title] = rows
        return sheets
    finally:
        workbook.close()


def template() -> bytes:
    """The template: header, one filled example row, a list for 题型, a note on 答案, the 设置 sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = PAPER_SHEET
    sheet.append(list(HEADER))
    sheet.append(list(EXAMPLE_ROW))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    answer_column = HEADER.index("答案") + 1
    sheet.cell(row=1, column=answer_column).comment = Comment(
        "填写正确选项的字母：单选题一个（如 B），多选题两个或以上（如 ACD）。"
        f"选项最多 {len(OPTION_LETTERS)} 个（A–H），不用的选项列留空。",
        "模板",
    )
    types = DataValidation(type="list", formula1='"' + ",".join(TYPES) + '"', allow_blank=False)
    types.error = "题型只能是「单选」或「多选」。"
    types.showErrorMessage = True
    sheet.add_data_validation(types)
    types.add(f"B2:B{MAX_ROWS}")
    sheet.column_dimensions["C"].width = 50
    sheet.freeze_panes = "A2"
    settings: Any = workbook.create_sheet(SETTINGS_SHEET)
    settings.append(["标题", ""])
    settings.append(["及格分", 60])
    settings.append(
        ["说明", "标题留空则使用期次名称；及格分默认 60。题目要求：35 道单选、15 道多选，分值合计 100。"]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_rows(title: str, rows: list[list[object]]) -> bytes:
    """A one-sheet workbook of `rows` (the first is the header, bold, frozen)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["C"].width = 50
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
