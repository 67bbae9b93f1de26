"""Entry into the city's system: staff mark a period's exported passers entered, and see the counts.

Marking is by the whole period (every exported passer not entered yet) or by
a list of ID numbers (pasted, listed, or a column of the city system's result
file). An ID number that is no exported passer of the period is reported,
masked, with its line, and nothing changes for it. The middleware audits the
request; the route adds the counts (never an ID number) to the audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib import clock
from chalicelib.domain import entries as rules
from chalicelib.domain import export as export_rules
from chalicelib.domain.errors import CalendarUnknown, EntriesInvalid
from chalicelib.domain.identity import mask_id_number
from chalicelib.domain.periods import Period
from chalicelib.runtime import Runtime
from chalicelib.services.calendar import work_calendar
from chalicelib.storage.entries import EntryStore


def entry_store(rt: Runtime) -> EntryStore:
    return EntryStore(rt.repo.id_hash, workers=rt.mark_workers())


@dataclass(frozen=True)
class Marking:
    """What one marking request did."""

    period_id: str
    mode: str
    entered_on: dt.date
    marked: int
    already: int
    not_passers: tuple[rules.Listed, ...] = ()
    unreadable: tuple[int, ...] = ()
    repeated: int = 0
    period: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "marked": self.marked,
            "already": self.already,
            "not_passers": [
                {"line": item.line, "id_number_masked": mask_id_number(item.id_number)}
                for item in self.not_passers
            ],
            "unreadable": list(self.unreadable),
            "repeated": self.repeated,
            "entered_on": self.entered_on.isoformat(),
            "period": self.period,
        }

    def audit_record(self) -> dict[str, str]:
        return {
            "mode": self.mode,
            "entered_on": self.entered_on.isoformat(),
            "marked": str(self.marked),
            "already": str(self.already),
            "not_passers": str(len(self.not_passers)),
        }


def _id_list(mode: str, body: Mapping[str, object], today: dt.date) -> rules.IdList:
    if mode == "id_numbers":
        values = body["id_numbers"]
        assert isinstance(values, list)
        return rules.parse_id_values(values, today)
    if mode == "text":
        return rules.parse_id_text(str(body["text"]), today)
    from chalicelib.services.entry_files import decode_upload, read_rows

    name, data = decode_upload(body["file"])
    return rules.parse_id_table(read_rows(name, data), today)


def mark(rt: Runtime, period_id: str, body: Mapping[str, object], staff: str) -> Marking:
    """`POST /api/admin/periods/{id}/entries`: mark passers entered into the city's system."""
    period = rt.periods.get(period_id)
    now = clock.now()
    entered_on = rules.entry_date(body.get("entered_on"), now.date(), period.exam_date)
    mode = rules.marking_mode(body)
    entry = rules.Entry(entered_on, staff, now)
    store = entry_store(rt)
    if mode == "all":
        marked, already = store.mark_all(period.id, entry)
        return Marking(period.id, mode, entered_on, marked, already, period=summary(rt, period, store))
    listed = _id_list(mode, body, now.date())
    if not listed.listed:
        if listed.unreadable:
            lines = "、".join(str(line) for line in listed.unreadable[:10])
            raise EntriesInvalid(f"没有可标记的身份证号：第 {lines} 行无法识别为身份证号，请核对。", mode)
        raise EntriesInvalid(field=mode)
    outcomes = store.mark(period.id, listed.id_numbers, entry)
    return Marking(
        period.id,
        mode,
        entered_on,
        marked=outcomes.count(rules.MARKED),
        already=outcomes.count(rules.ALREADY),
        not_passers=tuple(
            item for item, outcome in zip(listed.listed, outcomes, strict=True) if outcome == rules.NOT_PASSER
        ),
        unreadable=listed.unreadable,
        repeated=listed.repeated,
        period=summary(rt, period, store),
    )


def deadline(rt: Runtime, period: Period) -> dt.date | None:
    """The 5th working day after the exam, or None while the calendar does not know it."""
    try:
        return export_rules.deadline(work_calendar(rt), period)
    except CalendarUnknown:
        return None


def summary(rt: Runtime, period: Period, store: EntryStore | None = None) -> dict[str, Any]:
    """One period as the console's entry screen shows it: counts, deadline, whether it is late."""
    counts = (store or entry_store(rt)).counts(period.id)
    due = deadline(rt, period)
    today = clock.today()
    return {
        "period": period.public(),
        **counts.public(),
        "ended": export_rules.exam_has_ended(period, clock.now()),
        "deadline": due.isoformat() if due else None,
        "late": bool(due and today > due and counts.outstanding),
    }


def overview(rt: Runtime) -> dict[str, Any]:
    """`GET /api/admin/entries`: every period whose exam has ended, newest first."""
    now = clock.now()
    ended = [p for p in rt.repo.list_periods() if export_rules.exam_has_ended(p, now)]
    ended.sort(key=lambda p: p.exam_date, reverse=True)
    store = entry_store(rt)
    return {"periods": [summary(rt, period, store) for period in ended]}


def warnings(rt: Runtime) -> list[rules.EntryWarning]:
    """The console banner's entry warnings, oldest exam first: every period from the 4th working
    day after its exam (the deadline e-mail's day) while any of its passers is not entered.

    A period whose days the calendar does not know is left to the calendar's own warning."""
    today = clock.today()
    due = [p for p in rt.repo.list_periods() if export_rules.warning_possible(p, today)]
    if not due:
        return []
    calendar = work_calendar(rt)
    store = entry_store(rt)
    found = []
    for period in sorted(due, key=lambda p: p.exam_date):
        try:
            if not export_rules.warning_due(calendar, period, today):
                continue
            deadline = export_rules.deadline(calendar, period)
        except CalendarUnknown:
            continue
        counts = store.counts(period.id)
        if counts.outstanding:
            found.append(rules.EntryWarning(period.id, period.name, counts, deadline, today))
    return found


def period_entries(rt: Runtime, period_id: str) -> dict[str, Any]:
    """`GET /api/admin/periods/{id}/entries`."""
    return {"period": summary(rt, rt.periods.get(period_id))}
