"""Who is registered for a later period, when today's exam refuses them."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import ExamResult, Registration, later_registration
from tests.support.exam_data import person

D = dt.date
AT = dt.datetime(2026, 12, 1, 10, tzinfo=clock.BEIJING)


def period(pid: str, exam: dt.date) -> Period:
    return Period(
        id=pid,
        name=pid,
        exam_date=exam,
        exam_start=dt.time(9),
        exam_end=dt.time(11),
        registration_opens=exam - dt.timedelta(days=20),
        registration_closes=exam - dt.timedelta(days=1),
    )


TODAY = period("today", D(2026, 12, 18))
EARLIER = period("earlier", D(2026, 11, 13))
NEXT = period("next", D(2027, 1, 15))
AFTER = period("after", D(2027, 2, 19))
PERIODS = [EARLIER, TODAY, NEXT, AFTER]
ALICE = person(1)


def registered(for_period: Period, sat: bool = False) -> Registration:
    result = ExamResult(score=80, pass_mark=60, passed=True, submitted_at=AT, correct=()) if sat else None
    return Registration(period_id=for_period.id, contact=ALICE, registered_at=AT, result=result)


@pytest.mark.parametrize(
    ("registrations", "name", "expected"),
    [
        pytest.param([], ALICE.name, None, id="nowhere"),
        pytest.param([registered(NEXT)], ALICE.name, NEXT, id="the next period"),
        pytest.param([registered(NEXT)], f" {ALICE.name} ", NEXT, id="the name as typed"),
        pytest.param([registered(NEXT)], "王五", None, id="another name learns nothing"),
        pytest.param([registered(AFTER), registered(NEXT)], ALICE.name, NEXT, id="the earliest one"),
        pytest.param([registered(EARLIER)], ALICE.name, None, id="an earlier period"),
        pytest.param([registered(NEXT, sat=True)], ALICE.name, None, id="sat already"),
        pytest.param(
            [Registration(period_id="gone", contact=ALICE, registered_at=AT)], ALICE.name, None, id="unknown"
        ),
    ],
)
def test_the_later_registration_found(
    registrations: list[Registration], name: str, expected: Period | None
) -> None:
    assert later_registration(TODAY, PERIODS, registrations, name) == expected
