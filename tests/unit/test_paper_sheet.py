"""Papers from the Excel template: cell values to a paper document, problems named by row and column."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.paper_sheet import HEADER, paper_from_sheets
from chalicelib.domain.papers import PaperInvalid, parse_paper


def row(
    qid: str, kind: str = "单选", answer: object = "B", points: object = 2, options: int = 4
) -> list[Any]:
    letters = [f"选项{n}" for n in range(options)] + [None] * (8 - options)
    return [qid, kind, f"题干 {qid}", *letters, answer, points]


def fifty() -> list[list[Any]]:
    rows = [row(f"s{n}", points=2) for n in range(1, 36)]
    rows += [row(f"m{n}", "多选", "ACD", points=2) for n in range(1, 15)] + [
        row("m15", "多选", "AB", points=2)
    ]
    rows[0][-1] = 2.0  # a number typed in Excel arrives as a float
    rows[35][-1] = 2
    return rows


def sheets(rows: list[list[Any]], settings: list[list[Any]] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"试卷": [list(HEADER), *rows]}
    if settings is not None:
        found["设置"] = settings
    return found


def test_fifty_rows_make_a_valid_paper_titled_by_the_period() -> None:
    document = paper_from_sheets(sheets(fifty()), default_title="2027年1月")
    paper = parse_paper(document)
    assert (paper.title, paper.pass_mark, len(paper.questions), paper.total_points) == (
        "2027年1月",
        60,
        50,
        100,
    )
    first = paper.questions[0]
    assert (first.id, first.type, sorted(first.answer), first.points) == ("s1", "single", ["B"], 2)
    assert dict(first.options) == {"A": "选项0", "B": "选项1", "C": "选项2", "D": "选项3"}


def test_the_settings_sheet_sets_title_and_pass_mark() -> None:
    document = paper_from_sheets(sheets(fifty(), [["标题", "人力资源考试"], ["及格分", 70.0]]), "x")
    assert (document["title"], document["pass_mark"]) == ("人力资源考试", 70)


def test_blank_rows_are_skipped() -> None:
    rows = fifty()
    rows.insert(3, [None] * 13)
    assert len(paper_from_sheets(sheets(rows), "x")["questions"]) == 50


@pytest.mark.parametrize(
    ("broken", "names"),
    [
        (row("s9", answer="E"), "第 11 行「答案」"),
        (row("s9", answer="AB"), "第 11 行「答案」"),
        (row("", answer="A"), "第 11 行「题号」"),
        (row("s9", kind="判断"), "第 11 行「题型」"),
        (row("s9", points=0), "第 11 行「分值」"),
        (row("s9", points="两分"), "第 11 行「分值」"),
        (row("m9", kind="多选", answer="A"), "第 11 行「答案」"),
    ],
)
def test_a_broken_row_is_named_by_sheet_row_and_column(broken: list[Any], names: str) -> None:
    rows = fifty()
    rows[9] = broken  # the 10th question sits on row 11, under the header
    with pytest.raises(PaperInvalid) as caught:
        paper_from_sheets(sheets(rows), "x")
    assert f"「试卷」{names}" in caught.value.message


@pytest.mark.parametrize(
    ("found", "names"),
    [
        ({"Sheet1": []}, "没有名为「试卷」"),
        ({"试卷": [["题号", "题目"]]}, "第 1 行应为表头"),
        ({"试卷": [list(HEADER)]}, "没有题目"),
        ({"试卷": [list(HEADER), row("s1")], "设置": [["及格分", "六十"]]}, "「设置」第 1 行「及格分」"),
    ],
)
def test_a_workbook_not_like_the_template_is_refused(found: dict[str, Any], names: str) -> None:
    with pytest.raises(PaperInvalid) as caught:
        paper_from_sheets(found, "x")
    assert names in caught.value.message
