"""Staff create periods; everyone asks what today is."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.periods import (
    Period,
    Today,
    corrected_period,
    exam_time_changed,
    new_period,
    today_mode,
)
from chalicelib.runtime import Runtime
from chalicelib.services.calendar import work_calendar


def new_period_id(exam_date: dt.date) -> str:
    """Readable and sortable: the exam date, then a few random characters."""
    return f"{exam_date.strftime('%Y%m%d')}-{secrets.token_hex(3)}"


def create_period(rt: Runtime, body: Mapping[str, object]) -> Period:
    now = clock.now()
    existing = rt.repo.list_periods()  # fresh, not cached: the rules compare against all periods
    period = new_period(body, new_period_id, now.date(), work_calendar(rt), existing)
    rt.repo.create_period(period, now)
    rt.periods.invalidate()
    return period


def correct_period(rt: Runtime, period_id: str, changes: Mapping[str, object]) -> tuple[Period, int]:
    """PATCH: validated as at creation; candidates already registered are told a new exam time.
    Returns the period and how many candidates will be e-mailed (the console says so).

    The e-mails go through the outbox (written after the period, sent by the
    schedule), so the request never waits for SES."""
    now = clock.now()
    existing = rt.repo.list_periods()
    period = _find(existing, period_id)
    corrected = corrected_period(period, changes, now.date(), work_calendar(rt), existing)
    rt.repo.update_period(period, corrected)
    rt.periods.invalidate()
    notified = 0
    if exam_time_changed(period, corrected):
        notified = rt.outbox_store().queue_for_period(corrected.id, "exam_changed", now)
    return corrected, notified


def delete_period(rt: Runtime, period_id: str) -> None:
    """DELETE: only while nobody has registered (decided by the delete's own condition)."""
    period = _find(rt.repo.list_periods(), period_id)
    rt.repo.delete_period(period)
    rt.periods.invalidate()


def _find(periods: list[Period], period_id: str) -> Period:
    for period in periods:
        if period.id == period_id:
            return period
    raise NotFound("没有找到该期次。", code="period_not_found")


def list_periods(rt: Runtime) -> list[dict[str, Any]]:
    """Every period as staff see it: the contract's Period, and whether its paper is uploaded
    (the console warns about a period heading for its exam without one)."""
    return [{**period.public(), "has_paper": bool(period.paper_key)} for period in rt.repo.list_periods()]


def today(rt: Runtime) -> Today:
    return today_mode(rt.periods.all(), clock.today())
