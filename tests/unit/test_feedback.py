"""Feedback by topic: right answers per 知识点, counted on the attempt's own questions."""

from __future__ import annotations

import datetime as dt

from chalicelib.domain.bank import parse_items
from chalicelib.domain.blueprint import drawn_paper
from chalicelib.domain.feedback import feedback_lines, topic_scores, with_feedback
from chalicelib.domain.papers import grade, parse_paper
from chalicelib.domain.periods import Period
from tests.support.bank_data import TOPICS, bank_items, blueprint, keys
from tests.support.exam_data import paper_document

DRAWN = drawn_paper(blueprint(), parse_items(bank_items()), "第一期").drawn("seed-1")
AT = dt.datetime(2026, 12, 18, 10, tzinfo=dt.UTC)


def period(exam: dt.date, opens: dt.date) -> Period:
    return Period(
        id=f"p{exam:%Y%m}",
        name="期次",
        exam_date=exam,
        exam_start=dt.time(9),
        exam_end=dt.time(11),
        registration_opens=opens,
        registration_closes=exam - dt.timedelta(days=3),
    )


def test_counts_per_topic_in_the_order_topics_appear() -> None:
    lab = [q.id for q in DRAWN.questions if q.topic == "劳动合同"]
    scores = topic_scores(DRAWN, lab[:3])
    assert [s.topic for s in scores] == list(TOPICS)
    assert scores[0].correct == 3 and scores[0].total == 10
    assert all(s.correct == 0 and s.total == 10 for s in scores[1:])


def test_a_failed_result_gets_feedback_and_the_next_opening_a_passed_one_none() -> None:
    this, later = (
        period(dt.date(2026, 12, 18), dt.date(2026, 11, 20)),
        period(dt.date(2027, 1, 15), dt.date(2026, 12, 21)),
    )
    right = {q.id: keys()[q.id] for q in DRAWN.questions[:10]}
    failed = with_feedback(grade(DRAWN, right, AT), DRAWN, this, [later, this])
    assert failed.feedback is not None and failed.feedback["next_registration_opens"] == "2026-12-21"
    assert sum(t["right"] for t in failed.feedback["topics"]) == 10
    lines = "\n".join(feedback_lines(failed))
    assert "2026年12月21日" in lines and "劳动合同 " in lines
    passed = with_feedback(
        grade(DRAWN, {q.id: keys()[q.id] for q in DRAWN.questions}, AT), DRAWN, this, [this]
    )
    assert passed.feedback is None and feedback_lines(passed) == []
    fixed = parse_paper(paper_document())
    assert with_feedback(grade(fixed, {}, AT), fixed, this, [this]).feedback is None
    alone = with_feedback(grade(DRAWN, {}, AT), DRAWN, this, [this])
    assert alone.feedback is not None and alone.feedback["next_registration_opens"] is None
    assert "第一个工作日" in "\n".join(feedback_lines(alone))
