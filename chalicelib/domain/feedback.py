"""Feedback by topic for a candidate who failed: how many questions of each 知识点 they answered right.

A candidate who failed learns where to study (劳动合同 3/6) and when they can
register for the next period, never which answers were right: the counts
per topic are all that leaves the server, so probing with submissions tells
no more than the score does. Only papers drawn from the bank have topics; a
fixed paper's result carries no feedback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.papers import Paper
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import ExamResult


@dataclass(frozen=True)
class TopicScore:
    topic: str
    correct: int
    total: int

    def public(self) -> dict[str, Any]:
        # "right", not "correct": no field of a candidate response is named like a key.
        return {"topic": self.topic, "right": self.correct, "total": self.total}


def topic_scores(paper: Paper, correct: Iterable[str]) -> tuple[TopicScore, ...]:
    """Per topic, in the order topics first appear in the paper: right answers of its questions."""
    right = set(correct)
    totals: dict[str, list[int]] = {}
    for question in paper.questions:
        if not question.topic:
            continue
        counts = totals.setdefault(question.topic, [0, 0])
        counts[0] += question.id in right
        counts[1] += 1
    return tuple(TopicScore(topic, hits, total) for topic, (hits, total) in totals.items())


def next_registration_opens(period: Period, periods: Sequence[Period]) -> dt.date | None:
    """When registration opens for the first period examining after `period` (None: none set yet)."""
    later = sorted((p for p in periods if p.exam_date > period.exam_date), key=lambda p: p.exam_date)
    return later[0].registration_opens if later else None


def with_feedback(result: ExamResult, paper: Paper, period: Period, periods: Sequence[Period]) -> ExamResult:
    """The result, with feedback by topic when the candidate failed a paper that has topics."""
    if result.passed:
        return result
    topics = topic_scores(paper, result.correct)
    if not topics:
        return result
    opens = next_registration_opens(period, periods)
    feedback = {
        "topics": [topic.public() for topic in topics],
        "next_registration_opens": opens.isoformat() if opens else None,
    }
    return dataclasses.replace(result, feedback=feedback)


def feedback_lines(result: ExamResult) -> list[str]:
    """The feedback as the result e-mail's lines (empty when there is none)."""
    if not result.feedback:
        return []
    topics = "；".join(f"{t['topic']} {t['right']}/{t['total']}" for t in result.feedback["topics"])
    opens = result.feedback.get("next_registration_opens")
    when = (
        f"下一期报名将于 {dt.date.fromisoformat(opens):%Y年%m月%d日} 开放。"
        if opens
        else "下一期报名将于本次考试后的第一个工作日开放。"
    )
    return ["", "各知识点答对题数（答对/题数）：", topics, "建议重点复习答对较少的知识点。" + when]
