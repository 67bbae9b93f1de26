"""Exactly-once scoring under a storm of submits, against a real moto server behind `chalice local`."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.services import mail
from chalicelib.services.papers import upload_paper
from chalicelib.storage import aws, keys
from chalicelib.storage.models import OutboxItem, RegistrationItem
from tests.support import mailbox
from tests.support.at_once import at_once
from tests.support.exam_data import answers_scoring, exam_today, paper_document, person, register
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

SUBMITTERS = 20


def call(url: str, method: str, payload: Any = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request. A connection refused or reset before any answer is tried again,
    as a phone would: `chalice local` listens with a backlog of 5, so a burst of 20
    connections can overflow it before the app sees the request."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    for attempt in range(5):
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError(f"{method} {url}: no answer after 5 connections")


def entered(stack: Stack, rt: Any, candidate: Any, suffix: str | None = None) -> tuple[Any, str]:
    """Today's exam with its paper, `candidate` registered and entered: the period and the token."""
    period = exam_today(rt) if suffix is None else exam_today(rt, suffix=suffix)
    upload_paper(rt, period.id, paper_document())
    register(rt, period, candidate)
    status, session = call(
        stack.url + "api/exam/sessions", "POST", {"id_number": candidate.id_number, "name": candidate.name}
    )
    assert status == 201, session
    return period, session["token"]


def submitter(stack: Stack, candidate: Any, token: str, score: int) -> Callable[[], tuple[int, Any]]:
    """One submission of `candidate`'s registered details with a sheet scoring `score`."""
    body = {
        "name": candidate.name,
        "phone": candidate.phone,
        "email": candidate.email,
        "answers": answers_scoring(score),
    }
    return lambda: call(stack.url + "api/exam/submit", "POST", body, token)


def test_twenty_simultaneous_submits_score_one_attempt_once(stack: Stack) -> None:
    rt = stack.runtime()
    alice = person(1)
    period, token = entered(stack, rt, alice)

    # Each submitter sends a different sheet: whichever is scored, all must agree on it.
    replies = at_once(SUBMITTERS, lambda n: submitter(stack, alice, token, 2 * (n + 30)))

    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] + [409] * (SUBMITTERS - 1), replies
    for status, reply in replies:
        if status == 409:
            assert reply["error"]["code"] == "already_submitted"
    results = {json.dumps(reply["result"], sort_keys=True) for _, reply in replies}
    assert len(results) == 1, results

    # One scored record: the stored result is the one everybody saw, with one
    # result e-mail queued, and the person in the passers index once.
    scored = json.loads(results.pop())
    item = RegistrationItem.get(
        keys.person_pk(rt.repo.id_hash(alice.id_number)), keys.registration_sk(period.id)
    )
    assert (item.score, item.submitted_at) == (scored["score"], scored["submitted_at"])
    assert [o for o in OutboxItem.query(keys.OUTBOX_PK) if o.kind == "result"] == []
    assert item.gsi4sk is not None and keys.outbox_kind(item.gsi4sk) == "result"
    assert len(list(RegistrationItem.passers.query(keys.passers_pk(period.id)))) == 1
    assert result_emails(rt, alice.email) == 1


def result_emails(rt: Any, address: str) -> int:
    """Send what is due (twice: nothing twice), then count the result e-mails to `address`."""
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    mail.send_outbox(rt)
    mail.send_outbox(rt)
    return len(
        [
            e
            for e in mailbox.text_emails(rt.settings.ses_region)
            if e.to == [address] and "考试成绩" in e.subject
        ]
    )


def test_two_submits_at_once_score_once_and_send_one_result_email(stack: Stack) -> None:
    """Issue 19: the unchanged-details submission is one conditional UpdateItem, no transaction;
    the same condition decides between two submits arriving together."""
    rt = stack.runtime()
    bob = person(2)
    _, token = entered(stack, rt, bob, suffix="pair")

    replies = at_once(2, lambda n: submitter(stack, bob, token, 70 + 20 * n))

    assert sorted(status for status, _ in replies) == [200, 409], replies
    assert len({json.dumps(reply["result"], sort_keys=True) for _, reply in replies}) == 1
    # Due on the attempt, written by the winning UpdateItem alone: no outbox item for it.
    assert [o for o in OutboxItem.query(keys.OUTBOX_PK) if o.kind == "result"] == []
    assert result_emails(rt, bob.email) == 1
