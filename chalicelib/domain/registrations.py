"""A candidate's registration for one period, and the exam attempt it carries.

Status follows the contract: `passed`/`failed` from the moment of submission,
`absent` once the exam window plus its grace has ended without one,
`registered` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from chalicelib.domain.identity import Contact, mask_email, mask_id_number, mask_phone
from chalicelib.domain.periods import Period

Status = Literal["registered", "passed", "failed", "absent"]

# Shown on the form; a registration records which version the candidate agreed to.
CONSENT_VERSION = "2026-11"


@dataclass(frozen=True)
class ExamResult:
    score: int
    pass_mark: int
    passed: bool
    submitted_at: dt.datetime
    correct: tuple[str, ...] = field(default=(), compare=False)

    def public(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "pass_mark": self.pass_mark,
            "passed": self.passed,
            "submitted_at": self.submitted_at.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class Registration:
    period_id: str
    contact: Contact
    registered_at: dt.datetime
    started_at: dt.datetime | None = None
    answers: Mapping[str, Sequence[str]] = field(default_factory=dict)
    result: ExamResult | None = None
    exported_at: dt.datetime | None = None

    def status(self, period: Period, now: dt.datetime) -> Status:
        if self.result is not None:
            return "passed" if self.result.passed else "failed"
        if period.exam_is_over(now):
            return "absent"
        return "registered"

    def masked_candidate(self) -> dict[str, str]:
        """What the candidate's own screens show: the name, and the rest masked."""
        return {
            "name": self.contact.name,
            "id_number_masked": mask_id_number(self.contact.id_number),
            "phone_masked": mask_phone(self.contact.phone),
            "email_masked": mask_email(self.contact.email),
        }

    def staff_view(self, period: Period, now: dt.datetime) -> dict[str, Any]:
        """Full details, for staff only."""
        return {
            "period_id": self.period_id,
            "name": self.contact.name,
            "id_number": self.contact.id_number,
            "phone": self.contact.phone,
            "email": self.contact.email,
            "registered_at": self.registered_at.isoformat(timespec="seconds"),
            "started_at": self.started_at.isoformat(timespec="seconds") if self.started_at else None,
            "status": self.status(period, now),
            "score": self.result.score if self.result else None,
            "submitted_at": (self.result.submitted_at.isoformat(timespec="seconds") if self.result else None),
            "exported_at": self.exported_at.isoformat(timespec="seconds") if self.exported_at else None,
        }
