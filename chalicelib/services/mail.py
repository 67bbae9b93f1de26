"""Candidates' e-mails: the outbox sender and the reminders before an exam.

Registration and submission queue their e-mail in the outbox within their
own write; `send_outbox` (a frequent schedule) sends what is due. A failed
send is logged with the kind of e-mail and the attempt, never the address,
and is retried by a later run after a growing pause; after `MAX_ATTEMPTS`
the entry is dropped with an error in the log for staff to see.
`queue_reminders` (a daily schedule) queues a reminder for every candidate of
a period from the working day before its exam until the exam.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib import clock
from chalicelib.config import SMTP_SECURITY_MODES
from chalicelib.domain.errors import CalendarUnknown, MailFailed, NotFound, Unavailable
from chalicelib.domain.mails import (
    Mail,
    confirmation_mail,
    details_changed_mail,
    exam_changed_mail,
    reminder_mail,
    result_mail,
)
from chalicelib.domain.registrations import Registration
from chalicelib.runtime import Runtime
from chalicelib.services.calendar import work_calendar
from chalicelib.storage.mail import Mailer
from chalicelib.storage.outbox import Outbox, OutboxEntry
from chalicelib.storage.smtp import DEFAULT_PORTS, SMTP_PASSWORD, SMTP_USERNAME, SmtpServer, SmtpTransport

log = logging.getLogger("hr_exam.mail")
log.setLevel(logging.INFO)

MAX_ATTEMPTS = 8
BATCH = 25
# A run stops taking new entries after this long, well inside its Lambda timeout.
BUDGET_SECONDS = 40.0


def mailer(rt: Runtime) -> Mailer:
    """The container's mailer; a test may put its own (an injected SES client) in `rt.mailer`."""
    if rt.mailer is None:
        rt.mailer = Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=smtp(rt))
    return rt.mailer


def smtp(rt: Runtime) -> SmtpTransport | None:
    """The stage's SMTP transport when MAIL_TRANSPORT is smtp; credentials from SSM when there."""
    settings = rt.settings
    if settings.mail_transport != "smtp":
        return None
    security = settings.smtp_security if settings.smtp_security in SMTP_SECURITY_MODES else "tls"
    port = int(settings.smtp_port) if settings.smtp_port.isdigit() else DEFAULT_PORTS[security]

    def credentials() -> tuple[str, str] | None:
        username = rt.secrets.find(SMTP_USERNAME)
        password = rt.secrets.find(SMTP_PASSWORD)
        if username is None or password is None:
            return None
        return username.decode(), password.decode()

    return SmtpTransport(SmtpServer(settings.smtp_host, port, security), credentials)


def retry_pause(attempt: int) -> dt.timedelta:
    """How long an entry is held on its n-th attempt: long enough to send, then a growing backoff."""
    return dt.timedelta(minutes=min(2 ** (attempt - 1), 60))


@dataclass
class OutboxRun:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def _compose(rt: Runtime, registration: Registration, kind: str, now: dt.datetime) -> Mail | None:
    """The e-mail an entry stands for, or None when there is nothing (left) to say."""
    try:
        period = rt.periods.get(registration.period_id)
    except NotFound:
        return None
    public_url = rt.settings.public_url
    if kind == "confirmation":
        from chalicelib.services.privacy_notice import notice_text

        return confirmation_mail(period, registration.contact, public_url, notice_text(rt.settings.notice))
    if kind == "reminder":
        if registration.result is not None or period.exam_is_over(now):
            return None
        return reminder_mail(period, registration.contact, public_url)
    if kind == "exam_changed":
        # Read fresh, not from this container's cache: the mail is about the change.
        current = next((p for p in rt.repo.list_periods() if p.id == registration.period_id), None)
        if current is None or registration.result is not None or current.exam_is_over(now):
            return None
        return exam_changed_mail(current, registration.contact, public_url)
    if kind == "details_changed":
        return details_changed_mail(period, registration.changes)
    if kind == "result" and registration.result is not None:
        from chalicelib.services.exam import shown_result

        result = shown_result(rt, period, registration) or registration.result
        return result_mail(period, registration.contact, result, public_url)
    return None


def _recipient(registration: Registration, kind: str) -> str:
    """A change notice goes to the address registered before the change; the rest to the current one."""
    if kind == "details_changed":
        previous = [change.old for change in registration.changes if change.field == "email"]
        if previous:
            return previous[-1]
    return registration.contact.email


def _send_one(rt: Runtime, outbox: Outbox, entry: OutboxEntry, now: dt.datetime, run: OutboxRun) -> None:
    registration = outbox.registration(entry)
    mail = _compose(rt, registration, entry.kind, now) if registration is not None else None
    if registration is None or mail is None:
        outbox.remove(entry)
        run.dropped += 1
        log.info("outbox entry dropped: kind=%s, nothing to send", entry.kind)
        return
    try:
        mailer(rt).send_text([_recipient(registration, entry.kind)], mail)
    except MailFailed:
        run.failed += 1
        attempt = entry.attempts + 1
        if attempt >= MAX_ATTEMPTS:
            outbox.remove(entry)
            run.dropped += 1
            log.error("outbox entry dropped after %d failed attempts: kind=%s", attempt, entry.kind)
        else:
            log.warning("outbox send failed: kind=%s attempt=%d, retried later", entry.kind, attempt)
        return
    outbox.remove(entry)
    run.sent += 1
    try:
        outbox.record_sent(entry, now)
    except Unavailable:
        # Sent is sent: only the helpdesk's note of it is missing.
        log.warning("sent e-mail not noted on its registration: kind=%s", entry.kind)


def send_outbox(
    rt: Runtime, budget_seconds: float = BUDGET_SECONDS, monotonic: Callable[[], float] = time.monotonic
) -> OutboxRun:
    """Send the candidates' e-mails that are due; what fails waits for a later run."""
    outbox = rt.outbox_store()
    run = OutboxRun()
    now = clock.now()
    stop_at = monotonic() + budget_seconds
    while monotonic() < stop_at:
        entries = outbox.due(now, BATCH)
        claimed = 0
        for entry in entries:
            if monotonic() >= stop_at:
                break
            if not outbox.claim(entry, now, retry_pause(entry.attempts + 1)):
                continue
            claimed += 1
            _send_one(rt, outbox, entry, now, run)
        # Claimed or failed entries are held, so the next Query moves on; nothing claimable: done.
        if claimed == 0 or len(entries) < BATCH:
            break
    if run.sent or run.failed or run.dropped:
        log.info(
            json.dumps({"type": "outbox", "sent": run.sent, "failed": run.failed, "dropped": run.dropped})
        )
    return run


def reminder_day(rt: Runtime, exam_date: dt.date) -> dt.date:
    try:
        return work_calendar(rt).last_working_day_before(exam_date)
    except CalendarUnknown:
        return exam_date - dt.timedelta(days=1)


def queue_reminders(rt: Runtime) -> int:
    """Queue reminders for the periods whose exam is after today, from the working day before it.

    Later days up to the exam catch candidates who registered after the first
    reminders went out (registration may stay open over a weekend)."""
    now = clock.now()
    today = now.date()
    outbox = rt.outbox_store()
    queued = 0
    for period in rt.periods.all():
        if period.exam_date <= today or today < reminder_day(rt, period.exam_date):
            continue
        count = outbox.queue_reminders(period.id, now)
        queued += count
        log.info(json.dumps({"type": "reminders", "period_id": period.id, "queued": count}))
    return queued
