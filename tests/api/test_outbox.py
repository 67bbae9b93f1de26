"""Candidates' e-mails on moto: queued with the write, sent by the schedule, retried after a failure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.runtime import Runtime
from chalicelib.services import mail
from chalicelib.storage import keys
from chalicelib.storage.mail import Mailer
from chalicelib.storage.models import OutboxItem
from tests.api.conftest import Swap
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import add_result, contact, make_period, register

EXAM_DAY = dt.date(2026, 12, 21)  # a Monday: the working day before is Friday 18th


@pytest.fixture
def period(rt: Runtime, travel: Any) -> Any:
    travel(beijing(2026, 12, 1, 10))
    return make_period(rt, EXAM_DAY, name="2026年12月考试", notes="请提前准备课程资料。")


def outbox_items() -> list[OutboxItem]:
    return list(OutboxItem.query(keys.OUTBOX_PK, consistent_read=True))


def sent(rt: Runtime) -> list[mailbox.TextEmail]:
    return mailbox.text_emails(rt.settings.ses_region)


def failing_mailer(rt: Runtime, swap: Swap, times: int) -> tuple[Runtime, Stubber]:
    """The runtime with a mailer whose next `times` sends fail, and the stubber to check."""
    client = boto3.client("ses", region_name=rt.settings.ses_region)
    stubber = Stubber(client)
    for _ in range(times):
        stubber.add_client_error("send_email", service_error_code="ServiceUnavailable", http_status_code=503)
    stubber.activate()
    return swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, client=client)), stubber


def test_registration_confirmation_is_queued_then_sent_with_exam_date_time_and_notes(rt, period):
    person = contact(1)
    register(rt, period, person)
    assert [item.kind for item in outbox_items()] == ["confirmation"]

    run = mail.send_outbox(rt)

    assert (run.sent, run.failed) == (1, 0)
    [email] = sent(rt)
    assert email.to == [person.email]
    assert "报名成功" in email.subject
    assert "2026年12月21日（星期一） 09:00–11:00" in email.body and "请提前准备课程资料。" in email.body
    assert person.id_number not in email.body and person.phone not in email.body
    assert outbox_items() == []
    assert mail.send_outbox(rt).sent == 0  # nothing twice


def test_result_is_sent_after_submitting(rt, period, travel):
    passer, failer = contact(1), contact(2)
    add_result(rt, period, passer, score=72)
    add_result(rt, period, failer, score=41, offset_seconds=5)
    travel(beijing(2026, 12, 21, 9, 45))  # the results are due from the submission on
    mail.send_outbox(rt)
    results = {email.to[0]: email for email in sent(rt) if "考试成绩" in email.subject}
    assert "72 分，通过" in results[passer.email].subject
    assert "41 分，未通过" in results[failer.email].subject
    assert outbox_items() == []


def test_a_failed_send_stays_queued_and_a_later_run_sends_it(rt, swap, period, travel):
    person = contact(1)
    register(rt, period, person)
    rt, stubber = failing_mailer(rt, swap, 1)

    run = mail.send_outbox(rt)

    stubber.assert_no_pending_responses()
    assert (run.sent, run.failed) == (0, 1)
    [item] = outbox_items()
    assert item.attempts == 1 and item.lease_until is not None
    rt = swap(mailer=None)
    assert mail.send_outbox(rt).sent == 0  # held: the retry waits for its pause

    travel(beijing(2026, 12, 1, 10) + mail.retry_pause(1) + dt.timedelta(seconds=1))
    assert mail.send_outbox(rt).sent == 1
    assert [email.to for email in sent(rt)] == [[person.email]]
    assert outbox_items() == []


def test_an_entry_that_keeps_failing_is_dropped_after_the_last_attempt(rt, swap, period, travel):
    register(rt, period, contact(1))
    when = beijing(2026, 12, 1, 10)
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        rt, _ = failing_mailer(rt, swap, 1)
        assert mail.send_outbox(rt).failed == 1
        when += mail.retry_pause(attempt) + dt.timedelta(seconds=1)
        travel(when)
    assert outbox_items() == []
    assert sent(rt) == []


def test_reminders_are_queued_on_the_working_day_before_the_exam_once(rt, period, travel):
    people = [contact(n) for n in range(3)]
    for person in people:
        register(rt, period, person)
    mail.send_outbox(rt)  # the confirmations
    confirmations = len(sent(rt))

    travel(beijing(2026, 12, 17, 9))  # Thursday: too early
    assert mail.queue_reminders(rt) == 0

    travel(beijing(2026, 12, 18, 9))  # Friday, the working day before Monday's exam
    assert mail.queue_reminders(rt) == 3
    assert mail.queue_reminders(rt) == 0
    assert mail.send_outbox(rt).sent == 3
    reminders = sent(rt)[confirmations:]
    assert sorted(email.to[0] for email in reminders) == sorted(p.email for p in people)
    assert all("考试提醒" in email.subject for email in reminders)

    late = contact(9)
    travel(beijing(2026, 12, 19, 9))  # Saturday: a late registration still gets one
    register(rt, period, late)
    assert mail.queue_reminders(rt) == 1


def test_no_reminder_on_or_after_the_exam_day(rt, period, travel):
    register(rt, period, contact(1))
    travel(beijing(2026, 12, 21, 8))
    assert mail.queue_reminders(rt) == 0


def _carried(rt: Runtime, period: Any, person: Any) -> Any:
    """The attempt item of `person` in `period`, read consistently."""
    from chalicelib.storage.models import RegistrationItem

    pk = keys.person_pk(rt.repo.id_hash(person.id_number))
    return RegistrationItem.get(pk, keys.registration_sk(period.id), consistent_read=True)


def test_a_result_email_due_on_the_attempt_is_sent_once_and_a_stale_index_entry_sends_nothing(
    rt, period, travel
):
    """Issue 19: the submission's one UpdateItem makes the result e-mail due on the attempt.
    The sender finds it through the mail_due index, claims it on the attempt, sends, clears it;
    the index entry it read before (as a lagging index would still show it) claims nothing."""
    passer = contact(1)
    add_result(rt, period, passer, score=72)
    mail.send_outbox(rt)  # the confirmation (due at registration)
    travel(beijing(2026, 12, 21, 9, 45))
    assert [item.kind for item in outbox_items()] == []
    [entry] = rt.outbox_store().due(beijing(2026, 12, 21, 9, 45), 25)
    assert (entry.kind, entry.on_registration) == ("result", True)

    run = mail.send_outbox(rt)

    assert (run.sent, run.failed) == (1, 0)
    results = [email for email in sent(rt) if "考试成绩" in email.subject]
    assert [email.to for email in results] == [[passer.email]]
    carrier = _carried(rt, period, passer)
    assert carrier.gsi4sk is None and carrier.mail_lease_until is None
    assert [m["kind"] for m in carrier.mails] == ["confirmation", "result"]
    stale = rt.outbox_store()
    assert not stale.claim(entry, beijing(2026, 12, 21, 9, 46), mail.retry_pause(1))
    assert mail.send_outbox(rt).sent == 0
    assert len([email for email in sent(rt) if "考试成绩" in email.subject]) == 1


def test_a_result_email_that_fails_is_held_on_the_attempt_and_sent_by_a_later_run(rt, swap, period, travel):
    passer = contact(1)
    add_result(rt, period, passer, score=72)
    travel(beijing(2026, 12, 21, 9, 45))
    rt, stubber = failing_mailer(rt, swap, 2)  # the confirmation and the result both fail once
    assert mail.send_outbox(rt).failed == 2
    stubber.assert_no_pending_responses()
    carrier = _carried(rt, period, passer)
    assert carrier.mail_attempts == 1 and carrier.mail_lease_until is not None
    rt = swap(mailer=None)
    assert mail.send_outbox(rt).sent == 0  # held: the retry waits for its pause
    travel(beijing(2026, 12, 21, 9, 45) + mail.retry_pause(1) + dt.timedelta(seconds=1))
    assert mail.send_outbox(rt).sent == 2
    assert len([email for email in sent(rt) if "考试成绩" in email.subject]) == 1
    assert _carried(rt, period, passer).gsi4sk is None


def test_before_the_mail_due_index_exists_confirmations_go_and_result_emails_wait_for_it(rt, period, travel):
    """A release adding the index can run before DynamoDB has built it: the sender must not
    stop (confirmations and notices live in the outbox partition), and the result e-mails
    carried by attempts go once the index is there."""
    passer = contact(1)
    add_result(rt, period, passer, score=72)
    client = boto3.client("dynamodb", region_name=rt.settings.region)
    indexes = client.describe_table(TableName=rt.settings.table_name)["Table"]["GlobalSecondaryIndexes"]
    mail_due = next(index for index in indexes if index["IndexName"] == keys.MAIL_DUE_INDEX)
    client.update_table(
        TableName=rt.settings.table_name,
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": keys.MAIL_DUE_INDEX}}],
    )
    travel(beijing(2026, 12, 21, 9, 45))

    run = mail.send_outbox(rt)

    assert (run.sent, run.failed) == (1, 0)
    assert [email.subject for email in sent(rt) if "考试成绩" in email.subject] == []
    assert _carried(rt, period, passer).gsi4sk is not None  # still due, on the attempt
    client.update_table(
        TableName=rt.settings.table_name,
        AttributeDefinitions=[
            {"AttributeName": "gsi4pk", "AttributeType": "S"},
            {"AttributeName": "gsi4sk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[
            {"Create": {key: mail_due[key] for key in ("IndexName", "KeySchema", "Projection")}}
        ],
    )
    assert mail.send_outbox(rt).sent == 1
    assert [email.to for email in sent(rt) if "考试成绩" in email.subject] == [[passer.email]]
