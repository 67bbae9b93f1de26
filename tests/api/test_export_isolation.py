"""One period whose export cannot be built never stops the others (contract v2, "Other").

The failure is injected as the mailer the run uses (swapped into the runtime): a
Mailer that cannot build the e-mail of one period, as the e-mail of a period
whose name held a line break once could not. The other two periods go out,
staff are warned about the one, nothing of it is marked, and a later run, with
the fault gone, exports it exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from typing import Any

import pytest

from chalicelib.domain.mails import Mail
from chalicelib.domain.periods import Period
from chalicelib.runtime import Runtime
from chalicelib.services import export, mail
from chalicelib.storage.mail import Attachment, Mailer
from tests.api.conftest import Swap
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import add_passers, make_period

EVENING = beijing(2026, 12, 18, 19)


class CannotBuild(Mailer):
    """The stage's transport as usual, except that the export e-mail of one period cannot be built."""

    def __init__(self, rt: Runtime, broken: str, error: Exception) -> None:
        super().__init__(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt))
        self.broken = broken
        self.error = error

    def compose(self, recipients: Sequence[str], mail: Mail, attachments: Sequence[Attachment]) -> bytes:
        # Only the export itself (it has attachments): over SMTP the warning is composed here too.
        if self.broken in mail.subject and attachments:
            raise self.error
        return super().compose(recipients, mail, attachments)


@pytest.fixture
def three_periods(rt: Runtime, travel: Any) -> list[Period]:
    travel(beijing(2026, 12, 18, 12))
    periods = [
        make_period(rt, dt.date(2026, 12, 4), name="十二月第一期"),
        make_period(rt, dt.date(2026, 12, 11), name="十二月第二期"),
        make_period(rt, dt.date(2026, 12, 18), name="十二月第三期"),
    ]
    for n, period in enumerate(periods):
        add_passers(rt, period, range(10 * n, 10 * n + 2))
    travel(EVENING)
    return periods


def exported_of(rt: Runtime, period: Period) -> list[dt.datetime | None]:
    return [r.exported_at for r in rt.repo.iter_period_registrations(period.id)]


def export_subjects(rt: Runtime) -> list[str]:
    return sorted(str(message["Subject"]) for message in mailbox.raw_emails(rt.settings.ses_region))


@pytest.mark.parametrize(
    "error",
    [ValueError("Header values may not contain linefeed or carriage return characters"), KeyError("x")],
    ids=["header", "bug"],
)
def test_a_period_whose_export_cannot_be_built_never_stops_the_others(
    rt: Runtime, swap: Swap, three_periods: list[Period], error: Exception, caplog: Any, travel: Any
) -> None:
    first, broken, third = three_periods
    rt = swap(mailer=CannotBuild(rt, broken.name, error))

    with caplog.at_level(logging.INFO, logger="hr_exam.export"):
        summary = export.export_passers(rt)

    assert sorted(result.period_id for result in summary.exported) == sorted([first.id, third.id])
    # The first period is past its 4th working day with no passer entered yet: staff are reminded too.
    assert summary.failed == [broken.id] and summary.warned == [first.id, broken.id]
    subjects = export_subjects(rt)
    assert len(subjects) == 2 and all(broken.name not in subject for subject in subjects)
    assert exported_of(rt, first) == [EVENING, EVENING] and exported_of(rt, third) == [EVENING, EVENING]
    # Nothing is marked exported that was not sent.
    assert exported_of(rt, broken) == [None, None]

    [warning] = [m for m in mailbox.text_emails(rt.settings.ses_region) if "导出失败" in m.subject]
    assert warning.to == list(rt.settings.staff_alert_recipients)
    assert broken.name in warning.subject and "导出失败" in warning.subject
    assert broken.id in warning.body and "2 人" in warning.body
    assert type(error).__name__ in warning.body
    # The log names the period and where it failed, never the error's text.
    failures = [json.loads(r.getMessage()) for r in caplog.records if '"event":"failed"' in r.getMessage()]
    assert [(f["period_id"], f["error"]) for f in failures] == [(broken.id, type(error).__name__)]
    assert all(str(error) not in record.getMessage() for record in caplog.records)

    # The fault is fixed: the next run exports the failed period once, and nothing else.
    rt = swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt)))
    travel(EVENING + dt.timedelta(days=1))
    summary = export.export_passers(rt)

    assert [result.period_id for result in summary.exported] == [broken.id]
    assert summary.failed == [] and summary.exported[0].count == 2
    assert len(export_subjects(rt)) == 3
    assert exported_of(rt, broken) == [EVENING + dt.timedelta(days=1)] * 2
    assert exported_of(rt, first) == [EVENING, EVENING]

    assert export.export_passers(rt).exported == []


def test_a_failure_before_the_export_is_built_is_isolated_too(
    rt: Runtime, swap: Swap, three_periods: list[Period]
) -> None:
    """Even the read of whether anything is pending may fail for one period only."""
    first, broken, third = three_periods

    class Flaky(export.PasserStore):
        def has_pending(self, period_id: str) -> bool:
            if period_id == broken.id:
                raise RuntimeError("index unreadable")
            return super().has_pending(period_id)

    summary = export.export_passers(swap(passers=Flaky()))

    assert sorted(result.period_id for result in summary.exported) == sorted([first.id, third.id])
    assert summary.failed == [broken.id]
    assert exported_of(rt, broken) == [None, None]
