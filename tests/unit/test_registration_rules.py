"""Registration's own rules: consent, and which period (if any) a registration made today joins."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.periods import Period, today_mode
from chalicelib.domain.registrations import (
    ExamDay,
    RegistrationClosed,
    period_open_for_registration,
    registration_form,
)
from tests.support.people import person

TODAY = dt.date(2026, 12, 1)


def period(exam: dt.date, opens: dt.date, closes: dt.date, name: str = "12月") -> Period:
    return Period(
        id=exam.strftime("%Y%m%d"),
        name=name,
        exam_date=exam,
        exam_start=dt.time(9),
        exam_end=dt.time(11),
        registration_opens=opens,
        registration_closes=closes,
    )


DECEMBER = period(dt.date(2026, 12, 18), dt.date(2026, 11, 23), dt.date(2026, 12, 17))
JANUARY = period(dt.date(2027, 1, 15), dt.date(2026, 12, 21), dt.date(2027, 1, 14), name="1月")


def test_a_complete_form_with_consent_gives_the_contact():
    someone = person(1)
    contact = registration_form(someone.registration(), TODAY)
    assert (contact.name, contact.id_number, contact.phone, contact.email) == (
        someone.name,
        someone.id_number,
        someone.phone,
        someone.email,
    )


@pytest.mark.parametrize("consent", [False, None, "true", 1, "yes", [True], {"value": True}])
def test_consent_must_be_exactly_true(consent):
    body = person(1).registration(consent=consent)
    with pytest.raises(Invalid) as refused:
        registration_form(body, TODAY)
    assert refused.value.field == "consent"


def test_missing_consent_is_reported_after_the_other_fields():
    body = person(1).registration(email="nope")
    del body["consent"]
    with pytest.raises(Invalid) as refused:
        registration_form(body, TODAY)
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 23), DECEMBER),
        (dt.date(2026, 12, 17), DECEMBER),
        (dt.date(2026, 12, 21), JANUARY),
        (dt.date(2027, 1, 14), JANUARY),
    ],
)
def test_a_registration_joins_the_period_open_that_day(day, expected):
    assert period_open_for_registration(today_mode([DECEMBER, JANUARY], day)) == expected


@pytest.mark.parametrize("day", [DECEMBER.exam_date, JANUARY.exam_date])
def test_an_exam_date_refuses_registration(day):
    with pytest.raises(ExamDay) as refused:
        period_open_for_registration(today_mode([DECEMBER, JANUARY], day))
    assert (refused.value.status, refused.value.code) == (409, "exam_day")


def test_between_windows_registration_is_closed_and_says_when_it_opens():
    with pytest.raises(RegistrationClosed) as refused:
        period_open_for_registration(today_mode([DECEMBER, JANUARY], dt.date(2026, 12, 19)))
    assert refused.value.code == "registration_closed"
    assert "「1月」" in refused.value.message
    assert "2026-12-21" in refused.value.message


def test_with_no_period_ahead_registration_is_closed():
    with pytest.raises(RegistrationClosed) as refused:
        period_open_for_registration(today_mode([DECEMBER], dt.date(2026, 12, 19)))
    assert "尚未公布" in refused.value.message
