"""The exam on exam day: entry by ID number and name, the paper, autosave, submission, the close.

Every candidate of a period arrives in the same two hours, so each request
is held to a small, fixed number of AWS calls on a warm container: the
periods and the paper come from the container's caches, the exam token is
checked without a database read, entry is an UpdateItem (counting this
request in for this ID number from this address, which returns its failures) and one UpdateItem, a save is one
UpdateItem, reading the paper is one GetItem (the saved answers) and a
submission is one GetItem and one conditional UpdateItem (a transaction when
the phone or e-mail changed). That write's condition, not any check before
it, is what makes a submission count exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import attempts, tokens
from chalicelib.domain.attempt_order import AttemptView, fallback_seed
from chalicelib.domain.contacts import CONTACT_STAFF
from chalicelib.domain.errors import (
    AlreadySubmitted,
    AttemptVoided,
    Invalid,
    NotExamTime,
    NotRegistered,
    RegisteredForLaterPeriod,
    SavedAnswersChanged,
    Unauthorized,
    Unavailable,
)
from chalicelib.domain.feedback import with_feedback
from chalicelib.domain.identity import (
    Contact,
    normalise_email,
    normalise_id_number,
    normalise_name,
    normalise_phone,
)
from chalicelib.domain.mails import exam_time
from chalicelib.domain.papers import Paper, final_answers, grade, parse_answers
from chalicelib.domain.periods import SUBMIT_GRACE, Period, today_mode
from chalicelib.domain.registrations import ExamResult, Registration, later_registration
from chalicelib.runtime import Runtime
from chalicelib.services.papers import draws_per_attempt, period_paper, period_source

TOKEN_SECRET = "exam-token-key"
# Reads of the saved answers a submission makes when saves keep landing under it.
SUBMIT_TRIES = 3


def _not_open(period: Period, now: dt.datetime) -> NotExamTime:
    if now < period.exam_starts_at(clock.BEIJING):
        return NotExamTime(f"考试尚未开始。本期考试时间为 {exam_time(period)}，请在开始后再进入考试。")
    return NotExamTime(
        f"本期考试已于 {period.exam_end:%H:%M} 结束，不能再进入考试。如有疑问，{CONTACT_STAFF}。"
    )


def _too_late(period: Period) -> NotExamTime:
    closes = period.submissions_close_at(clock.BEIJING)
    return NotExamTime(
        f"考试已于 {period.exam_end:%H:%M} 结束，交卷截止时间 {closes:%H:%M} 已过，答卷无法再提交或保存。"
        f"如有疑问，{CONTACT_STAFF}。"
    )


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: dt.datetime
    period: Period
    registration: Registration

    def public(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "expires_at": clock.iso(self.expires_at),
            "period": self.period.public(),
            "candidate": self.registration.masked_candidate(),
        }


@dataclass(frozen=True)
class Attempt:
    """What an exam token stands for: one registration in one period."""

    period: Period
    id_hash: str
    # The seed the attempt had when the token was issued; voiding draws a new one on re-entry.
    seed: str

    def check(self, registration: Registration) -> Registration:
        """The stored attempt, unless staff voided the one this token was issued for."""
        if registration.seed != self.seed:
            raise AttemptVoided()
        return registration


def start_session(rt: Runtime, body: Mapping[str, object], address: str | None) -> Session:
    """Enter today's exam (or resume it) by ID number and name: two UpdateItems when warm.

    A wrong name and an unregistered ID number take the same path (the same
    two reads, the failure recorded) and the same answer, `NotRegistered`.
    Failures are limited per ID number and client `address`
    (domain/attempts.py). The token is deterministic for an attempt and a
    day, so entering again gives the same attempt: its start time and saved
    answers are kept.
    """
    now = clock.now()
    id_number = normalise_id_number(body.get("id_number"), now.date())
    name = normalise_name(body.get("name"))
    today = today_mode(rt.periods.all(), now.date())
    if today.mode != "exam":
        # A period set for today in another container moments ago? Look once
        # more before refusing: only days without an exam pay for this read.
        rt.periods.invalidate()
        today = today_mode(rt.periods.all(), now.date())
    if today.mode != "exam" or today.period is None:
        raise NotExamTime()
    period = today.period
    if not period.exam_is_open(now) and not _admitted_late(rt, period, id_number, now):
        raise _not_open(period, now)
    seen, arrivals = rt.limits.arrive("entry", id_number, address, now)
    attempts.check(seen, now)
    attempts.check_burst(arrivals, now)
    try:
        registration = rt.repo.start_attempt(period, id_number, name, now)
    except AlreadySubmitted as already:
        # Entering again after submitting shows the result as the result screen did: a failed
        # drawn attempt's feedback by topic, from the attempt the write returned (no read more).
        if already.attempt is None:
            raise
        raise AlreadySubmitted(shown_result(rt, period, already.attempt) or already.result) from None
    except NotRegistered:
        attempts.check(rt.limits.record_failure("entry", id_number, address, seen, now), now)
        # Registered, under this very name, for a later period: say when, not "register".
        later = later_registration(period, rt.periods.all(), rt.repo.registrations_of(id_number), name)
        if later is not None:
            raise RegisteredForLaterPeriod(later.name, exam_time(later)) from None
        raise
    # Extra minutes given by staff push this candidate's own deadline, and the token's with it.
    grace = SUBMIT_GRACE + dt.timedelta(minutes=registration.extra_minutes)
    expires = tokens.exam_expiry(period.exam_date, period.exam_end, grace, clock.BEIJING)
    # start_attempt stores a seed at the first entry (and at the first after a void).
    assert registration.seed is not None, "start_attempt returns the attempt with its seed"
    claim = tokens.ExamClaim(
        period_id=period.id, id_hash=rt.repo.id_hash(id_number), expires_at=expires, seed=registration.seed
    )
    token = tokens.issue(rt.secrets.get(TOKEN_SECRET), claim)
    return Session(token=token, expires_at=expires, period=period, registration=registration)


def _admitted_late(rt: Runtime, period: Period, id_number: str, now: dt.datetime) -> bool:
    """After the exam's end, a candidate whose own end staff moved (extra time, late entry,
    a reopened attempt) may still enter: one GetItem, paid only by late arrivals."""
    if now < period.exam_starts_at(clock.BEIJING):
        return False
    try:
        registration = rt.repo.attempt(period.id, rt.repo.id_hash(id_number))
    except NotRegistered:
        return False
    return registration.may_enter(period, now)


def authenticate(rt: Runtime, token: str | None) -> Attempt:
    """The attempt a bearer exam token stands for, or `Unauthorized` (no AWS call)."""
    if not token:
        raise Unauthorized("请先输入身份证号和姓名进入考试。")
    claim = tokens.verify(rt.secrets.get(TOKEN_SECRET), token, clock.now())
    return Attempt(period=rt.periods.get(claim.period_id), id_hash=claim.id_hash, seed=claim.seed)


def attempt_seed(rt: Runtime, period: Period, registration: Registration) -> str:
    """The seed an attempt's paper is drawn and ordered by: stored at its first entry."""
    return registration.seed or fallback_seed(period.id, rt.repo.id_hash(registration.contact.id_number))


def attempt_questions(rt: Runtime, period: Period, registration: Registration) -> Paper:
    """The questions this attempt answers and is scored on, in the period paper's own order:
    a fixed paper's, or those its seed draws from the period's pool of bank items."""
    return attempt_view(rt, period, attempt_seed(rt, period, registration)).questions


def attempt_view(rt: Runtime, period: Period, seed: str) -> AttemptView:
    """The attempt's questions and its shown paper, from the container's cache of recent
    attempts (by the period's paper key, which names the paper's content, and the seed)."""
    source = period_source(rt, period)
    assert period.paper_key is not None, "period_source refused a period without one"
    return rt.attempt_papers.view(period.paper_key, seed, source.drawn)


def shown_result(rt: Runtime, period: Period, registration: Registration) -> ExamResult | None:
    """The attempt's result as the candidate sees it: a failed attempt at a paper drawn from
    the bank adds the right answers per topic (never the key) and when the next period's
    registration opens. The paper comes from the container's cache."""
    result = registration.result
    # A fixed paper has no topics: its results are shown without reading it.
    if result is None or result.passed or not draws_per_attempt(period):
        return result
    try:
        paper = attempt_questions(rt, period, registration)
    except Unavailable:
        return result  # the score stands on its own; feedback is a help, not the answer
    return with_feedback(result, paper, period, rt.periods.all())


def candidate_paper(rt: Runtime, attempt: Attempt) -> dict[str, Any]:
    """The paper without keys, drawn and ordered for this attempt (derived from its stored
    seed and the cached paper), with the answers saved so far: one GetItem when warm."""
    now = clock.now()
    period = attempt.period
    registration = attempt.check(rt.repo.attempt(period.id, attempt.id_hash))
    if registration.result is not None:
        raise AlreadySubmitted(shown_result(rt, period, registration) or registration.result)
    if not registration.accepts_submissions(period, now):
        raise _too_late(period)
    seed = registration.seed or fallback_seed(period.id, attempt.id_hash)
    view = attempt_view(rt, period, seed)
    paper = view.questions
    # The candidate's own end: extra minutes given by staff count down after a reload too.
    ends_at = registration.ends_at(period, clock.BEIJING)
    return {
        **view.shown,
        "answers": {
            qid: list(chosen)
            for qid, chosen in registration.answers.items()
            if paper.question(qid) is not None
        },
        "ends_at": clock.iso(ends_at),
        "seconds_left": max(0, int((ends_at - now).total_seconds())),
    }


def save_answers(rt: Runtime, attempt: Attempt, body: Mapping[str, object]) -> None:
    """Save progress: each question named replaces its saved answer. One UpdateItem when warm."""
    now = clock.now()
    period = attempt.period
    # Past the period's deadline only a candidate given extra minutes may save (one GetItem more).
    if not period.accepts_submissions(now) and not attempt.check(
        rt.repo.attempt(period.id, attempt.id_hash)
    ).accepts_submissions(period, now):
        raise _too_late(period)
    if "answers" not in body:
        raise Invalid("answers", "缺少答案 answers，请刷新页面后重试。")
    answers = parse_answers(period_paper(rt, period), body.get("answers"))
    # The write's condition compares the seed: a voided attempt's token saves nothing.
    rt.repo.save_answers(period.id, attempt.id_hash, answers, now, attempt.seed)


def submit(rt: Runtime, attempt: Attempt, body: Mapping[str, object]) -> ExamResult:
    """Score the attempt once, with the candidate's latest details: a GetItem and one write.

    The details are checked like a registration's; they replace the
    registered ones. Unchanged (nearly always), the write is one conditional
    UpdateItem of the attempt; a changed phone or e-mail makes it a
    transaction that moves their claims with the result. The answers are the saved ones,
    each replaced by the submitted one where the body names it.

    A save that lands between the read and the write (the page's autosave
    still in flight when the candidate taps 交卷) refuses the write rather
    than being overwritten unseen: the submission reads again and scores the
    answers with that save in them. A save after the write answers `409
    already_submitted`; no save is ever acknowledged and then dropped.
    """
    now = clock.now()
    period = attempt.period
    name = normalise_name(body.get("name"))
    phone = normalise_phone(body.get("phone"))
    email = normalise_email(body.get("email"))
    source = period_source(rt, period)
    # Checked against every question the period may ask; scored on the attempt's own.
    submitted = parse_answers(source.pool, body.get("answers", {}))
    assert period.paper_key is not None, "period_paper refused a period without one"
    for tries_left in reversed(range(SUBMIT_TRIES)):
        registration = attempt.check(rt.repo.attempt(period.id, attempt.id_hash))
        if registration.result is not None:
            raise AlreadySubmitted(shown_result(rt, period, registration) or registration.result)
        if not registration.accepts_submissions(period, now):
            raise _too_late(period)
        paper = attempt_view(rt, period, attempt_seed(rt, period, registration)).questions
        answers = final_answers(paper, registration.answers, submitted)
        result = grade(paper, answers, now)
        contact = Contact(name=name, id_number=registration.contact.id_number, phone=phone, email=email)
        try:
            rt.repo.record_submission(period, registration, contact, answers, result, period.paper_key)
        except SavedAnswersChanged:
            if not tries_left:
                raise
            continue
        return with_feedback(result, paper, period, rt.periods.all())
    raise AssertionError("unreachable: the last try returns or raises")


def close_attempt(
    rt: Runtime, period: Period, registration: Registration, now: dt.datetime
) -> ExamResult | None:
    """Score an attempt left with saved answers once the grace is over (自动交卷); None when not due.

    The same conditional write as a submission, with the registered details,
    so it counts exactly once whatever else runs: a candidate's own late
    submission, another close, a lookup closing it lazily.
    """
    if not registration.needs_closing(period, now) or period.paper_key is None:
        return None
    paper = attempt_questions(rt, period, registration)
    answers = final_answers(paper, registration.answers, {})
    result = grade(paper, answers, registration.closes_at(period, clock.BEIJING))
    try:
        rt.repo.record_submission(
            period, registration, registration.contact, answers, result, period.paper_key, automatic=True
        )
    except AlreadySubmitted as already:
        return already.result
    except SavedAnswersChanged:
        # A last save landed as the grace ended: the next close reads it and scores it.
        return None
    return result


def close_exams(rt: Runtime, since: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Close every attempt left open in periods whose grace ended within `since`: the schedule's job."""
    now = clock.now()
    closed = 0
    for period in rt.periods.all():
        if not period.exam_is_over(now) or now - period.submissions_close_at(clock.BEIJING) > since:
            continue
        for registration in rt.repo.iter_period_registrations(period.id):
            if registration.needs_closing(period, now) and close_attempt(rt, period, registration, now):
                closed += 1
    return closed
