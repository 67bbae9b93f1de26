"""Demo data for `make run`: a period examining today and one open for registration next.

Registration is refused on every exam date (the contract), so on the day of
the demo the QR page opens the exam; the second period opens for registration
on the next working day. Both get the paper template staff download
(`chalicelib/services/paper_template.json`, 50
questions on the rules of Beijing's human-resources market), and one demo
candidate is registered for today's exam so the exam can be tried at once.
Only ever run against the local emulator.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from stdnum.cn import ric

from chalicelib import clock, runtime
from chalicelib.domain.errors import CalendarUnknown, Conflict
from chalicelib.domain.identity import Contact
from chalicelib.domain.registrations import CONSENT_VERSION
from chalicelib.services import papers, periods
from chalicelib.services.calendar import work_calendar

_DEMO_ID_BODY = "11010519880615012"
# A made-up person with a valid ID number (check character computed, not guessed).
DEMO_CANDIDATE = Contact(
    name="张明",
    id_number=_DEMO_ID_BODY + ric.calc_check_digit(_DEMO_ID_BODY + "0"),
    phone="13800138000",
    email="zhang.ming@example.com",
)


def demo_paper() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(papers.template())
    return document


def seed() -> Iterator[str]:
    rt = runtime.current()
    if not rt.settings.is_emulated:
        raise SystemExit("seed-demo only runs against an emulator (AWS_ENDPOINT_URL)")
    today = clock.today()
    existing = {p.exam_date for p in rt.repo.list_periods()}
    if today not in existing:
        exam = periods.create_period(
            rt,
            {
                "name": f"{today.year}年{today.month}月演示期次（今日考试）",
                "exam_date": today.isoformat(),
                "exam_start": "00:00",
                "exam_end": "23:59",
                "registration_opens": (today - dt.timedelta(days=20)).isoformat(),
                "registration_closes": (today - dt.timedelta(days=1)).isoformat(),
                "notes": "演示：开卷考试，请提前准备好课程资料；考试期间保持网络畅通。",
            },
        )
        yield f"seeded   period {exam.id}: exam today {exam.exam_date}"
    try:
        next_exam = work_calendar(rt).nth_working_day_after(today, 10)
        window: dict[str, str] = {}
    except CalendarUnknown:
        # The calendar does not know next year yet: give the window explicitly.
        next_exam = today + dt.timedelta(days=14)
        window = {
            "registration_opens": (today + dt.timedelta(days=1)).isoformat(),
            "registration_closes": (next_exam - dt.timedelta(days=1)).isoformat(),
        }
    if next_exam not in existing:
        upcoming = periods.create_period(
            rt,
            {
                "name": f"{next_exam.year}年{next_exam.month}月演示期次",
                "exam_date": next_exam.isoformat(),
                "exam_start": "09:00",
                "exam_end": "11:00",
                "notes": "开卷考试，共 50 题，60 分及格。请于考试当天扫描同一二维码进入考试。",
                **window,
            },
        )
        yield (
            f"seeded   period {upcoming.id}: registration {upcoming.registration_opens}"
            f" to {upcoming.registration_closes}, exam {upcoming.exam_date}"
        )
    for period in rt.repo.list_periods():
        if period.exam_date in (today, next_exam) and not period.paper_key:
            stored = papers.upload_paper(rt, period.id, demo_paper())
            yield f"seeded   paper for {period.id}: {len(stored.paper.questions)} questions ({stored.key})"
        if period.exam_date == today:
            try:
                rt.repo.register(period, DEMO_CANDIDATE, clock.now(), CONSENT_VERSION)
                yield (
                    f"seeded   candidate {DEMO_CANDIDATE.name} for today's exam,"
                    f" ID number {DEMO_CANDIDATE.id_number}"
                )
            except Conflict:
                yield f"found    candidate {DEMO_CANDIDATE.name} for today's exam"
