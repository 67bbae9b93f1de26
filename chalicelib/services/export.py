"""Export passers to staff by e-mail, exactly once: the scheduled run, the route and the CLI.

One period's export, under the period's lease (so two runs never overlap):

1. finish the marks of an earlier run that died after its e-mail was accepted;
2. stream the passers after the watermark (every passer, with `full`) from a
   Query into a CSV and an XLSX on disk;
3. with nothing to send, stop: no e-mail;
4. copy both files to S3, then send one raw e-mail with both attached (an export
   too large for SES's 10 MB goes out as several e-mails, each with a CSV and an
   XLSX of its share of the rows, all built before the first is sent); when staff
   have set up the city's import template, each e-mail also carries its rows in
   that layout, at most `CITY_TEMPLATE_MAX_ROWS` a file;
5. only once SES has accepted it, move the watermark and mark the passers.

When S3 or SES fails nothing is marked and the watermark does not move: the
next run sends the same passers again. Logs carry the period id and counts,
never personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib import clock
from chalicelib.domain import export as rules
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import (
    CalendarUnknown,
    DomainError,
    ExportRunning,
    Invalid,
    MailNotConfigured,
    MailTooLarge,
)
from chalicelib.domain.mails import export_failed_mail, export_mail, export_warning_mail
from chalicelib.domain.periods import Period
from chalicelib.runtime import Runtime
from chalicelib.services import city_template
from chalicelib.services.calendar import work_calendar
from chalicelib.services.entries import entry_store
from chalicelib.services.export_files import ExportFiles
from chalicelib.services.mail import mailer
from chalicelib.storage import archive, keys
from chalicelib.storage.exports import PasserKey, PasserStore
from chalicelib.storage.mail import Attachment, Mailer

log = logging.getLogger("hr_exam.export")
# The run's counts are the operator's record of what was sent: keep them in the log.
log.setLevel(logging.INFO)

# Longer than any Lambda may run (15 minutes): a lease outlives its holder
# only when the holder was killed, and then it expires by itself.
LEASE = dt.timedelta(minutes=20)
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# progress(phase, done, total): phases are "read", "xlsx" and "mark".
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ExportResult:
    period_id: str
    count: int
    csv_key: str | None = None
    xlsx_key: str | None = None
    recipients: tuple[str, ...] = ()
    marked: int = 0

    def public(self) -> dict[str, Any]:
        """The contract's `export` object."""
        return {
            "period_id": self.period_id,
            "count": self.count,
            "csv_key": self.csv_key,
            "xlsx_key": self.xlsx_key,
            "recipients": list(self.recipients),
        }


@dataclass
class RunSummary:
    exported: list[ExportResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)


def _log(event: str, **counts: Any) -> None:
    log.info(json.dumps({"type": "export", "event": event, **counts}, separators=(",", ":")))


@contextmanager
def period_lease(rt: Runtime, period_id: str, now: dt.datetime) -> Iterator[str]:
    """Hold the period's export lease for the block, or raise `ExportRunning`."""
    holder = uuid.uuid4().hex
    store = rt.passer_store()
    if not store.acquire_lease(period_id, holder, now, LEASE):
        raise ExportRunning()
    try:
        yield holder
    finally:
        store.release_lease(period_id, holder)


def full_option(body: Mapping[str, object]) -> bool:
    """The route's optional `full` flag: a boolean or nothing."""
    full = body.get("full", False)
    if not isinstance(full, bool):
        raise Invalid("full", "full 应为 true（重新发送全部通过人员）或 false。")
    return full


def export_period(
    rt: Runtime, period_id: str, full: bool = False, progress: Progress | None = None
) -> ExportResult:
    """Export one period now (the staff route and the CLI): new passers, or everyone with `full`.

    Unlike the schedule, a staff member may ask before the exam is over: they
    get who has passed so far, and the schedule sends the rest after the exam
    (the watermark re-reads any passer that lands behind it)."""
    period = rt.periods.get(period_id)
    now = clock.now()
    with period_lease(rt, period.id, now):
        return _export(rt, period, full, now, progress)


def _deadline(rt: Runtime, period: Period) -> dt.date | None:
    try:
        return rules.deadline(work_calendar(rt), period)
    except CalendarUnknown:
        return None


def _export(
    rt: Runtime, period: Period, full: bool, now: dt.datetime, progress: Progress | None
) -> ExportResult:
    """One period's export; the caller holds the period's lease."""
    store = rt.passer_store()
    recipients = rt.settings.export_recipients
    if not recipients or not rt.settings.ses_sender:
        raise MailNotConfigured()
    state = store.state(period.id)
    if state.unmarked and state.through is not None:
        # An earlier run's e-mail was accepted, but that run died before marking all.
        marked = store.mark_pending_through(period.id, state.through, now)
        store.record_marked(period.id, state.through)
        _log("recovered", period_id=period.id, marked=marked)

    total = store.count(period.id, full) if progress is not None else None
    stem = f"passers-{period.id}-{now.strftime('%Y%m%dT%H%M%S')}"
    newest, new_count = state.through, 0
    with (
        tempfile.TemporaryDirectory(prefix="export-") as directory,
        ExportFiles(period, Path(directory), stem) as files,
        (Path(directory) / "marks.tsv").open("w+", encoding="ascii") as marks,
    ):
        for record in store.passers(period.id, state.through, full):
            files.add(record.passer)
            if record.new:
                # The keys to mark once SES has accepted the e-mail: on disk, not in memory.
                marks.write("\t".join(record.key) + "\n")
                new_count += 1
                newest = record.sort_key if newest is None else max(newest, record.sort_key)
            if progress is not None and files.count % 250 == 0:
                progress("read", files.count, total)
        if progress is not None:
            progress("read", files.count, total)
        if files.count == 0:
            _log("nothing_new", period_id=period.id, full=full)
            return ExportResult(period.id, 0)
        # The city's import template, when staff have set one up: its files beside ours.
        files.city = city_template.for_export(rt)
        files.finish(None if progress is None else lambda n: progress("xlsx", n, files.count))
        csv_key, xlsx_key = _send(rt, period, files, full, recipients, now)
        sent = files.count

        # SES has accepted the e-mail: from here on, these passers are exported.
        marked = 0
        if not store.record_sent(period.id, state.through, newest, new_count, sent, csv_key, xlsx_key, now):
            log.error("export watermark of period %s moved during the run; marks left to that run", period.id)
        elif new_count:
            assert newest is not None
            marks.seek(0)
            on_progress = None if progress is None else (lambda n: progress("mark", n, new_count))
            marked = store.mark(_read_keys(marks), now, on_progress)
            store.record_marked(period.id, newest)
    _log("sent", period_id=period.id, full=full, count=sent, new=new_count, marked=marked)
    return ExportResult(period.id, sent, csv_key, xlsx_key, tuple(recipients), marked)


def _read_keys(lines: Iterable[str]) -> Iterator[PasserKey]:
    for line in lines:
        pk, sk, sort_key = line.rstrip("\n").split("\t")
        yield pk, sk, sort_key


def _send(
    rt: Runtime,
    period: Period,
    files: ExportFiles,
    full: bool,
    recipients: tuple[str, ...],
    now: dt.datetime,
) -> tuple[str, str]:
    """Copy both files to S3, then e-mail them; raises (and nothing is marked) when either fails."""
    csv_key = keys.export_key(period.id, now, "csv")
    xlsx_key = keys.export_key(period.id, now, "xlsx")
    bucket, region = rt.settings.bucket_name, rt.settings.region
    archive.put_file(bucket, region, csv_key, files.csv_path, CSV_TYPE)
    archive.put_file(bucket, region, xlsx_key, files.xlsx_path, XLSX_TYPE)
    deadline = _deadline(rt, period)
    archived = (csv_key, xlsx_key)
    sender = mailer(rt)
    whole = export_mail(
        period,
        files.count,
        deadline,
        full,
        (files.csv_path.name, files.xlsx_path.name),
        archived,
        **_city_names(files, files.city_paths),
    )
    try:
        attachments = _attachments(files.csv_path, files.xlsx_path, files.city_paths)
        messages = [sender.compose(recipients, whole, attachments)]
    except MailTooLarge as too_large:
        messages = _messages_in_parts(
            sender, period, files, deadline, full, recipients, archived, too_large.size
        )
    # Every message is built (and fits) before the first is sent. A failure after some
    # were accepted marks nothing: the next run sends every part again.
    for message in messages:
        sender.send_raw(recipients, message)
    if len(messages) > 1:
        _log("split", period_id=period.id, count=files.count, emails=len(messages))
    return csv_key, xlsx_key


def _attachments(csv_path: Path, xlsx_path: Path, city_paths: tuple[Path, ...] = ()) -> list[Attachment]:
    """Today's CSV and Excel, then the same rows in the city's template (when set up)."""
    return [
        Attachment(csv_path.name, csv_path, CSV_TYPE),
        Attachment(xlsx_path.name, xlsx_path, XLSX_TYPE),
        *(Attachment(path.name, path, XLSX_TYPE) for path in city_paths),
    ]


def _city_names(files: ExportFiles, paths: tuple[Path, ...]) -> dict[str, Any]:
    """The e-mail's words on the city's template files: none without a template."""
    if files.city is None or not paths:
        return {}
    return {"city": tuple(path.name for path in paths), "city_sheet": files.city.layout.sheet}


def _messages_in_parts(
    sender: Mailer,
    period: Period,
    files: ExportFiles,
    deadline: dt.date | None,
    full: bool,
    recipients: tuple[str, ...],
    archived: tuple[str, str],
    size: int,
) -> list[bytes]:
    """An export too large for one e-mail (SES takes 10 MB): its rows over as many e-mails as
    it takes, each with a CSV and an XLSX of its own. `MailTooLarge` when not even one
    passer per e-mail would fit."""
    parts = rules.parts_for(size, sender.raw_limit)
    while True:
        pieces = files.split(parts)
        try:
            return [
                sender.compose(
                    recipients,
                    export_mail(
                        period,
                        files.count,
                        deadline,
                        full,
                        (piece.csv_path.name, piece.xlsx_path.name),
                        archived,
                        part=piece,
                        **_city_names(files, piece.city_paths),
                    ),
                    _attachments(piece.csv_path, piece.xlsx_path, piece.city_paths),
                )
                for piece in pieces
            ]
        except MailTooLarge:
            if len(pieces) >= files.count:
                raise
            parts = min(parts * 2, files.count)


def export_passers(rt: Runtime) -> RunSummary:
    """The scheduled run: every period whose exam has ended, its new passers; then the deadline check.

    Each period is exported on its own: whatever goes wrong with one (S3, SES,
    an e-mail that cannot be built, a bug) is logged, staff are warned by an
    e-mail naming that period, and the run goes on with the next. Nothing of
    the failed period is marked, so a later run exports it once it can be."""
    now = clock.now()
    store = rt.passer_store()
    summary = RunSummary()
    # Read once a run, and only when some period is old enough for its deadline warning.
    calendar = functools.cache(lambda: work_calendar(rt))
    for period in rt.repo.list_periods():
        if not rules.exam_has_ended(period, now):
            continue
        try:
            reason = _export_ended(rt, store, period, now, summary)
        except Exception as error:  # one period's failure must not stop the others
            summary.failed.append(period.id)
            _log_unexpected(period.id, error)
            if _warn_failed(rt, store, period, now, _unexpected_reason(error)):
                summary.warned.append(period.id)
            continue
        try:
            if period.id not in summary.warned and _warn_if_late(rt, calendar, period, now, reason):
                summary.warned.append(period.id)
        except Exception as error:  # nor may its warning
            log.error("period %s: deadline warning failed (%s)", period.id, type(error).__name__)
    return summary


def _export_ended(
    rt: Runtime, store: PasserStore, period: Period, now: dt.datetime, summary: RunSummary
) -> str | None:
    """One ended period's part of the scheduled run; raises only what nobody expected.

    Answers why passers may still be unexported (for the deadline warning), or None."""
    # One Query per ended period and day; a period with nothing pending costs nothing more.
    if not store.has_pending(period.id):
        return None
    try:
        with period_lease(rt, period.id, now):
            summary.exported.append(_export(rt, period, False, now, None))
        return None
    except ExportRunning:
        summary.skipped.append(period.id)
        _log("skipped_running", period_id=period.id)
        return "另一次导出正在进行（如持续出现，可能是上次导出异常中断，租约将在 20 分钟后过期）。"
    except DomainError as error:
        summary.failed.append(period.id)
        _log("failed", period_id=period.id, code=error.code)
        reason = f"导出失败（{error.code}）：{error.message}"
    if _warn_failed(rt, store, period, now, reason):
        summary.warned.append(period.id)
    return reason


def _unexpected_reason(error: BaseException) -> str:
    return (
        f"导出文件或邮件无法生成（内部错误 {type(error).__name__}）。其他期次的导出不受影响；"
        "该期次的通过人员均未标记为已导出，问题修复后下一次导出会发送。请联系技术人员查看日志。"
    )


def _log_unexpected(period_id: str, error: BaseException) -> None:
    """The failure's type and where it was raised; never its message, which may quote a passer."""
    frames = traceback.extract_tb(error.__traceback__)
    where = [f"{Path(frame.filename).name}:{frame.lineno}:{frame.name}" for frame in frames[-5:]]
    log.error(
        json.dumps(
            {
                "type": "export",
                "event": "failed",
                "period_id": period_id,
                "error": type(error).__name__,
                "at": where,
            },
            separators=(",", ":"),
        )
    )


def _warn_failed(rt: Runtime, store: PasserStore, period: Period, now: dt.datetime, reason: str) -> bool:
    """A period whose export failed: staff are told at once, naming it, whatever the deadline."""
    try:
        return _warn(rt, store, period, now, reason)
    except Exception as error:  # nor may its warning
        log.error("period %s: export failure warning could not be sent (%s)", period.id, type(error).__name__)
        return False


def _warn_if_late(
    rt: Runtime, calendar: Callable[[], WorkCalendar], period: Period, now: dt.datetime, reason: str | None
) -> bool:
    """From the 4th working day after the exam, tell staff about passers not yet entered into
    the city's system (exported or not), every run until all are; True when it was sent."""
    if not rules.warning_possible(period, now.date()):
        return False
    try:
        if not rules.warning_due(calendar(), period, now.date()):
            return False
        counts = entry_store(rt).counts(period.id)
        if counts.outstanding == 0:
            return False
        recipients = rt.settings.staff_alert_recipients
        if not recipients:
            log.error(
                "period %s: %d passers not entered near the deadline and no staff to warn",
                period.id,
                counts.outstanding,
            )
            return False
        mail = export_warning_mail(period, counts, _deadline(rt, period), now.date(), reason)
        mailer(rt).send_text(recipients, mail)
    except CalendarUnknown:
        log.warning("calendar unknown for period %s: deadline warning not evaluated", period.id)
        return False
    except DomainError as error:
        log.error("period %s: deadline warning could not be sent (%s)", period.id, error.code)
        return False
    _log("warned", period_id=period.id, outstanding=counts.outstanding, unexported=counts.not_exported)
    return True


def _warn(rt: Runtime, store: PasserStore, period: Period, now: dt.datetime, reason: str) -> bool:
    """E-mail staff that this period's export failed, with its passers still unexported; True when sent."""
    pending = store.count_pending(period.id)
    if pending == 0:
        return False
    recipients = rt.settings.staff_alert_recipients
    if not recipients:
        log.error(
            "period %s: %d passers unexported near the deadline and no staff to warn", period.id, pending
        )
        return False
    mail = export_failed_mail(period, pending, _deadline(rt, period), now.date(), reason)
    try:
        mailer(rt).send_text(recipients, mail)
    except DomainError as error:
        log.error("period %s: export warning could not be sent (%s)", period.id, error.code)
        return False
    _log("warned", period_id=period.id, pending=pending, failed=True)
    return True
