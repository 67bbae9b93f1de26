"""Submitting: scored at once and exactly once, with the candidate's latest details."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.errors import AlreadyPassed, AlreadySubmitted, Duplicate, SavedAnswersChanged
from chalicelib.domain.identity import Contact
from chalicelib.domain.papers import grade
from chalicelib.services import exam
from chalicelib.services.papers import period_paper
from chalicelib.storage import keys
from chalicelib.storage.models import OutboxItem, RegistrationItem
from chalicelib.storage.repository import Repository
from tests.api.conftest import body
from tests.api.exam.conftest import DynamoOperations, ExamDay, S3Calls
from tests.support.exam_data import answers_scoring, key_of, person, register


def code(response: Any) -> tuple[int, str]:
    return response.status_code, body(response)["error"]["code"]


def staff_row(exam_day: ExamDay, contact: Contact) -> dict[str, Any]:
    page = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations"))
    rows = [row for row in page["registrations"] if row["id_number"] == contact.id_number]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def test_a_submission_is_scored_at_once(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    exam_day.at(10, 12, 30)
    response = exam_day.submit(token, alice, answers_scoring(84))
    assert response.status_code == 200
    assert body(response) == {
        "result": {"score": 84, "pass_mark": 60, "passed": True, "submitted_at": "2026-12-18T10:12:30+08:00"}
    }


@pytest.mark.parametrize(("points", "passed"), [(60, True), (58, False), (0, False), (100, True)])
def test_the_pass_mark_boundaries(exam_day: ExamDay, points: int, passed: bool) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    result = body(exam_day.submit(exam_day.enter(alice), alice, answers_scoring(points)))["result"]
    assert (result["score"], result["passed"]) == (points, passed)


def test_a_partly_right_multiple_choice_scores_nothing(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    answers = {"m1": ["A"], "m2": ["A", "B", "C"], "m3": key_of("m3"), "s1": key_of("s1")}
    assert body(exam_day.submit(exam_day.enter(alice), alice, answers))["result"]["score"] == 4


def test_saved_answers_count_and_submitted_ones_replace_them(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    sheet = answers_scoring(100)
    first_half = dict(list(sheet.items())[:25])
    assert exam_day.api.put("/api/exam/answers", {"answers": first_half}, token=token).status_code == 204
    # The submission names five more right answers and spoils one saved answer.
    more = dict(list(sheet.items())[25:30])
    more["s1"] = ["D"]
    assert body(exam_day.submit(token, alice, more))["result"]["score"] == 2 * (25 + 5 - 1)


def test_a_second_submit_returns_the_stored_result(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    first = body(exam_day.submit(token, alice, answers_scoring(62)))["result"]
    exam_day.at(9, 45)
    again = exam_day.submit(token, alice, answers_scoring(100), phone="13711112222")
    assert code(again) == (409, "already_submitted")
    assert body(again)["result"] == first
    assert staff_row(exam_day, alice)["phone"] == alice.phone


@pytest.mark.parametrize(
    ("details", "field"),
    [
        pytest.param({"name": ""}, "name", id="empty name"),
        pytest.param({"name": "名" * 41}, "name", id="name too long"),
        pytest.param({"phone": "02112345678"}, "phone", id="landline"),
        pytest.param({"phone": "1391234"}, "phone", id="short phone"),
        pytest.param({"email": "alice@"}, "email", id="bad email"),
        pytest.param({"email": 42}, "email", id="email a number"),
    ],
)
def test_invalid_details_are_refused_and_nothing_is_saved(
    exam_day: ExamDay, details: dict[str, Any], field: str
) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    response = exam_day.submit(token, alice, answers_scoring(80), **details)
    assert code(response) == (422, "invalid")
    assert body(response)["error"]["field"] == field
    assert exam_day.api.get("/api/exam/paper", token=token).status_code == 200
    assert exam_day.submit(token, alice, answers_scoring(80)).status_code == 200


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"s99": ["A"]}, id="unknown question"),
        pytest.param({"m1": ["A", "Z"]}, id="unknown option"),
        pytest.param("A,B", id="answers a string"),
    ],
)
def test_unknown_questions_or_options_at_submit_are_invalid(exam_day: ExamDay, answers: Any) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    response = exam_day.submit(exam_day.enter(alice), alice, answers)
    assert code(response) == (422, "invalid")
    assert body(response)["error"]["field"] == "answers"


def test_submitting_needs_a_valid_token(exam_day: ExamDay) -> None:
    exam_day.at(9, 30)
    assert code(exam_day.submit("e1.nope", person(1), {})) == (401, "unauthorized")
    assert code(exam_day.api.post("/api/exam/submit", raw="{")) == (401, "unauthorized")


def test_a_body_that_is_not_a_json_object_is_400(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    assert code(exam_day.api.post("/api/exam/submit", raw="[]", token=token)) == (400, "bad_request")


def test_submissions_close_ten_minutes_after_the_exam_ends(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(10, 40)
    alice_token, bob_token = exam_day.enter(alice), exam_day.enter(bob)
    exam_day.at(11, 10)
    assert exam_day.submit(alice_token, alice, answers_scoring(70)).status_code == 200
    exam_day.at(11, 10, 1)
    late = exam_day.submit(bob_token, bob, answers_scoring(70))
    assert code(late) == (409, "not_exam_time")
    assert "11:10" in body(late)["error"]["message"]


def test_after_the_deadline_a_submitted_attempt_still_answers_with_its_result(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(10, 40)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, answers_scoring(70)))["result"]
    exam_day.at(15, 0)
    retry = exam_day.submit(token, alice, answers_scoring(70))
    assert code(retry) == (409, "already_submitted")
    assert body(retry)["result"] == result


def test_the_details_replace_the_registered_ones(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    response = exam_day.submit(
        token, alice, {}, name="王丽华", phone="+86 137-0000-1234", email="Alice.Wang@Example.com"
    )
    assert response.status_code == 200
    row = staff_row(exam_day, alice)
    assert (row["name"], row["phone"], row["email"]) == ("王丽华", "13700001234", "Alice.Wang@example.com")


def test_a_phone_change_at_submit_moves_the_claim(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    old_phone, new_phone = alice.phone, "13512345678"
    exam_day.at(9, 30)
    assert (
        exam_day.submit(exam_day.enter(alice), alice, answers_scoring(20), phone=new_phone).status_code == 200
    )
    rt = runtime.current()
    later = exam_day.later_period()
    # The old phone is free for someone else now ...
    bob = Contact(name="李四", id_number=person(2).id_number, phone=old_phone, email="bob@example.com")
    register(rt, later, bob)
    # ... and the new one belongs to Alice: refused to others, fine for her.
    carol = Contact(name="赵五", id_number=person(3).id_number, phone=new_phone, email="carol@example.com")
    with pytest.raises(Duplicate) as refused:
        register(rt, later, carol)
    assert refused.value.field == "phone"
    register(rt, later, Contact(alice.name, alice.id_number, new_phone, alice.email))


def test_an_email_change_at_submit_moves_the_claim_and_case_alone_changes_nothing(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    assert exam_day.submit(exam_day.enter(alice), alice, {}, email="alice.new@example.com").status_code == 200
    assert exam_day.submit(exam_day.enter(bob), bob, {}, email=bob.email.upper()).status_code == 200
    rt = runtime.current()
    later = exam_day.later_period()
    register(rt, later, Contact("钱六", person(4).id_number, "13600000004", alice.email))
    with pytest.raises(Duplicate) as refused:
        register(rt, later, Contact("孙七", person(5).id_number, "13600000005", "ALICE.NEW@example.com"))
    assert refused.value.field == "email"
    with pytest.raises(Duplicate):
        register(rt, later, Contact("周八", person(6).id_number, "13600000006", bob.email))


@pytest.mark.parametrize("field", ["phone", "email"])
def test_a_phone_or_email_of_another_person_is_refused_and_nothing_is_saved(
    exam_day: ExamDay, field: str
) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    taken = {field: getattr(bob, field)}
    refused = exam_day.submit(token, alice, answers_scoring(90), name="改过的名字", **taken)
    assert code(refused) == (409, "duplicate")
    assert body(refused)["error"]["field"] == field
    assert "result" not in body(refused)
    row = staff_row(exam_day, alice)
    assert (row["name"], row["phone"], row["email"], row["score"]) == (
        alice.name,
        alice.phone,
        alice.email,
        None,
    )
    assert exam_day.api.get("/api/exam/paper", token=token).status_code == 200
    # Corrected, the same attempt goes through.
    assert body(exam_day.submit(token, alice, answers_scoring(90)))["result"]["score"] == 90


def test_passing_closes_later_registrations_and_failing_does_not(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    assert body(exam_day.submit(exam_day.enter(alice), alice, answers_scoring(60)))["result"]["passed"]
    assert not body(exam_day.submit(exam_day.enter(bob), bob, answers_scoring(58)))["result"]["passed"]
    rt = runtime.current()
    later = exam_day.later_period()
    with pytest.raises(AlreadyPassed) as refused:
        register(rt, later, alice)
    assert refused.value.code == "already_passed"
    register(rt, later, bob)


def test_a_passer_waits_for_export_and_each_candidate_gets_one_result_email(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    exam_day.submit(exam_day.enter(alice), alice, answers_scoring(76))
    exam_day.submit(exam_day.enter(bob), bob, answers_scoring(10))
    passers = list(RegistrationItem.passers.query(keys.passers_pk(exam_day.period.id)))
    assert [item.id_number for item in passers] == [alice.id_number]
    assert passers[0].gsi2sk.startswith(keys.PASSER_PENDING + "#")
    # Each result e-mail is due on its attempt (the mail_due index), none in the outbox partition.
    assert [item.kind for item in OutboxItem.query(keys.OUTBOX_PK)].count("result") == 0
    due = runtime.current().outbox_store().due(clock.now(), 100)
    assert sorted((e.kind, e.on_registration) for e in due if e.kind == "result") == [("result", True)] * 2


def test_a_submission_with_the_registered_details_is_one_getitem_and_one_updateitem(
    exam_day: ExamDay,
) -> None:
    """Issue 19: nothing to move, so no transaction; a changed phone keeps the transaction."""
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    alice_token, bob_token = exam_day.enter(alice), exam_day.enter(bob)
    operations = DynamoOperations()
    assert exam_day.submit(alice_token, alice, answers_scoring(70)).status_code == 200
    assert operations.names == ["GetItem", "UpdateItem"]
    operations.names.clear()
    assert exam_day.submit(bob_token, bob, answers_scoring(70), phone="13512340000").status_code == 200
    assert operations.names == ["GetItem", "TransactWriteItems"]


def test_warm_exam_requests_stay_within_their_aws_call_budgets(exam_day: ExamDay) -> None:
    from chalicelib.storage import aws

    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    exam_day.enter(bob)  # warms the period cache and the clients
    with aws.counting() as session_calls:
        token = exam_day.enter(alice)
    assert session_calls[0] <= 2

    # A new container: the paper is read from S3 once, then never again.
    runtime.current().forget_collaborators()
    s3 = S3Calls()
    with aws.counting() as cold_paper:
        assert exam_day.api.get("/api/exam/paper", token=token).status_code == 200
    assert s3.count == 1
    assert cold_paper[0] == 2
    for _ in range(3):
        with aws.counting() as warm_paper:
            assert exam_day.api.get("/api/exam/paper", token=token).status_code == 200
        assert warm_paper[0] <= 1
    assert s3.count == 1

    with aws.counting() as save_calls:
        saved = exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["B"]}}, token=token)
    assert saved.status_code == 204
    assert save_calls[0] == 1

    with aws.counting() as submit_calls:
        assert exam_day.submit(token, alice, answers_scoring(66), phone="13512340000").status_code == 200
    assert submit_calls[0] <= 2
    assert s3.count == 1


def test_scoring_happens_at_the_deadline_instant_too(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(10, 59, 59)
    token = exam_day.enter(alice)
    exam_day.travel(dt.datetime(2026, 12, 18, 3, 10, 0, tzinfo=dt.UTC))  # 11:10:00 in Beijing
    assert exam_day.submit(token, alice, answers_scoring(60)).status_code == 200


def test_the_write_itself_refuses_to_score_an_attempt_twice(exam_day: ExamDay) -> None:
    """Two submissions that both read the attempt before either wrote: the condition decides."""
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    exam_day.enter(alice)
    rt = runtime.current()
    period = exam_day.period
    assert period.paper_key is not None
    stale = rt.repo.attempt(period.id, rt.repo.id_hash(alice.id_number))
    paper = period_paper(rt, period)
    first = grade(paper, answers_scoring(70), clock.now())
    rt.repo.record_submission(period, stale, alice, answers_scoring(70), first, period.paper_key)
    second = grade(paper, answers_scoring(100), clock.now())
    with pytest.raises(AlreadySubmitted) as refused:
        rt.repo.record_submission(period, stale, alice, answers_scoring(100), second, period.paper_key)
    assert refused.value.result == first
    assert refused.value.result.score == 70


class SaveLandsAfterTheRead(Repository):
    """The attempt as a submission reads it, and then, before the submission writes,
    the page's autosave still in flight lands (`saves` of them)."""

    def __init__(self, repo: Repository, answers: dict[str, list[str]], saves: int = 1) -> None:
        super().__init__(repo._hash)
        self.answers = answers
        self.saves = saves

    def attempt(self, period_id: str, id_hash: str) -> Any:
        read = super().attempt(period_id, id_hash)
        if self.saves:
            self.saves -= 1
            super().save_answers(period_id, id_hash, self.answers, clock.now())
        return read


def test_a_save_that_lands_while_a_submit_is_in_progress_is_scored_not_dropped(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    rt = runtime.current()
    # The submit names s1..s30 right; the save in flight answers s31 right as well.
    submitted = {qid: chosen for qid, chosen in answers_scoring(60).items() if qid != "s31"}
    racing = dataclasses.replace(rt, repo=SaveLandsAfterTheRead(rt.repo, {"s31": key_of("s31")}))
    attempt = exam.authenticate(racing, token)

    result = exam.submit(
        racing,
        attempt,
        {"name": alice.name, "phone": alice.phone, "email": alice.email, "answers": submitted},
    )

    assert result.score == 62
    stored = rt.repo.attempt(exam_day.period.id, attempt.id_hash)
    assert stored.answers["s31"] == key_of("s31") and stored.result == result
    # Once scored, a save is refused in the contract's shape, never a silent 204.
    late = exam_day.api.put("/api/exam/answers", {"answers": {"s32": key_of("s32")}}, token=token)
    assert code(late) == (409, "already_submitted")
    assert body(late)["result"]["score"] == 62


def test_saves_landing_under_every_read_answer_503_and_store_nothing(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    rt = runtime.current()
    storm = SaveLandsAfterTheRead(rt.repo, {"s31": key_of("s31")}, saves=100)  # a save under every read
    racing = dataclasses.replace(rt, repo=storm)
    attempt = exam.authenticate(racing, token)
    details = {"name": alice.name, "phone": alice.phone, "email": alice.email, "answers": answers_scoring(60)}

    with pytest.raises(SavedAnswersChanged) as refused:
        exam.submit(racing, attempt, details)

    assert refused.value.status == 503
    assert rt.repo.attempt(exam_day.period.id, attempt.id_hash).result is None
    assert exam_day.submit(token, alice, answers_scoring(60)).status_code == 200
