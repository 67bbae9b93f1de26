"""A period's exam statistics: who came, who passed, and how each question went.

Staff read the per-question correct rate (item analysis) to find questions
that are ambiguous or that the course does not teach. Every rate is a
fraction of the submitted attempts, so absentees do not drag it down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.registrations import Registration


@dataclass(frozen=True)
class PeriodStats:
    registered: int
    started: int
    submitted: int
    passed: int
    # (question id, submissions that answered it right), in the paper's order.
    correct_counts: tuple[tuple[str, int], ...]

    def public(self) -> dict[str, Any]:
        return {
            "registered": self.registered,
            "started": self.started,
            "submitted": self.submitted,
            "passed": self.passed,
            "pass_rate": _rate(self.passed, self.submitted),
            "questions": [
                {"id": qid, "correct_rate": _rate(count, self.submitted)}
                for qid, count in self.correct_counts
            ],
        }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def period_stats(registrations: Iterable[Registration], question_ids: Sequence[str]) -> PeriodStats:
    """Count one pass over the period's registrations (they may be streamed page by page)."""
    registered = started = submitted = passed = 0
    correct: Counter[str] = Counter()
    for registration in registrations:
        registered += 1
        if registration.started_at is not None or registration.result is not None:
            started += 1
        result = registration.result
        if result is None:
            continue
        submitted += 1
        passed += result.passed
        correct.update(set(result.correct))
    return PeriodStats(
        registered=registered,
        started=started,
        submitted=submitted,
        passed=passed,
        correct_counts=tuple((qid, correct[qid]) for qid in question_ids),
    )
