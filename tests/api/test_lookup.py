"""POST /api/registrations/lookup: ID number + phone -> registrations, newest first, never which was wrong."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from chalicelib.storage.models import RegistrationItem
from tests.api.conftest import Api, body
from tests.api.test_registration import (
    FIRST_EXAM,
    IN_FIRST_WINDOW,
    IN_SECOND_WINDOW,
    SECOND_EXAM,
    create_period,
    pass_exam,
    register,
)
from tests.conftest import beijing
from tests.support.people import person, with_wrong_check_character


def lookup(api: Api, payload: Any) -> Any:
    return api.post("/api/registrations/lookup", payload)


@pytest.fixture
def periods(api: Api, travel: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    travel(IN_FIRST_WINDOW)
    return create_period(api, FIRST_EXAM), create_period(api, SECOND_EXAM)


def test_lookup_lists_every_registration_newest_exam_first_with_status_and_score(api, periods, travel):
    first, second = periods
    someone = person(50)
    assert register(api, someone).status_code == 201
    travel(beijing(2026, 9, 10, 10, 30))
    pass_exam(first["id"], someone, score=55)  # failed
    travel(IN_SECOND_WINDOW)
    assert register(api, someone).status_code == 201
    response = lookup(api, someone.lookup())
    assert response.status_code == 200
    assert body(response) == {
        "registrations": [
            {
                "period": second,
                "status": "registered",
                "score": None,
                "auto_submitted": False,
                "entered_on": None,
            },
            {"period": first, "status": "failed", "score": 55, "auto_submitted": False, "entered_on": None},
        ]
    }


def test_a_passer_sees_passed_and_the_score(api, periods, travel):
    first, _ = periods
    someone = person(51)
    assert register(api, someone).status_code == 201
    travel(beijing(2026, 9, 10, 10, 30))
    pass_exam(first["id"], someone, score=92)
    (entry,) = body(lookup(api, someone.lookup()))["registrations"]
    assert (entry["status"], entry["score"]) == ("passed", 92)


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (beijing(2026, 9, 9, 20), "registered"),
        (beijing(2026, 9, 10, 11, 10), "registered"),  # exam over, the grace for submissions is not
        (beijing(2026, 9, 10, 11, 11), "absent"),
        (beijing(2026, 12, 1), "absent"),
    ],
)
def test_without_a_submission_the_status_turns_absent_after_the_grace(api, periods, travel, when, status):
    someone = person(52)
    assert register(api, someone).status_code == 201
    travel(when)
    (entry,) = body(lookup(api, someone.lookup()))["registrations"]
    assert (entry["status"], entry["score"]) == (status, None)


def test_the_id_number_and_phone_may_be_typed_loosely(api, periods):
    someone = person(53)
    assert register(api, someone).status_code == 201
    loose = someone.lookup(
        id_number=someone.id_number[:6] + " " + someone.id_number[6:-1] + someone.id_number[-1].lower(),
        phone="+86-" + someone.phone,
    )
    assert lookup(api, loose).status_code == 200


def test_a_wrong_phone_and_an_unknown_id_number_get_the_same_404(api, periods):
    someone, other = person(54), person(55)
    assert register(api, someone).status_code == 201
    assert register(api, other).status_code == 201
    wrong_phone = lookup(api, someone.lookup(phone=person(56).phone))
    others_phone = lookup(api, someone.lookup(phone=other.phone))
    unknown_id = lookup(api, person(57).lookup())
    unknown_id_with_a_real_phone = lookup(api, person(57).lookup(phone=someone.phone))
    answers = [wrong_phone, others_phone, unknown_id, unknown_id_with_a_real_phone]
    assert {r.status_code for r in answers} == {404}
    assert len({r.body for r in answers}) == 1
    error = body(wrong_phone)["error"]
    assert error["code"] == "not_found"
    assert "field" not in error


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "13900000001"}, "id_number"),
        (
            {"id_number": with_wrong_check_character(person(58).id_number), "phone": "13900000001"},
            "id_number",
        ),
        ({"id_number": person(58).id_number}, "phone"),
        ({"id_number": person(58).id_number, "phone": "12345"}, "phone"),
        ({"id_number": person(58).id_number, "phone": 13900000001}, "phone"),
    ],
)
def test_a_malformed_id_number_or_phone_is_422(api, periods, payload, field):
    response = lookup(api, payload)
    assert response.status_code == 422
    assert body(response)["error"]["field"] == field


@pytest.mark.parametrize("raw", [b"", b"[]", b"nope", b"null"])
def test_a_body_that_is_not_a_json_object_is_400(api, periods, raw):
    response = api.post("/api/registrations/lookup", raw=raw)
    assert response.status_code == 400


def test_an_oversized_body_is_413(api, periods):
    response = lookup(api, {"id_number": "1" * 20000, "phone": "139"})
    assert response.status_code == 413


def test_dynamodb_failing_is_503(api, periods):
    assert api.get("/api/today").status_code == 200
    with Stubber(RegistrationItem._get_connection().connection.client) as stub:
        stub.add_client_error("query", service_error_code="ProvisionedThroughputExceededException")
        response = lookup(api, person(59).lookup())
    assert response.status_code == 503
    assert body(response)["error"]["code"] == "unavailable"
