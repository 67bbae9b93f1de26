"""Contract v2, "Exam entry proves who enters": one test (or table) per sentence.

Requests that need a client address other than chalice's 127.0.0.1 go to the
app as the API Gateway proxy event Lambda receives, with
`requestContext.identity.sourceIp` set.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from app import app
from chalicelib import clock, runtime
from chalicelib.domain.identity import Contact, mask_email, mask_phone
from chalicelib.domain.staff import Role
from chalicelib.services import exam, mail
from tests.api.conftest import body
from tests.api.exam.conftest import EXAM_DAY, DynamoOperations, ExamDay
from tests.support import mailbox
from tests.support.exam_data import answers_scoring, exam_period, person
from tests.support.spec import check_response

OFFICE = "203.0.113.7"  # a company's Wi-Fi: many candidates behind one address
HOME = "198.51.100.20"


def send(path: str, sent: dict[str, Any], address: str) -> dict[str, Any]:
    """POST `path` as API Gateway's proxy integration sends it from `address`."""
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "headers": {"host": "localhost", "content-type": "application/json"},
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "POST",
            "path": path,
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": address},
        },
        "body": json.dumps(sent),
        "isBase64Encoded": False,
    }
    response = dict(app(event, None))
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    check_response("POST", path, response["statusCode"], headers, response["body"].encode())
    return {"status": response["statusCode"], "body": json.loads(response["body"]), "headers": headers}


def enter(contact: Contact, name: str | None = None, address: str = OFFICE) -> dict[str, Any]:
    sent = {"id_number": contact.id_number, "name": contact.name if name is None else name}
    return send("/api/exam/sessions", sent, address)


def look_up(contact: Contact, phone: str | None = None, address: str = OFFICE) -> dict[str, Any]:
    sent = {"id_number": contact.id_number, "phone": contact.phone if phone is None else phone}
    return send("/api/registrations/lookup", sent, address)


def code(answer: dict[str, Any]) -> tuple[int, str]:
    return answer["status"], answer["body"]["error"]["code"]


# --- the name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("王 小明", "王小明"),
        ("王小明", " 王  小明 "),
        ("阿依古丽·买买提", "阿依古丽・买买提"),
        ("阿依古丽·买买提", "阿依古丽.买买提"),
        ("Li Lei", "LI LEI"),
        ("Li Lei", "ｌｉｌｅｉ"),
    ],
)
def test_the_name_is_compared_as_the_contract_says(exam_day: ExamDay, registered: str, typed: str) -> None:
    contact = Contact(
        name=registered, id_number=person(1).id_number, phone=person(1).phone, email=person(1).email
    )
    from tests.support.exam_data import register

    register(runtime.current(), exam_day.period, contact)
    exam_day.at(9, 30)
    assert enter(contact, typed)["status"] == 201


def test_a_wrong_name_answers_exactly_as_an_unregistered_id_number(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    stranger = person(7)
    exam_day.at(9, 30)
    operations = DynamoOperations()
    wrong = enter(alice, "李四")
    wrong_calls = list(operations.names)
    operations.names.clear()
    unknown = enter(stranger, "李四")
    assert code(wrong) == code(unknown) == (404, "not_registered")
    assert wrong["body"] == unknown["body"]
    # Same timing class: the same DynamoDB calls, in the same order, for both (the Query
    # looks for a later period registered under this very name, to say when it is).
    assert wrong_calls == operations.names == ["UpdateItem", "UpdateItem", "UpdateItem", "Query"]


def test_a_wrong_name_starts_nothing(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    enter(alice, "李四")
    rt = runtime.current()
    assert rt.repo.attempt(exam_day.period.id, rt.repo.id_hash(alice.id_number)).started_at is None


def test_already_submitted_shows_the_result_only_with_the_right_name(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, answers_scoring(70)))["result"]
    wrong = enter(alice, "李四")
    assert code(wrong) == (404, "not_registered")
    assert "result" not in wrong["body"]
    right = enter(alice)
    assert code(right) == (409, "already_submitted")
    assert right["body"]["result"] == result


def test_the_name_updated_at_submission_is_the_one_entry_asks(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    assert exam_day.submit(token, alice, {}, name="王丽").status_code == 200
    assert code(enter(alice, "王丽")) == (409, "already_submitted")
    assert code(enter(alice)) == (404, "not_registered")


def test_the_name_is_required(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    answer = send("/api/exam/sessions", {"id_number": alice.id_number}, OFFICE)
    assert code(answer) == (422, "invalid") and answer["body"]["error"]["field"] == "name"


# --- failure limits ----------------------------------------------------------------


def test_four_failures_then_the_right_name_enters(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    for _ in range(4):
        assert code(enter(alice, "李四")) == (404, "not_registered")
    assert enter(alice)["status"] == 201


def test_the_fifth_failure_and_everything_for_15_minutes_after_is_429(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    for _ in range(4):
        enter(alice, "李四")
    exam_day.at(9, 40)
    fifth = enter(alice, "李四")
    assert code(fifth) == (429, "too_many_attempts")
    assert fifth["body"]["error"]["retry_after"] == 15 * 60
    assert fifth["headers"]["retry-after"] == "900"
    exam_day.at(9, 54, 59)
    right = enter(alice)  # even the right name
    assert code(right) == (429, "too_many_attempts")
    assert right["body"]["error"]["retry_after"] == 1
    assert right["headers"]["retry-after"] == "1"
    exam_day.at(9, 55)
    assert enter(alice)["status"] == 201


def test_more_than_five_requests_of_one_pair_within_ten_seconds_wait_for_the_next_window(
    exam_day: ExamDay,
) -> None:
    """Arrivals are counted as they come (answered failures alone let a burst through, see
    tests/concurrency/test_entry_burst.py): a sixth request in one window is refused, even a
    right one, until the window ends; it is no failure, so nothing stays locked."""
    alice = exam_day.register(1)
    exam_day.at(9, 30, 0)
    assert [enter(alice)["status"] for _ in range(5)] == [201] * 5
    exam_day.at(9, 30, 4)
    sixth = enter(alice)
    assert code(sixth) == (429, "too_many_attempts")
    assert sixth["body"]["error"]["retry_after"] == 6
    assert sixth["headers"]["retry-after"] == "6"
    assert "请 6 秒后再试" in sixth["body"]["error"]["message"]
    exam_day.at(9, 30, 10)
    assert enter(alice)["status"] == 201
    # Another address, or another ID number from this one, was never held up.
    exam_day.at(9, 30, 11)
    assert [enter(alice)["status"] for _ in range(4)] == [201] * 4
    assert enter(alice, address="198.51.100.9")["status"] == 201


def test_failures_spread_over_more_than_15_minutes_never_lock(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    for minute in (0, 4, 8, 12, 16, 20):
        exam_day.at(9, minute)
        assert code(enter(alice, "李四")) == (404, "not_registered")
    assert enter(alice)["status"] == 201


def test_an_unregistered_id_number_is_limited_the_same_way(exam_day: ExamDay) -> None:
    stranger = person(7)
    exam_day.at(9, 30)
    answers = [code(enter(stranger, "李四")) for _ in range(6)]
    assert answers == [(404, "not_registered")] * 4 + [(429, "too_many_attempts")] * 2


def test_a_shared_address_locks_out_only_the_id_number_that_failed(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    for _ in range(5):
        enter(alice, "李四", address=OFFICE)
    assert code(enter(alice, address=OFFICE)) == (429, "too_many_attempts")
    # Bob, at the next desk on the same Wi-Fi, and Alice from home, are not affected.
    assert enter(bob, address=OFFICE)["status"] == 201
    assert enter(alice, address=HOME)["status"] == 201


def test_the_count_holds_across_containers(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    for _ in range(4):
        enter(alice, "李四")
    runtime.reset()  # a fresh container: nothing of the count is in memory
    assert code(enter(alice, "李四")) == (429, "too_many_attempts")


def test_lookup_follows_the_same_rule(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(8, 0)
    answers = [code(look_up(alice, phone=bob.phone)) for _ in range(5)]
    assert answers == [(404, "not_found")] * 4 + [(429, "too_many_attempts")]
    refused = look_up(alice)
    assert code(refused) == (429, "too_many_attempts") and "retry-after" in refused["headers"]
    assert look_up(bob)["status"] == 200  # same address, another ID number
    assert look_up(alice, address=HOME)["status"] == 200
    exam_day.at(8, 15)
    assert look_up(alice)["status"] == 200


def test_entry_and_lookup_failures_are_counted_apart(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    for _ in range(4):
        look_up(alice, phone=bob.phone)
    assert enter(alice, "李四")["status"] == 404


# --- the token ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "expires"),
    [
        (dt.time(11, 0), "2026-12-19T00:00:00+08:00"),
        (dt.time(23, 30), "2026-12-19T00:40:00+08:00"),
    ],
)
def test_the_token_lives_until_the_later_of_midnight_and_an_hour_after_the_grace(
    api: Any, travel: Any, end: dt.time, expires: str
) -> None:
    from tests.conftest import beijing
    from tests.support.exam_data import paper_document, register

    travel(beijing(2026, 12, 1, 10))
    rt = runtime.current()
    period = (
        exam_period(rt, EXAM_DAY, start=dt.time(21, 0), end=end)
        if end > dt.time(21)
        else exam_period(rt, EXAM_DAY)
    )
    assert api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document()).status_code == 200
    alice = person(1)
    register(rt, period, alice)
    travel(
        dt.datetime.combine(EXAM_DAY, dt.time(10, 0) if end < dt.time(21) else dt.time(23, 0), clock.BEIJING)
    )
    session = enter(alice)
    assert session["status"] == 201 and session["body"]["expires_at"] == expires
    if end == dt.time(23, 30):
        # Past midnight, inside the grace: the token still works and the submission is taken.
        travel(dt.datetime(2026, 12, 18, 23, 39, tzinfo=clock.BEIJING))
        token = session["body"]["token"]
        sheet = {"name": alice.name, "phone": alice.phone, "email": alice.email, "answers": {}}
        assert api.post("/api/exam/submit", sheet, token=token).status_code == 200


# --- changed details ---------------------------------------------------------------


def test_changed_details_tell_the_old_address_and_stay_in_the_history(exam_day: ExamDay, rt: Any) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    new_phone, new_email = "13700001111", "alice.new@example.org"
    answer = exam_day.submit(token, alice, answers_scoring(80), phone=new_phone, email=new_email)
    assert answer.status_code == 200
    mail.send_outbox(rt)
    notices = [
        m for m in mailbox.text_emails(rt.settings.ses_region) if m.subject.startswith("报名信息变更通知")
    ]
    assert len(notices) == 1
    notice = notices[0]
    assert notice.to == [alice.email]
    assert "137****1111" in notice.body and "a***@example.org" in notice.body
    for secret in (new_phone, new_email, alice.id_number, alice.id_number[-4:] + "\n"):
        assert secret not in notice.body
    listing = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations"))
    (entry,) = listing["registrations"]
    changes = {(c["field"], c["old"], c["new"]) for c in entry["changes"]}
    assert changes == {("phone", alice.phone, new_phone), ("email", alice.email, new_email)}
    assert all(c["at"].startswith("2026-12-18T09:30") for c in entry["changes"])


def test_the_change_history_is_masked_for_staff_without_full_details(exam_day: ExamDay, rt: Any) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    new_phone, new_email = "13700001111", "alice.new@example.org"
    assert exam_day.submit(token, alice, {}, phone=new_phone, email=new_email).status_code == 200
    viewer = rt.secrets.add_staff_token("王同学", Role.VIEWER)
    path = f"/api/admin/periods/{exam_day.period.id}/registrations"
    answer = exam_day.api.get(path, token=viewer)
    (entry,) = body(answer)["registrations"]
    changes = {(c["field"], c["old"], c["new"]) for c in entry["changes"]}
    assert changes == {
        ("phone", mask_phone(alice.phone), "137****1111"),
        ("email", mask_email(alice.email), "a***@example.org"),
    }
    for secret in (alice.phone, alice.email, new_phone, new_email):
        assert secret not in answer.body.decode()


def test_unchanged_details_send_no_notice(exam_day: ExamDay, rt: Any) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    assert exam_day.submit(exam_day.enter(alice), alice, {}).status_code == 200
    mail.send_outbox(rt)
    subjects = [m.subject for m in mailbox.text_emails(rt.settings.ses_region)]
    assert not [s for s in subjects if s.startswith("报名信息变更通知")]


# --- fair close (自动交卷) -------------------------------------------------------------


def test_saved_answers_are_scored_at_the_close_exactly_once(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    exam_day.enter(bob)  # entered, saved nothing
    saved = answers_scoring(80)
    assert exam_day.api.put("/api/exam/answers", {"answers": saved}, token=token).status_code == 204
    rt = runtime.current()
    exam_day.at(11, 10)
    assert exam.close_exams(rt) == 0  # the grace is not over yet
    exam_day.at(11, 10, 1)
    assert exam.close_exams(rt) == 1
    assert exam.close_exams(rt) == 0
    found = body(
        exam_day.api.post("/api/registrations/lookup", {"id_number": alice.id_number, "phone": alice.phone})
    )["registrations"]
    assert (found[0]["status"], found[0]["score"], found[0]["auto_submitted"]) == ("passed", 80, True)
    absent = body(
        exam_day.api.post("/api/registrations/lookup", {"id_number": bob.id_number, "phone": bob.phone})
    )["registrations"]
    assert (absent[0]["status"], absent[0]["score"], absent[0]["auto_submitted"]) == ("absent", None, False)


def test_a_lookup_closes_what_the_schedule_has_not_yet(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    assert (
        exam_day.api.put("/api/exam/answers", {"answers": answers_scoring(40)}, token=token).status_code
        == 204
    )
    exam_day.at(12, 0)
    found = body(
        exam_day.api.post("/api/registrations/lookup", {"id_number": alice.id_number, "phone": alice.phone})
    )["registrations"]
    assert (found[0]["status"], found[0]["score"], found[0]["auto_submitted"]) == ("failed", 40, True)
    assert exam.close_exams(runtime.current()) == 0
    rt = runtime.current()
    stored = rt.repo.attempt(exam_day.period.id, rt.repo.id_hash(alice.id_number))
    assert stored.result is not None and stored.auto_submitted
    assert stored.result.submitted_at == dt.datetime(2026, 12, 18, 11, 10, tzinfo=clock.BEIJING)


def test_a_submitted_attempt_is_never_closed_again(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    exam_day.api.put("/api/exam/answers", {"answers": answers_scoring(40)}, token=token)
    result = body(exam_day.submit(token, alice, answers_scoring(90)))["result"]
    exam_day.at(12, 0)
    assert exam.close_exams(runtime.current()) == 0
    found = body(
        exam_day.api.post("/api/registrations/lookup", {"id_number": alice.id_number, "phone": alice.phone})
    )["registrations"]
    assert (found[0]["score"], found[0]["auto_submitted"]) == (result["score"], False)
