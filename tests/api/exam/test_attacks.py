"""The attacks of issue 12, replayed: each is refused.

Measured before v2 on `make run`: a full ID number with its name from 538
entry guesses, a full phone from 1,241 lookups, and a colleague's ID number
enough to sit their exam and submit a blank paper with one's own contacts.
"""

from __future__ import annotations

from typing import Any

from chalicelib import runtime
from chalicelib.services import mail
from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.api.exam.test_entry_v2 import enter, look_up
from tests.support import mailbox
from tests.support.exam_data import answers_scoring

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋"


def guessed_names() -> list[str]:
    return [s + g for s in SURNAMES for g in GIVEN]


def test_guessing_the_name_for_one_id_number_never_enters(exam_day: ExamDay) -> None:
    victim = exam_day.register(1)
    exam_day.at(9, 30)
    guesses = [n for n in guessed_names() if n != victim.name][:30]
    guesses.insert(10, victim.name)  # the right name, 11th: past the limit
    answers = [enter(victim, guess)["status"] for guess in guesses]
    assert 201 not in answers
    assert answers[:4] == [404] * 4 and set(answers[4:]) == {429}
    rt = runtime.current()
    assert rt.repo.attempt(exam_day.period.id, rt.repo.id_hash(victim.id_number)).started_at is None
    # Meanwhile the real candidate, from their own phone's address, enters as usual.
    assert enter(victim, address="198.51.100.99")["status"] == 201


def test_guessing_the_phone_for_one_id_number_never_finds_it(exam_day: ExamDay) -> None:
    victim = exam_day.register(1)
    exam_day.at(8, 0)
    prefix = victim.phone[:7]
    guesses = [f"{prefix}{n:04d}" for n in range(40) if f"{prefix}{n:04d}" != victim.phone]
    guesses.insert(20, victim.phone)
    answers = [look_up(victim, phone=guess)["status"] for guess in guesses]
    assert 200 not in answers
    assert answers[:4] == [404] * 4 and set(answers[4:]) == {429}


def test_a_blank_paper_with_a_colleagues_id_number_is_refused(exam_day: ExamDay, rt: Any) -> None:
    victim = exam_day.register(1)
    attacker = exam_day.register(2)
    exam_day.at(9, 30)
    # Without the victim's name, the ID number opens nothing: no token, so no paper to submit.
    for guess in (attacker.name, "同事", "张伟", "王芳", "李娜"):
        answer = enter(victim, guess)
        assert answer["status"] in (404, 429) and "token" not in answer["body"]
    sheet = {"name": attacker.name, "phone": attacker.phone, "email": attacker.email, "answers": {}}
    assert exam_day.api.post("/api/exam/submit", sheet).status_code == 401
    stored = rt.repo.attempt(exam_day.period.id, rt.repo.id_hash(victim.id_number))
    assert (stored.started_at, stored.result, stored.contact.phone) == (None, None, victim.phone)
    # The real candidate then sits the exam as usual and keeps their own score and details.
    token = exam_day.enter(victim)
    result = body(exam_day.submit(token, victim, answers_scoring(80)))["result"]
    assert (result["score"], result["passed"]) == (80, True)


def test_a_colleague_who_knows_the_name_is_reported_to_the_real_candidate(exam_day: ExamDay, rt: Any) -> None:
    victim = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(victim)  # the colleague knows the name too
    answer = exam_day.submit(token, victim, {}, phone="13800009999", email="colleague@example.com")
    assert answer.status_code == 200
    mail.send_outbox(rt)
    to_victim = [m for m in mailbox.text_emails(rt.settings.ses_region) if m.to == [victim.email]]
    assert any("报名信息变更通知" in m.subject and "联系工作人员" in m.body for m in to_victim)
    listing = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations"))
    (entry,) = listing["registrations"]
    assert {(c["field"], c["old"]) for c in entry["changes"]} == {
        ("phone", victim.phone),
        ("email", victim.email),
    }
