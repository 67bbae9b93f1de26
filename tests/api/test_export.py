"""The passers' export on moto: e-mails read back from SES, attachments parsed, exactly once."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from chalice.test import Client

from app import app
from chalicelib import runtime
from chalicelib.domain.export import COLUMNS
from chalicelib.runtime import Runtime
from chalicelib.services import export, mail
from chalicelib.storage import aws
from chalicelib.storage.exports import PasserStore
from chalicelib.storage.mail import Mailer
from tests.api.conftest import Swap, body
from tests.conftest import PROJECT, beijing
from tests.support import calls, mailbox
from tests.support.export_data import (
    add_passers,
    add_result,
    bulk_passers,
    contact,
    id_number_ending_in_x,
    make_period,
)

EXAM_DAY = dt.date(2026, 12, 18)  # a Friday; the deadline is Friday 25th
EVENING = beijing(2026, 12, 18, 19)


@pytest.fixture
def period(rt: Runtime, travel: Any) -> Any:
    travel(beijing(2026, 12, 18, 12))
    return make_period(rt, EXAM_DAY)


def staff_emails(rt: Runtime) -> list[Any]:
    return mailbox.raw_emails(rt.settings.ses_region)


def failing_mailer(
    rt: Runtime, swap: Swap, times: int, operation: str = "send_raw_email"
) -> tuple[Runtime, Stubber]:
    """The runtime with a mailer whose next `times` sends fail, and the stubber to check."""
    """Put a mailer whose SES client refuses the next `times` calls (botocore's Stubber)."""
    client = boto3.client("ses", region_name=rt.settings.ses_region)
    stubber = Stubber(client)
    for _ in range(times):
        stubber.add_client_error(operation, service_error_code="Throttling", http_status_code=400)
    stubber.activate()
    return swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, client=client)), stubber


def exported_at(rt: Runtime, id_number: str, period_id: str) -> dt.datetime | None:
    [registration] = [r for r in rt.repo.registrations_of(id_number) if r.period_id == period_id]
    return registration.exported_at


def test_scheduled_export_emails_csv_and_xlsx_with_every_passer(rt, period, travel):
    x_seq, x_number = id_number_ending_in_x(100)
    people = add_passers(rt, period, range(3))
    tricky = contact(x_seq, name='=HYPERLINK("http://evil")', email="-minus@example.com")
    add_result(rt, period, tricky, score=60, offset_seconds=10)
    add_result(rt, period, contact(50), score=59, offset_seconds=11)  # failed: not exported
    travel(EVENING)

    summary = export.export_passers(rt)

    [result] = summary.exported
    assert (result.count, result.marked) == (4, 4)
    [message] = staff_emails(rt)
    assert message["To"] == "staff@hr-exam.local"
    assert "4 人" in message["Subject"] and "2026-12-25" in message["Subject"]
    assert "2026年12月25日" in mailbox.body_text(message)

    _, csv_data = mailbox.attachment(message, "csv")
    rows = mailbox.csv_rows(csv_data)
    assert rows[0] == list(COLUMNS)
    assert [row[2] for row in rows[1:]] == [p.id_number for p in people] + [x_number]
    assert rows[1] == [
        period.name,
        people[0].name,
        people[0].id_number,
        people[0].phone,
        people[0].email,
        "80",
        "2026-12-18",
        "2026-12-18 09:30:00",
    ]
    assert rows[4][1] == '\'=HYPERLINK("http://evil")' and rows[4][4] == "'-minus@example.com"

    _, xlsx_data = mailbox.attachment(message, "xlsx")
    sheet = mailbox.xlsx_sheet(xlsx_data)
    cells = list(sheet.iter_rows())
    assert [[cell.value for cell in row] for row in cells] == [
        [int(v) if i == 5 and n else v for i, v in enumerate(row)] for n, row in enumerate(rows)
    ]
    for row in cells[1:]:
        assert row[2].data_type == "s" and row[2].number_format == "@"
        assert row[3].data_type == "s" and row[3].number_format == "@"
        assert all(cell.data_type != "f" for cell in row)
    assert cells[4][2].value == x_number and x_number.endswith("X")

    s3 = aws.client("s3", rt.settings.region)
    stored = s3.get_object(Bucket=rt.settings.bucket_name, Key=result.csv_key)["Body"].read()
    assert stored == csv_data
    assert result.xlsx_key and result.xlsx_key.endswith(".xlsx")
    for person in [*people, tricky]:
        assert exported_at(rt, person.id_number, period.id) == EVENING
    assert exported_at(rt, contact(50).id_number, period.id) is None


def test_a_second_run_sends_nothing(rt, period, travel):
    add_passers(rt, period, range(2))
    travel(EVENING)
    export.export_passers(rt)
    travel(EVENING + dt.timedelta(days=1))

    summary = export.export_passers(rt)

    assert summary.exported == [] and summary.failed == []
    assert len(staff_emails(rt)) == 1


def test_a_run_with_no_passers_sends_no_email(rt, period, travel):
    add_result(rt, period, contact(1), score=30)
    travel(EVENING)
    assert export.export_passers(rt).exported == []
    assert staff_emails(rt) == []


def test_periods_whose_exam_has_not_ended_are_left_alone(rt, period, travel):
    add_passers(rt, period, range(2))
    travel(beijing(2026, 12, 18, 11, 9))  # inside the submission grace
    assert export.export_passers(rt).exported == []
    assert staff_emails(rt) == []


def test_ses_failure_marks_nothing_and_the_next_run_sends_everyone(rt, swap, period, travel):
    people = add_passers(rt, period, range(3))
    travel(EVENING)
    rt, stubber = failing_mailer(rt, swap, 1)

    summary = export.export_passers(rt)

    stubber.assert_no_pending_responses()
    assert summary.failed == [period.id] and summary.exported == []
    assert staff_emails(rt) == []
    assert all(exported_at(rt, p.id_number, period.id) is None for p in people)
    assert PasserStore().state(period.id).through is None

    rt = swap(mailer=None)
    travel(EVENING + dt.timedelta(days=1))
    [result] = export.export_passers(rt).exported
    assert result.count == 3
    [message] = staff_emails(rt)
    assert len(mailbox.csv_rows(mailbox.attachment(message, "csv")[1])) == 4
    assert all(exported_at(rt, p.id_number, period.id) is not None for p in people)


def test_route_answers_503_when_ses_fails_and_marks_nothing(rt, swap, period, travel, api):
    people = add_passers(rt, period, range(2))
    travel(EVENING)
    rt, _ = failing_mailer(rt, swap, 1)

    response = api.staff("POST", f"/api/admin/periods/{period.id}/export")

    assert response.status_code == 503
    assert body(response)["error"]["code"] == "mail_failed"
    assert all(exported_at(rt, p.id_number, period.id) is None for p in people)
    rt = swap(mailer=None)
    assert body(api.staff("POST", f"/api/admin/periods/{period.id}/export"))["export"]["count"] == 2


def test_logs_carry_counts_and_no_personal_data(rt, swap, period, travel, caplog):
    people = add_passers(rt, period, range(3))
    travel(EVENING)
    rt, _ = failing_mailer(rt, swap, 1)
    with caplog.at_level(logging.DEBUG):
        export.export_passers(rt)
        rt = swap(mailer=None)
        export.export_passers(rt)
    # Our own loggers, at every level (botocore's DEBUG output is never enabled on Lambda).
    ours = [r for r in caplog.records if r.name.startswith(("hr_exam", "chalicelib"))]
    text = "\n".join(record.getMessage() for record in ours)
    assert '"count":3' in text and '"marked":3' in text and "mail_failed" in text
    for person in people:
        for value in (person.id_number, person.phone, person.email, person.name):
            assert value not in text


def test_s3_failure_sends_nothing(rt, period, travel, monkeypatch):
    people = add_passers(rt, period, range(2))
    travel(EVENING)
    monkeypatch.setenv("BUCKET_NAME", "no-such-bucket")  # a new runtime; S3 answers NoSuchBucket
    current = runtime.current()

    summary = export.export_passers(current)

    assert summary.failed == [period.id]
    assert staff_emails(current) == []
    assert all(exported_at(current, p.id_number, period.id) is None for p in people)


def test_a_held_lease_keeps_a_second_export_out(rt, period, travel, api):
    add_passers(rt, period, range(2))
    travel(EVENING)
    store = rt.passer_store()
    assert store.acquire_lease(period.id, "another-run", EVENING, export.LEASE)

    response = api.staff("POST", f"/api/admin/periods/{period.id}/export")
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "export_running"
    assert export.export_passers(rt).skipped == [period.id]
    assert staff_emails(rt) == []

    store.release_lease(period.id, "another-run")
    assert export.export_passers(rt).exported[0].count == 2


def test_an_expired_lease_does_not_block_forever(rt, period, travel):
    add_passers(rt, period, range(1))
    travel(EVENING)
    assert rt.passer_store().acquire_lease(period.id, "a-killed-run", EVENING, export.LEASE)
    travel(EVENING + export.LEASE + dt.timedelta(seconds=1))
    assert export.export_passers(rt).exported[0].count == 1


def test_a_run_that_died_after_sending_finishes_its_marks_without_resending(rt, period, travel):
    people = add_passers(rt, period, range(3))
    travel(EVENING)
    store = PasserStore()
    records = list(store.passers(period.id, None, full=False))
    assert [r.new for r in records] == [True] * 3
    # As if a run's e-mail had been accepted and the run died before marking.
    assert store.record_sent(period.id, None, records[-1].sort_key, 3, 3, "k.csv", "k.xlsx", EVENING)

    summary = export.export_passers(rt)

    assert summary.exported == [export.ExportResult(period.id, 0)]
    assert staff_emails(rt) == []
    assert all(exported_at(rt, p.id_number, period.id) == EVENING for p in people)
    assert not store.state(period.id).unmarked


def test_a_passer_listed_below_the_watermark_is_checked_and_still_exported(rt, period, travel):
    add_passers(rt, period, range(1, 3))
    travel(EVENING)
    export.export_passers(rt)
    # A straggler: pending, but sorting before everyone already sent.
    straggler = contact(0)
    add_result(rt, period, straggler, offset_seconds=-60)

    with calls.operations(calls.app_clients(rt)) as counted:
        [result] = export.export_passers(rt).exported

    assert result.count == 1 and result.marked == 1
    rows = mailbox.csv_rows(mailbox.attachment(staff_emails(rt)[1], "csv")[1])
    assert [row[2] for row in rows[1:]] == [straggler.id_number]
    # the state, the consistent check of that one listing, and the city's import template (none)
    assert counted["dynamodb:GetItem"] == 3


def test_route_exports_then_has_nothing_then_full_resends_without_marking_twice(rt, period, travel, api):
    people = add_passers(rt, period, range(3))
    travel(EVENING)

    first = api.staff("POST", f"/api/admin/periods/{period.id}/export")
    assert first.status_code == 200, first.body
    sent = body(first)["export"]
    assert sent["period_id"] == period.id and sent["count"] == 3
    assert sent["csv_key"].startswith(f"exports/{period.id}/") and sent["xlsx_key"].endswith(".xlsx")
    assert sent["recipients"] == ["staff@hr-exam.local"]

    travel(EVENING + dt.timedelta(hours=1))
    again = api.staff("POST", f"/api/admin/periods/{period.id}/export", {})
    assert body(again)["export"] == {
        "period_id": period.id,
        "count": 0,
        "csv_key": None,
        "xlsx_key": None,
        "recipients": [],
    }

    full = api.staff("POST", f"/api/admin/periods/{period.id}/export", {"full": True})
    assert body(full)["export"]["count"] == 3
    messages = staff_emails(rt)
    assert len(messages) == 2 and "重新发送" in messages[1]["Subject"]
    assert len(mailbox.csv_rows(mailbox.attachment(messages[1], "csv")[1])) == 4
    assert all(exported_at(rt, p.id_number, period.id) == EVENING for p in people)
    assert PasserStore().state(period.id).exported == 3


def test_full_also_exports_passers_not_yet_exported(rt, period, travel, api):
    add_passers(rt, period, range(2))
    travel(EVENING)
    response = api.staff("POST", f"/api/admin/periods/{period.id}/export", {"full": True})
    assert body(response)["export"]["count"] == 2
    assert export.export_passers(rt).exported == []


def test_staff_may_export_during_the_exam_and_the_evening_run_sends_the_rest(rt, period, travel, api):
    # The schedule waits for the exam to end; a staff member asking now gets who has passed so far.
    early = add_passers(rt, period, range(2))
    travel(beijing(2026, 12, 18, 10))
    response = api.staff("POST", f"/api/admin/periods/{period.id}/export")
    assert response.status_code == 200
    assert body(response)["export"]["count"] == 2
    assert export.export_passers(rt).exported == []  # the scheduled run: the exam is not over
    late = add_passers(rt, period, range(2, 5))
    travel(EVENING)
    summary = export.export_passers(rt)
    assert [(r.period_id, r.count) for r in summary.exported] == [(period.id, 3)]
    sent = [mailbox.csv_rows(mailbox.attachment(m, "csv")[1]) for m in staff_emails(rt)]
    ids = [row[COLUMNS.index("身份证号")] for rows in sent for row in rows[1:]]
    assert sorted(ids) == sorted(p.id_number for p in early + late)


@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [('{"full": "yes"}', 422, "full"), ("[]", 400, None), ("not json", 400, None)],
)
def test_route_refuses_a_bad_body(rt, period, travel, api, raw, status, field):
    travel(EVENING)
    response = api.staff("POST", f"/api/admin/periods/{period.id}/export", raw=raw)
    assert response.status_code == status
    assert body(response)["error"].get("field") == field


def test_route_404_for_an_unknown_period_and_401_without_a_token(rt, api):
    assert api.staff("POST", "/api/admin/periods/nope/export").status_code == 404
    assert api.post("/api/admin/periods/nope/export").status_code == 401


def test_a_failed_export_warns_staff_at_once_naming_the_period(rt, period, travel, monkeypatch):
    add_passers(rt, period, range(2))
    monkeypatch.setenv("EXPORT_RECIPIENTS", "")  # the export cannot be sent; staff alerts still can
    travel(beijing(2026, 12, 21, 19))  # the 1st working day after the exam
    current = runtime.current()
    aws.client("ses", current.settings.ses_region).verify_email_identity(
        EmailAddress=current.settings.ses_sender
    )

    summary = export.export_passers(current)

    assert summary.failed == [period.id] and summary.warned == [period.id]
    [warning] = mailbox.text_emails(current.settings.ses_region)
    assert warning.to == ["staff@hr-exam.local"]
    assert period.name in warning.subject and "导出失败" in warning.subject and "2 名" in warning.subject
    assert "2026年12月25日" in warning.body and "mail_not_configured" in warning.body


def test_warning_on_the_fourth_working_day_when_passers_are_still_unexported(rt, period, travel):
    add_passers(rt, period, range(2))
    store = rt.passer_store()
    # Another run holds the period (a run killed mid-export holds it until its lease expires).
    travel(beijing(2026, 12, 23, 19))  # the 3rd working day
    assert store.acquire_lease(period.id, "another-run", beijing(2026, 12, 23, 19), dt.timedelta(days=5))
    summary = export.export_passers(rt)
    assert summary.skipped == [period.id] and summary.warned == []
    assert mailbox.text_emails(rt.settings.ses_region) == []

    travel(beijing(2026, 12, 24, 19))  # the 4th
    summary = export.export_passers(rt)

    assert summary.skipped == [period.id] and summary.warned == [period.id]
    [warning] = mailbox.text_emails(rt.settings.ses_region)
    assert warning.to == ["staff@hr-exam.local"]
    assert "2 名" in warning.subject and "临近" in warning.subject
    assert "2026年12月25日" in warning.body and "另一次导出正在进行" in warning.body


def test_the_schedule_function_is_named_export_passers(rt, period, travel):
    add_passers(rt, period, range(1))
    travel(EVENING)
    with Client(app, stage_name="local", project_dir=PROJECT) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        client.lambda_.invoke("export_passers", event)
    [message] = staff_emails(rt)
    assert "1 人" in message["Subject"]


def test_an_export_too_large_for_ses_is_refused_before_sending_and_marks_nothing(
    rt, swap, period, travel, api
):
    people = add_passers(rt, period, range(2))
    travel(EVENING)
    rt = swap(
        mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt), raw_limit=1000)
    )

    response = api.staff("POST", f"/api/admin/periods/{period.id}/export")

    assert response.status_code == 503 and body(response)["error"]["code"] == "mail_too_large"
    assert staff_emails(rt) == []
    assert all(exported_at(rt, p.id_number, period.id) is None for p in people)


def test_an_export_too_large_for_one_email_goes_out_in_parts_that_each_fit(rt, swap, period, travel, api):
    bulk_passers(rt, period, 400)
    travel(EVENING)
    limit = 70_000  # the whole export's e-mail is about 100 KB
    rt = swap(
        mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt), raw_limit=limit)
    )

    response = api.staff("POST", f"/api/admin/periods/{period.id}/export")

    assert response.status_code == 200 and body(response)["export"]["count"] == 400
    messages = staff_emails(rt)
    assert len(messages) >= 2
    assert all(len(message.as_bytes()) <= limit for message in messages)
    assert [message["Subject"].rsplit("（", 1)[1] for message in messages] == [
        f"第 {n}/{len(messages)} 封）" for n in range(1, len(messages) + 1)
    ]
    csv_rows: list[list[str]] = []
    xlsx_ids: list[str] = []
    for message in messages:
        _, csv_data = mailbox.attachment(message, "csv")
        header, *rows = mailbox.csv_rows(csv_data)
        assert header == list(COLUMNS)
        csv_rows += rows
        _, xlsx_data = mailbox.attachment(message, "xlsx")
        xlsx_ids += [row[2].value for row in list(mailbox.xlsx_sheet(xlsx_data).iter_rows())[1:]]
    # Every passer once, in the order of the whole file kept in S3.
    s3 = aws.client("s3", rt.settings.region)
    key = body(response)["export"]["csv_key"]
    _, *whole = mailbox.csv_rows(s3.get_object(Bucket=rt.settings.bucket_name, Key=key)["Body"].read())
    assert csv_rows == whole and len(whole) == 400
    assert xlsx_ids == [row[2] for row in whole]
    assert PasserStore().count_pending(period.id) == 0


def test_when_one_part_of_a_split_export_fails_nothing_is_marked_and_the_next_run_sends_all(
    rt, swap, period, travel
):
    bulk_passers(rt, period, 400)
    travel(EVENING)
    client = boto3.client("ses", region_name=rt.settings.ses_region)
    stubber = Stubber(client)
    stubber.add_response("send_raw_email", {"MessageId": "part-1"})
    stubber.add_client_error("send_raw_email", service_error_code="Throttling", http_status_code=400)
    stubber.activate()
    rt = swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, client=client, raw_limit=70_000))

    summary = export.export_passers(rt)

    assert summary.failed == [period.id] and summary.exported == []
    assert PasserStore().count_pending(period.id) == 400
    rt = swap(
        mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt), raw_limit=70_000)
    )
    [result] = export.export_passers(rt).exported
    assert (result.count, result.marked) == (400, 400)
    assert PasserStore().count_pending(period.id) == 0
