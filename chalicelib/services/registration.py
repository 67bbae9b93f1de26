"""Training sign-in registration and lookup: the candidate's first contact with the system.

Registration checks, in order: the form (422, field by field), today's mode
from the cached periods (409 `exam_day` / `registration_closed`), then one
DynamoDB transaction that decides every kind of uniqueness and the
`already_passed` rule at once. With the periods cached, that transaction is
the only DynamoDB call on the request path.

Lookup answers only when the ID number and the phone belong together, and
says the same thing whichever of the two was wrong.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.domain.errors import Duplicate, ExamDay, NotFound, PeriodChanged, RegistrationClosed
from chalicelib.domain.identity import Contact, normalise_id_number, normalise_phone
from chalicelib.domain.mails import exam_time
from chalicelib.domain.messages import DUPLICATE_MESSAGES
from chalicelib.domain.periods import Period, today_mode
from chalicelib.domain.privacy import Consent, given_consents
from chalicelib.domain.registrations import (
    CONSENT_VERSION,
    Registration,
    closed_message,
    period_open_for_registration,
    registration_form,
)
from chalicelib.runtime import Runtime
from chalicelib.services.exam import close_attempt, shown_result

LOOKUP_NOT_FOUND = (
    "没有找到与该身份证号和手机号对应的报名记录。请核对两项是否与报名时填写的一致；"
    "如尚未报名，请在报名开放期间扫描二维码报名。"
)


def register(rt: Runtime, body: Mapping[str, object]) -> dict[str, Any]:
    """Register the candidate for the period open today; the receipt shows only masked details."""
    now = clock.now()
    contact = registration_form(body, now.date())
    # The contract's `consent` first, then each separate consent this stage asks for.
    consents = given_consents(body, rt.settings.notice, now)
    try:
        period = period_open_for_registration(today_mode(rt.periods.all(), now.date()))
        registration = rt.repo.register(period, contact, now, CONSENT_VERSION, consents)
    except (ExamDay, RegistrationClosed, PeriodChanged):
        # The periods came from this container's cache. Before refusing, or when
        # the table says the period changed, read them afresh and decide again:
        # one more call, on this rare path only.
        rt.periods.invalidate()
        period = period_open_for_registration(today_mode(rt.periods.all(), now.date()))
        registration = _register_or_explain(rt, period, contact, now, consents)
    except Duplicate as refused:
        raise _with_exam_time(refused, period) from refused
    return {"registration": {**registration.masked_candidate(), "period": period.public()}}


def _register_or_explain(
    rt: Runtime, period: Period, contact: Contact, now: dt.datetime, consents: tuple[Consent, ...]
) -> Registration:
    try:
        return rt.repo.register(period, contact, now, CONSENT_VERSION, consents)
    except PeriodChanged as changed:
        raise RegistrationClosed(closed_message(None)) from changed
    except Duplicate as refused:
        raise _with_exam_time(refused, period) from refused


def _with_exam_time(refused: Duplicate, period: Period) -> Duplicate:
    """The FAQ's advice on a registered ID number is "note the exam time": give it right here."""
    if refused.field != "id_number":
        return refused
    return Duplicate(
        f"{DUPLICATE_MESSAGES['id_number']}本期考试时间：{exam_time(period)}。", field="id_number"
    )


def lookup(rt: Runtime, body: Mapping[str, object], address: str | None) -> dict[str, Any]:
    """Every registration of an ID number, newest exam first, when the phone is one of its own.

    Failures are limited per ID number and client `address` as entries are
    (domain/attempts.py): an UpdateItem counting the request in, then the Query. An attempt left with
    saved answers whose exam is over is closed here if the schedule has not
    closed it yet, so the lookup never shows it absent.
    """
    now = clock.now()
    id_number = normalise_id_number(body.get("id_number"), now.date())
    phone = normalise_phone(body.get("phone"))
    seen, arrivals = rt.limits.arrive("lookup", id_number, address, now)
    attempts.check(seen, now)
    attempts.check_burst(arrivals, now)
    registrations = rt.repo.registrations_of(id_number)
    # A candidate may have changed phones between periods: any phone they registered with will do.
    if not any(hmac.compare_digest(r.contact.phone, phone) for r in registrations):
        attempts.check(rt.limits.record_failure("lookup", id_number, address, seen, now), now)
        raise NotFound(LOOKUP_NOT_FOUND)
    entries = []
    for registration in registrations:
        period = rt.periods.find(registration.period_id)
        if period is None:
            continue
        if registration.needs_closing(period, now):
            result = close_attempt(rt, period, registration, now)
            if result is not None:
                registration = replace(registration, result=result, auto_submitted=True)
        entries.append((period, registration))
    entries.sort(key=lambda entry: entry[0].exam_date, reverse=True)
    return {
        "registrations": [
            {
                "period": period.public(),
                "status": registration.status(period, now),
                "score": registration.result.score if registration.result else None,
                "auto_submitted": registration.auto_submitted,
                "entered_on": _entered_on(registration),
                **_feedback(rt, period, registration),
            }
            for period, registration in entries
        ]
    }


def _entered_on(registration: Registration) -> str | None:
    """The day a passer was entered into the city's system; never shown for anyone else."""
    passed = registration.result is not None and registration.result.passed
    return registration.entered_on.isoformat() if passed and registration.entered_on else None


def _feedback(rt: Runtime, period: Period, registration: Registration) -> dict[str, Any]:
    """A failed attempt at a paper drawn from the bank: right answers per topic, and when the
    next period's registration opens (never the key)."""
    shown = shown_result(rt, period, registration)
    return {"feedback": dict(shown.feedback)} if shown is not None and shown.feedback else {}
