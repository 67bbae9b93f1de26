"""Staff views of a period: its registrations page by page, and its exam statistics.

Both read the period's registrations through the `by_period` index (a
Query, never a Scan of the whole table), so their cost follows the size of
the period, not of the table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Invalid
from chalicelib.domain.stats import PeriodStats, QuestionLabel, period_stats
from chalicelib.runtime import Runtime
from chalicelib.services.papers import period_paper

PAGE_MAX = 100


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return PAGE_MAX
    # isdigit() alone lets "²" and other non-ASCII digits through to int(), which refuses them.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= PAGE_MAX:
        raise Invalid("limit", f"每页条数 limit 应为 1 到 {PAGE_MAX} 的整数。")
    return int(raw)


def registrations_page(
    rt: Runtime, period_id: str, cursor: str | None, limit: str | None = None, full: bool = True
) -> dict[str, Any]:
    """One page of a period's registrations, with full details or masked (staff only)."""
    period = rt.periods.get(period_id)
    page = rt.repo.period_registrations(period.id, cursor or None, limit=_page_size(limit))
    now = clock.now()
    return {
        "registrations": [registration.staff_view(period, now, full=full) for registration in page.items],
        "cursor": page.cursor,
    }


def stats(rt: Runtime, period_id: str) -> PeriodStats:
    """Counts, pass rate and each question's correct rate over the submitted attempts."""
    period = rt.periods.get(period_id)
    questions = period_paper(rt, period).questions if period.paper_key else ()
    counted = period_stats(rt.repo.iter_period_registrations(period.id), [q.id for q in questions])
    # Staff read a rate beside its question: "s17: 23%" alone would send them to the file.
    return replace(counted, labels={q.id: QuestionLabel(q.type, q.text) for q in questions})
