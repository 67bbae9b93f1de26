"""POST /api/registrations: every code of the contract, normalisation, uniqueness across periods."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.stub import Stubber

from chalicelib import clock, runtime
from chalicelib.domain.registrations import CONSENT_VERSION, ExamResult
from chalicelib.storage import aws, dynamo
from chalicelib.storage.models import RegistrationItem
from tests.api.conftest import Api, body
from tests.conftest import beijing
from tests.support.people import Person, id_number, person, with_wrong_check_character
from tests.support.periods import period_request
from tests.support.table import count_kinds, table_items

# Two periods of 2026 (a year chinesecalendar knows): the second one's window
# opens by default on the first working day after the first exam.
FIRST_EXAM = dt.date(2026, 9, 10)
SECOND_EXAM = dt.date(2026, 10, 22)
IN_FIRST_WINDOW = beijing(2026, 9, 1, 9)
IN_SECOND_WINDOW = beijing(2026, 9, 15, 9)


def create_period(api: Api, exam_date: dt.date, **changes: Any) -> dict[str, Any]:
    response = api.staff("POST", "/api/admin/periods", period_request(exam_date, **changes))
    assert response.status_code == 201, response.body
    period: dict[str, Any] = body(response)["period"]
    return period


@pytest.fixture
def first_period(api: Api, travel: Any) -> dict[str, Any]:
    """A period open for registration, the clock inside its window."""
    travel(IN_FIRST_WINDOW)
    return create_period(api, FIRST_EXAM)


@pytest.fixture
def two_periods(api: Api, travel: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two consecutive periods, the clock inside the first one's window."""
    travel(IN_FIRST_WINDOW)
    return create_period(api, FIRST_EXAM), create_period(api, SECOND_EXAM)


def register(api: Api, someone: Person, **changes: Any) -> Any:
    return api.post("/api/registrations", someone.registration(**changes))


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = body(response)["error"]
    return error


def pass_exam(period_id: str, someone: Person, score: int, pass_mark: int = 60) -> None:
    """Score a registration through the repository, as the exam would (no paper needed here)."""
    rt = runtime.current()
    period = rt.periods.get(period_id)
    (current,) = [r for r in rt.repo.registrations_of(someone.id_number) if r.period_id == period_id]
    result = ExamResult(score=score, pass_mark=pass_mark, passed=score >= pass_mark, submitted_at=clock.now())
    rt.repo.record_submission(period, current, current.contact, {}, result, "papers/test/paper.json")


# 201 ---------------------------------------------------------------------------------------------


def test_registration_returns_the_masked_receipt_and_the_period(api, first_period):
    someone = person(1)
    response = register(api, someone)
    assert response.status_code == 201, response.body
    receipt = body(response)["registration"]
    assert receipt == {
        "name": someone.name,
        "id_number_masked": someone.id_number[:3] + "*" * 11 + someone.id_number[-4:],
        "phone_masked": someone.phone[:3] + "****" + someone.phone[-4:],
        "email_masked": "c***@example.com",
        "period": first_period,
    }


def test_no_candidate_response_carries_a_full_id_number_phone_or_email(api, first_period):
    someone = person(2)
    responses = [
        register(api, someone),
        register(api, someone),  # duplicate
        register(api, person(3, phone=someone.phone)),  # duplicate phone
        api.post("/api/registrations/lookup", someone.lookup()),
    ]
    assert [r.status_code for r in responses] == [201, 409, 409, 200]
    for response in responses:
        text = response.body.decode()
        for secret in (someone.id_number, someone.phone, someone.email, person(3).id_number):
            assert secret not in text


def test_registration_stores_normalised_details_and_the_consent(api, first_period):
    someone = person(4)
    typed = someone.registration(
        name=f"  {someone.name}\u3000",
        id_number=" ".join(someone.id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})),
        phone="+86 " + someone.phone[:3] + "-" + someone.phone[3:7] + "-" + someone.phone[7:],
        email="  Candidate4@EXAMPLE.com ",
    )
    response = api.post("/api/registrations", typed)
    assert response.status_code == 201, response.body
    assert body(response)["registration"]["name"] == someone.name
    (stored,) = [i for i in table_items(runtime.current().settings) if i["sk"]["S"].startswith("reg#")]
    assert stored["name"]["S"] == someone.name
    assert stored["id_number"]["S"] == someone.id_number
    assert stored["phone"]["S"] == someone.phone
    assert stored["email"]["S"] == "Candidate4@example.com"
    assert stored["consent_version"]["S"] == CONSENT_VERSION
    assert stored["consented_at"]["S"] == clock.iso(IN_FIRST_WINDOW)


def test_keys_hold_no_raw_id_number_phone_or_email(api, first_period):
    someone = person(5)
    assert register(api, someone).status_code == 201
    for item in table_items(runtime.current().settings):
        keys = " ".join(item[k]["S"] for k in ("pk", "sk", "gsi1pk", "gsi1sk") if k in item)
        for secret in (someone.id_number, someone.phone, someone.email.lower()):
            assert secret not in keys


def test_registration_is_two_dynamodb_calls_once_periods_are_cached(api, first_period):
    """The Query of the person's attempts (has any passed?), then the transaction (issue 19)."""
    assert api.get("/api/today").status_code == 200  # loads the periods into the cache
    with aws.counting() as calls:
        response = register(api, person(6))
    assert response.status_code == 201
    assert calls[0] == 2


def test_lookup_is_two_dynamodb_calls_once_periods_are_cached(api, first_period):
    """The failure count of this ID number from this address (v2), then the Query."""
    someone = person(7)
    assert register(api, someone).status_code == 201
    with aws.counting() as calls:
        response = api.post("/api/registrations/lookup", someone.lookup())
    assert response.status_code == 200
    assert calls[0] == 2


def test_the_last_day_of_the_window_still_registers(api, first_period, travel):
    travel(beijing(2026, 9, 9, 23, 59))
    assert register(api, person(8)).status_code == 201


# 400 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[]", b'"text"', b"null", b"42", b"true", b"\xff\xfe{}", b'{"name": '],
    ids=["empty", "not-json", "array", "string", "null", "number", "boolean", "not-utf8", "truncated"],
)
def test_a_body_that_is_not_a_json_object_is_400(api, first_period, raw):
    response = api.post("/api/registrations", raw=raw)
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


# 413 ---------------------------------------------------------------------------------------------


def test_an_oversized_body_is_413(api, first_period):
    response = api.post("/api/registrations", person(9).registration(name="张" * 20000))
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


# 422 ---------------------------------------------------------------------------------------------

INVALID_FIELDS = [
    ("name", None),
    ("name", ""),
    ("name", "   "),
    ("name", "张" * 41),
    ("name", 42),
    ("name", "张\n三"),
    ("id_number", None),
    ("id_number", ""),
    ("id_number", "11010519900101001"),  # 17 characters
    ("id_number", "11010519900101001XX"),
    ("id_number", "1101051990010100A1"),
    ("id_number", with_wrong_check_character(person(10).id_number)),  # more in tests/unit
    ("id_number", 110105199001010010),
    ("phone", None),
    ("phone", "1381234567"),
    ("phone", "23812345678"),
    ("phone", "+1 13812345678"),
    ("phone", 13812345678),
    ("email", None),
    ("email", "not-an-email"),
    ("email", "a@b"),
    ("email", "name@example..com"),
    ("email", ["a@example.com"]),
    ("consent", None),
    ("consent", False),
    ("consent", "true"),
    ("consent", 1),
    ("consent", "yes"),
]


@pytest.mark.parametrize(("field", "value"), INVALID_FIELDS)
def test_an_invalid_field_is_422_naming_the_field(api, first_period, field, value):
    sent = person(10).registration()
    if value is None:
        del sent[field]
    else:
        sent[field] = value
    response = api.post("/api/registrations", sent)
    assert response.status_code == 422, response.body
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert error["message"]


@pytest.mark.parametrize(
    ("broken", "reported"),
    [
        (["name", "id_number", "phone", "email", "consent"], "name"),
        (["id_number", "phone", "email", "consent"], "id_number"),
        (["phone", "email", "consent"], "phone"),
        (["email", "consent"], "email"),
        (["consent"], "consent"),
    ],
)
def test_fields_are_checked_in_the_forms_order(api, first_period, broken, reported):
    sent = person(11).registration()
    for field in broken:
        sent[field] = "" if field != "consent" else False
    response = api.post("/api/registrations", sent)
    assert response.status_code == 422
    assert error_of(response)["field"] == reported


def test_fields_are_checked_before_the_calendar(api, travel):
    travel(beijing(2026, 9, 1))  # no period at all: registration is closed
    response = api.post("/api/registrations", person(12).registration(phone="12"))
    assert response.status_code == 422
    assert error_of(response)["field"] == "phone"


def test_a_birth_date_after_today_is_invalid(api, first_period):
    tomorrow = IN_FIRST_WINDOW.date() + dt.timedelta(days=1)
    response = register(api, person(13), id_number=id_number(tomorrow))
    assert response.status_code == 422
    assert error_of(response)["field"] == "id_number"
    assert register(api, person(13), id_number=id_number(IN_FIRST_WINDOW.date())).status_code == 201


# 409 exam_day / registration_closed ---------------------------------------------------------------


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_an_exam_date_refuses_registration_all_day(api, two_periods, travel, hour):
    travel(beijing(2026, 9, 10, hour))
    response = register(api, person(14))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "exam_day"
    assert "下一个工作日" in error["message"]


def test_nothing_open_is_registration_closed(api, travel):
    travel(beijing(2026, 9, 1))
    response = register(api, person(15))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "registration_closed"
    assert "尚未公布" in error["message"]


def test_registration_closed_says_when_the_next_window_opens(api, travel):
    travel(beijing(2026, 9, 1))
    create_period(api, FIRST_EXAM, opens=dt.date(2026, 9, 7))
    response = register(api, person(16))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "registration_closed"
    assert "2026-09-07" in error["message"]


def test_after_the_window_closes_registration_is_closed(api, first_period, travel):
    travel(beijing(2026, 9, 11, 9))  # the day after the exam, no later period
    response = register(api, person(17))
    assert response.status_code == 409
    assert error_of(response)["code"] == "registration_closed"


# 409 duplicate -----------------------------------------------------------------------------------


def test_the_same_id_number_registers_once_per_period_and_is_told_the_exam_time(api, first_period):
    someone = person(20)
    assert register(api, someone).status_code == 201
    again = register(api, someone, phone=person(21).phone, email=person(21).email)
    assert again.status_code == 409
    error = error_of(again)
    assert (error["code"], error["field"]) == ("duplicate", "id_number")
    assert "2026年9月10日（星期四） 09:00–11:00" in error["message"]
    assert "同事替您" in error["message"]


def test_a_phone_belongs_to_one_id_number(api, first_period):
    assert register(api, person(22)).status_code == 201
    response = register(api, person(23), phone=person(22).phone)
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["field"]) == ("duplicate", "phone")
    assert "本人的手机号" in error["message"]


def test_a_phone_is_the_same_phone_however_it_is_typed(api, first_period):
    first = person(24)
    assert register(api, first).status_code == 201
    typed = f"0086 {first.phone[:3]} {first.phone[3:7]} {first.phone[7:]}"
    response = register(api, person(25), phone=typed)
    assert (response.status_code, error_of(response)["field"]) == (409, "phone")


def test_an_email_belongs_to_one_id_number_whatever_its_case(api, first_period):
    assert register(api, person(26)).status_code == 201
    response = register(api, person(27), email=person(26).email.upper())
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["field"]) == ("duplicate", "email")
    assert "本人的电子邮箱" in error["message"]


def test_a_refused_registration_leaves_nothing_behind(api, first_period):
    assert register(api, person(28)).status_code == 201
    before = count_kinds(runtime.current().settings)
    assert register(api, person(29), phone=person(28).phone).status_code == 409
    assert register(api, person(30), email=person(28).email).status_code == 409
    assert count_kinds(runtime.current().settings) == before


def test_phone_and_email_bound_in_an_earlier_period_stay_bound(api, two_periods, travel):
    earlier = person(31)
    assert register(api, earlier).status_code == 201
    travel(IN_SECOND_WINDOW)
    by_phone = register(api, person(32), phone=earlier.phone)
    by_email = register(api, person(33), email=earlier.email)
    assert (by_phone.status_code, error_of(by_phone)["field"]) == (409, "phone")
    assert (by_email.status_code, error_of(by_email)["field"]) == (409, "email")


def test_an_absent_candidate_registers_again_for_a_later_period_with_the_same_phone_and_email(
    api, two_periods, travel
):
    first, second = two_periods
    someone = person(34)
    assert register(api, someone).status_code == 201
    travel(IN_SECOND_WINDOW)
    assert api.post("/api/registrations/lookup", someone.lookup()).status_code == 200
    again = register(api, someone)
    assert again.status_code == 201, again.body
    assert body(again)["registration"]["period"] == second
    found = body(api.post("/api/registrations/lookup", someone.lookup()))["registrations"]
    assert [(r["period"]["id"], r["status"]) for r in found] == [
        (second["id"], "registered"),
        (first["id"], "absent"),
    ]


def test_a_candidate_may_change_phone_for_a_later_period_and_keeps_the_old_one(api, two_periods, travel):
    someone = person(35)
    assert register(api, someone).status_code == 201
    travel(IN_SECOND_WINDOW)
    assert register(api, someone, phone=person(36).phone).status_code == 201
    taken = register(api, person(37), phone=someone.phone)
    assert (taken.status_code, error_of(taken)["field"]) == (409, "phone")
    # Either phone finds the candidate's registrations.
    for phone in (someone.phone, person(36).phone):
        found = api.post("/api/registrations/lookup", someone.lookup(phone=phone))
        assert len(body(found)["registrations"]) == 2


# 409 already_passed ------------------------------------------------------------------------------


def test_a_candidate_who_passed_cannot_register_again(api, two_periods, travel):
    first, _ = two_periods
    someone = person(40)
    assert register(api, someone).status_code == 201
    travel(beijing(2026, 9, 10, 10, 30))
    pass_exam(first["id"], someone, score=80)
    travel(IN_SECOND_WINDOW)
    response = register(api, someone)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "already_passed"
    assert "5 个工作日" in error["message"]
    # Neither with other contact details.
    other = register(api, someone, phone=person(41).phone, email=person(41).email)
    assert error_of(other)["code"] == "already_passed"


def test_a_candidate_who_failed_registers_again(api, two_periods, travel):
    first, second = two_periods
    someone = person(42)
    assert register(api, someone).status_code == 201
    travel(beijing(2026, 9, 10, 10, 30))
    pass_exam(first["id"], someone, score=40)
    travel(IN_SECOND_WINDOW)
    again = register(api, someone)
    assert again.status_code == 201
    assert body(again)["registration"]["period"] == second


# 503 ---------------------------------------------------------------------------------------------


def _stubbed_table() -> Stubber:
    """DynamoDB failing as moto cannot: the client PynamoDB uses, stubbed."""
    return Stubber(RegistrationItem._get_connection().connection.client)


# The person has no registration yet: what the Query before the transaction answers.
NO_ATTEMPTS = {"Items": [], "Count": 0, "ScannedCount": 0}


def test_dynamodb_failing_is_503_and_safe_to_retry(api, first_period):
    assert api.get("/api/today").status_code == 200  # periods cached: the Query, then the transaction
    someone = person(43)
    with _stubbed_table() as stub:
        stub.add_response("query", NO_ATTEMPTS)
        stub.add_client_error(
            "transact_write_items", service_error_code="InternalServerError", http_status_code=500
        )
        response = register(api, someone)
        stub.assert_no_pending_responses()
    assert response.status_code == 503
    assert error_of(response)["code"] == "unavailable"
    assert register(api, someone).status_code == 201


def test_a_transaction_conflict_is_retried_then_503(api, first_period):
    assert api.get("/api/today").status_code == 200
    conflict = {"CancellationReasons": [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * 4}
    with _stubbed_table() as stub:
        stub.add_response("query", NO_ATTEMPTS)
        for _ in range(dynamo.TRANSACTION_ATTEMPTS):
            stub.add_client_error(
                "transact_write_items",
                service_error_code="TransactionCanceledException",
                http_status_code=400,
                modeled_fields=conflict,
            )
        response = register(api, person(44))
        stub.assert_no_pending_responses()
    assert response.status_code == 503
    assert error_of(response)["code"] == "unavailable"


def test_the_receipt_is_json_with_chinese_unescaped(api, first_period):
    response = register(api, person(45))
    assert "测试45" in response.body.decode("utf-8")
    assert json.loads(response.body)["registration"]["name"] == "测试45"
