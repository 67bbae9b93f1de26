"""Whether a person has passed is read from their attempts (issue 19): a submission writes its
pass on the attempt alone, registration reads every attempt of the person and repeats what it
read as conditions, and the person record's mark of passes stored before still refuses."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.errors import AlreadyPassed
from chalicelib.storage import aws, keys
from chalicelib.storage.models import PersonItem, RegistrationItem
from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.support.exam_data import answers_scoring, person, register
from tests.support.table import count_kinds


def refused_as_passed(rt: Any, period: Any, candidate: Any) -> None:
    """Registering `candidate` for `period` answers already_passed and writes nothing."""
    before = count_kinds(rt.settings)
    with pytest.raises(AlreadyPassed):
        register(rt, period, candidate)
    assert count_kinds(rt.settings) == before


def sits_and_passes(exam_day: ExamDay, seq: int) -> tuple[Any, str]:
    """Candidate `seq` registered, entered at 09:30 and passed: the candidate and their person key."""
    candidate = exam_day.register(seq)
    exam_day.at(9, 30)
    submitted = exam_day.submit(exam_day.enter(candidate), candidate, answers_scoring(90))
    assert body(submitted)["result"]["passed"]
    return candidate, keys.person_pk(runtime.current().repo.id_hash(candidate.id_number))


def void_attempt(exam_day: ExamDay, candidate: Any) -> Any:
    """Staff void the candidate's attempt of the exam day's period (替考)."""
    found = body(exam_day.api.staff("GET", f"/api/admin/people?phone={candidate.phone}"))
    path = f"/api/admin/people/{found['people'][0]['person']}/registrations/{exam_day.period.id}/void"
    return exam_day.api.staff("POST", path, {"reason": "替考"})


def test_a_pass_is_written_on_the_attempt_and_refuses_a_later_registration(exam_day: ExamDay) -> None:
    rt = runtime.current()
    alice, pk = sits_and_passes(exam_day, 1)
    # The person record is not written by the submission: the attempt alone says "passed".
    assert PersonItem.get(pk, keys.PERSON_SK, consistent_read=True).passed_at is None
    assert RegistrationItem.get(pk, keys.registration_sk(exam_day.period.id)).passed is True
    later = exam_day.later_period()
    refused_as_passed(rt, later, alice)


def test_a_pass_stored_on_the_person_record_before_still_refuses(exam_day: ExamDay) -> None:
    """Passes recorded before the mark moved to the attempt need no backfill."""
    rt = runtime.current()
    bob = exam_day.register(2)
    pk = keys.person_pk(rt.repo.id_hash(bob.id_number))
    PersonItem(pk, keys.PERSON_SK).update(
        actions=[
            PersonItem.passed_period_id.set("201901-old"),
            PersonItem.passed_at.set("2019-01-20T10:00:00+08:00"),
        ]
    )
    later = exam_day.later_period()
    refused_as_passed(rt, later, bob)


def test_a_pass_landing_while_a_registration_is_written_cancels_it(exam_day: ExamDay) -> None:
    """The registration read the attempt unpassed; the pass lands between that Query and the
    transaction (made to, by a hook on the transaction's own call): the check on the attempt
    cancels the registration, which answers already_passed and leaves nothing behind."""
    rt = runtime.current()
    carol = exam_day.register(3)
    pk = keys.person_pk(rt.repo.id_hash(carol.id_number))
    later = exam_day.later_period()
    client = RegistrationItem._get_connection().connection.client
    other = aws.client("dynamodb", rt.settings.region)
    landed: list[bool] = []

    def pass_lands(**_: Any) -> None:
        if not landed:
            landed.append(True)
            other.update_item(
                TableName=rt.settings.table_name,
                Key={"pk": {"S": pk}, "sk": {"S": keys.registration_sk(exam_day.period.id)}},
                UpdateExpression="SET passed = :t",
                ExpressionAttributeValues={":t": {"BOOL": True}},
            )

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", pass_lands, unique_id="pass-lands")
    try:
        refused_as_passed(rt, later, carol)
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="pass-lands")
    assert landed


def test_failing_or_a_voided_pass_lets_the_person_register_again(exam_day: ExamDay) -> None:
    rt = runtime.current()
    dave, erin = exam_day.register(4), exam_day.register(5)
    exam_day.at(9, 30)
    assert not body(exam_day.submit(exam_day.enter(dave), dave, answers_scoring(20)))["result"]["passed"]
    assert body(exam_day.submit(exam_day.enter(erin), erin, answers_scoring(90)))["result"]["passed"]
    voided = void_attempt(exam_day, erin)
    assert voided.status_code == 200, voided.body
    later = exam_day.later_period()
    register(rt, later, dave)
    register(rt, later, erin)


def test_voiding_a_pass_stored_on_the_person_record_removes_that_mark(exam_day: ExamDay) -> None:
    rt = runtime.current()
    frank, pk = sits_and_passes(exam_day, 6)
    # As a submission before issue 19 left it: the person record marked too.
    PersonItem(pk, keys.PERSON_SK).update(
        actions=[PersonItem.passed_period_id.set(exam_day.period.id), PersonItem.passed_at.set("x")]
    )
    assert void_attempt(exam_day, frank).status_code == 200
    assert PersonItem.get(pk, keys.PERSON_SK, consistent_read=True).passed_at is None
    register(rt, exam_day.later_period(), frank)


def test_registering_reads_the_person_once_and_writes_once(exam_day: ExamDay) -> None:
    rt = runtime.current()
    with aws.counting() as calls:
        register(rt, exam_day.period, person(7))
    assert calls[0] == 2
