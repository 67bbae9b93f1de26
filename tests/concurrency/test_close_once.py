"""Automatic submission (自动交卷) counts exactly once, whatever closes it at the same moment.

A real moto server behind `chalice local`: the schedule's close, lookups that
close lazily, and the closes of several containers race for one attempt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.services import exam
from chalicelib.services.papers import upload_paper
from chalicelib.storage import keys
from chalicelib.storage.models import OutboxItem, RegistrationItem
from tests.concurrency.test_submit_once import call, result_emails
from tests.support.at_once import at_once
from tests.support.exam_data import answers_scoring, exam_period, paper_document, person, register
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

CLOSERS = 8
# One candidate's lookups from one address: more than attempts.LIMIT in ten seconds would be
# refused as a burst (429), which is not what this race is about.
LOOKUPS = attempts.LIMIT


def test_an_attempt_left_open_is_scored_once_by_racing_closes_and_lookups(stack: Stack) -> None:
    rt = stack.runtime()
    # Yesterday's exam: its grace is over, whatever the real time is now.
    yesterday = clock.today() - dt.timedelta(days=1)
    period = exam_period(rt, yesterday, suffix="closed")
    upload_paper(rt, period.id, paper_document())
    rt.periods.invalidate()
    period = rt.periods.get(period.id)
    alice, bob = person(1), person(2)
    register(rt, period, alice)
    register(rt, period, bob)
    during = dt.datetime.combine(yesterday, dt.time(9, 30), tzinfo=clock.BEIJING)
    rt.repo.start_attempt(period, alice.id_number, alice.name, during)
    rt.repo.save_answers(period.id, rt.repo.id_hash(alice.id_number), answers_scoring(70), during)
    rt.repo.start_attempt(period, bob.id_number, bob.name, during)  # entered, saved nothing

    def close() -> Any:
        exam.close_exams(rt)
        stored = rt.repo.attempt(period.id, rt.repo.id_hash(alice.id_number))
        return stored.result.score if stored.result else None

    def look_up() -> Any:
        status, found = call(
            stack.url + "api/registrations/lookup",
            "POST",
            {"id_number": alice.id_number, "phone": alice.phone},
        )
        assert status == 200, found
        (entry,) = found["registrations"]
        assert (entry["status"], entry["auto_submitted"]) == ("passed", True)
        return entry["score"]

    scores = at_once(CLOSERS + LOOKUPS, lambda n: close if n < CLOSERS else look_up)

    assert scores == [70] * (CLOSERS + LOOKUPS)
    item = RegistrationItem.get(
        keys.person_pk(rt.repo.id_hash(alice.id_number)), keys.registration_sk(period.id)
    )
    assert (item.score, item.auto_submitted) == (70, True)
    # The result e-mail is due on the attempt (one write closed it), never in the outbox twice.
    assert [o for o in OutboxItem.query(keys.OUTBOX_PK) if o.kind == "result"] == []
    assert item.gsi4sk is not None and keys.outbox_kind(item.gsi4sk) == "result"
    assert result_emails(rt, alice.email) == 1
    assert len(list(RegistrationItem.passers.query(keys.passers_pk(period.id)))) == 1
    # No saved answer: still absent, never scored.
    untouched = RegistrationItem.get(
        keys.person_pk(rt.repo.id_hash(bob.id_number)), keys.registration_sk(period.id)
    )
    assert untouched.submitted_at is None
