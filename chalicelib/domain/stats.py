"""A period's exam statistics: who came, who passed, and how each question went.

Staff read the per-question correct rate (item analysis) to find questions
that are ambiguous or that the course does not teach. Every rate is a
fraction of the submitted attempts, so absentees do not drag it down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.registrations import Registration


@dataclass(frozen=True)
class QuestionLabel:
    """What staff need beside a correct rate to see what the question was."""

    type: str
    text: str


@dataclass(frozen=True)
class PeriodStats:
    registered: int
    started: int
    submitted: int
    passed: int
    # (question id, submissions that answered it right), in the paper's order.
    correct_counts: tuple[tuple[str, int], ...]
    # Each question's type and text, by id, when the paper is at hand.
    labels: Mapping[str, QuestionLabel] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "registered": self.registered,
            "started": self.started,
            "submitted": self.submitted,
            "passed": self.passed,
            "pass_rate": _rate(self.passed, self.submitted),
            "questions": [
                {"id": qid, "correct_rate": _rate(count, self.submitted), **self._label(qid)}
                for qid, count in self.correct_counts
            ],
        }

    def _label(self, question_id: str) -> dict[str, str]:
        label = self.labels.get(question_id)
        return {"type": label.type, "text": label.text} if label else {}


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
