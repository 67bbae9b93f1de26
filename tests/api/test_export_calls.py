"""The export reads passers by Query pages only: no Scan, no read per passer."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from chalicelib import runtime
from chalicelib.services import export
from chalicelib.storage import aws
from chalicelib.storage.exports import MARK_TRANSACTION, PAGE_SIZE
from tests.conftest import beijing
from tests.support import calls, mailbox
from tests.support.export_data import bulk_passers, make_period

PASSERS = 1_100


def test_export_of_many_passers_reads_by_query_pages_only(api: Any, travel: Any) -> None:
    rt = runtime.current()
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    travel(beijing(2026, 12, 18, 12))
    period = make_period(rt, dt.date(2026, 12, 18))
    bulk_passers(rt, period, PASSERS)
    travel(beijing(2026, 12, 18, 19))

    with calls.operations(calls.app_clients(rt)) as counted:
        summary = export.export_passers(rt)

    assert summary.exported[0].count == PASSERS and summary.exported[0].marked == PASSERS
    pages = math.ceil(PASSERS / PAGE_SIZE)
    assert counted["dynamodb:Scan"] == 0
    assert counted["dynamodb:BatchGetItem"] == 0
    # the periods, "anything pending?", then the passers' pages (the last one may come back empty).
    assert counted["dynamodb:Query"] <= 2 + pages + 1
    # the export state and the city's import template (none here); never a passer
    assert counted["dynamodb:GetItem"] == 2
    # the marks, conditional, 100 passers a transaction; then the watermark and "marked through".
    assert counted["dynamodb:TransactWriteItems"] == math.ceil(PASSERS / MARK_TRANSACTION)
    assert counted["dynamodb:UpdateItem"] == 2
    writes = counted["dynamodb:TransactWriteItems"] + counted["dynamodb:UpdateItem"]
    assert writes <= PASSERS / 90 + 10
    # one e-mail: through SES, or over SMTP (`make test-smtp`), which is no AWS call
    sent_through_ses = 0 if mailbox.SMTP_UNDER_TEST else 1
    assert counted["s3:PutObject"] == 2 and counted["ses:SendRawEmail"] == sent_through_ses
    assert len(mailbox.raw_emails(rt.settings.ses_region)) == 1
    reads = {op for op in counted if op.startswith("dynamodb:") and counted[op]}
    assert reads <= {
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:PutItem",  # the lease
        "dynamodb:DeleteItem",  # its release
        "dynamodb:UpdateItem",
        "dynamodb:TransactWriteItems",
    }
    [message] = mailbox.raw_emails(rt.settings.ses_region)
    assert len(mailbox.csv_rows(mailbox.attachment(message, "csv")[1])) == PASSERS + 1
