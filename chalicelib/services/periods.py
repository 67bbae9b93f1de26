"""Staff create periods; everyone asks what today is."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain.periods import Period, Today, new_period, today_mode
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


def list_periods(rt: Runtime) -> list[dict[str, Any]]:
    """Every period as staff see it: the contract's Period, and whether its paper is uploaded
    (the console warns about a period heading for its exam without one)."""
    return [{**period.public(), "has_paper": bool(period.paper_key)} for period in rt.repo.list_periods()]


def today(rt: Runtime) -> Today:
    return today_mode(rt.periods.all(), clock.today())
