"""The question bank in Excel: the paper template's columns plus 知识点 and 难度.

Staff already write papers in the paper template, so the bank uses the same
layout with two columns more; a sheet named 题库 (or 试卷, a paper's workbook
with the two columns added) holds one item per row. Export writes the same
layout, so a downloaded bank can be edited and imported again: an edited row
becomes the item's next version. As with papers, every problem names the
sheet, the row and the column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.bank import DIFFICULTY_LABELS, Bank
from chalicelib.domain.errors import BankInvalid, PaperInvalid
from chalicelib.domain.paper_sheet import HEADER, OPTION_LETTERS, PAPER_SHEET, question_row, row_text

BANK_SHEET = "题库"
BANK_HEADER = (*HEADER, "知识点", "难度")
# Both the labels staff type and the codes the API uses.
_DIFFICULTY = {
    **{label: code for code, label in DIFFICULTY_LABELS.items()},
    "简单": "easy",
    "容易": "easy",
    "中等": "medium",
    "困难": "hard",
    "easy": "easy",
    "medium": "medium",
    "hard": "hard",
}
_TYPE_LABELS = {"single": "单选", "multiple": "多选"}

Rows = Sequence[Sequence[object]]


def items_from_sheets(sheets: Mapping[str, Rows]) -> list[dict[str, Any]]:
    """The item documents (as in a JSON import) the workbook's sheet 题库 (or 试卷) holds."""
    name = BANK_SHEET if BANK_SHEET in sheets else PAPER_SHEET
    rows = sheets.get(name)
    if rows is None:
        names = "、".join(f"「{sheet}」" for sheet in sheets) or "（无）"
        raise BankInvalid(
            f"工作簿里没有名为「{BANK_SHEET}」的工作表（现有：{names}）。请使用导出的题库文件。"
        )
    if not rows or row_text(rows[0]) != BANK_HEADER:
        raise BankInvalid(
            f"「{name}」第 1 行应为表头：{' | '.join(BANK_HEADER)}。"
            "即试卷模板的各列再加「知识点」「难度」两列。"
        )
    items = []
    for number, row in enumerate(rows[1:], start=2):
        cells = row_text(row)
        if not any(cells):
            continue
        items.append(_item(number, cells, name))
    if not items:
        raise BankInvalid(f"「{name}」没有题目：请从第 2 行起每行填写一道题。")
    return items


def _item(number: int, cells: tuple[str, ...], sheet: str) -> dict[str, Any]:
    try:
        document = question_row(number, cells, BANK_HEADER, sheet)
    except PaperInvalid as exc:
        raise BankInvalid(exc.message, field=exc.field) from None
    values = dict(zip(BANK_HEADER, cells, strict=False))
    topic = values.get("知识点", "")
    if not topic:
        raise BankInvalid(f"「{sheet}」第 {number} 行「知识点」为空：每道题都需要知识点（如 劳动合同）。")
    label = values.get("难度", "")
    difficulty = _DIFFICULTY.get(label) if label else "medium"
    if difficulty is None:
        raise BankInvalid(f"「{sheet}」第 {number} 行「难度」应为「易」「中」或「难」（留空为「中」）。")
    return {**document, "topic": topic, "difficulty": difficulty}


def bank_rows(bank: Bank) -> list[list[object]]:
    """The bank as the sheet's rows (header first), as an import reads them back."""
    rows: list[list[object]] = [list(BANK_HEADER)]
    for item in bank.items:
        q = item.question
        options = dict(q.options)
        rows.append(
            [
                q.id,
                _TYPE_LABELS[q.type],
                q.text,
                *(options.get(letter) for letter in OPTION_LETTERS),
                "".join(sorted(q.answer)),
                q.points,
                item.topic,
                DIFFICULTY_LABELS[item.difficulty],
            ]
        )
    return rows
