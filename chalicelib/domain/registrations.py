"""A candidate's registration for one period, and the exam attempt it carries.

Status follows the contract: `passed`/`failed` from the moment of submission,
`absent` once the exam window plus its grace has ended without one,
`registered` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any, Literal

from chalicelib.domain.errors import ExamDay, Invalid, RegistrationClosed
from chalicelib.domain.identity import (
    Contact,
    mask_email,
    mask_id_number,
    mask_phone,
    normalise_contact,
    same_name,
)
from chalicelib.domain.periods import Period, Today
from chalicelib.domain.privacy import CONSENT_VERSIONS, REFUSALS, Consent
from chalicelib.values import FACTORY, value_class

Status = Literal["registered", "passed", "failed", "absent"]


# Shown on the form; a registration records which version the candidate agreed to
# (the separate consents and their versions: domain/privacy.py).
CONSENT_VERSION = CONSENT_VERSIONS["processing"]

CONSENT_REQUIRED = REFUSALS["processing"]


def registration_form(body: Mapping[str, object], today: dt.date) -> Contact:
    """The form's details, normalised, field by field in the form's order, consent last.

    Consent must be exactly `true`: a checkbox the candidate ticked, not a
    value that merely looks truthy.
    """
    contact = normalise_contact(dict(body), today)
    if body.get("consent") is not True:
        raise Invalid("consent", CONSENT_REQUIRED)
    return contact


def period_open_for_registration(today: Today) -> Period:
    """The period a registration made today belongs to, or why there is none.

    An exam date refuses registration all day, whatever else is open.
    """
    if today.mode == "exam":
        raise ExamDay()
    if today.mode == "closed" or today.period is None:
        raise RegistrationClosed(closed_message(today.period, today.date))
    return today.period


def closed_message(upcoming: Period | None, day: dt.date | None = None) -> str:
    if upcoming is not None and day is not None and upcoming.registration_opens <= day:
        return (
            f"「{upcoming.name}」的报名已于 {upcoming.registration_closes.isoformat()} 截止，"
            f"考试日期为 {upcoming.exam_date.isoformat()}。下一期的报名时间将另行公布，请关注协会通知。"
        )
    if upcoming is None:
        return (
            "目前没有开放报名的考试期次，下一期的报名时间尚未公布。请关注协会通知，届时扫描同一个二维码报名。"
        )
    return (
        f"目前不在报名时间内。下一期「{upcoming.name}」将于 {upcoming.registration_opens.isoformat()} "
        f"开放报名（截止 {upcoming.registration_closes.isoformat()}），届时请扫描同一个二维码报名。"
    )


@value_class
class ExamResult:
    """A submitted attempt's score and outcome."""

    score: int
    pass_mark: int
    passed: bool
    submitted_at: dt.datetime
    correct: tuple[str, ...] = field(default=(), compare=False)
    # A failed attempt at a paper drawn from the bank: right answers per topic, never the key
    # (domain/feedback.py). Derived when shown, never stored.
    feedback: Mapping[str, Any] | None = field(default=None, compare=False)

    def __init__(
        self,
        score: int,
        pass_mark: int,
        passed: bool,
        submitted_at: dt.datetime,
        correct: tuple[str, ...] = (),
        feedback: Mapping[str, Any] | None = None,
    ) -> None:
        self.__dict__.update(
            score=score,
            pass_mark=pass_mark,
            passed=passed,
            submitted_at=submitted_at,
            correct=correct,
            feedback=feedback,
        )

    def public(self) -> dict[str, Any]:
        shown = {
            "score": self.score,
            "pass_mark": self.pass_mark,
            "passed": self.passed,
            "submitted_at": self.submitted_at.isoformat(timespec="seconds"),
        }
        if self.feedback:
            shown["feedback"] = dict(self.feedback)
        return shown


@value_class
class Change:
    """One registered detail replaced at submission: which, from what, to what, when."""

    at: dt.datetime
    field: str
    old: str
    new: str

    def __init__(self, at: dt.datetime, field: str, old: str, new: str) -> None:
        self.__dict__.update(at=at, field=field, old=old, new=new)

    def public(self, full: bool = True) -> dict[str, str]:
        """Staff see old and new values masked like the record itself unless their role sees full details."""
        shown = _CHANGE_MASKS.get(self.field) if not full else None
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "field": self.field,
            "old": shown(self.old) if shown else self.old,
            "new": shown(self.new) if shown else self.new,
        }


# A name is shown to every staff role; a phone or e-mail in the history is masked as on the record.
_CHANGE_MASKS = {"phone": mask_phone, "email": mask_email}


def changes_between(old: Contact, new: Contact, at: dt.datetime) -> tuple[Change, ...]:
    """What a submission changes in the registered details (the ID number never changes)."""
    return tuple(
        Change(at=at, field=name, old=before, new=after)
        for name, before, after in (
            ("name", old.name, new.name),
            ("phone", old.phone, new.phone),
            ("email", old.email, new.email),
        )
        if before != after
    )


@value_class
class SentMail:
    """An e-mail the outbox sent about this registration: which kind, when."""

    kind: str
    at: dt.datetime

    def __init__(self, kind: str, at: dt.datetime) -> None:
        self.__dict__.update(kind=kind, at=at)

    def public(self) -> dict[str, str]:
        return {"kind": self.kind, "at": self.at.isoformat(timespec="seconds")}


@value_class
class VoidedAttempt:
    """An attempt staff voided (sat by the wrong person, say): kept with the reason, never exported."""

    at: dt.datetime
    reason: str
    staff: str
    score: int | None
    submitted_at: dt.datetime | None

    def __init__(
        self,
        at: dt.datetime,
        reason: str,
        staff: str,
        score: int | None,
        submitted_at: dt.datetime | None,
    ) -> None:
        self.__dict__.update(at=at, reason=reason, staff=staff, score=score, submitted_at=submitted_at)

    def public(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "reason": self.reason,
            "staff": self.staff,
            "score": self.score,
            "submitted_at": self.submitted_at.isoformat(timespec="seconds") if self.submitted_at else None,
        }


@value_class
class Registration:
    """One candidate's registration for one period, with their attempt's state."""

    period_id: str
    contact: Contact
    registered_at: dt.datetime
    started_at: dt.datetime | None = None
    answers: Mapping[str, Sequence[str]] = field(default_factory=dict)
    seed: str | None = None
    result: ExamResult | None = None
    exported_at: dt.datetime | None = None
    auto_submitted: bool = False
    changes: tuple[Change, ...] = ()
    # How many times answers were saved: what a submission read them at.
    saves: int = 0
    # Given by staff on exam day (a phone that died, a late entry, a reopened attempt):
    # this candidate's exam ends this much after the period's.
    extra_minutes: int = 0
    mails: tuple[SentMail, ...] = ()
    voided: tuple[VoidedAttempt, ...] = ()
    # The day staff entered this passer into the city's system (None until then).
    entered_on: dt.date | None = None
    # Each consent given at registration, with its version and time (domain/privacy.py).
    consents: tuple[Consent, ...] = ()

    def __init__(
        self,
        period_id: str,
        contact: Contact,
        registered_at: dt.datetime,
        started_at: dt.datetime | None = None,
        answers: Mapping[str, Sequence[str]] = FACTORY,
        seed: str | None = None,
        result: ExamResult | None = None,
        exported_at: dt.datetime | None = None,
        auto_submitted: bool = False,
        changes: tuple[Change, ...] = (),
        saves: int = 0,
        extra_minutes: int = 0,
        mails: tuple[SentMail, ...] = (),
        voided: tuple[VoidedAttempt, ...] = (),
        entered_on: dt.date | None = None,
        consents: tuple[Consent, ...] = (),
    ) -> None:
        answers = dict() if answers is FACTORY else answers
        self.__dict__.update(
            period_id=period_id,
            contact=contact,
            registered_at=registered_at,
            started_at=started_at,
            answers=answers,
            seed=seed,
            result=result,
            exported_at=exported_at,
            auto_submitted=auto_submitted,
            changes=changes,
            saves=saves,
            extra_minutes=extra_minutes,
            mails=mails,
            voided=voided,
            entered_on=entered_on,
            consents=consents,
        )

    def ends_at(self, period: Period, tz: dt.tzinfo) -> dt.datetime:
        """This candidate's own end of the exam: the period's, plus any extra minutes."""
        return period.exam_ends_at(tz) + dt.timedelta(minutes=self.extra_minutes)

    def closes_at(self, period: Period, tz: dt.tzinfo) -> dt.datetime:
        """This candidate's own submission deadline: their end plus the grace."""
        return period.submissions_close_at(tz) + dt.timedelta(minutes=self.extra_minutes)

    def may_enter(self, period: Period, now: dt.datetime) -> bool:
        """From the exam's start to this candidate's own end."""
        tz = _tz(now)
        return period.exam_starts_at(tz) <= now < self.ends_at(period, tz)

    def accepts_submissions(self, period: Period, now: dt.datetime) -> bool:
        """From the exam's start to this candidate's own deadline."""
        tz = _tz(now)
        return period.exam_starts_at(tz) <= now <= self.closes_at(period, tz)

    def exam_is_over(self, period: Period, now: dt.datetime) -> bool:
        return now > self.closes_at(period, _tz(now))

    def needs_closing(self, period: Period, now: dt.datetime) -> bool:
        """Saved answers, never submitted, and the grace is over: to be scored as they stand (自动交卷)."""
        return self.result is None and bool(self.answers) and self.exam_is_over(period, now)

    def status(self, period: Period, now: dt.datetime) -> Status:
        if self.result is not None:
            return "passed" if self.result.passed else "failed"
        if self.exam_is_over(period, now):
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

    def staff_view(self, period: Period, now: dt.datetime, full: bool = True) -> dict[str, Any]:
        """Full details for staff whose role sees them; otherwise the ID number, phone and e-mail masked."""
        contact = self.contact
        return {
            "period_id": self.period_id,
            "name": contact.name,
            "id_number": contact.id_number if full else mask_id_number(contact.id_number),
            "phone": contact.phone if full else mask_phone(contact.phone),
            "email": contact.email if full else mask_email(contact.email),
            "masked": not full,
            "registered_at": self.registered_at.isoformat(timespec="seconds"),
            "started_at": self.started_at.isoformat(timespec="seconds") if self.started_at else None,
            "status": self.status(period, now),
            "score": self.result.score if self.result else None,
            "submitted_at": (self.result.submitted_at.isoformat(timespec="seconds") if self.result else None),
            "exported_at": self.exported_at.isoformat(timespec="seconds") if self.exported_at else None,
            "auto_submitted": self.auto_submitted,
            "changes": [change.public(full) for change in self.changes],
            "extra_minutes": self.extra_minutes,
            "mails": [mail.public() for mail in self.mails],
            "voided": [attempt.public() for attempt in self.voided],
            "consents": [consent.public() for consent in self.consents],
        }


def later_registration(
    today: Period, periods: Sequence[Period], registrations: Sequence[Registration], name: str
) -> Period | None:
    """The earliest period after `today`'s exam that this person (the typed `name` being the
    registered one) is registered for and has not sat yet, if any."""
    by_id = {period.id: period for period in periods}
    later = [
        by_id[registration.period_id]
        for registration in registrations
        if registration.period_id in by_id
        and by_id[registration.period_id].exam_date > today.exam_date
        and registration.result is None
        and same_name(name, registration.contact.name)
    ]
    return min(later, key=lambda period: period.exam_date, default=None)


def _tz(now: dt.datetime) -> dt.tzinfo:
    assert now.tzinfo is not None, "the clock always gives aware datetimes"
    return now.tzinfo
