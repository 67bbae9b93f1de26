"""Exam periods: their registration windows, exam windows and what today is.

A period is one monthly cycle: a registration window, then one exam date with
a start and end time. The permanent QR code opens whatever today calls for,
so `today_mode` is the rule the whole candidate side follows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, Literal

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import CalendarUnknown, Conflict, Invalid
from chalicelib.domain.text import has_unprintable
from chalicelib.values import value_class

# Submissions are accepted this long after the exam's end: phones on a weak
# connection still get their answers in.
SUBMIT_GRACE = dt.timedelta(minutes=10)
NAME_MAX = 60
NOTES_MAX = 2000

Mode = Literal["register", "exam", "closed"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


@value_class
class Period:
    """One monthly period: its registration window and its exam."""

    id: str
    name: str
    exam_date: dt.date
    exam_start: dt.time
    exam_end: dt.time
    registration_opens: dt.date
    registration_closes: dt.date
    notes: str = ""
    paper_key: str | None = None

    def __init__(
        self,
        id: str,
        name: str,
        exam_date: dt.date,
        exam_start: dt.time,
        exam_end: dt.time,
        registration_opens: dt.date,
        registration_closes: dt.date,
        notes: str = "",
        paper_key: str | None = None,
    ) -> None:
        self.__dict__.update(
            id=id,
            name=name,
            exam_date=exam_date,
            exam_start=exam_start,
            exam_end=exam_end,
            registration_opens=registration_opens,
            registration_closes=registration_closes,
            notes=notes,
            paper_key=paper_key,
        )

    def public(self) -> dict[str, Any]:
        """The contract's `Period` object."""
        return {
            "id": self.id,
            "name": self.name,
            "exam_date": self.exam_date.isoformat(),
            "exam_start": self.exam_start.strftime("%H:%M"),
            "exam_end": self.exam_end.strftime("%H:%M"),
            "registration_opens": self.registration_opens.isoformat(),
            "registration_closes": self.registration_closes.isoformat(),
            "notes": self.notes,
        }

    def is_open_for_registration(self, day: dt.date) -> bool:
        return self.registration_opens <= day <= self.registration_closes

    def exam_starts_at(self, tz: dt.tzinfo) -> dt.datetime:
        return dt.datetime.combine(self.exam_date, self.exam_start, tzinfo=tz)

    def exam_ends_at(self, tz: dt.tzinfo) -> dt.datetime:
        return dt.datetime.combine(self.exam_date, self.exam_end, tzinfo=tz)

    def submissions_close_at(self, tz: dt.tzinfo) -> dt.datetime:
        return self.exam_ends_at(tz) + SUBMIT_GRACE

    def accepts_submissions(self, now: dt.datetime) -> bool:
        """Inside the exam window plus the grace for late submissions."""
        tz = now.tzinfo
        assert tz is not None, "the clock always gives aware datetimes"
        return self.exam_starts_at(tz) <= now <= self.submissions_close_at(tz)

    def exam_is_open(self, now: dt.datetime) -> bool:
        """When a candidate may start (or resume) the exam."""
        tz = now.tzinfo
        assert tz is not None, "the clock always gives aware datetimes"
        return self.exam_starts_at(tz) <= now < self.exam_ends_at(tz)

    def exam_is_over(self, now: dt.datetime) -> bool:
        """True once no submission can arrive any more."""
        tz = now.tzinfo
        assert tz is not None, "the clock always gives aware datetimes"
        return now > self.submissions_close_at(tz)


@value_class
class Today:
    """What today is for candidates: the mode of the site and the period it is about."""

    date: dt.date
    mode: Mode
    period: Period | None

    def __init__(self, date: dt.date, mode: Mode, period: Period | None) -> None:
        self.__dict__.update(date=date, mode=mode, period=period)

    def public(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "mode": self.mode,
            "period": self.period.public() if self.period else None,
        }


def today_mode(periods: Iterable[Period], day: dt.date) -> Today:
    """What the permanent QR code opens on `day`.

    An exam date wins over everything: registration is refused all day.
    Otherwise the period whose registration window contains the day.
    Otherwise closed, pointing at the next period whose exam is still ahead
    (also when its registration has already closed), so the page can say when
    registration opens or when the exam is.
    """
    ordered = sorted(periods, key=lambda p: p.exam_date)
    for period in ordered:
        if period.exam_date == day:
            return Today(day, "exam", period)
    for period in ordered:
        if period.is_open_for_registration(day):
            return Today(day, "register", period)
    upcoming = [p for p in ordered if p.exam_date > day]
    return Today(day, "closed", upcoming[0] if upcoming else None)


def _parse_date(value: object, field: str) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise Invalid(field, "日期格式应为 YYYY-MM-DD。")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(field, "日期不存在，请核对。") from exc


def _parse_time(value: object, field: str) -> dt.time:
    if not isinstance(value, str) or not _TIME.match(value):
        raise Invalid(field, "时间格式应为 HH:MM（24 小时制）。")
    try:
        return dt.time.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(field, "时间不存在，请核对。") from exc


def _parse_text(value: object, field: str, limit: int, required: bool, line_breaks: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(field, "请填写此项。" if required else "应为文字。")
    text = value.strip()
    if len(text) > limit:
        raise Invalid(field, f"不能超过 {limit} 个字符。")
    if has_unprintable(text, line_breaks=line_breaks):
        allowed = "除换行外不能含有控制字符" if line_breaks else "不能含有换行或控制字符"
        raise Invalid(field, f"{allowed}，请删除后重新提交。")
    return text


def new_period(
    body: Mapping[str, object],
    id_for: Callable[[dt.date], str],
    today: dt.date,
    calendar: WorkCalendar,
    existing: Iterable[Period],
) -> Period:
    """Validate a staff request to create a period and fill in the default window.

    By default registration opens on the first working day after the
    previous exam (the latest exam date before this one; today when there is
    none) and closes the day before the exam.
    """
    name = _parse_text(body.get("name"), "name", NAME_MAX, required=True)
    exam_date = _parse_date(body.get("exam_date"), "exam_date")
    exam_start = _parse_time(body.get("exam_start"), "exam_start")
    exam_end = _parse_time(body.get("exam_end"), "exam_end")
    notes = _parse_text(body.get("notes"), "notes", NOTES_MAX, required=False, line_breaks=True)
    if exam_date < today:
        raise Invalid("exam_date", "考试日期不能早于今天。")
    if exam_end <= exam_start:
        raise Invalid("exam_end", "考试结束时间须晚于开始时间。")
    others = sorted(existing, key=lambda p: p.exam_date)
    for other in others:
        if other.exam_date == exam_date:
            raise Conflict(
                f"{exam_date} 已有考试期次「{other.name}」，每天只能安排一场考试。",
                field="exam_date",
                code="exam_date_taken",
            )

    if body.get("registration_opens") is not None:
        opens = _parse_date(body.get("registration_opens"), "registration_opens")
    else:
        earlier = [p.exam_date for p in others if p.exam_date < exam_date]
        try:
            opens = calendar.first_working_day_after(earlier[-1]) if earlier else today
        except CalendarUnknown as exc:
            raise CalendarUnknown(exc.year, field="exam_date") from exc
    if body.get("registration_closes") is not None:
        closes = _parse_date(body.get("registration_closes"), "registration_closes")
    else:
        closes = exam_date - dt.timedelta(days=1)

    if closes >= exam_date:
        raise Invalid("registration_closes", "报名截止日期须早于考试日期。")
    if opens > closes:
        raise Conflict(
            f"报名开始日期 {opens} 晚于截止日期 {closes}，报名期为空。请调整考试日期或指定报名起止日期。",
            field="registration_opens",
            code="registration_window_empty",
        )
    for other in others:
        if opens <= other.registration_closes and other.registration_opens <= closes:
            raise Conflict(
                f"报名期 {opens} 至 {closes} 与期次「{other.name}」的报名期"
                f"（{other.registration_opens} 至 {other.registration_closes}）重叠。",
                field="registration_opens",
                code="registration_overlap",
            )
        if other.is_open_for_registration(exam_date):
            raise Conflict(
                f"考试日期 {exam_date} 落在期次「{other.name}」的报名期内，请另选日期。",
                field="exam_date",
                code="registration_overlap",
            )
        if opens <= other.exam_date <= closes:
            raise Conflict(
                f"报名期包含期次「{other.name}」的考试日期 {other.exam_date}，请调整报名起止日期。",
                field="registration_opens",
                code="registration_overlap",
            )
    return Period(
        id=id_for(exam_date),
        name=name,
        exam_date=exam_date,
        exam_start=exam_start,
        exam_end=exam_end,
        registration_opens=opens,
        registration_closes=closes,
        notes=notes,
    )


PERIOD_FIELDS = (
    "name",
    "exam_date",
    "exam_start",
    "exam_end",
    "notes",
    "registration_opens",
    "registration_closes",
)


def corrected_period(
    period: Period,
    changes: Mapping[str, object],
    today: dt.date,
    calendar: WorkCalendar,
    existing: Iterable[Period],
) -> Period:
    """A staff correction (PATCH) of `period`, validated exactly as at creation.

    Fields not named keep their value. When the exam date moves and the
    registration window is not given, the window is computed again from the
    new date, as at creation. A period whose exam is past may still have its
    name or notes corrected: only a moved exam date must lie ahead.
    """
    body: dict[str, object] = {**period.public(), **{k: v for k, v in changes.items() if k in PERIOD_FIELDS}}
    moved = "exam_date" in changes and changes["exam_date"] != period.exam_date.isoformat()
    if moved:
        for field in ("registration_opens", "registration_closes"):
            if field not in changes:
                body.pop(field)
    others = [other for other in existing if other.id != period.id]
    checked_today = today if moved else min(today, period.exam_date)
    corrected = new_period(body, lambda _: period.id, checked_today, calendar, others)
    return replace(corrected, paper_key=period.paper_key)


def exam_time_changed(old: Period, new: Period) -> bool:
    """What registered candidates must be told about: when the exam takes place."""
    return (old.exam_date, old.exam_start, old.exam_end) != (new.exam_date, new.exam_start, new.exam_end)


def with_paper(period: Period, paper_key: str) -> Period:
    return replace(period, paper_key=paper_key)
