"""Staff answering the same rights request at once: one answer, one outcome e-mail.

Real HTTP to `chalice local` (which serves requests in threads, as several
Lambda containers would) in front of a real moto server; the e-mails are read
back from moto's SES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import clock
from tests.concurrency.test_submit_once import call
from tests.support import mailbox
from tests.support.at_once import at_once
from tests.support.exam_data import exam_period, person, register
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

STAFF = 6


def test_staff_answering_one_request_at_once_send_one_outcome_email(stack: Stack) -> None:
    rt = stack.runtime()
    period = exam_period(rt, clock.today() + dt.timedelta(days=30), suffix="rights")
    someone = person(1)
    # Before the server's first staff request: it reads the tokens once and keeps them a while.
    tokens = [rt.secrets.add_staff_token(f"工作人员{n}") for n in range(STAFF)]
    register(rt, period, someone)
    filed, _ = call(
        stack.url + "api/rights-requests",
        "POST",
        {"id_number": someone.id_number, "phone": someone.phone, "kind": "copy"},
    )
    assert filed == 201
    _, queued = call(stack.url + "api/admin/rights-requests", "GET", token=stack.staff_token)
    [request] = queued["requests"]

    def answer(n: int) -> Callable[[], tuple[int, Any]]:
        return lambda: call(
            stack.url + f"api/admin/rights-requests/{request['id']}/answer",
            "POST",
            {"outcome": "done", "note": f"副本见下文（{n}）。"},
            tokens[n],
        )

    replies = at_once(STAFF, answer)

    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] + [409] * (STAFF - 1), replies
    assert {reply["error"]["code"] for status, reply in replies if status == 409} == {
        "rights_request_answered"
    }
    [(_, won)] = [(status, reply) for status, reply in replies if status == 200]
    outcomes = [m for m in mailbox.text_emails(rt.settings.ses_region) if m.to == [someone.email]]
    assert len(outcomes) == 1, f"{len(outcomes)} outcome e-mails"
    # The one e-mail carries the answer that was recorded.
    assert won["request"]["note"] in outcomes[0].body
    _, after = call(stack.url + "api/admin/rights-requests", "GET", token=stack.staff_token)
    [closed] = after["requests"]
    assert (closed["status"], closed["note"]) == ("done", won["request"]["note"])
