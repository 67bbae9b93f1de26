"""Paper validation, the candidate's view, answers and scoring: pure, no AWS."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import clock
from chalicelib.domain.errors import Invalid
from chalicelib.domain.papers import PaperInvalid, final_answers, grade, parse_answers, parse_paper, score
from tests.support.exam_data import answers_scoring, key_of, paper_document, question_ids, walk

SUBMITTED = dt.datetime(2026, 12, 18, 9, 40, tzinfo=clock.BEIJING)
PAPER = parse_paper(paper_document())


# --- validation -------------------------------------------------------------


def edit(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    document = copy.deepcopy(paper_document())
    change(document)
    return document


def q(document: dict[str, Any], n: int) -> dict[str, Any]:
    question: dict[str, Any] = document["questions"][n]
    return question


INVALID_PAPERS: list[tuple[str, Any, str, str | None]] = [
    ("not an object", [], "试卷必须是一个 JSON 对象", None),
    ("no title", edit(lambda d: d.pop("title")), "缺少试卷标题", "title"),
    ("blank title", edit(lambda d: d.update(title="  ")), "缺少试卷标题", "title"),
    ("pass mark zero", edit(lambda d: d.update(pass_mark=0)), "及格分", "pass_mark"),
    ("pass mark above 100", edit(lambda d: d.update(pass_mark=101)), "及格分", "pass_mark"),
    ("pass mark boolean", edit(lambda d: d.update(pass_mark=True)), "及格分", "pass_mark"),
    ("pass mark text", edit(lambda d: d.update(pass_mark="60")), "及格分", "pass_mark"),
    ("no questions", edit(lambda d: d.pop("questions")), "缺少题目列表", "questions"),
    ("empty questions", edit(lambda d: d.update(questions=[])), "缺少题目列表", "questions"),
    (
        "question not an object",
        edit(lambda d: d["questions"].__setitem__(2, "s3")),
        "第 3 题不是一个对象",
        "questions[2]",
    ),
    ("id missing", edit(lambda d: q(d, 0).pop("id")), "第 1 题的 id", "questions[0].id"),
    ("id with a space", edit(lambda d: q(d, 4).update(id="s 5")), "第 5 题的 id", "questions[4].id"),
    (
        "duplicate id",
        edit(lambda d: q(d, 7).update(id="s3")),
        "第 8 题（s3）的 id 与前面的题目重复",
        "questions[7].id",
    ),
    (
        "unknown type",
        edit(lambda d: q(d, 1).update(type="judge")),
        "第 2 题（s2）的 type",
        "questions[1].type",
    ),
    ("empty text", edit(lambda d: q(d, 1).update(text=" ")), "第 2 题（s2）缺少题干", "questions[1].text"),
    ("text too long", edit(lambda d: q(d, 1).update(text="长" * 2001)), "超过 2000 字", "questions[1].text"),
    (
        "one option",
        edit(lambda d: q(d, 0).update(options={"B": "唯一"})),
        "应有 2 到 8 个选项",
        "questions[0].options",
    ),
    (
        "nine options",
        edit(lambda d: q(d, 0).update(options={k: k for k in "ABCDEFGHI"})),
        "应有 2 到 8 个选项",
        "questions[0].options",
    ),
    (
        "options a list",
        edit(lambda d: q(d, 0).update(options=["A", "B"])),
        "应有 2 到 8 个选项",
        "questions[0].options",
    ),
    (
        "option key punctuation",
        edit(lambda d: q(d, 0)["options"].update({"E!": "x"})),
        "选项 E!",
        "questions[0].options",
    ),
    (
        "option text empty",
        edit(lambda d: q(d, 0)["options"].update(C="")),
        "选项 C 不正确",
        "questions[0].options",
    ),
    (
        "answer missing",
        edit(lambda d: q(d, 3).pop("answer")),
        "答案 answer 应为选项名的列表",
        "questions[3].answer",
    ),
    (
        "answer a string",
        edit(lambda d: q(d, 3).update(answer="B")),
        "答案 answer 应为选项名的列表",
        "questions[3].answer",
    ),
    (
        "answer repeated",
        edit(lambda d: q(d, 36).update(answer=["A", "A"])),
        "有重复的选项",
        "questions[36].answer",
    ),
    (
        "single with two answers",
        edit(lambda d: q(d, 3).update(answer=["A", "B"])),
        "单选题，答案应恰好有 1 个",
        "questions[3].answer",
    ),
    (
        "single with none",
        edit(lambda d: q(d, 3).update(answer=[])),
        "单选题，答案应恰好有 1 个",
        "questions[3].answer",
    ),
    (
        "multiple with one",
        edit(lambda d: q(d, 35).update(answer=["A"])),
        "多选题，答案应至少有 2 个",
        "questions[35].answer",
    ),
    (
        "answer not an option",
        edit(lambda d: q(d, 3).update(answer=["E"])),
        "答案 E 不是它的选项",
        "questions[3].answer",
    ),
    (
        "points zero",
        edit(lambda d: q(d, 9).update(points=0)),
        "分值 points 应为正整数",
        "questions[9].points",
    ),
    (
        "points negative",
        edit(lambda d: q(d, 9).update(points=-2)),
        "分值 points 应为正整数",
        "questions[9].points",
    ),
    (
        "points fractional",
        edit(lambda d: q(d, 9).update(points=2.5)),
        "分值 points 应为正整数",
        "questions[9].points",
    ),
    (
        "points boolean",
        edit(lambda d: q(d, 9).update(points=True)),
        "分值 points 应为正整数",
        "questions[9].points",
    ),
    (
        "34 singles and 16 multiples",
        edit(lambda d: q(d, 0).update(type="multiple", answer=["A", "B"])),
        "应有 35 道单选题和 15 道多选题，实际为 34 道单选题和 16 道多选题",
        "questions",
    ),
    ("49 questions", edit(lambda d: d["questions"].pop()), "实际为 35 道单选题和 14 道多选题", "questions"),
    (
        "points sum 98",
        edit(lambda d: (q(d, 0).update(points=1), q(d, 1).update(points=1))),
        "各题分值之和应为 100，实际为 98",
        "questions",
    ),
    (
        "points sum 102",
        edit(lambda d: q(d, 0).update(points=4)),
        "各题分值之和应为 100，实际为 102",
        "questions",
    ),
]


@pytest.mark.parametrize(
    ("document", "names", "field"),
    [pytest.param(doc, names, field, id=case) for case, doc, names, field in INVALID_PAPERS],
)
def test_invalid_paper_is_refused_naming_its_first_problem(
    document: Any, names: str, field: str | None
) -> None:
    with pytest.raises(PaperInvalid) as refused:
        parse_paper(document)
    assert refused.value.code == "paper_invalid"
    assert refused.value.status == 422
    assert names in refused.value.message
    assert refused.value.field == field


def test_the_first_of_several_problems_is_the_one_named() -> None:
    document = edit(lambda d: (q(d, 6).update(type="judge"), q(d, 2).update(points=0)))
    with pytest.raises(PaperInvalid) as refused:
        parse_paper(document)
    assert "第 3 题（s3）的分值" in refused.value.message


def test_valid_paper_keeps_order_and_defaults_the_pass_mark() -> None:
    document = paper_document()
    document.pop("pass_mark")
    paper = parse_paper(document)
    assert paper.pass_mark == 60
    assert paper.total_points == 100
    assert [question.id for question in paper.questions] == question_ids()
    assert list(paper.questions[0].public()["options"]) == ["A", "B", "C", "D"]


def test_a_paper_of_another_composition_is_valid_when_asked_for() -> None:
    document = paper_document()
    document["questions"] = document["questions"][:34] + document["questions"][35:]
    document["questions"][0]["points"] = 4
    assert len(parse_paper(document, single_count=34).questions) == 49


def test_candidate_view_has_no_key_anywhere() -> None:
    public = PAPER.public()
    everything = list(walk(public))
    assert "answer" not in everything
    for question in public["questions"]:
        assert set(question) == {"id", "type", "text", "options", "order", "points"}


# --- answers ----------------------------------------------------------------


def test_answers_are_normalised() -> None:
    assert parse_answers(PAPER, {"s1": ["B"], "m1": ["C", "A", "C"], "s2": []}) == {
        "s1": ["B"],
        "m1": ["A", "C"],
        "s2": [],
    }


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        pytest.param(["s1"], "答案格式不正确", id="not an object"),
        pytest.param({"x9": ["A"]}, "没有编号为 x9 的题目", id="unknown question"),
        pytest.param({"s1": ["E"]}, "没有选项 E", id="unknown option"),
        pytest.param({"s1": [1]}, "答案格式不正确", id="option not text"),
        pytest.param({"s1": [["A"]]}, "答案格式不正确", id="option an array"),
        pytest.param({"m1": ["A", {"B": 1}]}, "答案格式不正确", id="option an object after a known one"),
        pytest.param({"m1": ["E", 1]}, "答案格式不正确", id="unknown option beside one not text"),
        pytest.param({"s1": "A"}, "答案格式不正确", id="a string, not an array"),
        pytest.param({"m1": "AC"}, "答案格式不正确", id="a string of keys"),
        pytest.param({"s1": {"A": True}}, "答案格式不正确", id="answer an object"),
        pytest.param({"s1": ["A", "B"]}, "单选题，只能选择一个选项", id="two options on a single"),
    ],
)
def test_bad_answers_are_invalid(raw: Any, says: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_answers(PAPER, raw)
    assert refused.value.field == "answers"
    assert says in refused.value.message


# --- scoring ----------------------------------------------------------------


def test_all_right_scores_100() -> None:
    result = grade(PAPER, {qid: key_of(qid) for qid in question_ids()}, SUBMITTED)
    assert (result.score, result.passed) == (100, True)
    assert set(result.correct) == set(question_ids())


def test_exactly_the_pass_mark_passes() -> None:
    result = grade(PAPER, answers_scoring(60), SUBMITTED)
    assert (result.score, result.pass_mark, result.passed) == (60, 60, True)


def test_58_fails() -> None:
    result = grade(PAPER, answers_scoring(58), SUBMITTED)
    assert (result.score, result.passed) == (58, False)


def test_a_partly_right_multiple_scores_nothing() -> None:
    assert score(PAPER, {"m1": ["A"]}) == (0, ())
    assert score(PAPER, {"m1": ["A", "C", "D"]}) == (0, ())
    assert score(PAPER, {"m1": ["A", "C"]}) == (2, ("m1",))


def test_an_empty_sheet_scores_zero() -> None:
    result = grade(PAPER, {}, SUBMITTED)
    assert (result.score, result.passed, result.correct) == (0, False, ())


def test_the_pass_mark_comes_from_the_paper() -> None:
    strict = parse_paper(paper_document(pass_mark=80))
    assert grade(strict, answers_scoring(78), SUBMITTED).passed is False
    assert grade(strict, answers_scoring(80), SUBMITTED).passed is True


def test_result_shows_the_submission_time_in_beijing() -> None:
    instant = dt.datetime(2026, 12, 18, 1, 40, tzinfo=dt.UTC).astimezone(clock.BEIJING)
    assert grade(PAPER, {}, instant).public()["submitted_at"] == "2026-12-18T09:40:00+08:00"


sheets = st.dictionaries(
    st.sampled_from(question_ids()),
    st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=4, unique=True).map(sorted),
)


@given(sheets)
def test_score_is_the_points_of_the_questions_answered_exactly(sheet: dict[str, list[str]]) -> None:
    points, right = score(PAPER, sheet)
    assert 0 <= points <= 100
    assert points == 2 * len(right)
    assert all(sheet[qid] == key_of(qid) for qid in right)
    assert all(sheet.get(qid) != key_of(qid) for qid in question_ids() if qid not in right)


@given(sheets, st.sampled_from(question_ids()))
def test_answering_one_more_question_right_never_lowers_the_score(
    sheet: dict[str, list[str]], qid: str
) -> None:
    better = {**sheet, qid: key_of(qid)}
    assert score(PAPER, better)[0] >= score(PAPER, sheet)[0]


def test_final_answers_replace_saved_ones_and_drop_cleared_and_unknown() -> None:
    saved = {"s1": ["A"], "s2": ["B"], "gone": ["A"], "s3": ["C"]}
    submitted = {"s1": ["B"], "s3": []}
    assert final_answers(PAPER, saved, submitted) == {"s1": ["B"], "s2": ["B"]}
