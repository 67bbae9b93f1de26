"""Period statistics: counts and rates over the submitted attempts."""

from __future__ import annotations

import datetime as dt

from chalicelib import clock
from chalicelib.domain.registrations import ExamResult, Registration
from chalicelib.domain.stats import period_stats
from tests.support.exam_data import person

AT = dt.datetime(2026, 12, 18, 9, 30, tzinfo=clock.BEIJING)


def registration(n: int, started: bool = False, result: ExamResult | None = None) -> Registration:
    return Registration(
        period_id="p",
        contact=person(n),
        registered_at=AT - dt.timedelta(days=10),
        started_at=AT if started else None,
        result=result,
    )


def result(score: int, correct: tuple[str, ...]) -> ExamResult:
    return ExamResult(score=score, pass_mark=60, passed=score >= 60, submitted_at=AT, correct=correct)


def test_counts_and_rates_are_over_submitted_attempts() -> None:
    everyone = [
        registration(1),
        registration(2, started=True),
        registration(3, started=True, result=result(80, ("q1", "q2"))),
        registration(4, started=True, result=result(40, ("q1",))),
        registration(5, started=True, result=result(60, ("q1", "q3"))),
        registration(6, started=True, result=result(20, ())),
    ]
    stats = period_stats(everyone, ["q1", "q2", "q3", "q4"]).public()
    assert stats == {
        "registered": 6,
        "started": 5,
        "submitted": 4,
        "passed": 2,
        "pass_rate": 0.5,
        "questions": [
            {"id": "q1", "correct_rate": 0.75},
            {"id": "q2", "correct_rate": 0.25},
            {"id": "q3", "correct_rate": 0.25},
            {"id": "q4", "correct_rate": 0.0},
        ],
    }


def test_a_period_nobody_sat_has_zero_rates_not_a_division_error() -> None:
    stats = period_stats([registration(1), registration(2)], ["q1"]).public()
    assert (stats["registered"], stats["submitted"], stats["pass_rate"]) == (2, 0, 0.0)
    assert stats["questions"] == [{"id": "q1", "correct_rate": 0.0}]


def test_rates_are_rounded_fractions() -> None:
    everyone = [registration(n, started=True, result=result(60, ("q1",) if n == 1 else ())) for n in range(3)]
    stats = period_stats(everyone, ["q1"]).public()
    assert stats["questions"] == [{"id": "q1", "correct_rate": 0.3333}]
    assert stats["pass_rate"] == 1.0
