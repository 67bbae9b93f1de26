"""Rights requests' own rules: the form field by field, the answer date in working days, the queue's order."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain.errors import CalendarUnknown, Invalid
from chalicelib.domain.rights import answer_by, new_request, outcome_form, queue_order, request_form
from tests.support.people import person

TODAY = dt.date(2026, 12, 1)
SOMEONE = person(1)
GOOD = {"id_number": SOMEONE.id_number, "phone": SOMEONE.phone, "kind": "copy"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": ""}, "id_number"),
        ({"phone": "123"}, "phone"),
        ({"kind": None}, "kind"),
        ({"kind": "everything"}, "kind"),
        ({"kind": ["copy"]}, "kind"),
        ({"kind": "correction"}, "details"),
        ({"kind": "correction", "details": "   "}, "details"),
        ({"details": "x" * 501}, "details"),
        ({"details": "a\x07b"}, "details"),
        ({"details": 12}, "details"),
    ],
)
def test_the_form_is_refused_field_by_field(changes, field):
    with pytest.raises(Invalid) as refused:
        request_form({**GOOD, **changes}, TODAY)
    assert refused.value.field == field


def test_a_correction_keeps_its_details_with_line_breaks():
    form = request_form({**GOOD, "kind": "correction", "details": " 姓名应为张三\n手机号已换 "}, TODAY)
    assert (form.kind, form.details) == ("correction", "姓名应为张三\n手机号已换")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "x"}, "outcome"),
        ({"outcome": "done"}, "note"),
        ({"outcome": "refused", "note": " "}, "note"),
    ],
)
def test_an_answer_needs_an_outcome_and_a_note(body, field):
    with pytest.raises(Invalid) as refused:
        outcome_form(body)
    assert refused.value.field == field


def weekdays_except(*off: dt.date):
    return lambda day: day.weekday() < 5 and day not in off


def test_the_answer_date_counts_working_days_after_the_request():
    # Tue 1 Dec 2026 + 15 weekdays = Tue 22 Dec.
    assert answer_by(TODAY, 15, weekdays_except()) == dt.date(2026, 12, 22)
    # A holiday inside the span moves it one working day on.
    assert answer_by(TODAY, 15, weekdays_except(dt.date(2026, 12, 10))) == dt.date(2026, 12, 23)
    # A weekend worked (调休) brings it one day nearer.
    worked = dt.date(2026, 12, 5)
    assert answer_by(TODAY, 15, lambda d: d == worked or d.weekday() < 5) == dt.date(2026, 12, 21)


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday():
    def unknown(day: dt.date) -> bool:
        if day.year > 2026:
            raise CalendarUnknown(day.year)
        return day.weekday() < 5

    assert answer_by(dt.date(2026, 12, 28), 5, unknown) == dt.date(2027, 1, 4)


def test_the_queue_shows_open_requests_by_answer_date_then_answered_ones_newest_first():
    at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    form = request_form(GOOD, TODAY)

    def made(n: int, due: int, status: str = "open"):
        made = new_request(str(n), "p", form, "张三", "a@example.com", at + dt.timedelta(hours=n), TODAY)
        from dataclasses import replace

        return replace(made, answer_by=TODAY + dt.timedelta(days=due), status=status)

    ordered = queue_order([made(1, 9, "done"), made(2, 5), made(3, 2), made(4, 9, "refused")])
    assert [r.id for r in ordered] == ["3", "2", "4", "1"]


def test_the_staff_view_is_masked_and_flags_an_overdue_request():
    at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    request = new_request("r1", "p", request_form(GOOD, TODAY), "张三", SOMEONE.email, at, TODAY)
    view = request.staff_view(TODAY + dt.timedelta(days=1))
    assert view["overdue"] is True
    assert SOMEONE.id_number not in str(view) and SOMEONE.email not in str(view)
