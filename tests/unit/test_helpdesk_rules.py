"""The helpdesk's pure rules: one search detail, normalised; a reason; corrections; minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import clock
from chalicelib.domain import helpdesk
from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import Registration
from tests.conftest import beijing
from tests.support.people import person

TODAY = dt.date(2026, 12, 1)
SOMEONE = person(1)


@pytest.mark.parametrize(
    ("query", "kind", "key"),
    [
        ({"id_number": SOMEONE.id_number.replace("X", "x")}, "id_number", SOMEONE.id_number),
        ({"phone": "+86 139-0000-0001"}, "phone", "13900000001"),
        ({"phone": "0086 13900000001", "name": ""}, "phone", "13900000001"),
        ({"email": "A@Example.COM"}, "email", "A@example.com"),
        ({"name": " 阿・买买提 "}, "name", "阿·买买提"),
        ({"name": "Li Ming"}, "name", "liming"),
    ],
)
def test_one_detail_normalised_as_at_registration(query, kind, key):
    search = helpdesk.search_query(query, TODAY)
    assert (search.kind, search.key) == (kind, key)


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "id_number"), ({"phone": "1", "email": "a@b.cn"}, "email"), ({"phone": "123"}, "phone")],
)
def test_no_detail_two_details_or_a_bad_one_is_invalid(query, field):
    with pytest.raises(Invalid) as refused:
        helpdesk.search_query(query, TODAY)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("query", "full"), [({}, False), ({"full": "0"}, False), ({"full": "1"}, True), ({"full": "true"}, True)]
)
def test_full_details_are_asked_explicitly(query, full):
    assert helpdesk.wants_full(query) is full


@pytest.mark.parametrize(
    "body", [{}, {"reason": " "}, {"reason": 3}, {"reason": "a\nb"}, {"reason": "x" * 501}]
)
def test_a_reason_is_required(body):
    with pytest.raises(Invalid) as refused:
        helpdesk.reason(body)
    assert refused.value.field == "reason"


def test_a_correction_names_at_least_one_detail_and_keeps_the_id_number():
    current = Contact(SOMEONE.name, SOMEONE.id_number, SOMEONE.phone, SOMEONE.email)
    with pytest.raises(Invalid):
        helpdesk.corrected_contact(current, {"reason": "x"})
    corrected = helpdesk.corrected_contact(current, {"phone": "137 0000 0001", "id_number": "x"})
    assert corrected == Contact(SOMEONE.name, SOMEONE.id_number, "13700000001", SOMEONE.email)


@given(st.integers(min_value=-1000, max_value=1000))
def test_minutes_are_1_to_180(value):
    if 1 <= value <= helpdesk.MINUTES_MAX:
        assert helpdesk.minutes({"minutes": value}) == value
    else:
        with pytest.raises(Invalid):
            helpdesk.minutes({"minutes": value})


@pytest.mark.parametrize(
    ("now", "wanted", "extra"),
    [
        (beijing(2026, 12, 18, 10, 30), 20, 0),
        (beijing(2026, 12, 18, 11, 0), 20, 20),
        (beijing(2026, 12, 18, 11, 5), 15, 20),
    ],
)
def test_minutes_until(now, wanted, extra):
    assert helpdesk.minutes_until(beijing(2026, 12, 18, 11, 0), now, wanted) == extra


def test_extra_minutes_move_the_candidates_own_end_deadline_and_absence():
    period = Period(
        id="p1",
        name="第一期",
        exam_date=dt.date(2026, 12, 18),
        exam_start=dt.time(9, 0),
        exam_end=dt.time(11, 0),
        registration_opens=dt.date(2026, 12, 1),
        registration_closes=dt.date(2026, 12, 17),
    )
    end = period.submissions_close_at(clock.BEIJING)
    contact = Contact(SOMEONE.name, SOMEONE.id_number, SOMEONE.phone, SOMEONE.email)
    plain = Registration(period_id=period.id, contact=contact, registered_at=end)
    given_time = Registration(period_id=period.id, contact=contact, registered_at=end, extra_minutes=10)
    later = end + dt.timedelta(minutes=5)
    assert not plain.accepts_submissions(period, later) and plain.status(period, later) == "absent"
    assert given_time.accepts_submissions(period, later) and given_time.status(period, later) == "registered"
    assert given_time.may_enter(period, later - dt.timedelta(minutes=10))
