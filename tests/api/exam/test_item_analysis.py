"""Item analysis of one period (issue 16), a fixed paper's as a drawn one's.

The bank's analysis covers only bank items; a period that used one fixed
paper gets the same statistics per question from
`GET /api/admin/periods/{id}/analysis`, checked here against a hand-computed
example of four attempts.
"""

from __future__ import annotations

import math
from typing import Any

from chalicelib import runtime
from chalicelib.domain.staff import Role
from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.api.exam.test_bank_draw import KEYS, bank_day, read, shown  # noqa: F401  (fixture)
from tests.support.exam_data import MULTIPLE_KEY, SINGLE_KEY, question_ids

# The fixed paper: s1..s35 keyed B, m1..m15 keyed A+C, 2 points each.
KEYED = {qid: list(SINGLE_KEY if qid.startswith("s") else MULTIPLE_KEY) for qid in question_ids()}


def analysis(day: ExamDay) -> dict[str, Any]:
    response = day.api.staff("GET", f"/api/admin/periods/{day.period.id}/analysis")
    assert response.status_code == 200, response.body
    found: dict[str, Any] = body(response)
    return found


def test_a_fixed_papers_period_gets_facility_discrimination_and_option_shares(exam_day: ExamDay) -> None:
    # Four attempts, scores all different so the 27 % groups (one attempt each) are clear:
    #   a: everything keyed except m15 = A+B             -> 49 right, 98
    #   b: everything keyed except s1 = C and s2 = C     -> 48 right, 96
    #   c: s1..s20 keyed, nothing else                   -> 20 right, 40
    #   d: s1 = A (wrong) and m15 = A+C (right)          ->  1 right,  2
    sheets = [
        {**KEYED, "m15": ["A", "B"]},
        {**KEYED, "s1": ["C"], "s2": ["C"]},
        {f"s{i}": ["B"] for i in range(1, 21)},
        {"s1": ["A"], "m15": ["A", "C"]},
    ]
    people = [exam_day.register(n) for n in range(1, 5)]
    exam_day.at(9, 30)
    for person, answers in zip(people, sheets, strict=True):
        result = body(exam_day.submit(exam_day.enter(person), person, answers))["result"]
        assert result["score"] in (98, 96, 40, 2)

    found = analysis(exam_day)
    assert found["period_id"] == exam_day.period.id and found["drawn"] is False
    by_id = {q["id"]: q for q in found["questions"]}
    assert [q["id"] for q in found["questions"]] == question_ids()  # the paper's order, every question
    assert all(q["n"] == 4 for q in found["questions"])

    # s1: right a (98), c (40); wrong b (96), d (2). Mean 59; population variance
    # (39² + 37² + 19² + 57²) / 4 = 1625. Point-biserial (69 - 49) / √1625 · √(½·½).
    s1 = by_id["s1"]
    assert s1["type"] == "single" and s1["text"] == "单选题 1" and s1["option_keys"] == ["A", "B", "C", "D"]
    assert s1["facility"] == 0.5
    assert s1["upper_lower"] == 1.0  # top attempt a right, bottom attempt d wrong
    assert s1["point_biserial"] == round(20 / math.sqrt(1625) * 0.5, 3) == 0.248
    assert s1["options"] == {"A": 0.25, "B": 0.5, "C": 0.25, "D": 0.0} and s1["blank"] == 0.0
    assert s1["flags"] == []

    # m15: right b (96), d (2); wrong a (98), c (40, blank): the strongest got it wrong, the
    # weakest right, so discrimination is negative (often a wrong key) and it is flagged.
    m15 = by_id["m15"]
    assert m15["facility"] == 0.5
    assert m15["upper_lower"] == -1.0
    assert m15["point_biserial"] == round(-20 / math.sqrt(1625) * 0.5, 3) == -0.248
    assert m15["options"] == {"A": 0.75, "B": 0.25, "C": 0.5, "D": 0.0} and m15["blank"] == 0.25
    assert m15["flags"] == ["negative_discrimination"]

    # s30: only a and b answered it (both right): facility ½, upper 1 - lower 0.
    assert by_id["s30"]["facility"] == 0.5 and by_id["s30"]["upper_lower"] == 1.0
    assert "topic" not in s1 and "version" not in s1  # a fixed paper's questions are no bank items


def test_a_period_with_nothing_scored_has_no_questions_yet(exam_day: ExamDay) -> None:
    assert analysis(exam_day)["questions"] == []


def test_a_drawn_period_is_analysed_per_item_it_drew(bank_day: ExamDay) -> None:  # noqa: F811
    people = [bank_day.register(n) for n in range(1, 4)]
    bank_day.at(9, 30)
    drawn: dict[str, int] = {}
    for person in people:
        token = bank_day.enter(person)
        ids = [qid for qid, _ in shown(read(bank_day, token))]
        assert body(bank_day.submit(token, person, {qid: KEYS[qid] for qid in ids}))["result"]["score"] == 100
        for qid in ids:
            drawn[qid] = drawn.get(qid, 0) + 1
    found = analysis(bank_day)
    assert found["drawn"] is True
    assert {q["id"]: q["n"] for q in found["questions"]} == drawn
    assert all(q["facility"] == 1.0 and q["version"] == 1 and q["topic"] for q in found["questions"])


def test_viewers_may_not_read_a_periods_analysis(exam_day: ExamDay) -> None:
    token = runtime.current().secrets.add_staff_token("观察员", role=Role.VIEWER)
    response = exam_day.api.get(f"/api/admin/periods/{exam_day.period.id}/analysis", token=token)
    assert response.status_code == 403
