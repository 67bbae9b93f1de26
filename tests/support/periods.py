"""Test periods: request bodies for `POST /api/admin/periods`, and seeding `make run`'s stack."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

from chalicelib import clock
from chalicelib.domain.calendar import WorkCalendar
from tests.support.stack import Stack


def period_request(
    exam_date: dt.date,
    opens: dt.date | None = None,
    closes: dt.date | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """A staff request creating a period; the registration window is given when `opens` is."""
    body: dict[str, Any] = {
        "name": f"{exam_date.year}年{exam_date.month}月培训考试",
        "exam_date": exam_date.isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "开卷考试，共 50 题，60 分及格。",
    }
    if opens is not None:
        body["registration_opens"] = opens.isoformat()
        body["registration_closes"] = (closes or exam_date - dt.timedelta(days=1)).isoformat()
    return {**body, **changes}


def open_registration_today(stack: Stack, days_to_exam: int = 7) -> dict[str, Any]:
    """Create, through the running app, a period open for registration today (real Beijing date).

    It goes through `chalice local`'s admin route rather than this process's
    runtime: the app caches periods, and only a write it makes itself (or
    the cache's expiry) lets it see a new one at once.
    """
    today = clock.today()
    body = period_request(today + dt.timedelta(days=days_to_exam), opens=today)
    period: dict[str, Any] = _staff_call(stack, "POST", "api/admin/periods", body, expected=201)["period"]
    return period


def calendar_known_through(stack: Stack, last: dt.date) -> None:
    """Make every year from today's to `last`'s known to the running app, as staff do on the
    calendar page once the State Council's notice is out: a year the library does not know
    yet gets 1 January as its only holiday.

    Tests that run on the real clock (the browser's, the concurrency tests') put periods
    weeks ahead; from mid-December those reach a year the library has no data for, and the
    app rightly refuses to compute working days in it (409 calendar_unknown)."""
    library = WorkCalendar()
    for year in range(clock.today().year, last.year + 1):
        source, _ = library.year(year)
        if source == "unknown":
            body = {"holidays": [f"{year}-01-01"], "workdays": []}
            _staff_call(stack, "PUT", f"api/admin/calendar/{year}", body, expected=200)


def _staff_call(stack: Stack, method: str, path: str, body: Any, expected: int) -> Any:
    """A staff request to the running app, its JSON answer."""
    request = urllib.request.Request(
        stack.url + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.staff_token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == expected
        return json.loads(response.read())
