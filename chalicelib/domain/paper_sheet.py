"""Papers written in Excel: the template's columns, read from plain cell values.

Staff write questions in a spreadsheet. The workbook is read elsewhere (openpyxl,
values only, no formula evaluated); this module sees only the cell values of
the sheets 试卷 and 设置 and turns them into the same paper document a JSON
upload carries, so both go through one validation (`parse_paper`). Every
problem found here names the sheet, the row and the column, as staff see them
in Excel: `「试卷」第 12 行「答案」`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.errors import PaperInvalid
from chalicelib.domain.papers import DEFAULT_PASS_MARK

PAPER_SHEET = "试卷"
SETTINGS_SHEET = "设置"
OPTION_LETTERS = "ABCDEFGH"
HEADER = ("题号", "题型", "题干", *(f"选项{letter}" for letter in OPTION_LETTERS), "答案", "分值")
TYPES = {"单选": "single", "多选": "multiple"}

Rows = Sequence[Sequence[object]]


def paper_from_sheets(sheets: Mapping[str, Rows], default_title: str) -> dict[str, Any]:
    """The paper document (as in a JSON upload) that the workbook's sheets describe."""
    rows = sheets.get(PAPER_SHEET)
    if rows is None:
        names = "、".join(f"「{name}」" for name in sheets) or "（无）"
        raise PaperInvalid(f"工作簿里没有名为「{PAPER_SHEET}」的工作表（现有：{names}）。请使用下载的模板。")
    if not rows or row_text(rows[0]) != HEADER:
        raise PaperInvalid(
            f"「{PAPER_SHEET}」第 1 行应为表头：{' | '.join(HEADER)}。请使用下载的模板，不要增删或改名列。"
        )
    questions = []
    for number, row in enumerate(rows[1:], start=2):
        cells = row_text(row)
        if not any(cells):
            continue
        questions.append(question_row(number, cells))
    if not questions:
        raise PaperInvalid(f"「{PAPER_SHEET}」没有题目：请从第 2 行起每行填写一道题。")
    title, pass_mark = _settings(sheets.get(SETTINGS_SHEET, ()), default_title)
    return {"title": title, "pass_mark": pass_mark, "questions": questions}


def question_row(
    number: int, cells: tuple[str, ...], header: tuple[str, ...] = HEADER, sheet: str = PAPER_SHEET
) -> dict[str, Any]:
    """One row of the sheet as a question document; `header` may add columns (the bank's)."""

    def where(column: str) -> str:
        return f"「{sheet}」第 {number} 行「{column}」"

    values = dict(zip(header, cells, strict=False))
    if not values.get("题号"):
        raise PaperInvalid(f"{where('题号')}为空：每道题都需要题号（如 s1、m1）。")
    kind = TYPES.get(values.get("题型", ""))
    if kind is None:
        raise PaperInvalid(f"{where('题型')}应为「单选」或「多选」。")
    if not values.get("题干"):
        raise PaperInvalid(f"{where('题干')}为空。")
    options = {
        letter: values[f"选项{letter}"] for letter in OPTION_LETTERS if values.get(f"选项{letter}", "")
    }
    answer_text = values.get("答案", "").upper().replace(" ", "").replace(",", "").replace("，", "")
    answer = sorted(set(answer_text))
    if not answer or any(letter not in OPTION_LETTERS for letter in answer):
        raise PaperInvalid(f"{where('答案')}应为选项字母，如 B 或 ACD。")
    missing = [letter for letter in answer if letter not in options]
    if missing:
        raise PaperInvalid(f"{where('答案')}中的 {''.join(missing)} 没有对应的选项内容。")
    if kind == "single" and len(answer) != 1:
        raise PaperInvalid(f"{where('答案')}：单选题只能有一个答案。")
    if kind == "multiple" and len(answer) < 2:
        raise PaperInvalid(f"{where('答案')}：多选题至少要有两个答案。")
    points = _integer(values.get("分值", ""))
    if points is None or points <= 0:
        raise PaperInvalid(f"{where('分值')}应为正整数。")
    return {
        "id": values["题号"],
        "type": kind,
        "text": values["题干"],
        "options": options,
        "answer": answer,
        "points": points,
    }


def _settings(rows: Rows, default_title: str) -> tuple[str, int]:
    title, pass_mark = default_title, DEFAULT_PASS_MARK
    for number, row in enumerate(rows, start=1):
        cells = row_text(row)
        key = cells[0] if cells else ""
        value = cells[1] if len(cells) > 1 else ""
        if key == "标题" and value:
            title = value
        elif key == "及格分" and value:
            parsed = _integer(value)
            if parsed is None:
                raise PaperInvalid(f"「{SETTINGS_SHEET}」第 {number} 行「及格分」应为整数。")
            pass_mark = parsed
    return title, pass_mark


def _integer(text: str) -> int | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def row_text(row: Sequence[object]) -> tuple[str, ...]:
    """Cells as trimmed text; a whole number typed as a number reads as that integer."""
    cells = []
    for value in row:
        if value is None:
            cells.append("")
        elif isinstance(value, float) and value.is_integer():
            cells.append(str(int(value)))
        else:
            cells.append(str(value).strip())
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)
