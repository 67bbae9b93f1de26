"""Exam-day incidents handled by staff: extra minutes, late entry, reopening an automatic
submission made by mistake, voiding an attempt so the real person can sit the exam."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.errors import AttemptVoided
from chalicelib.domain.identity import Contact
from chalicelib.domain.papers import grade
from chalicelib.services import exam, export
from chalicelib.services.papers import period_paper
from chalicelib.storage import aws
from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.support import mailbox
from tests.support.exam_data import answers_scoring

REASON = "考生手机没电，更换设备"


def ref_of(exam_day: ExamDay, contact: Contact) -> str:
    response = exam_day.api.staff("GET", f"/api/admin/people?phone={contact.phone}")
    assert response.status_code == 200, response.body
    ref: str = body(response)["people"][0]["person"]
    return ref


def incident(exam_day: ExamDay, contact: Contact, action: str, **fields: Any) -> Any:
    path = f"/api/admin/people/{ref_of(exam_day, contact)}/registrations/{exam_day.period.id}/{action}"
    return exam_day.api.staff("POST", path, {"reason": REASON, **fields})


def paper(exam_day: ExamDay, token: str) -> Any:
    return exam_day.api.get("/api/exam/paper", token=token)


def voided_token_refused(exam_day: ExamDay, token: str, contact: Contact) -> None:
    """Every exam route refuses the token of a voided attempt (401, the contract's shape) and
    changes nothing: the save and the submission write nothing into the new attempt."""
    responses = [
        paper(exam_day, token),
        exam_day.api.put("/api/exam/answers", {"answers": answers_scoring(0)}, token=token),
        exam_day.submit(token, contact, answers_scoring(0)),
    ]
    for response in responses:
        assert response.status_code == 401, response.body
        error = body(response)["error"]
        assert error["code"] == "unauthorized" and "作废" in error["message"], error


def test_extra_minutes_are_honoured_on_submit_and_by_the_countdown_after_a_reload(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    alice_token, bob_token = exam_day.enter(alice), exam_day.enter(bob)
    given = incident(exam_day, alice, "extra-time", minutes=20)
    assert given.status_code == 200, given.body
    assert body(given)["registration"]["extra_minutes"] == 20
    assert body(given)["registration"]["ends_at"].startswith("2026-12-18T11:20:00")
    exam_day.at(10, 50)
    reloaded = body(paper(exam_day, alice_token))
    assert reloaded["ends_at"].startswith("2026-12-18T11:20:00") and reloaded["seconds_left"] == 30 * 60
    assert body(paper(exam_day, bob_token))["seconds_left"] == 10 * 60
    saved = answers_scoring(80)
    exam_day.at(11, 15)
    assert exam_day.api.put("/api/exam/answers", {"answers": saved}, token=alice_token).status_code == 204
    assert exam.close_exams(runtime.current()) == 0  # alice's own deadline is 11:30
    late = exam_day.submit(bob_token, bob, {})
    assert late.status_code == 409 and body(late)["error"]["code"] == "not_exam_time"
    exam_day.at(11, 29)
    submitted = exam_day.submit(alice_token, alice, {})
    assert submitted.status_code == 200, submitted.body
    assert body(submitted)["result"]["score"] == 80
    exam_day.at(11, 31)
    too_much = incident(exam_day, alice, "extra-time", minutes=5)
    assert too_much.status_code == 409 and body(too_much)["error"]["code"] == "registration_has_result"


def test_late_entry_lets_one_candidate_in_after_the_end(exam_day: ExamDay) -> None:
    carol, dan = exam_day.register(3), exam_day.register(4)
    exam_day.at(11, 5)
    refused = exam_day.api.post("/api/exam/sessions", {"id_number": carol.id_number, "name": carol.name})
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_exam_time"
    allowed = incident(exam_day, carol, "late-entry", minutes=30)
    assert allowed.status_code == 200, allowed.body
    exam_day.at(11, 6)
    token = exam_day.enter(carol)
    assert body(paper(exam_day, token))["seconds_left"] == 29 * 60
    others = exam_day.api.post("/api/exam/sessions", {"id_number": dan.id_number, "name": dan.name})
    assert others.status_code == 409
    exam_day.at(11, 40)
    assert exam_day.submit(token, carol, answers_scoring(60)).status_code == 200


def test_an_automatic_submission_made_by_mistake_is_reopened_with_its_answers(exam_day: ExamDay) -> None:
    erin, frank = exam_day.register(5), exam_day.register(6)
    exam_day.at(9, 30)
    token, frank_token = exam_day.enter(erin), exam_day.enter(frank)
    saved = answers_scoring(40)
    assert exam_day.api.put("/api/exam/answers", {"answers": saved}, token=token).status_code == 204
    assert exam_day.submit(frank_token, frank, answers_scoring(70)).status_code == 200
    exam_day.at(11, 11)
    assert exam.close_exams(runtime.current()) == 1
    exam_day.at(11, 20)
    own = incident(exam_day, frank, "reopen", minutes=10)
    assert own.status_code == 409 and body(own)["error"]["code"] == "attempt_not_reopenable"
    reopened = incident(exam_day, erin, "reopen", minutes=15)
    assert reopened.status_code == 200, reopened.body
    shown = body(reopened)["registration"]
    assert (shown["status"], shown["score"], shown["auto_submitted"]) == ("registered", None, False)
    resumed = body(paper(exam_day, token))
    assert resumed["answers"] == saved and resumed["seconds_left"] == 15 * 60
    finished = exam_day.submit(token, erin, answers_scoring(90))
    assert finished.status_code == 200 and body(finished)["result"]["score"] == 90


def test_a_voided_attempt_can_be_sat_again_and_only_the_new_result_is_exported(exam_day: ExamDay) -> None:
    rt = runtime.current()
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    grace = exam_day.register(7)
    nobody = exam_day.register(8)
    exam_day.at(9, 20)
    # Someone else sits the exam with her ID number and name.
    token = exam_day.enter(grace)
    assert body(exam_day.submit(token, grace, answers_scoring(100)))["result"]["score"] == 100
    not_started = incident(exam_day, nobody, "void")
    assert not_started.status_code == 409 and body(not_started)["error"]["code"] == "no_attempt"
    voided = incident(exam_day, grace, "void")
    assert voided.status_code == 200, voided.body
    shown = body(voided)["registration"]
    assert (shown["status"], shown["score"], shown["started_at"]) == ("registered", None, None)
    assert [(v["score"], v["reason"], v["staff"]) for v in shown["voided"]] == [(100, REASON, "tester")]
    # The impostor's token is refused from the void on, before and after the real person enters.
    voided_token_refused(exam_day, token, grace)
    # The real person sits it.
    exam_day.at(9, 40)
    again = exam_day.enter(grace)
    assert again != token
    voided_token_refused(exam_day, token, grace)
    assert body(paper(exam_day, again))["answers"] == {}
    saved = exam_day.api.put("/api/exam/answers", {"answers": answers_scoring(60)}, token=again)
    assert saved.status_code == 204
    voided_token_refused(exam_day, token, grace)
    assert body(exam_day.submit(again, grace, {}))["result"]["score"] == 60
    voided_token_refused(exam_day, token, grace)
    result = export.export_period(rt, exam_day.period.id)
    assert result.count == 1
    [message] = mailbox.raw_emails(rt.settings.ses_region)
    _, csv_data = mailbox.attachment(message, "csv")
    rows = mailbox.csv_rows(csv_data)
    assert [(row[2], row[5]) for row in rows[1:]] == [(grace.id_number, "60")]
    # The void, with its reason, is in the audit trail.
    events = body(exam_day.api.staff("GET", "/api/admin/audit?since=2026-12-18"))["events"]
    assert [e["reason"] for e in events if e["action"].endswith("/void")] == [REASON]


def test_a_submission_read_before_a_void_and_written_after_it_is_refused(exam_day: ExamDay) -> None:
    """The submission's write names the seed it read: a void landing between the read and the
    write (the impostor taps 交卷 as staff void the attempt) leaves the voided attempt unscored."""
    rt = runtime.current()
    grace = exam_day.register(9)
    exam_day.at(9, 20)
    exam_day.enter(grace)
    period = exam_day.period
    id_hash = rt.repo.id_hash(grace.id_number)
    read = rt.repo.attempt(period.id, id_hash)
    assert incident(exam_day, grace, "void").status_code == 200
    paper_doc = period_paper(rt, period)
    answers = answers_scoring(100)
    result = grade(paper_doc, answers, clock.now())
    assert period.paper_key is not None
    with pytest.raises(AttemptVoided):
        rt.repo.record_submission(period, read, read.contact, answers, result, period.paper_key)
    stored = rt.repo.attempt(period.id, id_hash)
    assert (stored.result, stored.started_at, stored.seed) == (None, None, None)
